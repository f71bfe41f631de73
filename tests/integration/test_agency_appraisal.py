"""The agency's own appraisal from data, through the UNIT_APPRAISAL workflow (issue 14, item 1).

ND 233/2026/NĐ-CP Điều 7 (ND 335/2025/NĐ-CP Điều 20 by analogy): the agency's task result
comes from its officials' results, its level from the band and each level's conditions;
the bloc authority approves, applies the agencies' quota (≤ 20 % of «tốt», fewer than
five agencies → one) and publishes; the agency's level caps its head (SPEC 5.7).
"""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories.agency import agency_row
from tests.factories.appraisals import appraisal_of, opened, prepare_appraisals
from thanhhoa_kpi.appraisals import agency, quota, services
from thanhhoa_kpi.appraisals.models import Appraisal, UnitAppraisal
from thanhhoa_kpi.appraisals.rulesets import current_rule_set, rule_set_params
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.errors import Conflict, DomainError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.workflow.definition_checks import definition_errors
from thanhhoa_kpi.workflow.models import WorkflowDefinition
from thanhhoa_kpi.workflow.services import workflow_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(cast):
    prepare_appraisals()
    return opened(cast)


def _results(period, rows):
    """Give each official's month appraisal these figures: (task %, assigned, done, on time, quality)."""
    for user, (task, assigned, done, on_time, quality) in rows.items():
        Appraisal.objects.filter(pk=appraisal_of(user, period).pk).update(
            score_status="OK", task_percent=Decimal(task), assigned_converted=Decimal(assigned),
            completed_converted=Decimal(done), progress_converted=Decimal(on_time), quality_converted=Decimal(quality),
        )  # fmt: skip


def test_submitting_scores_the_agency_from_its_officials_results_and_the_authority_approves(cast, period):
    _results(period, {
        cast.official: ("100", "10", "10", "10", "10"),
        cast.colleague: ("90", "10", "12", "10", "12"),
        cast.deputy: ("80", "10", "10", "8", "10"),
        cast.head: ("70", "10", "10", "10", "10"),
    })  # fmt: skip
    row = services.unit_appraisal_save(user=cast.hr, unit=cast.team, year=period.year, general_score="27",
                                       task_score="70")  # fmt: skip
    assert row.state == "DRAFT"
    # The rule set's classification deadline drives reminders and the inbox until approval.
    assert row.workflow_deadline() == row.deadline == date(period.year, 12, 15)
    assert list(UnitAppraisal.workflow_due(until=row.deadline)) == [row]
    workflow_transition(document=row, action="submit", user=cast.head)
    row.refresh_from_db()
    # Mean of 100, 90, 80, 70 = 85 % → 70 × 85 % = 59.50; 27 + 59.50 = 86.50: «tốt» by score.
    assert row.state == "AUTHORITY"
    assert (row.task_percent, row.task_score, row.total) == (Decimal("85.00"), Decimal("59.50"), Decimal("86.50"))
    assert (row.planned_converted, row.done_converted, row.on_time_converted) == (40, 42, 38)
    assert (row.exceeded_converted, row.months_counted, row.rule_set_code) == (2, 4, "ND335")
    # 38 of 40 on time (95 %): not «tốt»; all done and 5 % late: «hoàn thành» (khoản 5).
    assert (row.score_classification, row.conditions_classification, row.classification) == (
        "HOAN_THANH_TOT", "HOAN_THANH", "HOAN_THANH",
    )  # fmt: skip
    assert any("chỉ 95% khối lượng được giao hoàn thành đúng tiến độ" in line for line in row.explanation)
    assert "Nghị định 335/2025/NĐ-CP, Điều 20" in row.explanation[-1]
    with pytest.raises(DomainError):
        workflow_transition(document=row, action="approve", user=cast.hr)  # only the bloc's authority approves
    with pytest.raises(Conflict):
        services.unit_appraisal_save(user=cast.hr, unit=cast.team, year=period.year, general_score="30",
                                     task_score="70")  # fmt: skip
    workflow_transition(document=row, action="approve", user=cast.authority)
    workflow_transition(document=row, action="publish", user=cast.authority)
    row.refresh_from_db()
    assert (row.state, row.classification) == ("PUBLISHED", "HOAN_THANH")
    assert row.approved_at is not None and row.published_at is not None
    assert row.workflow_deadline() is None


def test_the_agency_caps_its_head(cast, period):
    _results(period, {user: ("100", "10", "10", "8", "10") for user in (cast.official, cast.head)})
    row = services.unit_appraisal_save(user=cast.hr, unit=cast.team, year=period.year, general_score="30",
                                       task_score="70")  # fmt: skip
    workflow_transition(document=row, action="submit", user=cast.head)
    row.refresh_from_db()
    assert row.classification == "HOAN_THANH"  # 100 points, 80 % on time
    mine = appraisal_of(cast.head, period)
    assert quota.head_cap(mine, "HOAN_THANH_XUAT_SAC", period.year)[0] == "HOAN_THANH_XUAT_SAC"  # not yet decided
    workflow_transition(document=row, action="approve", user=cast.authority)
    level, reason, unit_level = quota.head_cap(mine, "HOAN_THANH_XUAT_SAC", period.year)
    assert (level, unit_level) == ("HOAN_THANH", "HOAN_THANH")
    assert reason


def test_without_scored_results_submitting_is_refused_and_nothing_moves(cast, period):
    row = services.unit_appraisal_save(user=cast.authority, unit=cast.other_team, year=period.year,
                                       general_score="27", task_score="60")  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        workflow_transition(document=row, action="submit", user=cast.province_hr)
    assert refused.value.code == "NO_AGENCY_DATA"
    assert "Phòng B" in refused.value.message
    row.refresh_from_db()
    assert (row.state, row.scored_at) == ("DRAFT", None)


@pytest.fixture
def agencies(cast, period):
    """Six agencies of the bloc approved for the year: three «xuất sắc» (95, 93, 91), three «tốt»."""
    params = rule_set_params(current_rule_set("ND335"))
    rows = []
    for index, total in enumerate(["95", "93", "91", "85", "80", "75"]):
        unit = org.org_unit_create(by=SYSTEM, parent=cast.province, code=f"T_SO_Q{index}", name=f"Sở thử {index}",
                                   bloc="CHINH_QUYEN", level="TINH", kind="SO")  # fmt: skip
        rows.append(agency_row(unit, period.year, total, state="APPROVED", params=params))
    return rows


def test_publishing_past_the_agencies_quota_is_refused_until_the_authority_applies_it(cast, agencies):
    with pytest.raises(DomainError) as refused:
        workflow_transition(document=agencies[1], action="publish", user=cast.authority)
    assert "vượt tỷ lệ xuất sắc của các cơ quan, đơn vị" in refused.value.message
    with pytest.raises(PermissionRefused):
        agency.unit_appraisals_apply_quota(user=cast.hr, bloc="CHINH_QUYEN", year=agencies[0].year)
    # 3 candidates, 3 «tốt», 20 %: E ≤ floor(0.2 × (6 − E)) → E = 1.
    lowered = agency.unit_appraisals_apply_quota(user=cast.authority, bloc="CHINH_QUYEN", year=agencies[0].year)
    assert lowered == 2
    for row in agencies:
        workflow_transition(document=UnitAppraisal.objects.get(pk=row.pk), action="publish", user=cast.authority)
    final = [UnitAppraisal.objects.get(pk=row.pk) for row in agencies]
    assert [row.classification for row in final[:3]] == ["HOAN_THANH_XUAT_SAC", "HOAN_THANH_TOT", "HOAN_THANH_TOT"]
    assert final[2].quota_reason.startswith("Vượt tỷ lệ xuất sắc của các cơ quan, đơn vị (xếp thứ 3)")
    assert final[0].quota_reason == "" and all(row.state == "PUBLISHED" for row in final)


def test_fewer_than_five_agencies_keep_one_excellent(cast, agencies):
    for row in agencies[3:]:
        UnitAppraisal.objects.filter(pk=row.pk).update(state="DRAFT")
    lowered = agency.unit_appraisals_apply_quota(user=cast.authority, bloc="CHINH_QUYEN", year=agencies[0].year)
    assert lowered == 2
    reason = UnitAppraisal.objects.get(pk=agencies[1].pk).quota_reason
    assert "3 cơ quan, đơn vị được đánh giá (dưới 5): tối đa 1" in reason


def test_every_definition_the_desk_accepts_keeps_scoring_and_the_quota(cast, period):
    current = WorkflowDefinition.objects.get(code="UNIT_APPRAISAL", is_current=True).as_mapping()
    for transition in current["transitions"]:
        if transition["action"] == "publish":
            transition["guards"] = []
        if transition["action"] == "submit":
            transition["effects"] = []
    body = {"states": current["states"], "transitions": current["transitions"]}
    errors = definition_errors(code="UNIT_APPRAISAL", name="x", doctype="unit_appraisal", definition=body)
    messages = " ".join(error.message for error in errors)
    assert "score_agency" in messages and "AGENCY_QUOTA_HOLDS" in messages


def test_nobody_approves_the_appraisal_of_the_agency_they_work_in(cast, period):
    """The bloc authority works at Sở Nội vụ: it may not approve Sở Nội vụ's own appraisal."""
    _results(period, {cast.authority: ("90", "10", "10", "10", "10")})
    row = services.unit_appraisal_save(user=cast.province_hr, unit=cast.home_affairs, year=period.year,
                                       general_score="27", task_score="60")  # fmt: skip
    workflow_transition(document=row, action="submit", user=cast.province_hr)
    with pytest.raises(PermissionRefused) as refused:
        workflow_transition(document=UnitAppraisal.objects.get(pk=row.pk), action="approve", user=cast.authority)
    assert refused.value.code == "SELF_ACTION" and "Sở Nội vụ (thử)" in refused.value.message
    assert UnitAppraisal.objects.get(pk=row.pk).state == "AUTHORITY"


def test_a_level_from_an_earlier_scoring_follows_the_data_when_it_is_scored_again(cast, period):
    """Notes alone do not freeze a level: submitted at «hoàn thành» (one delay), the data then
    improves and the approval scores it again at «tốt»; a lower level the authority recorded
    with its grounds before scoring is kept."""
    _results(period, {cast.official: ("90", "10", "10", "9", "10")})
    row = services.unit_appraisal_save(user=cast.hr, unit=cast.team, year=period.year, general_score="20",
                                       task_score="60", notes="Ghi chú chung của đơn vị")  # fmt: skip
    workflow_transition(document=row, action="submit", user=cast.head)
    assert UnitAppraisal.objects.get(pk=row.pk).classification == "HOAN_THANH"
    _results(period, {cast.official: ("90", "10", "10", "10", "10")})
    workflow_transition(document=UnitAppraisal.objects.get(pk=row.pk), action="approve", user=cast.authority)
    assert UnitAppraisal.objects.get(pk=row.pk).classification == "HOAN_THANH_TOT"  # 20 + 63 = 83, all on time
    other = services.unit_appraisal_save(user=cast.authority, unit=cast.other_team, year=period.year,
                                         general_score="20", task_score="60", classification="HOAN_THANH",
                                         notes="Đơn vị để xảy ra mất đoàn kết nội bộ")  # fmt: skip
    _results(period, {cast.outsider: ("90", "10", "10", "10", "10")})
    workflow_transition(document=other, action="submit", user=cast.province_hr)
    assert UnitAppraisal.objects.get(pk=other.pk).classification == "HOAN_THANH"  # the authority's grounds stand
