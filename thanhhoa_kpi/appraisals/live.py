"""The live score: the task part of an official's score for a month, as the appraisal computes it.

Officials and heads watch it grow while lines are reviewed ("Điểm của tôi", the home card,
``GET /api/v1/me/score/``). It is the appraisal's own computation
(:func:`thanhhoa_kpi.appraisals.services.scoring.compute`): the same selector from
reviewed work to the engine's input, the same reader of the current rule set, the same
engine call. With the month's appraisal open, it is that appraisal scored now (its rule
set, role, d, đ and e); before the month is opened, the official's rule set (else the
periods' default) with the leader's d, đ and e at their full value. So the live score
and the appraisal cannot disagree; the general criteria are the appraisal's business and
are left out of what is shown.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.appraisals.choices import PeriodKind
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod
from thanhhoa_kpi.appraisals.rulesets import rule_set_params
from thanhhoa_kpi.appraisals.services.scoring import compute as compute_appraisal
from thanhhoa_kpi.appraisals.services.scoring import current_rule_set, months_items, run_engine
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.scoring import GeneralInput, ItemInput, PeriodInput, Role, UnitCriteria
from thanhhoa_kpi.worklogs.models import WorkPeriod

TASK_KEYS = (
    "assigned_converted", "completed_converted", "quality_converted", "progress_converted",
    "a", "b", "c", "task_percent", "task_score",
)  # fmt: skip
_COUNTS = ("quality_failures", "delays", "exempt_quality_failures", "exempt_delays")


def _plain(number: Decimal | None) -> str:
    return f"{(number or Decimal(0)).normalize():f}"


def _month_appraisal(official: Official, period: WorkPeriod) -> Appraisal | None:
    return (
        Appraisal.objects.filter(official=official, period__kind=PeriodKind.MONTH, period__work_periods=period)
        .select_related("period", "official", "unit")
        .order_by("-pk")
        .first()
    )


def _is_leader(official: Official) -> bool:
    return access.current_assignments().filter(official=official, leadership_role__in=["HEAD", "DEPUTY"]).exists()


def _item_inputs(rows: list[dict[str, Any]]) -> tuple[ItemInput, ...]:
    return tuple(
        ItemInput(row["code"], Decimal(row["coefficient"]), Decimal(row["assigned"]), Decimal(row["completed"]),
                  **{name: int(row[name]) for name in _COUNTS})
        for row in rows
    )  # fmt: skip


def live_score(*, official: Official, period: WorkPeriod) -> dict[str, Any]:
    """The task part of the score of ``official`` for ``period``, with its explanation."""
    appraisal = _month_appraisal(official, period)
    notes = ["Điểm tạm tính từ các dòng nhật ký đã được duyệt; chưa gồm điểm tiêu chí chung."]
    if appraisal is not None:
        computed = compute_appraisal(appraisal)
        code, leader, rows, result = appraisal.rule_set_code, appraisal.is_leader, computed.rows, computed.result
        if leader:
            notes.append("Lãnh đạo, quản lý: d, đ, e như trong phiếu đánh giá của tháng.")
    else:
        default = AppraisalPeriod._meta.get_field("rule_set_code").get_default()
        code = official.rule_set_code or default
        # The rule set's own parameters: a unit's own rules (appraisals/unit_rules.py) change
        # only the general groups and the reduced d, đ, e, neither of which this branch reads.
        params = rule_set_params(current_rule_set(code))
        leader = _is_leader(official)
        rows = months_items(official, [period])
        full = params.unit_criterion_full
        unit = UnitCriteria(d=full, dd=full, e=full) if leader else None
        role = Role.LEADER if leader else Role.STAFF
        result = run_engine(PeriodInput(role, _item_inputs(rows), GeneralInput(points=Decimal(0)), unit), params)
        if leader:
            notes.append("Lãnh đạo, quản lý: tạm tính d, đ, e ở mức tối đa cho đến khi có phiếu đánh giá của tháng.")
    return {
        "official": official.code,
        "period": {"id": period.pk, "year": period.year, "month": period.month, "label": str(period)},
        "rule_set": code,
        "role": "leader" if leader else "staff",
        "status": result.status.value,
        **{key: getattr(result, key) for key in TASK_KEYS},
        "items": [
            {
                "code": row["code"],
                "task": row.get("task", ""),
                "field": row.get("field", ""),
                "coefficient": _plain(row["coefficient"]),
                "assigned": _plain(row["assigned"]),
                "completed": _plain(row["completed"]),
                **{key: row[key] for key in _COUNTS},
            }
            for row in rows
        ],  # fmt: skip
        "explanation": list(result.task_explanation),
        "notes": notes,
    }
