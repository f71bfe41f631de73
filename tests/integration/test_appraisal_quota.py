"""Publishing with the excellence quota and the head cap; unit appraisals; the annual roll-up (SPEC 5.5–5.7)."""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories.appraisals import appraisal_of, month_period, opened, place, prepare_appraisals, scored, staff
from tests.factories.workflow import rule_set_in_force
from thanhhoa_kpi.appraisals import quota, selectors, services
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalDisqualifier, RuleSet, UnitAppraisal
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.errors import Conflict, DomainError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import LeavePeriod, SimilarTaskGroup
from thanhhoa_kpi.workflow.services import workflow_transition

pytestmark = pytest.mark.django_db

CANDIDATES = ["95", "94.5", "94", "93.5", "93", "92.5", "92", "91.5"]


@pytest.fixture
def unit(cast):
    prepare_appraisals()
    # The mechanics of the quota and the head cap, per unit and binding every period; the
    # defaults (per agency, binding the year) are tested in test_quota_scope_and_timing.py.
    current = RuleSet.objects.get(code="ND335", is_current=True)
    params = {**current.params, "quota_scope": "UNIT", "quota_binding_kinds": ["MONTH", "QUARTER", "YEAR"]}
    rule_set_in_force(code="ND335", name=current.name, params=params)
    unit = org.org_unit_create(by=SYSTEM, parent=cast.ward, code="T_PHONG_Q", name="Phòng Kinh tế Q",
                               bloc="CHINH_QUYEN", level="XA", kind="PHONG")  # fmt: skip
    SimilarTaskGroup.objects.create(unit=unit, code="CHUYEN_VIEN", name="Chuyên viên phòng Kinh tế")
    return unit


def decided(row):
    """The bloc authority's approval of an agency appraisal (a shortcut: scoring it from data
    is tests/integration/test_agency_appraisal.py); only then does it cap or raise anything."""
    UnitAppraisal.objects.filter(pk=row.pk).update(state="APPROVED")


def people(cast, unit, count, start=0):
    return [
        staff(unit, f"Q{start + i:03d}", f"Cán bộ {start + i:02d}", position=cast.position, group="CHUYEN_VIEN")
        for i in range(count)
    ]


def group_of(period, officials, totals, state="HOME_AFFAIRS"):
    return [scored(appraisal_of(o, period), total, state=state) for o, total in zip(officials, totals, strict=True)]


def test_publishing_a_unit_keeps_five_of_eight_candidates_and_records_why(cast, unit):
    officials = people(cast, unit, 30)
    period = opened(cast)
    rows = group_of(period, officials, CANDIDATES + ["80"] * 22)
    outcome = services.period_publish_unit(period=period, unit=unit, user=cast.authority)
    assert len(outcome.published) == 30
    assert [member.appraisal.pk for member in outcome.demoted] == [row.pk for row in rows[5:8]]
    finals = {row.pk: Appraisal.objects.get(pk=row.pk) for row in rows}
    assert [finals[row.pk].final_classification for row in rows[:8]] == ["HOAN_THANH_XUAT_SAC"] * 5 + [
        "HOAN_THANH_TOT"
    ] * 3
    assert all(finals[row.pk].state == "PUBLISHED" for row in rows)
    reason = finals[rows[6].pk].quota_reason
    assert "Xếp thứ 7/8" in reason and "Chuyên viên phòng Kinh tế" in reason and "E = 5" in reason
    assert finals[rows[0].pk].quota_reason == ""


def test_a_small_group_keeps_no_excellent(cast, unit):
    officials = people(cast, unit, 5)
    period = opened(cast)
    group_of(period, officials, ["96", "91", "80", "75", "72"])
    outcome = services.period_publish_unit(period=period, unit=unit, user=cast.authority)
    assert len(outcome.demoted) == 2
    levels = Appraisal.objects.filter(official__in=officials).values_list("final_classification", flat=True)
    assert set(levels) == {"HOAN_THANH_TOT"}


def test_a_unit_rated_excellent_raises_the_limit_to_25_percent(cast, unit):
    officials = people(cast, unit, 30)
    period = opened(cast)
    group_of(period, officials, CANDIDATES + ["80"] * 22)
    row = services.unit_appraisal_save(user=cast.authority, unit=unit, year=period.year, general_score="29",
                                       task_score="66")  # fmt: skip
    assert selectors.quota_view(period=period, unit=unit, user=cast.authority).groups[0].limit == 5  # a draft
    decided(row)
    view = selectors.quota_view(period=period, unit=unit, user=cast.authority)
    group = view.groups[0]
    assert (group.candidates, group.good, group.limit, group.unit_excellent) == (8, 22, 6, True)
    assert len(view.demoted) == 2 and view.can_publish
    assert not selectors.quota_view(period=period, unit=unit, user=cast.head).can_publish


def test_one_appraisal_is_published_alone_only_within_the_quota(cast, unit):
    officials = people(cast, unit, 30)
    period = opened(cast)
    rows = group_of(period, officials, CANDIDATES + ["80"] * 22)
    workflow_transition(document=rows[0], action="publish", user=cast.authority)
    with pytest.raises(DomainError) as error:
        workflow_transition(document=rows[7], action="publish", user=cast.authority)
    assert error.value.code == "GUARD_FAILED" and "vượt tỷ lệ xuất sắc" in error.value.message
    workflow_transition(document=rows[20], action="publish", user=cast.authority)  # a "tốt" never breaks it
    assert Appraisal.objects.get(pk=rows[7].pk).state == "HOME_AFFAIRS"


def test_a_head_is_not_above_the_unit(cast, unit):
    head = staff(unit, "Q900", "Trưởng phòng Q", position=cast.lead_position, role="HEAD")
    period = opened(cast)
    appraisal = scored(appraisal_of(head, period), "85")
    decided(services.unit_appraisal_save(user=cast.authority, unit=unit, year=period.year, general_score="20",
                                         task_score="40"))  # fmt: skip
    with pytest.raises(DomainError) as error:
        workflow_transition(document=appraisal, action="publish", user=cast.authority)
    assert error.value.code == "GUARD_FAILED" and "cao hơn" in error.value.message
    outcome = services.period_publish_unit(period=period, unit=unit, user=cast.authority)
    appraisal.refresh_from_db()
    assert [member.appraisal.pk for member in outcome.capped] == [appraisal.pk]
    assert appraisal.final_classification == "HOAN_THANH" and "đơn vị" in appraisal.head_cap_reason


def test_nobody_publishes_their_own_appraisal(cast, unit):
    period = opened(cast)
    scored(appraisal_of(cast.authority, period), "85")
    with pytest.raises(Conflict) as error:
        services.period_publish_unit(period=period, unit=cast.home_affairs, user=cast.authority)
    assert error.value.code == "NOTHING_TO_PUBLISH" and "chính bạn" in error.value.message
    for user in (cast.head, cast.hr, cast.sysadmin, cast.viewer):
        with pytest.raises(PermissionRefused):
            services.period_publish_unit(period=period, unit=cast.team, user=user)


def test_a_reopened_appraisal_ranked_above_a_published_one_blocks_until_that_one_is_reopened(cast, unit):
    officials = people(cast, unit, 30)
    period = opened(cast)
    rows = group_of(period, officials, CANDIDATES + ["80"] * 22)
    services.period_publish_unit(period=period, unit=unit, user=cast.authority)
    rows = [Appraisal.objects.get(pk=row.pk) for row in rows]
    workflow_transition(document=rows[7], action="reopen", user=cast.authority, comment="Bổ sung minh chứng")
    scored(rows[7], "99")
    with pytest.raises(Conflict) as error:
        services.period_publish_unit(period=period, unit=unit, user=cast.authority)
    assert error.value.code == "QUOTA_CONFLICT" and "Cán bộ 04" in error.value.message
    with pytest.raises(DomainError):
        workflow_transition(document=rows[7], action="publish", user=cast.authority)
    workflow_transition(document=rows[4], action="reopen", user=cast.authority, comment="Xét lại tỷ lệ")
    scored(rows[4], "93")
    outcome = services.period_publish_unit(period=period, unit=unit, user=cast.authority)
    assert {member.appraisal.pk for member in outcome.demoted} == {rows[4].pk}
    excellent = Appraisal.objects.filter(official__in=officials, final_classification="HOAN_THANH_XUAT_SAC")
    assert excellent.count() == 5


def test_unit_appraisals_are_entered_by_the_authority_or_the_unit_hr_and_never_raised(cast, unit):
    year = date.today().year
    row = services.unit_appraisal_save(user=cast.hr, unit=cast.team, year=year, general_score="27", task_score="55")
    assert (row.total, row.score_classification, row.classification) == (Decimal("82.00"), "HOAN_THANH_TOT",
                                                                         "HOAN_THANH_TOT")  # fmt: skip
    with pytest.raises(ValidationFailed) as error:
        services.unit_appraisal_save(user=cast.authority, unit=cast.team, year=year, general_score="31",
                                     task_score="55", classification="HOAN_THANH_XUAT_SAC")  # fmt: skip
    assert {item.field for item in error.value.errors} == {"general_score"}
    with pytest.raises(ValidationFailed) as error:
        services.unit_appraisal_save(user=cast.authority, unit=cast.team, year=year, general_score="27",
                                     task_score="55", classification="HOAN_THANH_XUAT_SAC")  # fmt: skip
    assert error.value.errors[0].message == "Không được xếp cao hơn mức theo điểm."
    with pytest.raises(ValidationFailed) as error:
        services.unit_appraisal_save(user=cast.authority, unit=cast.team, year=year, general_score="27",
                                     task_score="55", classification="HOAN_THANH")  # fmt: skip
    assert error.value.errors[0].field == "notes"
    lowered = services.unit_appraisal_save(user=cast.authority, unit=cast.team, year=year, general_score="27",
                                           task_score="55", classification="HOAN_THANH",
                                           notes="7,5% nhiệm vụ chậm tiến độ")  # fmt: skip
    assert lowered.pk == row.pk and lowered.classification == "HOAN_THANH" and lowered.history.count() == 2
    for user in (cast.official, cast.head, cast.outsider, cast.viewer):
        with pytest.raises(PermissionRefused):
            services.unit_appraisal_save(user=user, unit=cast.team, year=year, general_score="27", task_score="55")
    with pytest.raises(PermissionRefused):
        services.unit_appraisal_save(user=cast.hr, unit=cast.other_team, year=year, general_score="1", task_score="1")


def _published_months(cast, totals_by_user, months):
    for month in months:
        period = opened(cast, month_period(cast, month=month))
        for user, totals in totals_by_user.items():
            scored(appraisal_of(user, period), totals[month - 1], state="PUBLISHED")


def test_the_annual_list_rolls_up_the_published_months(cast, unit):
    year = date.today().year
    months = list(range(1, 8))
    _published_months(cast, {cast.official: ["92", "88", "91", "85", "90", "93", "89"],
                             cast.colleague: ["95"] * 7, cast.deputy: ["80"] * 7}, months)  # fmt: skip
    # Training leave counts against the six-month minimum (sick and maternity leave do not:
    # tests/integration/test_rollup_months.py).
    LeavePeriod.objects.create(official=cast.official_of(cast.colleague), kind="TRAINING",
                               start_date=date(year, 2, 1), end_date=date(year, 5, 31))  # fmt: skip
    march = Appraisal.objects.get(official__user=cast.deputy, period__number=3, period__kind="MONTH")
    AppraisalDisqualifier.objects.create(
        appraisal=march, code="DISCIPLINE", evidence="Khiển trách", recorded_by=cast.head
    )
    year_period = services.period_create(user=cast.authority, kind="YEAR", bloc="CHINH_QUYEN", year=year)
    found = selectors.classification_list(period=year_period, unit=cast.team, user=cast.authority)
    rows = {row.official.user: row for row in found.rows}
    assert found.rolled_up and found.deadline == date(year, 12, 15)
    official = rows[cast.official]
    assert (official.months_worked, official.mean, official.final) == (7, Decimal("89.71"), "HOAN_THANH_TOT")
    assert official.months_missing == 5
    colleague = rows[cast.colleague]
    assert (colleague.months_worked, colleague.months_excluded, colleague.final) == (3, 4, "")
    assert any(line.startswith("Không xếp loại: thời gian thực tế làm việc 3 tháng") for line in colleague.explanation)
    assert rows[cast.deputy].final == "KHONG_HOAN_THANH"
    assert rows[cast.head].final == ""  # nothing published for the head: not classified
    assert found.counts()["HOAN_THANH_TOT"] == 1


def test_the_quota_view_shows_who_waits_and_the_heads(cast, unit):
    officials = people(cast, unit, 3)
    period = opened(cast)
    group_of(period, officials[:2], ["95", "80"])
    view = selectors.quota_view(period=period, unit=unit, user=cast.authority)
    assert len(view.batch) == 2 and view.waiting == 1 and view.groups[0].limit == 0
    assert [m.appraisal.official for m in view.demoted] == [officials[0]]
    place(appraisal_of(officials[2], period), "PUBLISHED")
    assert not selectors.quota_view(period=period, unit=unit, user=cast.authority).waiting


def test_an_agencys_own_draft_neither_raises_its_quota_nor_caps_its_head(cast, unit):
    """Trust: the unit's HR admin may enter the agency's self-assessment, full marks and all;
    until the bloc authority approves it, its officials keep the 20 % and its head is not capped."""
    head = staff(unit, "Q901", "Trưởng phòng Q", position=cast.lead_position, role="HEAD")
    officials = people(cast, unit, 30)
    period = opened(cast)
    group_of(period, officials, CANDIDATES + ["80"] * 22)
    scored(appraisal_of(head, period), "85")
    row = services.unit_appraisal_save(user=cast.hr, unit=unit, year=period.year, general_score="30",
                                       task_score="70")  # fmt: skip
    assert row.classification == "HOAN_THANH_XUAT_SAC" and row.state == "DRAFT"
    view = selectors.quota_view(period=period, unit=unit, user=cast.authority)
    assert (view.groups[0].limit, view.groups[0].unit_excellent) == (5, False)
    low = services.unit_appraisal_save(user=cast.hr, unit=unit, year=period.year, general_score="20",
                                       task_score="20")  # fmt: skip
    assert quota.head_cap(appraisal_of(head, period), "HOAN_THANH_TOT", period.year) == ("HOAN_THANH_TOT", "", "")
    decided(low)
    level, reason, unit_level = quota.head_cap(appraisal_of(head, period), "HOAN_THANH_TOT", period.year)
    assert (level, unit_level) == ("KHONG_HOAN_THANH", "KHONG_HOAN_THANH") and reason
