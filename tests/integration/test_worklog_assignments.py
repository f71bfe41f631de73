"""Assignments (giao việc), self-registration, copy of a month, the live score and the hours summary."""

from decimal import Decimal

import pytest

from tests.factories.worklogs import assign, log, previous_period
from thanhhoa_kpi.appraisals.live import live_score
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.core.errors import Conflict, PermissionRefused, ValidationFailed
from thanhhoa_kpi.worklogs import assignments, selectors, services
from thanhhoa_kpi.worklogs.models import Assignment, Origin, PeriodStatus

pytestmark = pytest.mark.django_db


def test_the_head_assigns_work_with_the_coefficient_copied(cast, work):
    row = assign(cast.head, cast.official_of(cast.colleague), work.sport, "4", deadline=work.period.last_day)
    assert (row.coefficient, row.approved, row.assigner, row.origin) == (Decimal("1.5"), True, cast.head, Origin.PLAN)
    CatalogueItem.objects.filter(pk=work.sport.pk).update(coefficient=Decimal("8"))
    row.refresh_from_db()
    assert row.coefficient == Decimal("1.5")


def test_a_deputy_assigns_only_within_their_fields(cast, work):
    assert assign(cast.deputy, cast.official_of(cast.official), work.culture).approved
    with pytest.raises(PermissionRefused):
        assign(cast.deputy, cast.official_of(cast.official), work.sport)


def test_an_official_cannot_assign_work_to_others(cast, work):
    with pytest.raises(PermissionRefused):
        assign(cast.official, cast.official_of(cast.colleague), work.culture)


def test_nobody_assigns_outside_their_unit(cast, work):
    with pytest.raises(PermissionRefused):
        assign(cast.head, cast.official_of(cast.outsider), work.culture)


@pytest.mark.parametrize("quantity", ["0", "-3"])
def test_it_refuses_a_quantity_that_is_not_positive(cast, work, quantity):
    with pytest.raises(ValidationFailed) as error:
        assign(cast.head, cast.official_of(cast.official), work.culture, quantity)
    assert error.value.errors[0].field == "quantity"


def test_it_refuses_an_item_not_in_force_for_the_assignee(cast, work):
    with pytest.raises(ValidationFailed) as error:
        assign(cast.head, cast.official_of(cast.official), work.foreign)
    assert error.value.errors[0].field == "catalogue_item"


def test_it_refuses_a_closed_period_and_an_early_deadline(cast, work):
    closed = previous_period()
    with pytest.raises(ValidationFailed) as error:
        assign(cast.head, cast.official_of(cast.official), work.culture, deadline=closed.first_day)
    assert error.value.errors[0].field == "deadline"
    closed.status = PeriodStatus.CLOSED
    closed.save()
    with pytest.raises(ValidationFailed) as error:
        assign(cast.head, cast.official_of(cast.official), work.culture, period=closed)
    assert error.value.code == "PERIOD_CLOSED"


def test_self_registered_work_counts_only_once_approved(cast, work):
    me = cast.official_of(cast.official)
    row = assign(cast.official, me, work.culture, "2", origin=Origin.SELF_REGISTERED)
    assert not row.approved
    services.worklog_review(line=log(cast.official, None, "2", assignment=row), reviewer=cast.deputy)
    before = live_score(official=me, period=work.period)
    assert before["status"] == "NO_ASSIGNED_WORK" and before["items"][0]["assigned"] == "0"
    with pytest.raises(PermissionRefused):
        assignments.assignment_approve(assignment=row, user=cast.official)
    with pytest.raises(PermissionRefused):
        assignments.assignment_approve(assignment=row, user=cast.colleague)
    assignments.assignment_approve(assignment=row, user=cast.deputy)
    after = live_score(official=me, period=work.period)
    assert (after["status"], after["a"], after["b"], after["c"]) == ("OK", 100.0, 100.0, 100.0)
    with pytest.raises(Conflict):
        assignments.assignment_approve(assignment=row, user=cast.head)


def test_nobody_self_registers_for_someone_else(cast, work):
    with pytest.raises(PermissionRefused):
        assign(cast.official, cast.official_of(cast.colleague), work.culture, origin=Origin.SELF_REGISTERED)


def test_one_item_is_assigned_to_many_officials_or_to_none(cast, work):
    team = [cast.official_of(u) for u in (cast.official, cast.colleague, cast.deputy)]
    rows = assignments.assignment_bulk_create(
        user=cast.head, catalogue_item=work.office, assignees=team, quantity="3", period=work.period
    )
    assert sorted(r.assignee.code for r in rows) == ["T0001", "T0002", "T0003"]
    assert all(r.history.count() == 1 for r in rows)
    with pytest.raises(PermissionRefused):
        assignments.assignment_bulk_create(
            user=cast.deputy, catalogue_item=work.culture, quantity="1", period=work.period,
            assignees=[cast.official_of(cast.official), cast.official_of(cast.outsider)],
        )  # fmt: skip
    assert Assignment.objects.count() == 3


def test_last_months_plan_is_copied_to_this_month(cast, work):
    source = previous_period()
    me = cast.official_of(cast.official)
    assign(cast.head, me, work.culture, "5", period=source)
    assign(cast.head, me, work.sport, "2", period=source)
    assign(cast.official, me, work.office, "1", period=source, origin=Origin.SELF_REGISTERED)
    result = assignments.assignment_copy_month(user=cast.deputy, source=source, target=work.period)
    assert [(r.catalogue_item.code, r.quantity) for r in result.created] == [("VH01", Decimal("5"))]
    result = assignments.assignment_copy_month(user=cast.head, source=source, target=work.period)
    assert sorted(r.catalogue_item.code for r in result.created) == ["TT01", "VH01"]


def test_an_assignment_with_lines_cannot_be_deleted(cast, work):
    row = assign(cast.head, cast.official_of(cast.official), work.culture)
    log(cast.official, None, assignment=row)
    with pytest.raises(Conflict):
        assignments.assignment_delete(assignment=row, user=cast.head)
    spare = assign(cast.head, cast.official_of(cast.official), work.culture_small)
    with pytest.raises(PermissionRefused):
        assignments.assignment_delete(assignment=spare, user=cast.official)
    assignments.assignment_delete(assignment=spare, user=cast.head)


def test_the_live_score_follows_the_reviewed_lines(cast, work):
    me = cast.official_of(cast.official)
    row = assign(cast.head, me, work.culture, "10")
    first = log(cast.official, None, "6", assignment=row)
    second = log(cast.official, None, "2", assignment=row)
    log(cast.official, None, "2", assignment=row)  # not reviewed: does not count
    services.worklog_review(line=first, reviewer=cast.deputy, quality_failures=1)
    services.worklog_review(line=second, reviewer=cast.deputy, delays=2, exempt_delays=1, exemption_reason="Bão")
    score = live_score(official=me, period=work.period)
    # assigned 2 × 10 = 20; completed 2 × 8 = 16; quality 2 × (8 − 0.25) = 15.5; progress 2 × (8 − 0.25) = 15.5
    assert (score["a"], score["b"], score["c"]) == (80.0, 77.5, 77.5)
    assert score["task_percent"] == Decimal("78.33") and score["task_score"] == Decimal("54.83")
    assert score["items"] == [
        {"code": "VH01", "task": "Nhiệm vụ VH01", "field": "Văn hóa", "coefficient": "2", "assigned": "10",
         "completed": "8", "quality_failures": 1, "delays": 2, "exempt_quality_failures": 0, "exempt_delays": 1}
    ]  # fmt: skip
    assert any("VH01" in line for line in score["explanation"])
    assert not any(line.startswith(("Tổng điểm", "Xếp loại")) for line in score["explanation"])


def test_a_leaders_live_score_assumes_full_unit_criteria(cast, work):
    me = cast.official_of(cast.deputy)
    row = assign(cast.head, me, work.office, "2")
    services.worklog_review(line=log(cast.deputy, None, "1", assignment=row), reviewer=cast.head)
    score = live_score(official=me, period=work.period)
    assert score["role"] == "leader" and score["a"] == 50.0
    assert score["task_percent"] == 75.0  # (50 + 50 + 50 + 100 + 100 + 100) / 6


def test_the_hours_summary_sums_minutes_per_person_and_unit_in_scope(cast, work):
    log(cast.official, work.culture, minutes=90)
    line = log(cast.official, work.culture, minutes=30)
    log(cast.colleague, work.sport, minutes=60)
    log(cast.outsider, work.foreign, minutes=45)
    services.worklog_review(line=line, reviewer=cast.deputy)
    by_unit = selectors.hours_by_unit(user=cast.head, period=work.period)
    assert [(r["unit__code"], r["minutes"], r["reviewed_minutes"], r["officials"], r["hours"]) for r in by_unit] == [
        ("T_PHONG_A", 180, 30, 2, 3.0)
    ]
    people = {r["official__code"]: (r["minutes"], r["lines"], r["days"]) for r in
              selectors.hours_by_official(user=cast.head, period=work.period)}  # fmt: skip
    assert people == {"T0001": (120, 2, 1), "T0002": (60, 1, 1)}
    everyone = selectors.hours_by_unit(user=cast.viewer, period=work.period)
    assert {r["unit__code"] for r in everyone} == {"T_PHONG_A", "T_PHONG_B"}
    assert selectors.hours_by_official(user=cast.official, period=work.period)[0]["minutes"] == 120
    assert selectors.hours_by_unit(user=cast.head, period=work.period, unit=cast.other_team) == []


def test_only_a_system_admin_closes_and_reopens_a_month(cast, work):
    from thanhhoa_kpi.worklogs.services import work_period_set_status

    for user in (cast.head, cast.hr, cast.viewer, cast.authority):
        with pytest.raises(PermissionRefused):
            work_period_set_status(period=work.period, user=user, status=PeriodStatus.CLOSED)
    closed = work_period_set_status(period=work.period, user=cast.sysadmin, status=PeriodStatus.CLOSED)
    assert (closed.status, closed.closed_by) == (PeriodStatus.CLOSED, cast.sysadmin)
    with pytest.raises(ValidationFailed) as error:
        log(cast.official, work.culture)
    assert error.value.code == "PERIOD_CLOSED"
    reopened = work_period_set_status(
        period=work.period, user=cast.sysadmin, status=PeriodStatus.OPEN, reason="Bổ sung nhật ký"
    )
    assert reopened.closed_at is None and log(cast.official, work.culture).pk
