"""Quarter and year roll-up: the mean of the periods actually worked (SPEC 5.5).

ND 335/2025/NĐ-CP Điều 21 and ND 233/2026/NĐ-CP Điều 15 khoản 1: the annual
classification is made from the average of the monthly or quarterly monitoring scores;
a transferred official is classified by the new unit on the results the old unit sends,
so every monitored period of the year counts, whatever unit or bloc it was in. ND 233
Điều 14 khoản 1: fewer than six months worked in the year → not classified (the
``min_worked_months`` parameter); khoản 2: sick and maternity leave do not count against
that minimum, the year being classified on the time actually worked (the
``min_months_leave_kinds`` parameter; ND 335 Điều 21 says the same for công chức).

How each kind of period enters (decisions, with their basis):

- WORKED: its reported (rounded) total enters the mean, weighing as many months as it
  covers (a quarter weighs 3, a partly worked quarter its worked months). That equals the
  plain mean when periods have the same length and lets a year be re-computed by hand
  from the published months.
- NO_ASSIGNED_WORK: the official was at work but given nothing to do. The months count
  as time worked for the minimum (ND 233 Điều 14 khoản 1 counts "thời gian làm việc",
  and assigning work is the unit head's duty, Điều 13 khoản 1), but they are left out of
  the mean: such a period has no score (SPEC 5.2: nobody is scored 0 because nobody
  assigned them work) and SPEC 5.5 averages only the periods with one.
- FULL_LEAVE: left out of the mean; its months count towards the minimum only when
  every leave covering it is of a kind the rule set names.

QĐ 366-QĐ/TW classifies by year (and quarter) and puts conditions on the work beside the
score band (Điều 11; see :mod:`.classify`). For a rule set with such conditions the
caller passes the ``shares`` of the whole period's work (its converted assigned work
done and delayed) and the share of tasks exceeded (:func:`exceeded_share_over`), so
that the year's level is checked against the year's work, not only against the mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from . import explain
from .classify import classify
from .codes import Classification, Disqualifier, PeriodKind, RollupStatus
from .errors import INVALID_INPUT, ScoringInputError
from .params import LEAVE_KINDS, RuleParams
from .reader import ZERO, join
from .rounding import round_half_up
from .tasks import TaskShares

# Places of a share of tasks exceeded (as ``Appraisal.exceeded_share`` stores it).
_SHARE_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class RollupPeriod:
    """One monitored period: its reported total (when worked) and the months it covers.

    ``months`` are the months worked in it (WORKED, NO_ASSIGNED_WORK) or on leave
    (FULL_LEAVE); ``leave`` names the kinds of leave covering a FULL_LEAVE period.
    """

    total: Decimal | None
    kind: PeriodKind = PeriodKind.WORKED
    months: int = 1
    leave: tuple[str, ...] = ()


@dataclass(frozen=True)
class RollupResult:
    """The mean (rounded) and the level, or NOT_CLASSIFIED, with the months behind them.

    ``worked_months`` is the time actually worked (with the months without assigned
    work), ``scored_months`` the months the mean covers, ``leave_months`` the months of
    leave counted towards the minimum.
    """

    status: RollupStatus
    worked_months: int
    mean: Decimal | None
    classification: Classification | None
    explanation: tuple[str, ...]
    scored_months: int = 0
    leave_months: int = 0


def rollup_errors(periods: Sequence[RollupPeriod], params: RuleParams) -> list[tuple[str, str]]:
    """A worked period needs a total within 0..100; every period at least one month."""
    errors: list[tuple[str, str]] = []
    for index, period in enumerate(periods):
        path = join("periods", index)
        worked = period.kind is PeriodKind.WORKED
        if worked and (period.total is None or not ZERO <= period.total <= params.total_max):
            high = explain.num(params.total_max)
            errors.append((join(path, "total"), f"Kỳ có làm việc phải có tổng điểm từ 0 đến {high}."))
        if period.months < 1:
            errors.append((join(path, "months"), "Phải từ 1 tháng trở lên."))
    return errors


def _counted_leave(period: RollupPeriod, params: RuleParams) -> bool:
    """A full-leave period whose every leave is of a kind the rule set counts."""
    kinds = params.min_months_leave_kinds
    return period.kind is PeriodKind.FULL_LEAVE and bool(period.leave) and set(period.leave) <= set(kinds)


def _worked_line(worked: int, scored: int) -> str:
    return (
        f"Thời gian thực tế làm việc {worked} tháng, trong đó {worked - scored} tháng không được giao việc: "
        "tính vào thời gian làm việc, không tính vào điểm bình quân (SPEC 5.2, 5.5)."
    )


def _leave_line(months: int, kinds: Sequence[str]) -> str:
    names = ", ".join(LEAVE_KINDS.get(kind, kind) for kind in kinds)
    return (
        f"Tính {months} tháng {names} vào thời gian làm việc tối thiểu, không tính vào điểm bình quân "
        "(NĐ 233/2026/NĐ-CP Điều 14 khoản 2; NĐ 335/2025/NĐ-CP Điều 21)."
    )


def _below_minimum_line(worked: int, leave: int, minimum: int, citation: str) -> str:
    if not leave:
        return explain.not_classified_line(worked, minimum, citation)
    return (
        f"Không xếp loại: thời gian thực tế làm việc {worked} tháng, cộng {leave} tháng nghỉ được tính là "
        f"{worked + leave} tháng, dưới mức tối thiểu {minimum} tháng{explain.cite(citation)}."
    )


def exceeded_share_over(parts: Sequence[tuple[Decimal | None, Decimal]]) -> Decimal | None:
    """The share of a quarter's or year's tasks exceeded, from its periods (QĐ 366-QĐ/TW Điều 11).

    "Xuất sắc" needs at least 30 % of the tasks exceeded, and the reviewer confirms a
    share for each month or quarter. ``parts`` are (confirmed share or ``None``,
    converted assigned work) per period; the result is the shares' mean weighted by
    the work, i.e. the share of the whole period's converted work exceeded, cut (never
    rounded up) to four places. A period with work but no confirmed share counts as
    nothing exceeded, since nobody confirmed it; periods without work do not count.
    ``None`` when no period with work has a confirmed share.
    """
    weighted = [(share, assigned) for share, assigned in parts if assigned > ZERO]
    if all(share is None for share, _ in weighted):
        return None
    work = sum((assigned for _, assigned in weighted), ZERO)
    exceeded = sum(((share or ZERO) * assigned for share, assigned in weighted), ZERO)
    return (exceeded / work).quantize(_SHARE_QUANTUM, rounding=ROUND_DOWN)


_NOTHING_SCORED = "Không xếp loại: không có kỳ nào được chấm điểm để tính điểm bình quân."


def rollup(
    periods: Sequence[RollupPeriod],
    params: RuleParams,
    *,
    annual: bool = True,
    disqualifiers: Sequence[Disqualifier] = (),
    exceeded_share: Decimal | None = None,
    shares: TaskShares | None = None,
) -> RollupResult:
    """Mean of the worked periods and its level (ND 335 Điều 20, 21; ND 233 Điều 14, 15).

    ``annual`` applies the minimum worked months of the rule set; a quarter only needs
    one worked month. Disqualifiers of the year force "Không hoàn thành". ``shares``
    (the whole period's work) and ``exceeded_share`` are read by rule sets with
    conditions on the work (QĐ 366-QĐ/TW Điều 11), the level stepping down as for a month.
    """
    errors = rollup_errors(periods, params)
    if errors:
        raise ScoringInputError(INVALID_INPUT, errors)
    scored_periods = [(period.total or ZERO, period.months) for period in periods if period.kind is PeriodKind.WORKED]
    scored = sum(weight for _, weight in scored_periods)
    worked = scored + sum(period.months for period in periods if period.kind is PeriodKind.NO_ASSIGNED_WORK)
    counted = [period for period in periods if _counted_leave(period, params)]
    leave = sum(period.months for period in counted)
    lines = []
    excluded = len(periods) - len(scored_periods)
    if excluded:
        lines.append(explain.excluded_line(excluded))
    if worked > scored:
        lines.append(_worked_line(worked, scored))
    if leave:
        lines.append(_leave_line(leave, sorted({kind for period in counted for kind in period.leave})))
    minimum = params.min_worked_months if annual else 1
    failed = (
        _below_minimum_line(worked, leave, minimum, params.citations.min_worked_months)
        if worked + leave < minimum
        else None
    )
    if failed is None and not scored:
        failed = _NOTHING_SCORED
    if failed is not None:
        lines.append(failed)
        return RollupResult(RollupStatus.NOT_CLASSIFIED, worked, None, None, tuple(lines), scored, leave)
    exact = sum((total * weight for total, weight in scored_periods), ZERO) / scored
    mean = round_half_up(exact, params.rounding_places)
    lines.append(explain.rollup_mean_line(scored_periods, exact, scored, params.rounding_places))
    if shares is not None:
        lines.append(explain.period_work_line(shares, exceeded_share, params))
    outcome = classify(mean, params, disqualifiers=disqualifiers, exceeded_share=exceeded_share, shares=shares)
    lines.extend(outcome.reasons)
    return RollupResult(RollupStatus.OK, worked, mean, outcome.classification, tuple(lines), scored, leave)
