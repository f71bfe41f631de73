"""Score one official for one month or quarter (SPEC 5.1–5.5), with the explanation.

ND 335/2025/NĐ-CP Điều 12 (total = general ≤ 30 + task results ≤ 70), Điều 14–15
(task results), Điều 20 (classification). The figures in :class:`PeriodScore` are the
reported ones, rounded half-up to ``rounding_places`` once, from the exact fractions
the other modules compute; everything before is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from . import explain
from .classify import classify, disqualifier_errors, exceeded_share_errors
from .codes import Classification, Disqualifier, Role, Status
from .errors import INVALID_INPUT, ScoringInputError
from .general import GeneralInput, GeneralScore, general_errors, general_score
from .leader import UnitCriteria, task_score, unit_criteria_errors
from .params import RuleParams
from .reader import join
from .rounding import exact, round_half_up
from .tasks import ItemInput, Ratios, TaskSums, converted_sums, item_errors, task_ratios, task_shares


@dataclass(frozen=True)
class PeriodInput:
    """What the reviewer recorded for one official and one period.

    ``unit`` (d, đ, e) is required for leaders and refused for staff. ``exceeded_share``
    (0..1) is read only by rule sets that require it for "xuất sắc" (QĐ 366).
    """

    role: Role
    items: tuple[ItemInput, ...]
    general: GeneralInput
    unit: UnitCriteria | None = None
    disqualifiers: tuple[Disqualifier, ...] = ()
    exceeded_share: Decimal | None = None


@dataclass(frozen=True)
class PeriodScore:
    """Reported figures of one period; the task figures are ``None`` when not evaluable."""

    status: Status
    assigned_converted: Decimal
    completed_converted: Decimal
    quality_converted: Decimal
    progress_converted: Decimal
    a: Decimal | None
    b: Decimal | None
    c: Decimal | None
    task_percent: Decimal | None
    task_score: Decimal | None
    general_score: Decimal
    total: Decimal | None
    classification: Classification | None
    explanation: tuple[str, ...]
    # The lines about the work alone (rule set, converted sums, a, b, c, d, đ, e, task
    # score): what the live score shows before the general criteria are assessed.
    task_explanation: tuple[str, ...] = ()


def _unit_errors(period: PeriodInput, params: RuleParams) -> list[tuple[str, str]]:
    if period.role is Role.STAFF:
        return [] if period.unit is None else [("unit", "Chỉ dành cho lãnh đạo, quản lý (role leader).")]
    if period.unit is None:
        return [("unit", "Bắt buộc đối với lãnh đạo, quản lý (d, dd, e).")]
    return unit_criteria_errors(period.unit, params)


def period_errors(period: PeriodInput, params: RuleParams) -> list[tuple[str, str]]:
    """Every rule the input breaks, as ``(field, message)`` pairs with JSON paths."""
    errors = [error for index, item in enumerate(period.items) for error in item_errors(item, join("items", index))]
    errors.extend(general_errors(period.general, params))
    errors.extend(_unit_errors(period, params))
    errors.extend(disqualifier_errors(period.disqualifiers, period.role))
    errors.extend(exceeded_share_errors(period.exceeded_share))
    return errors


def score_period(period: PeriodInput, params: RuleParams) -> PeriodScore:
    """Compute one period: converted sums, a/b/c, task score, general, total, level.

    ND 335/2025/NĐ-CP Điều 12, 14, 15, 20. Raises ``ScoringInputError``
    (``INVALID_INPUT``) listing every bad field before computing anything. When nothing
    was assigned the status is ``NO_ASSIGNED_WORK``: no task score, no total, no level,
    and the explanation warns the unit head (SPEC 5.2).
    """
    errors = period_errors(period, params)
    if errors:
        raise ScoringInputError(INVALID_INPUT, errors)
    sums = converted_sums(period.items, params)
    general = general_score(period.general, params)
    ratios = task_ratios(sums, params)
    if ratios is None:
        return _not_evaluable(sums, general, params)
    return _evaluated(period, sums, ratios, general, params)


def _rounded(value: Decimal | Fraction, params: RuleParams) -> Decimal:
    return round_half_up(value, params.rounding_places)


def _not_evaluable(sums: TaskSums, general: GeneralScore, params: RuleParams) -> PeriodScore:
    work = [explain.rule_set_line(params), *explain.sums_lines(sums, params), explain.no_assigned_work_line()]
    lines = [*work, explain.general_line(general.score, general.groups, params)]
    return PeriodScore(
        status=Status.NO_ASSIGNED_WORK,
        assigned_converted=_rounded(sums.assigned, params),
        completed_converted=_rounded(sums.completed, params),
        quality_converted=_rounded(sums.quality, params),
        progress_converted=_rounded(sums.progress, params),
        a=None,
        b=None,
        c=None,
        task_percent=None,
        task_score=None,
        general_score=_rounded(general.score, params),
        total=None,
        classification=None,
        explanation=tuple(lines),
        task_explanation=tuple(work),
    )


def _evaluated(
    period: PeriodInput, sums: TaskSums, ratios: Ratios, general: GeneralScore, params: RuleParams
) -> PeriodScore:
    task = task_score(ratios, period.role, period.unit, params)
    total = exact(general.score) + task.score
    outcome = classify(
        total,
        params,
        disqualifiers=period.disqualifiers,
        exceeded_share=period.exceeded_share,
        shares=task_shares(sums),
    )
    places = params.rounding_places
    work = [
        explain.rule_set_line(params),
        *explain.sums_lines(sums, params),
        *explain.ratio_lines(sums, ratios, params),
    ]
    if period.unit is not None:
        work.extend(explain.unit_lines(period.unit, params))
    work.extend(explain.task_lines(task, period.role, params))
    lines = [*work, explain.general_line(general.score, general.groups, params)]
    lines.append(explain.total_line(general.score, task.score, total, places))
    lines.extend(outcome.reasons)
    return PeriodScore(
        status=Status.OK,
        assigned_converted=_rounded(sums.assigned, params),
        completed_converted=_rounded(sums.completed, params),
        quality_converted=_rounded(sums.quality, params),
        progress_converted=_rounded(sums.progress, params),
        a=_rounded(ratios.a.value, params),
        b=_rounded(ratios.b.value, params),
        c=_rounded(ratios.c.value, params),
        task_percent=_rounded(task.percent, params),
        task_score=_rounded(task.score, params),
        general_score=_rounded(general.score, params),
        total=outcome.total,
        classification=outcome.classification,
        explanation=tuple(lines),
        task_explanation=tuple(work),
    )
