"""Job-description approval for every persona (SPEC 2, 3.3, 4) through the services."""

import pytest

from tests.factories.workflow import (
    PERSONAS,
    current_definition,
    definition_in_force,
    job_description,
    prepare_workflows,
)
from thanhhoa_kpi.core.errors import Conflict, DomainError, PermissionRefused
from thanhhoa_kpi.organization.models import JobPosition
from thanhhoa_kpi.workflow import services
from thanhhoa_kpi.workflow.engine import TransitionRefused
from thanhhoa_kpi.workflow.job_descriptions import (
    DESCRIPTION_COMPLETE,
    job_description_delete,
    job_description_update,
)
from thanhhoa_kpi.workflow.models import JobDescription
from thanhhoa_kpi.workflow.selectors import transition_history

pytestmark = pytest.mark.django_db

ACTIONS = ("submit", "approve", "publish", "return", "reopen")
# state → action → personas allowed; the subject (official) is refused with SELF_ACTION
# wherever SUBJECT is not an approver, everyone else with NOT_AN_APPROVER, and an
# action that does not leave the state with NOT_ALLOWED_FROM_STATE for everybody.
ALLOWED = {
    "DRAFT": {"submit": {"official", "hr"}},
    "UNIT_REVIEW": {"approve": {"head"}, "return": {"head"}},
    "HOME_AFFAIRS": {"publish": {"authority"}, "return": {"authority"}},
    "PUBLISHED": {"reopen": {"authority"}},
}
TARGET = {
    ("DRAFT", "submit"): "UNIT_REVIEW",
    ("UNIT_REVIEW", "approve"): "HOME_AFFAIRS",
    ("UNIT_REVIEW", "return"): "DRAFT",
    ("HOME_AFFAIRS", "publish"): "PUBLISHED",
    ("HOME_AFFAIRS", "return"): "DRAFT",
    ("PUBLISHED", "reopen"): "DRAFT",
}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Before the cast is built: nine PBKDF2 hashes per test would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def wf(cast):
    prepare_workflows()
    return cast


def expected(state, action, persona):
    allowed = ALLOWED[state].get(action)
    if allowed is None:
        return "NOT_ALLOWED_FROM_STATE"
    if persona in allowed:
        return TARGET[(state, action)]
    return "SELF_ACTION" if persona == "official" else "NOT_AN_APPROVER"


def attempt(document, action, user):
    try:
        log = services.workflow_transition(document=document, action=action, user=user, comment="Lý do cụ thể.")
    except TransitionRefused as refused:
        return refused.code
    return log.to_state


@pytest.mark.parametrize("state", list(ALLOWED))
def test_every_persona_may_take_exactly_the_transitions_of_the_chain(wf, state):
    outcomes, wanted = {}, {}
    for persona in PERSONAS:
        for action in ACTIONS:
            document = job_description(wf, state=state)
            outcomes[(persona, action)] = attempt(document, action, getattr(wf, persona))
            wanted[(persona, action)] = expected(state, action, persona)
    assert outcomes == wanted


@pytest.mark.parametrize("state", list(ALLOWED))
def test_available_actions_match_the_chain_for_every_persona(wf, state):
    document = job_description(wf, state=state)
    offered = {
        persona: sorted(o.action for o in services.available_actions(document=document, user=getattr(wf, persona)))
        for persona in PERSONAS
    }
    wanted = {
        persona: sorted(action for action, people in ALLOWED[state].items() if persona in people)
        for persona in PERSONAS
    }
    assert offered == wanted


def test_the_whole_chain_publishes_and_copies_the_texts_into_the_position(wf):
    document = job_description(wf, duties="Nhiệm vụ mới", output_products="Sản phẩm mới")
    for action, user in (("submit", wf.official), ("approve", wf.head), ("publish", wf.authority)):
        services.workflow_transition(document=document, action=action, user=user)
    position = JobPosition.objects.get(pk=wf.position.pk)
    assert (position.duties, position.output_products) == ("Nhiệm vụ mới", "Sản phẩm mới")
    assert position.history.first().history_user == wf.authority
    rows = list(
        transition_history(document=document).values_list("action", "from_state", "to_state", "actor__username")
    )
    assert rows == [
        ("submit", "DRAFT", "UNIT_REVIEW", "official"),
        ("approve", "UNIT_REVIEW", "HOME_AFFAIRS", "head"),
        ("publish", "HOME_AFFAIRS", "PUBLISHED", "authority"),
    ]


def test_a_head_cannot_approve_their_own_description(wf):
    document = job_description(wf, author=wf.head, state="UNIT_REVIEW")
    with pytest.raises(TransitionRefused) as refused:
        services.workflow_transition(document=document, action="approve", user=wf.head)
    assert refused.value.code == "SELF_ACTION"
    assert "hồ sơ của chính mình" in refused.value.message


def test_return_without_a_reason_is_refused_and_nothing_is_written(wf):
    document = job_description(wf, state="UNIT_REVIEW")
    with pytest.raises(TransitionRefused) as refused:
        services.workflow_transition(document=document, action="return", user=wf.head, comment="   ")
    assert refused.value.code == "COMMENT_REQUIRED"
    assert refused.value.errors[0].field == "comment"
    assert JobDescription.objects.get(pk=document.pk).state == "UNIT_REVIEW"
    assert not transition_history(document=document).exists()


def test_the_log_keeps_the_reason_and_the_version(wf):
    document = job_description(wf, state="HOME_AFFAIRS")
    services.workflow_transition(document=document, action="return", user=wf.authority, comment=" Thiếu sản phẩm. ")
    log = transition_history(document=document).get()
    assert (log.comment, log.workflow, log.action_label) == ("Thiếu sản phẩm.", current_definition(), "Trả lại")
    assert log.document == document


def test_a_failing_guard_surfaces_its_message(wf):
    definition = current_definition()
    body = definition.definition
    next(t for t in body["transitions"] if t["action"] == "submit")["guards"] = [DESCRIPTION_COMPLETE]
    definition_in_force(code=definition.code, name=definition.name, doctype="job_description", definition=body)
    document = job_description(wf, output_products="  ")

    with pytest.raises(TransitionRefused) as refused:
        services.workflow_transition(document=document, action="submit", user=wf.official)

    assert refused.value.code == "GUARD_FAILED"
    assert refused.value.message == "Chưa thể thực hiện «Gửi»: bản mô tả chưa có sản phẩm đầu ra"
    assert isinstance(refused.value, DomainError) and refused.value.http_status == 409


def test_an_unknown_action_is_refused_naming_the_field(wf):
    with pytest.raises(TransitionRefused) as refused:
        services.workflow_transition(document=job_description(wf), action="approve_all", user=wf.head)
    assert refused.value.code == "UNKNOWN_ACTION" and refused.value.errors[0].field == "action"


def test_a_new_description_starts_on_the_current_version_in_its_initial_state(wf):
    document = job_description(wf)
    assert (document.workflow, document.state) == (current_definition(), "DRAFT")
    assert document.state_changed_at is not None


def test_only_the_author_or_hr_edit_and_only_while_editable(wf):
    document = job_description(wf)
    job_description_update(user=wf.hr, job_description=document, duties="Sửa bởi HR")
    with pytest.raises(PermissionRefused):
        job_description_update(user=wf.colleague, job_description=document, duties="X")
    services.workflow_transition(document=document, action="submit", user=wf.official)
    with pytest.raises(Conflict) as refused:
        job_description_update(user=wf.official, job_description=document, duties="X")
    assert refused.value.code == "NOT_EDITABLE"


def test_an_official_drafts_only_for_a_unit_they_work_in(wf):
    with pytest.raises(PermissionRefused):
        job_description(wf, author=wf.outsider)
    with pytest.raises(PermissionRefused):
        job_description(wf, author=wf.viewer)


def test_a_description_with_history_cannot_be_deleted(wf):
    fresh = job_description(wf)
    job_description_delete(user=wf.official, job_description=fresh)
    returned = job_description(wf, state="UNIT_REVIEW")
    services.workflow_transition(document=returned, action="return", user=wf.head, comment="Viết lại.")
    with pytest.raises(Conflict):
        job_description_delete(user=wf.official, job_description=returned)
