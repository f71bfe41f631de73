"""The yearly competency assessment through its workflow (issue 14, item 4; SPEC 3.4):
opening for a unit's officials, self-assessment, submission, the reviewer's levels,
approval and return, the refusals (a missing level named by its competency, self-approval,
scope) and the definition's contract."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories.appraisals import staff
from tests.factories.competencies import (
    YEAR,
    act,
    approved,
    assessment_of,
    levels,
    opened,
    prepare_competencies,
    review,
    self_assess,
)
from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.competencies.assessments import competency_assessment_open, competency_assessment_self_assess
from thanhhoa_kpi.competencies.models import CompetencyAssessment
from thanhhoa_kpi.core.errors import Conflict, DomainError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.workflow.definition_checks import definition_errors
from thanhhoa_kpi.workflow.models import TransitionLog, WorkflowDefinition

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(cast):
    prepare_competencies()
    opened(cast)
    return YEAR


def _lines(assessment):
    return {line.competency.code: line for line in assessment.lines.select_related("competency")}


# ------------------------------------------------------------------------------ opening


def test_opening_gives_each_official_of_the_unit_one_assessment_with_a_line_per_required_competency(cast, year):
    opened_for = CompetencyAssessment.objects.filter(year=year)
    assert sorted(opened_for.values_list("official__code", flat=True)) == ["T0001", "T0002", "T0003", "T0004"]
    official = assessment_of(cast.official)
    assert official.state == "DRAFT" and official.unit == cast.team and official.position == cast.position
    assert {code: line.required_level for code, line in _lines(official).items()} == {"GT": 3, "VB": 2}
    head = assessment_of(cast.head)
    assert {code: line.required_level for code, line in _lines(head).items()} == {"GT": 4, "VB": 3, "LD": 3}
    assert all(line.self_level is None and line.reviewer_level is None for line in _lines(head).values())


def test_opening_again_keeps_every_assessment_and_creates_none(cast, year):
    self_assess(assessment_of(cast.official), cast.official, {"GT": 3})
    outcome = competency_assessment_open(user=cast.hr, year=year, unit=cast.ward)
    assert (outcome.created, outcome.existing) == (0, 4)
    assert CompetencyAssessment.objects.filter(year=year).count() == 4
    assert _lines(assessment_of(cast.official))["GT"].self_level == 3


def test_opening_lists_positions_without_requirements_and_opens_none_for_them(cast, year):
    from thanhhoa_kpi.organization.models import JobPosition

    driver = JobPosition.objects.create(code="T_LX", name="Lái xe", group="HO_TRO_PHUC_VU", bloc="CHINH_QUYEN")
    staff(cast.team, "T0100", "Lê Văn Lái", position=driver)
    outcome = competency_assessment_open(user=cast.hr, year=year, unit=cast.ward)
    assert outcome.created == 0 and outcome.without_requirements == ["Lái xe"]
    assert not CompetencyAssessment.objects.filter(official__code="T0100").exists()


@pytest.mark.parametrize("opener", ["official", "head", "viewer", "colleague"])
def test_only_hr_authority_or_system_admin_open_assessments(cast, opener):
    prepare_competencies()
    with pytest.raises(PermissionRefused):
        opened(cast, by=getattr(cast, opener))
    assert not CompetencyAssessment.objects.exists()


def test_a_ward_hr_admin_cannot_open_another_department_but_the_bloc_authority_can(cast):
    prepare_competencies()
    with pytest.raises(PermissionRefused):
        opened(cast, unit=cast.other_team)
    outcome = opened(cast, unit=cast.other_team, by=cast.authority)
    assert outcome.created == 1
    assert assessment_of(cast.outsider).unit == cast.other_team


def test_opening_a_future_year_is_refused_naming_the_field(cast):
    prepare_competencies()
    with pytest.raises(ValidationFailed) as refused:
        opened(cast, year=timezone.localdate().year + 1)
    assert [error.field for error in refused.value.errors] == ["year"]
    assert "Năm đánh giá phải là một năm từ 2000 đến" in refused.value.errors[0].message


# ------------------------------------------------------------------------------ the chain


def test_self_assess_submit_review_approve_records_both_levels_and_the_reviewer(cast, year):
    assessment = assessment_of(cast.official)
    competency_assessment_self_assess(
        assessment=assessment, user=cast.official, lines=levels({"GT": 3, "VB": 1}, "Cần bồi dưỡng"), comment="Tự nhận"
    )
    assert act(assessment, cast.official, "submit").state == "REVIEW"
    review(assessment, cast.head, {"GT": 2, "VB": 2})
    done = act(assessment, cast.head, "approve")
    assert done.state == "APPROVED" and done.approved_at is not None and done.reviewer == cast.head
    assert done.self_comment == "Tự nhận"
    lines = _lines(done)
    assert (lines["GT"].self_level, lines["GT"].reviewer_level, lines["GT"].gap) == (3, 2, 1)
    assert (lines["VB"].self_level, lines["VB"].reviewer_level, lines["VB"].gap) == (1, 2, 0)
    assert lines["VB"].self_comment == "Cần bồi dưỡng"
    actions = list(TransitionLog.objects.filter(object_id=done.pk, workflow__doctype="competency_assessment")
                   .order_by("pk").values_list("action", "actor__username"))  # fmt: skip
    assert actions == [("submit", "official"), ("approve", "head")]


def test_submitting_with_a_level_missing_is_refused_naming_the_competency(cast, year):
    assessment = self_assess(assessment_of(cast.official), cast.official, {"GT": 3})
    with pytest.raises(DomainError) as refused:
        act(assessment, cast.official, "submit")
    assert refused.value.code == "SELF_ASSESSMENT_INCOMPLETE"
    assert "VB — Soạn thảo văn bản" in refused.value.message and "GT" not in refused.value.message
    assert [error.field for error in refused.value.errors] == ["lines.VB.self_level"]
    assert CompetencyAssessment.objects.get(pk=assessment.pk).state == "DRAFT"


def test_approving_with_a_reviewer_level_missing_is_refused_naming_the_competency(cast, year):
    assessment = self_assess(assessment_of(cast.official), cast.official, {"GT": 3, "VB": 2})
    act(assessment, cast.official, "submit")
    review(assessment, cast.head, {"VB": 2})
    with pytest.raises(DomainError) as refused:
        act(assessment, cast.head, "approve")
    assert refused.value.code == "REVIEW_INCOMPLETE"
    assert "GT — Giao tiếp" in refused.value.message
    assert CompetencyAssessment.objects.get(pk=assessment.pk).state == "REVIEW"


def test_a_level_outside_1_to_5_is_refused_naming_the_competency_and_nothing_is_saved(cast, year):
    assessment = assessment_of(cast.official)
    with pytest.raises(ValidationFailed) as refused:
        self_assess(assessment, cast.official, {"GT": 3, "VB": 6})
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("lines[1].level", "Năng lực «VB — Soạn thảo văn bản»: cấp độ phải là số nguyên từ 1 đến 5.")
    ]
    assert _lines(assessment)["GT"].self_level is None


def test_returning_needs_a_reason_and_gives_the_official_their_levels_back(cast, year):
    assessment = self_assess(assessment_of(cast.official), cast.official, {"GT": 3, "VB": 2})
    act(assessment, cast.official, "submit")
    with pytest.raises(DomainError) as refused:
        act(assessment, cast.head, "return")
    assert refused.value.code == "COMMENT_REQUIRED"
    assert act(assessment, cast.head, "return", "Xem lại năng lực giao tiếp").state == "DRAFT"
    self_assess(assessment, cast.official, {"GT": 2})
    assert _lines(assessment)["GT"].self_level == 2


def test_reopening_an_approved_assessment_needs_a_reason_and_clears_the_approval(cast, year):
    assessment = approved(assessment_of(cast.official), subject=cast.official, reviewer=cast.head,
                          own={"GT": 3, "VB": 2}, given={"GT": 3, "VB": 2})  # fmt: skip
    with pytest.raises(DomainError):
        act(assessment, cast.head, "reopen")
    reopened = act(assessment, cast.head, "reopen", "Đánh giá lại sau khóa bồi dưỡng")
    assert reopened.state == "REVIEW" and reopened.approved_at is None
    review(reopened, cast.head, {"GT": 4})
    assert _lines(reopened)["GT"].reviewer_level == 4


# ------------------------------------------------------------------------------ who may


def test_nobody_approves_or_rates_as_reviewer_their_own_assessment(cast, year):
    own = self_assess(assessment_of(cast.head), cast.head, {"GT": 4, "VB": 3, "LD": 3})
    act(own, cast.head, "submit")
    with pytest.raises(PermissionRefused) as rated:
        review(own, cast.head, {"GT": 5})
    assert rated.value.code == "SELF_ACTION"
    with pytest.raises(DomainError) as refused:
        act(own, cast.head, "approve")
    assert refused.value.code == "SELF_ACTION"
    # The head of the parent unit reviews a unit head's assessment.
    chair = staff(cast.ward, "T0200", "Trịnh Văn Chủ", position=cast.lead_position, role="HEAD", with_user=True)
    access.forget_scope(chair.user)
    review(own, chair.user, {"GT": 4, "VB": 3, "LD": 2})
    assert act(own, chair.user, "approve").state == "APPROVED"


def test_the_official_alone_rates_themself_and_only_before_submitting(cast, year):
    assessment = assessment_of(cast.official)
    for other in (cast.colleague, cast.head, cast.hr):
        with pytest.raises(PermissionRefused):
            self_assess(assessment, other, {"GT": 3})
    with pytest.raises(DomainError) as submitted_by_other:
        act(assessment, cast.colleague, "submit")
    assert submitted_by_other.value.code == "NOT_AN_APPROVER"
    self_assess(assessment, cast.official, {"GT": 3, "VB": 2})
    act(assessment, cast.official, "submit")
    with pytest.raises(Conflict) as late:
        self_assess(assessment, cast.official, {"GT": 5})
    assert late.value.code == "NOT_EDITABLE"


def test_only_the_unit_head_rates_and_approves_and_only_once_submitted(cast, year):
    assessment = assessment_of(cast.official)
    with pytest.raises(Conflict) as early:
        review(assessment, cast.head, {"GT": 3})
    assert early.value.code == "NOT_EDITABLE"
    self_assess(assessment, cast.official, {"GT": 3, "VB": 2})
    act(assessment, cast.official, "submit")
    for other in (cast.deputy, cast.authority, cast.outsider, cast.hr, cast.sysadmin):
        with pytest.raises(PermissionRefused):
            review(assessment, other, {"GT": 3})
        with pytest.raises(DomainError):
            act(assessment, other, "approve")
    assert CompetencyAssessment.objects.get(pk=assessment.pk).state == "REVIEW"


def test_each_persona_reads_the_assessments_of_their_scope_only(cast, year):
    opened(cast, unit=cast.other_team, by=cast.authority)

    def seen(user):
        rows = access.scoped(CompetencyAssessment.objects.all(), user)
        return sorted(rows.values_list("official__code", flat=True))

    assert seen(cast.official) == ["T0001"]
    assert seen(cast.colleague) == ["T0002"]
    assert seen(cast.head) == ["T0001", "T0002", "T0003", "T0004"]
    assert seen(cast.outsider) == ["T0006"]
    assert seen(cast.hr) == ["T0001", "T0002", "T0003", "T0004"]
    assert seen(cast.authority) == ["T0001", "T0002", "T0003", "T0004", "T0006"]
    assert seen(cast.viewer) == ["T0001", "T0002", "T0003", "T0004", "T0006"]


# ------------------------------------------------------------------------------ the definition


def test_an_edited_definition_must_keep_the_level_checks_and_the_approval(cast):
    prepare_competencies()
    shipped = WorkflowDefinition.objects.current("COMPETENCY_ASSESSMENT")
    assert definition_errors(code=shipped.code, name=shipped.name, doctype=shipped.doctype,
                             definition=shipped.definition) == []  # fmt: skip
    body = {"states": shipped.definition["states"], "transitions": [dict(t) for t in shipped.definition["transitions"]]}
    for transition in body["transitions"]:
        if transition["action"] in ("submit", "approve"):
            transition["effects"] = []
    errors = definition_errors(code=shipped.code, name=shipped.name, doctype=shipped.doctype, definition=body)
    messages = " ".join(error.message for error in errors)
    assert "require_self_levels" in messages and "require_reviewer_levels" in messages and "approve" in messages
