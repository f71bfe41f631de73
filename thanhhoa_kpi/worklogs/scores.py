"""The live score: a, b, c and the task score of the current month, from reviewed lines.

Per catalogue item (and copied coefficient): assigned = the approved assignments'
quantities, completed = the accepted quantities, failures, delays and exemptions summed.
The pure engine (:func:`thanhhoa_kpi.scoring.score_preview`, SPEC 5.8) does the
arithmetic. General criteria are not known before the appraisal, so only the task part
is shown; for a head or deputy, d, đ and e are assumed at 100 until the appraisal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.core.seeding import FIXTURES_DIR
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.scoring import RuleParams, ScoringInputError, parse_params, parse_rule_sets, score_preview
from thanhhoa_kpi.worklogs.models import Assignment, LineStatus, WorkLogLine, WorkPeriod

DEFAULT_RULE_SET = "ND335"
TASK_KEYS = (
    "status", "assigned_converted", "completed_converted", "quality_converted", "progress_converted",
    "a", "b", "c", "task_percent", "task_score",
)  # fmt: skip
# Explanation lines about the general criteria, total and classification are left out:
# they are decided in the appraisal, not by the work log.
_NOT_YET = ("Điểm tiêu chí chung", "Tổng điểm", "Xếp loại")
_COUNTS = ("quality_failures", "delays", "exempt_quality_failures", "exempt_delays")


def rule_params(code: str) -> Mapping[str, RuleParams]:
    """The current parameters of rule set ``code`` (database first, then the base fixture)."""
    from thanhhoa_kpi.appraisals.models import RuleSet

    row = RuleSet.objects.filter(code=code, is_current=True).order_by("-version").first()
    if row is not None:
        return {code: parse_params(row.params)}
    path = FIXTURES_DIR / "base" / "rule_sets.json"
    sets = parse_rule_sets(json.loads(path.read_text(encoding="utf-8")))
    return {code: sets[code].params} if code in sets else {}


def _is_leader(official: Official) -> bool:
    return access.current_assignments().filter(official=official, leadership_role__in=["HEAD", "DEPUTY"]).exists()


def _plain(number: Decimal | None) -> str:
    return f"{(number or Decimal(0)).normalize():f}"


def score_items(official: Official, period: WorkPeriod) -> list[dict[str, Any]]:
    """One row per (item, copied coefficient): assigned, completed, failures, delays."""
    rows: dict[tuple[int, Decimal], dict[str, Any]] = {}

    def row(item_id: int, coefficient: Decimal) -> dict[str, Any]:
        key = (item_id, coefficient)
        blank = {"assigned": Decimal(0), "completed": Decimal(0), **dict.fromkeys(_COUNTS, 0)}
        return rows.setdefault(key, {"item_id": item_id, "coefficient": coefficient, **blank})

    assigned = (
        Assignment.objects.filter(assignee=official, period=period, approved=True)
        .values("catalogue_item_id", "coefficient")
        .annotate(total=Sum("quantity"))
    )
    for entry in assigned:
        row(entry["catalogue_item_id"], entry["coefficient"])["assigned"] += entry["total"]
    done = (
        WorkLogLine.objects.filter(official=official, period=period, status=LineStatus.REVIEWED)
        .values("catalogue_item_id", "coefficient")
        .annotate(total=Sum("accepted_quantity"), **{key: Sum(key) for key in _COUNTS})
    )
    for entry in done:
        target = row(entry["catalogue_item_id"], entry["coefficient"])
        target["completed"] += entry["total"] or 0
        for key in _COUNTS:
            target[key] += entry[key] or 0
    items = CatalogueItem.objects.in_bulk([item_id for item_id, _ in rows])
    seen: dict[int, int] = {}
    for item_id, _ in rows:
        seen[item_id] = seen.get(item_id, 0) + 1
    result = []
    for (item_id, coefficient), values in sorted(rows.items(), key=lambda kv: (items[kv[0][0]].code, kv[0][1])):
        item = items[item_id]
        code = item.code if seen[item_id] == 1 else f"{item.code} (hệ số {_plain(coefficient)})"
        result.append({**values, "code": code, "task": item.task, "field": item.field})
    return result


def live_score(*, official: Official, period: WorkPeriod) -> dict[str, Any]:
    """The task part of the score of ``official`` for ``period``, with its explanation."""
    code = official.rule_set_code or DEFAULT_RULE_SET
    leader = _is_leader(official)
    items = score_items(official, period)
    data: dict[str, Any] = {
        "rule_set": code,
        "role": "leader" if leader else "staff",
        "general": {"points": 0},
        "items": [
            {
                "code": row["code"],
                "coefficient": _plain(row["coefficient"]),
                "assigned": _plain(row["assigned"]),
                "completed": _plain(row["completed"]),
                **{key: row[key] for key in _COUNTS},
            }
            for row in items
        ],  # fmt: skip
    }
    if leader:
        data["unit"] = {"d": 100, "dd": 100, "e": 100}
    try:
        result = score_preview(data, rule_params(code))
    except ScoringInputError as error:
        raise ValidationFailed(error.message, code=error.code) from None
    notes = ["Điểm tạm tính từ các dòng nhật ký đã được duyệt; chưa gồm điểm tiêu chí chung."]
    if leader:
        notes.append("Lãnh đạo, quản lý: tạm tính d, đ, e = 100 cho đến khi đánh giá chính thức.")
    return {
        "official": official.code,
        "period": {"id": period.pk, "year": period.year, "month": period.month, "label": str(period)},
        "rule_set": code,
        "role": data["role"],
        **{key: result[key] for key in TASK_KEYS},
        "items": [
            {
                "code": row["code"],
                "task": row["task"],
                "field": row["field"],
                "coefficient": _plain(row["coefficient"]),
                "assigned": _plain(row["assigned"]),
                "completed": _plain(row["completed"]),
                **{key: row[key] for key in _COUNTS},
            }
            for row in items
        ],  # fmt: skip
        "explanation": [line for line in result["explanation"] if not str(line).startswith(_NOT_YET)],
        "notes": notes,
    }
