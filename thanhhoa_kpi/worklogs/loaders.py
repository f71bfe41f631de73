"""Fixture loader of demo assignments and work logs (``worklogs.yaml``, demo set only).

Dates are relative to today so the demo always shows the current and previous months:
``month_offset`` (0 = this month, -1 = last month) and ``day`` (clamped to the month and
to today, so nothing is in the future). A day is a number (``3``), counted from the month's
end when it is zero or less (``0`` = the last day, ``-1`` the day before), or the n-th
weekday of the month (``sat1`` = the first Saturday). A numbered day that falls on a weekend
or a public holiday moves to the nearest working day of the month (a Saturday back, a Sunday
forward), so the demo's planted cases for the plausibility checks stay the only ones
whatever the month: work on a day off only where a named day (``sat2``) asks for it.
Rows are upserted by natural key: an assignment by (assignee, month, item, origin), a line
by (official, date, item, description), a leave by (official, start). Coefficients are
copied from the items, as the services do.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.accounts.models import User
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.core.seeding import register_loader
from thanhhoa_kpi.organization.models import LeavePeriod, Official
from thanhhoa_kpi.worklogs.models import Assignment, LineStatus, Origin, PublicHoliday, WorkLogLine, WorkPeriod

REVIEW_COUNTS = ("quality_failures", "delays", "exempt_quality_failures", "exempt_delays")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _period(offset: int) -> WorkPeriod:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 + int(offset)
    period, _ = WorkPeriod.objects.get_or_create(year=index // 12, month=index % 12 + 1)
    return period


def demo_day(period: WorkPeriod, day: int | str, *, past: bool = True) -> date:
    """A day of the month (see the module's docstring) and, for work done (``past``), not after today."""
    if isinstance(day, str):
        weekday, nth = WEEKDAYS.index(day[:3].lower()), int(day[3:] or 1)
        first = date(period.year, period.month, 1)
        wanted = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
        wanted = min(wanted, period.last_day)
        return min(wanted, timezone.localdate()) if past else wanted
    wanted = _calendar_day(period, int(day))
    return _working_day(min(wanted, timezone.localdate()) if past else wanted, period, past=past)


def _calendar_day(period: WorkPeriod, number: int) -> date:
    """Day ``number`` of the month, clamped to it; zero or less counts back from its last day."""
    last = period.last_day.day
    return date(period.year, period.month, min(max(number if number > 0 else last + number, 1), last))


def _working_day(day: date, period: WorkPeriod, *, past: bool) -> date:
    """``day`` or, on a weekend or public holiday, the nearest working day in the month (and not after today)."""
    month = (period.first_day, period.last_day)
    off = set(PublicHoliday.objects.filter(date__range=month).values_list("date", flat=True))
    latest = min(period.last_day, timezone.localdate()) if past else period.last_day
    for step in (1, -1) if day.weekday() == 6 else (-1, 1):
        moved = day
        while moved.weekday() >= 5 or moved in off:
            moved += timedelta(days=step)
        if period.first_day <= moved <= latest:
            return moved
    return day


def _user(username: str | None) -> User | None:
    return User.objects.get(username=username) if username else None


@register_loader("worklogs.yaml", priority=60)
def load_worklogs(rows: list[dict[str, Any]]) -> int:
    count = 0
    for row in rows:
        if "leave" in row:
            count += _load_leave(row["leave"])
            continue
        if "period" in row:
            period = _period(row["period"]["month_offset"])
            period.status = row["period"].get("status", period.status)
            period.save()
            continue
        count += _load_assignment(row)
    return count


def _load_leave(spec: dict[str, Any]) -> int:
    period = _period(spec.get("month_offset", 0))
    official = Official.objects.get(code=spec["official"])
    start = _calendar_day(period, int(spec["from_day"]))
    LeavePeriod.objects.update_or_create(
        official=official,
        start_date=start,
        defaults={"end_date": max(start, _calendar_day(period, int(spec["to_day"]))), "kind": spec["kind"],
                  "note": spec.get("note", "")},
    )  # fmt: skip
    return 1


def _item(row: dict[str, Any]) -> CatalogueItem:
    return CatalogueItem.objects.select_related("catalogue").get(catalogue__code=row["catalogue"], code=row["item"])


def _load_assignment(row: dict[str, Any]) -> int:
    official = Official.objects.get(code=row["assignee"])
    period = _period(row.get("month_offset", 0))
    item = _item(row)
    origin = row.get("origin", Origin.PLAN)
    approved = origin != Origin.SELF_REGISTERED or bool(row.get("approved_by"))
    approver = _user(row.get("approved_by") or row.get("assigner")) if approved else None
    assignment, _ = Assignment.objects.update_or_create(
        assignee=official,
        period=period,
        catalogue_item=item,
        origin=origin,
        defaults={
            "assigner": _user(row.get("assigner")),
            "quantity": Decimal(str(row["quantity"])),
            "deadline": demo_day(period, row["deadline_day"], past=False) if row.get("deadline_day") else None,
            "approved": approved,
            "approved_by": approver,
            "approved_at": timezone.now() if approved else None,
            "coefficient": item.coefficient,
            "note": row.get("note", ""),
        },
    )
    for log in row.get("logs", []):
        _load_line(official, assignment, period, log)
    return 1 + len(row.get("logs", []))


def _load_line(official: Official, assignment: Assignment, period: WorkPeriod, spec: dict[str, Any]) -> None:
    day = demo_day(period, spec["day"])
    posting = access.current_assignments(day).filter(official=official).first()
    review = spec.get("review")
    values: dict[str, Any] = {
        "unit": posting.unit if posting else None,
        "period": period,
        "assignment": assignment,
        "quantity": Decimal(str(spec["quantity"])),
        "minutes": int(spec.get("minutes", 0)),
        "document_number": spec.get("document_number", ""),
        "coefficient": assignment.coefficient,
        "status": LineStatus.REVIEWED if review else LineStatus.DRAFT,
    }
    if review:
        values.update(
            accepted_quantity=Decimal(str(review.get("accepted", spec["quantity"]))),
            reviewed_by=_user(review["by"]),
            reviewed_at=timezone.now(),
            exemption_reason=review.get("exemption_reason", ""),
            exemption_confirmed_by=review.get("exemption_confirmed_by", ""),
            review_comment=review.get("comment", ""),
            **{key: int(review.get(key, 0)) for key in REVIEW_COUNTS},
        )
    WorkLogLine.objects.update_or_create(
        official=official,
        date=day,
        catalogue_item=assignment.catalogue_item,
        description=spec.get("description", ""),
        defaults=values,
    )
