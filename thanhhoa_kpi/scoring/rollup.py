"""Quarter and year roll-up: the mean of the periods actually worked (SPEC 5.5).

ND 335/2025/NĐ-CP Điều 21: the annual classification is made from the average of the
monthly or quarterly monitoring scores, over the period actually worked when the
official was on leave (maternity, sickness) or transferred. ND 233/2026/NĐ-CP Điều 14
khoản 1: fewer than six months worked in the year → not classified; the number is the
``min_worked_months`` parameter.

Decisions: periods on full leave or with no assigned work are left out; each worked
period's total weighs as many months as it covers (a quarter weighs 3), which equals
the plain mean when periods have the same length and stays right when a quarter was
partly worked. The totals are the reported (rounded) period totals, so a year can be
re-computed by hand from the published months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import explain
from .classify import classify
from .codes import Classification, Disqualifier, PeriodKind, RollupStatus
from .errors import INVALID_INPUT, ScoringInputError
from .params import RuleParams
from .reader import ZERO, join
from .rounding import round_half_up


@dataclass(frozen=True)
class RollupPeriod:
    """One monitored period: its reported total (when worked) and its worked months."""

    total: Decimal | None
    kind: PeriodKind = PeriodKind.WORKED
    months: int = 1


@dataclass(frozen=True)
class RollupResult:
    """The mean (rounded), the months it covers, and the level, or NOT_CLASSIFIED."""

    status: RollupStatus
    worked_months: int
    mean: Decimal | None
    classification: Classification | None
    explanation: tuple[str, ...]


def rollup_errors(periods: Sequence[RollupPeriod], params: RuleParams) -> list[tuple[str, str]]:
    """A worked period needs a total within 0..100 and at least one month."""
    errors: list[tuple[str, str]] = []
    for index, period in enumerate(periods):
        if period.kind is not PeriodKind.WORKED:
            continue
        path = join("periods", index)
        if period.total is None or not ZERO <= period.total <= params.total_max:
            high = explain.num(params.total_max)
            errors.append((join(path, "total"), f"Kỳ có làm việc phải có tổng điểm từ 0 đến {high}."))
        if period.months < 1:
            errors.append((join(path, "months"), "Phải từ 1 tháng trở lên."))
    return errors


def rollup(
    periods: Sequence[RollupPeriod],
    params: RuleParams,
    *,
    annual: bool = True,
    disqualifiers: Sequence[Disqualifier] = (),
    exceeded_share: Decimal | None = None,
) -> RollupResult:
    """Mean of the worked periods and its level (ND 335 Điều 20, 21; ND 233 Điều 14).

    ``annual`` applies the minimum worked months of the rule set; a quarter only needs
    one worked month. Disqualifiers of the year force "Không hoàn thành".
    """
    errors = rollup_errors(periods, params)
    if errors:
        raise ScoringInputError(INVALID_INPUT, errors)
    worked = [(period.total or ZERO, period.months) for period in periods if period.kind is PeriodKind.WORKED]
    months = sum(weight for _, weight in worked)
    lines = []
    excluded = len(periods) - len(worked)
    if excluded:
        lines.append(explain.excluded_line(excluded))
    minimum = params.min_worked_months if annual else 1
    if months < minimum or months == 0:
        lines.append(explain.not_classified_line(months, minimum))
        return RollupResult(RollupStatus.NOT_CLASSIFIED, months, None, None, tuple(lines))
    exact = sum((total * weight for total, weight in worked), ZERO) / months
    mean = round_half_up(exact, params.rounding_places)
    lines.append(explain.rollup_mean_line(worked, exact, months, params.rounding_places))
    outcome = classify(mean, params, disqualifiers=disqualifiers, exceeded_share=exceeded_share)
    lines.extend(outcome.reasons)
    return RollupResult(RollupStatus.OK, months, mean, outcome.classification, tuple(lines))
