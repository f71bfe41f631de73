"""Fixture loader of demo assignments and work logs (``worklogs.yaml``, demo set only).

Dates are relative to today so the demo always shows the current and previous months:
``month_offset`` (0 = this month, -1 = last month) and ``day`` (clamped to the month and
to today, so nothing is in the future). Rows are upserted by natural key: an assignment
by (assignee, month, item, origin), a line by (official, date, item, description).
Coefficients are copied from the items, as the services do.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.accounts.models import User
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.core.seeding import register_loader
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.worklogs.models import Assignment, LineStatus, Origin, WorkLogLine, WorkPeriod

REVIEW_COUNTS = ("quality_failures", "delays", "exempt_quality_failures", "exempt_delays")


def _period(offset: int) -> WorkPeriod:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 + int(offset)
    period, _ = WorkPeriod.objects.get_or_create(year=index // 12, month=index % 12 + 1)
    return period


def _day(period: WorkPeriod, day: int, *, past: bool = True) -> date:
    """A day of the month (clamped to it) and, for work done (``past``), not after today."""
    wanted = date(period.year, period.month, min(max(int(day), 1), period.last_day.day))
    return min(wanted, timezone.localdate()) if past else wanted


def _user(username: str | None) -> User | None:
    return User.objects.get(username=username) if username else None


@register_loader("worklogs.yaml", priority=60)
def load_worklogs(rows: list[dict[str, Any]]) -> int:
    count = 0
    for row in rows:
        if "period" in row:
            period = _period(row["period"]["month_offset"])
            period.status = row["period"].get("status", period.status)
            period.save()
            continue
        count += _load_assignment(row)
    return count


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
            "deadline": _day(period, row["deadline_day"], past=False) if row.get("deadline_day") else None,
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
    day = _day(period, spec["day"])
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
