"""The one selector from reviewed work to the scoring engine's item rows.

Per catalogue item (and copied coefficient): assigned = the approved assignments'
quantities, completed = the accepted quantities, failures, delays and exemptions summed.
The appraisal (:func:`thanhhoa_kpi.appraisals.services.scoring.compute`) and the live
score (:mod:`thanhhoa_kpi.appraisals.live`) both read their items here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.formats.numbers import decimal_text
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.worklogs.models import Assignment, LineStatus, WorkLogLine, WorkPeriod

_COUNTS = ("quality_failures", "delays", "exempt_quality_failures", "exempt_delays")


def score_items(official: Official, period: WorkPeriod) -> list[dict[str, Any]]:
    """One row per (item, copied coefficient): assigned, completed, failures, delays.

    ``code`` names the row (the item's code, with the coefficient when the item has several);
    ``item_code`` is the item's own code.
    """
    rows: dict[tuple[int, Decimal], dict[str, Any]] = {}

    def row(item_id: int, coefficient: Decimal) -> dict[str, Any]:
        key = (item_id, coefficient)
        blank = {"assigned": Decimal(0), "completed": Decimal(0), **dict.fromkeys(_COUNTS, 0)}
        return rows.setdefault(key, {"item_id": item_id, "coefficient": coefficient, **blank})

    assigned = (
        Assignment.objects.filter(assignee=official, period=period, approved=True)
        .values("catalogue_item_id", "coefficient")
        .annotate(total=Sum("quantity"))
        .order_by()  # the model's ordering would join the official and the period for nothing
    )
    for entry in assigned:
        row(entry["catalogue_item_id"], entry["coefficient"])["assigned"] += entry["total"]
    done = (
        WorkLogLine.objects.filter(official=official, period=period, status=LineStatus.REVIEWED)
        .values("catalogue_item_id", "coefficient")
        .annotate(total=Sum("accepted_quantity"), **{key: Sum(key) for key in _COUNTS})
        .order_by()
    )
    for entry in done:
        target = row(entry["catalogue_item_id"], entry["coefficient"])
        target["completed"] += entry["total"] or 0
        for key in _COUNTS:
            target[key] += entry[key] or 0
    items = CatalogueItem.objects.order_by().only("code", "task", "field").in_bulk([item_id for item_id, _ in rows])
    seen: dict[int, int] = {}
    for item_id, _ in rows:
        seen[item_id] = seen.get(item_id, 0) + 1
    result = []
    for (item_id, coefficient), values in sorted(rows.items(), key=lambda kv: (items[kv[0][0]].code, kv[0][1])):
        item = items[item_id]
        code = item.code if seen[item_id] == 1 else f"{item.code} (hệ số {decimal_text(coefficient, 4)})"
        result.append({**values, "code": code, "item_code": item.code, "task": item.task, "field": item.field})
    return result
