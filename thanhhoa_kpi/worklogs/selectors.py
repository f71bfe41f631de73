"""Reads of assignments and work logs, always through the scoped access door."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.worklogs import rights
from thanhhoa_kpi.worklogs.models import Assignment, LineStatus, WorkLogLine, WorkPeriod


def current_period() -> WorkPeriod:
    """The current month (opened on first use by the work-log services)."""
    from thanhhoa_kpi.worklogs.services import work_period_current

    return work_period_current()


def worklog_list(*, user: Any) -> QuerySet[WorkLogLine]:
    lines = WorkLogLine.objects.select_related("official", "catalogue_item", "period", "unit", "assignment")
    return access.scoped(lines, user)


def lines_of_month(lines: QuerySet[WorkLogLine], period: WorkPeriod) -> QuerySet[WorkLogLine]:
    """The lines of one month. The month's dates are given with it so that MariaDB reads
    the ``(official, date)`` index for just that month of each official in scope."""
    return lines.filter(period=period, date__range=(period.first_day, period.last_day))


def worklog_list_of_month(*, user: Any, year: int, month: int) -> QuerySet[WorkLogLine]:
    """:func:`worklog_list` of one month (none when that month was never opened)."""
    period = WorkPeriod.objects.filter(year=year, month=month).first()
    return lines_of_month(worklog_list(user=user), period) if period else WorkLogLine.objects.none()


def worklog_list_own(*, user: Any) -> QuerySet[WorkLogLine]:
    official_id = access.scope_for(user).official_id
    return worklog_list(user=user).filter(official_id=official_id) if official_id else WorkLogLine.objects.none()


def worklog_week(*, user: Any, monday: date) -> list[tuple[date, list[WorkLogLine]]]:
    """The caller's lines of one week (Monday to Sunday), day by day."""
    days = [monday + timedelta(days=n) for n in range(7)]
    lines = list(worklog_list_own(user=user).filter(date__range=(days[0], days[-1])).order_by("date", "pk"))
    return [(day, [line for line in lines if line.date == day]) for day in days]


def worklog_awaiting_review(*, user: Any) -> QuerySet[WorkLogLine]:
    """Draft lines in open periods that the caller may review (never their own)."""
    return (
        worklog_list(user=user)
        .filter(rights.reviewable_lines_q(user), status=LineStatus.DRAFT, period__status="OPEN")
        .order_by("official__full_name", "date", "pk")
    )


def assignment_list(*, user: Any) -> QuerySet[Assignment]:
    rows = Assignment.objects.select_related("catalogue_item", "assignee", "period", "assigner")
    return access.scoped(rows, user)


def assignment_awaiting_approval(*, user: Any) -> QuerySet[Assignment]:
    """Self-registered work in open periods that the caller may approve."""
    return assignment_list(user=user).filter(
        rights.reviewable_lines_q(user, official_field="assignee_id"),
        origin="SELF_REGISTERED",
        approved=False,
        period__status="OPEN",
    )


def _lines_for_summary(user: Any, period: WorkPeriod, unit: OrgUnit | None) -> QuerySet[WorkLogLine]:
    lines = access.scoped(WorkLogLine.objects.all(), user).filter(period=period)
    if unit is not None:
        lines = lines.filter(unit__path__startswith=unit.path)
    return lines


def hours_by_official(*, user: Any, period: WorkPeriod, unit: OrgUnit | None = None) -> list[dict[str, Any]]:
    """Bảng tổng hợp giờ làm việc per person: minutes logged (all, reviewed), lines, days."""
    rows = (
        _lines_for_summary(user, period, unit)
        .values("official_id", "official__code", "official__full_name", "unit__name")
        .annotate(
            logged_minutes=Sum("minutes"),
            reviewed_minutes=Sum("minutes", filter=Q(status=LineStatus.REVIEWED)),
            lines=Count("id"),
            days=Count("date", distinct=True),
        )
        .order_by("unit__name", "official__full_name")
    )
    return [_with_hours(row) for row in rows]


def hours_by_unit(*, user: Any, period: WorkPeriod, unit: OrgUnit | None = None) -> list[dict[str, Any]]:
    """Bảng tổng hợp giờ làm việc per unit (the unit recorded on each line)."""
    rows = (
        _lines_for_summary(user, period, unit)
        .values("unit_id", "unit__code", "unit__name")
        .annotate(
            logged_minutes=Sum("minutes"),
            reviewed_minutes=Sum("minutes", filter=Q(status=LineStatus.REVIEWED)),
            lines=Count("id"),
            officials=Count("official", distinct=True),
        )
        .order_by("unit__name")
    )
    return [_with_hours(row) for row in rows]


def _with_hours(row: dict[str, Any]) -> dict[str, Any]:
    row["minutes"] = row.pop("logged_minutes") or 0
    row["reviewed_minutes"] = row["reviewed_minutes"] or 0
    row["hours"] = round(row["minutes"] / 60, 2)
    row["reviewed_hours"] = round(row["reviewed_minutes"] / 60, 2)
    return row
