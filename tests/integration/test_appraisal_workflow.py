"""The appraisal chain for every persona (SPEC 2, 4): who may take which step, and what each step does."""

from datetime import timedelta

import pytest

from tests.factories.appraisals import appraisal_of, lines, opened, place, prepare_appraisals, self_assess, staff
from tests.factories.workflow import PERSONAS
from thanhhoa_kpi.appraisals import services
from thanhhoa_kpi.appraisals.models import Appraisal
from thanhhoa_kpi.core.errors import Conflict, DomainError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.workflow.selectors import inbox_for, transition_history
from thanhhoa_kpi.workflow.services import available_actions, workflow_transition

pytestmark = pytest.mark.django_db

ACTIONS = ("submit", "approve", "publish", "return", "reopen")
# state → action → personas allowed on the official's appraisal. The subject is refused
# with SELF_ACTION wherever SUBJECT is not an approver, everyone else with NOT_AN_APPROVER,
# and an action that does not leave the state with NOT_ALLOWED_FROM_STATE for everybody.
ALLOWED = {
    "DRAFT": {"submit": {"official"}},
    "UNIT_REVIEW": {"approve": {"head"}, "return": {"head", "deputy"}},
    "HOME_AFFAIRS": {"publish": {"authority"}, "return": {"authority"}},
    "PUBLISHED": {"reopen": {"authority"}},
}
TARGET = {
    ("DRAFT", "submit"): "UNIT_REVIEW",
    ("UNIT_REVIEW", "approve"): "HOME_AFFAIRS",
    ("UNIT_REVIEW", "return"): "DRAFT",
    ("HOME_AFFAIRS", "publish"): "PUBLISHED",
    ("HOME_AFFAIRS", "return"): "DRAFT",
    ("PUBLISHED", "reopen"): "UNIT_REVIEW",
}


@pytest.fixture
def chain(cast):
    prepare_appraisals()
    period = opened(cast)
    appraisal = self_assess(appraisal_of(cast.official, period), cast.official)
    return period, appraisal


def expected(state, action, persona):
    allowed = ALLOWED[state].get(action)
    if allowed is None:
        return "NOT_ALLOWED_FROM_STATE"
    if persona in allowed:
        return TARGET[(state, action)]
    return "SELF_ACTION" if persona == "official" else "NOT_AN_APPROVER"


@pytest.mark.parametrize("state", list(ALLOWED))
def test_every_transition_for_every_persona(cast, chain, state):
    _period, appraisal = chain
    for persona in PERSONAS:
        for action in ACTIONS:
            place(appraisal, state)
            want = expected(state, action, persona)
            try:
                workflow_transition(document=appraisal, action=action, user=getattr(cast, persona), comment="Lý do")
            except DomainError as error:
                assert error.code == want, (state, persona, action, error.message)
            else:
                assert Appraisal.objects.get(pk=appraisal.pk).state == want, (state, persona, action)


def test_the_panel_offers_each_persona_only_their_actions(cast, chain):
    _period, appraisal = chain
    place(appraisal, "UNIT_REVIEW")
    offered = {p: {o.action for o in available_actions(document=appraisal, user=getattr(cast, p))} for p in PERSONAS}
    assert offered["head"] == {"approve", "return"} and offered["deputy"] == {"return"}
    assert not offered["official"] and not offered["authority"] and not offered["outsider"] and not offered["viewer"]


def test_a_return_without_a_reason_is_refused(cast, chain):
    _period, appraisal = chain
    place(appraisal, "UNIT_REVIEW")
    for blank in ("", "   "):
        with pytest.raises(DomainError) as error:
            workflow_transition(document=appraisal, action="return", user=cast.head, comment=blank)
        assert error.value.code == "COMMENT_REQUIRED" and error.value.errors[0].field == "comment"
    assert Appraisal.objects.get(pk=appraisal.pk).state == "UNIT_REVIEW"


def test_submitting_needs_a_complete_self_assessment(cast, chain):
    period, _appraisal = chain
    colleague = appraisal_of(cast.colleague, period)
    services.appraisal_self_assess(appraisal=colleague, user=cast.colleague, lines=lines(["5"], colleague))
    with pytest.raises(ValidationFailed) as error:
        workflow_transition(document=colleague, action="submit", user=cast.colleague)
    assert error.value.code == "SELF_ASSESSMENT_INCOMPLETE" and "1.2" in error.value.message
    assert Appraisal.objects.get(pk=colleague.pk).state == "DRAFT"


def test_the_whole_chain_scores_at_each_step_and_fixes_the_level_at_publication(cast, chain):
    _period, appraisal = chain
    awaiting_head = lambda: [item.document.pk for item in inbox_for(user=cast.head, doctype="appraisal")]  # noqa: E731
    assert appraisal.pk not in awaiting_head()
    workflow_transition(document=appraisal, action="submit", user=cast.official)
    assert appraisal.pk in awaiting_head()
    workflow_transition(document=appraisal, action="approve", user=cast.head)
    appraisal.refresh_from_db()
    assert appraisal.reviewer == cast.head
    assert [line.reviewer_score for line in appraisal.criteria.all()] == [
        line.self_score for line in appraisal.criteria.all()
    ]
    workflow_transition(document=appraisal, action="publish", user=cast.authority)
    appraisal.refresh_from_db()
    assert appraisal.state == "PUBLISHED" and appraisal.published_at is not None
    assert [log.action for log in transition_history(document=appraisal)] == ["submit", "approve", "publish"]


def test_nobody_edits_a_published_appraisal(cast, chain):
    _period, appraisal = chain
    place(appraisal, "PUBLISHED")
    attempts = [
        lambda: services.appraisal_self_assess(appraisal=appraisal, user=cast.official, lines=lines(["4"], appraisal)),
        lambda: services.appraisal_review_general(appraisal=appraisal, user=cast.head, lines=lines(["4"], appraisal)),
        lambda: services.appraisal_score(appraisal=appraisal, user=cast.head),
        lambda: services.appraisal_record_disqualifier(appraisal=appraisal, user=cast.head, code="DISCIPLINE",
                                                       evidence="Quyết định kỷ luật số 1"),
    ]  # fmt: skip
    for attempt in attempts:
        with pytest.raises(Conflict) as error:
            attempt()
        assert error.value.code == "APPRAISAL_PUBLISHED" and "Mở lại" in error.value.message


def test_reopening_needs_a_reason_is_logged_and_clears_the_published_level(cast, chain):
    _period, appraisal = chain
    for action, user in (("submit", cast.official), ("approve", cast.head), ("publish", cast.authority)):
        workflow_transition(document=appraisal, action=action, user=user)
    with pytest.raises(DomainError) as error:
        workflow_transition(document=appraisal, action="reopen", user=cast.authority)
    assert error.value.code == "COMMENT_REQUIRED"
    workflow_transition(document=appraisal, action="reopen", user=cast.authority, comment="Phát hiện sai sót số liệu")
    appraisal.refresh_from_db()
    assert appraisal.state == "UNIT_REVIEW" and appraisal.final_classification == "" and appraisal.published_at is None
    last = list(transition_history(document=appraisal))[-1]
    assert (last.action, last.actor, last.comment) == ("reopen", cast.authority, "Phát hiện sai sót số liệu")
    assert appraisal.history.filter(published_at__isnull=False).exists()  # the old values stay in the history


def test_only_the_subject_self_assesses_and_only_a_reviewer_reviews(cast, chain):
    _period, appraisal = chain
    for user in (cast.colleague, cast.head, cast.authority, cast.hr, cast.viewer, cast.outsider):
        with pytest.raises(PermissionRefused):
            services.appraisal_self_assess(appraisal=appraisal, user=user, lines=lines(["4"], appraisal))
    for user in (cast.official, cast.colleague, cast.authority, cast.hr, cast.viewer, cast.outsider, cast.sysadmin):
        with pytest.raises(PermissionRefused):
            services.appraisal_review_general(appraisal=appraisal, user=user, lines=lines(["4"], appraisal))
    for user in (cast.head, cast.deputy):
        services.appraisal_review_general(appraisal=appraisal, user=user, lines=lines(["4.5"], appraisal))


def test_the_subject_self_assesses_only_while_in_draft(cast, chain):
    _period, appraisal = chain
    workflow_transition(document=appraisal, action="submit", user=cast.official)
    with pytest.raises(Conflict) as error:
        services.appraisal_self_assess(appraisal=appraisal, user=cast.official, lines=lines(["4"], appraisal))
    assert error.value.code == "NOT_EDITABLE"


def test_a_head_is_reviewed_by_the_parent_unit_head_never_by_themself(cast, chain):
    period, _appraisal = chain
    ward_head = staff(cast.ward, "T0100", "Đỗ Văn Hùng", position=cast.lead_position, role="HEAD", with_user=True)
    head_appraisal = self_assess(appraisal_of(cast.head, period), cast.head)
    workflow_transition(document=head_appraisal, action="submit", user=cast.head)
    with pytest.raises(DomainError) as error:
        workflow_transition(document=head_appraisal, action="approve", user=cast.head)
    assert error.value.code == "SELF_ACTION"
    with pytest.raises(PermissionRefused):
        services.appraisal_review_general(
            appraisal=head_appraisal, user=cast.deputy, lines=lines(["4"], head_appraisal)
        )
    services.appraisal_set_unit_criteria(appraisal=head_appraisal, user=ward_head.user, dd="50", e="100",
                                         reason="Nhiều nhiệm vụ chậm kéo dài")  # fmt: skip
    workflow_transition(document=head_appraisal, action="approve", user=ward_head.user)
    assert Appraisal.objects.get(pk=head_appraisal.pk).state == "HOME_AFFAIRS"


def test_a_transfer_does_not_move_the_appraisal(cast, chain):
    period, appraisal = chain
    on = period.start_date + timedelta(days=1)
    official = cast.official_of(cast.official)
    org.official_transfer(by=cast.sysadmin, official=official, unit=cast.other_team, position=cast.position, on=on)
    appraisal.refresh_from_db()
    assert appraisal.unit == cast.team
