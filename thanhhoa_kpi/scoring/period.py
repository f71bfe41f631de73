"""Score one official for one month or quarter (SPEC 5.1–5.5), with the explanation.

ND 335/2025/NĐ-CP Điều 12 (total = general ≤ 30 + task results ≤ 70), Điều 14–15
(task results), Điều 20 (classification). The figures in :class:`PeriodScore` are the
reported ones, rounded half-up to ``rounding_places`` once, from the exact fractions
the other modules compute; everything before is exact.

Two doors, one computation: :func:`score_period` takes the items and explains every
step; :func:`score_summed` takes the converted sums of SPEC 5.1 already added up (what a
database computes for a whole month at once) and returns the same figures and level
without the explanation, which is built later from the items when somebody reads it.
From the sums on, both run the same code below.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from . import explain
from .classify import classify, disqualifier_errors, exceeded_share_errors
from .codes import Classification, Disqualifier, Role, Status
from .errors import INVALID_INPUT, ScoringInputError
from .general import GeneralInput, GeneralScore, checked_general_score, general_errors
from .leader import UnitCriteria, task_score, unit_criteria_errors
from .params import PERCENT, RuleParams
from .reader import join
from .rounding import exact, round_half_up, round_ratio
from .tasks import (
    ItemInput,
    Ratios,
    TaskShares,
    TaskSums,
    converted_sums,
    item_errors,
    shares_of,
    task_ratios,
    task_shares,
    work_delayed,
    work_done,
    work_failed,
)


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


Amount = Decimal | Fraction


@dataclass(frozen=True)
class SummedWork:
    """The converted sums of SPEC 5.1 for one official and one period, already added up, exact.

    ``quality`` and ``progress`` carry each item's deduction, capped per item, as
    :func:`.tasks.converted_sums` computes them. ``done`` (Σ k × min(completed,
    assigned) per item), ``delayed`` (Σ k × min(non-exempt delays, completed)) and
    ``failed`` (the same with quality failures) are read only by rule sets whose levels
    carry conditions on the work (QĐ 366), which require them.
    """

    assigned: Amount
    completed: Amount
    quality: Amount
    progress: Amount
    done: Amount | None = None
    delayed: Amount | None = None
    failed: Amount | None = None


def summed_shares(work: SummedWork) -> TaskShares | None:
    """The shares QĐ 366-QĐ/TW Điều 11's conditions read, from summed work (:class:`.tasks.TaskShares`).

    ``None`` when nothing was assigned (nothing to be done or late) or when ``done``,
    ``delayed`` and ``failed`` were not added up.
    """
    if work.done is None or work.delayed is None or work.failed is None or work.assigned == 0:
        return None
    return shares_of(exact(work.done), exact(work.delayed), exact(work.assigned), exact(work.failed))


@dataclass(frozen=True)
class SummedInput:
    """:class:`PeriodInput` with the work already summed instead of item by item."""

    role: Role
    work: SummedWork
    general: GeneralInput
    unit: UnitCriteria | None = None
    disqualifiers: tuple[Disqualifier, ...] = ()
    exceeded_share: Decimal | None = None


def summed_work(items: tuple[ItemInput, ...], params: RuleParams) -> SummedWork:
    """The sums :func:`score_summed` takes, from the items (what the database adds up in bulk)."""
    sums = converted_sums(items, params)
    return SummedWork(
        assigned=sums.assigned,
        completed=sums.completed,
        quality=sums.quality,
        progress=sums.progress,
        done=work_done(sums),
        delayed=work_delayed(sums),
        failed=work_failed(sums),
    )


def _unit_errors(role: Role, unit: UnitCriteria | None, params: RuleParams) -> list[tuple[str, str]]:
    if role is Role.STAFF:
        return [] if unit is None else [("unit", "Chỉ dành cho lãnh đạo, quản lý (role leader).")]
    if unit is None:
        return [("unit", "Bắt buộc đối với lãnh đạo, quản lý (d, dd, e).")]
    return unit_criteria_errors(unit, params)


def _common_errors(period: PeriodInput | SummedInput, params: RuleParams) -> list[tuple[str, str]]:
    errors = general_errors(period.general, params)
    errors.extend(_unit_errors(period.role, period.unit, params))
    errors.extend(disqualifier_errors(period.disqualifiers, period.role))
    errors.extend(exceeded_share_errors(period.exceeded_share))
    return errors


def period_errors(period: PeriodInput, params: RuleParams) -> list[tuple[str, str]]:
    """Every rule the input breaks, as ``(field, message)`` pairs with JSON paths."""
    errors = [error for index, item in enumerate(period.items) for error in item_errors(item, join("items", index))]
    return errors + _common_errors(period, params)


_WORK_KEYS = ("assigned", "completed", "quality", "progress", "done", "delayed", "failed")


def summed_errors(period: SummedInput, params: RuleParams) -> list[tuple[str, str]]:
    """:func:`period_errors` for summed work: no negative sum, and the shares a rule set's conditions read."""
    errors = []
    for key in _WORK_KEYS:
        value = getattr(period.work, key)
        if value is None:
            if params.band_conditions:
                errors.append((join("work", key), "Bắt buộc với bộ quy tắc có điều kiện kèm theo mức xếp loại."))
        elif value < 0:
            errors.append((join("work", key), "Không được là số âm."))
    return errors + _common_errors(period, params)


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
    general = checked_general_score(period.general)
    ratios = task_ratios(sums, params)
    if ratios is None:
        return _not_evaluable(sums, general, params)
    return _evaluated(period, sums, ratios, general, params)


def score_summed(period: SummedInput, params: RuleParams) -> PeriodScore:
    """:func:`score_period` from work already summed: the same figures and level, no explanation.

    ND 335/2025/NĐ-CP Điều 12, 14, 15, 20, exactly as :func:`score_period` applies them
    once it has added up the items (``score_summed(SummedInput(..., summed_work(items,
    params), ...))`` gives :func:`score_period`'s figures; the property tests check it).
    ``explanation`` and ``task_explanation`` are empty. Raises ``ScoringInputError``
    like :func:`score_period`, with ``work.*`` paths for the sums.

    Made for a month of a whole province: the exact arithmetic is done on pairs of
    integers (numerator, denominator) rather than :class:`~fractions.Fraction`, whose
    every step reduces by a gcd; nothing is reduced, each figure is rounded once.
    """
    errors = summed_errors(period, params)
    if errors:
        raise ScoringInputError(INVALID_INPUT, errors)
    work = period.work
    general = checked_general_score(period.general)
    assigned, completed, quality, progress = (_pair(value) for value in _four(work))
    if assigned[0] == 0:
        sums = TaskSums(exact(work.assigned), exact(work.completed), exact(work.quality), exact(work.progress), ())
        return _not_evaluable(sums, general, params, explained=False)
    places = params.rounding_places
    cap, percent_base = _pair(params.ratio_cap), _pair(PERCENT)
    components = [_capped_ratio(amount, assigned, cap, percent_base) for amount in (completed, quality, progress)]
    if period.unit is not None:
        components.extend(_pair(value) for value in period.unit.values())
    total_n, total_d = components[0]
    for numerator, denominator in components[1:]:
        total_n, total_d = total_n * denominator + numerator * total_d, total_d * denominator
    percent = (total_n, total_d * len(components))
    task_max = _pair(params.task_max)
    score = (percent[0] * task_max[0] * percent_base[1], percent[1] * task_max[1] * percent_base[0])
    general_n, general_d = _pair(general.score)
    total = (general_n * score[1] + score[0] * general_d, general_d * score[1])
    shares = summed_shares(work) if params.band_conditions else None
    outcome = classify(
        round_ratio(*total, places),
        params,
        disqualifiers=period.disqualifiers,
        exceeded_share=period.exceeded_share,
        shares=shares,
        explained=False,
    )
    a, b, c = (round_ratio(*value, places) for value in components[:3])
    return PeriodScore(
        status=Status.OK,
        assigned_converted=round_ratio(*assigned, places),
        completed_converted=round_ratio(*completed, places),
        quality_converted=round_ratio(*quality, places),
        progress_converted=round_ratio(*progress, places),
        a=a,
        b=b,
        c=c,
        task_percent=round_ratio(*percent, places),
        task_score=round_ratio(*score, places),
        general_score=_rounded(general.score, params),
        total=outcome.total,
        classification=outcome.classification,
        explanation=(),
    )


def _four(work: SummedWork) -> tuple[Amount, Amount, Amount, Amount]:
    return (work.assigned, work.completed, work.quality, work.progress)


def _pair(value: Amount | int) -> tuple[int, int]:
    """``value`` as (numerator, denominator > 0), exact, not reduced further than it comes."""
    return value.as_integer_ratio()


def _capped_ratio(
    amount: tuple[int, int], assigned: tuple[int, int], cap: tuple[int, int], base: tuple[int, int]
) -> tuple[int, int]:
    """min(cap, base × amount / assigned) as a pair: :func:`.tasks.task_ratios` for one of a, b, c."""
    numerator = base[0] * amount[0] * assigned[1]
    denominator = base[1] * amount[1] * assigned[0]
    return (numerator, denominator) if numerator * cap[1] < cap[0] * denominator else cap


def _rounded(value: Decimal | Fraction, params: RuleParams) -> Decimal:
    return round_half_up(value, params.rounding_places)


def _not_evaluable(sums: TaskSums, general: GeneralScore, params: RuleParams, *, explained: bool = True) -> PeriodScore:
    work: list[str] = []
    lines: list[str] = []
    if explained:
        work = [explain.rule_set_line(params), *explain.sums_lines(sums, params), explain.no_assigned_work_line()]
        lines = [*work, *explain.unit_rules_lines(params), explain.general_line(general.score, general.groups, params)]
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
    work = [
        explain.rule_set_line(params),
        *explain.sums_lines(sums, params),
        *explain.ratio_lines(sums, ratios, params),
    ]
    if period.unit is not None:
        work.extend(explain.unit_lines(period.unit, params))
    work.extend(explain.task_lines(task, period.role, params))
    lines = [*work, *explain.unit_rules_lines(params), explain.general_line(general.score, general.groups, params)]
    lines.append(explain.total_line(general.score, task.score, total, params.rounding_places))
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
