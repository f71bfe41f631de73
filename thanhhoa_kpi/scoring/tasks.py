"""Converted quantities and the task percentages a, b, c (SPEC 5.1 and 5.2).

ND 335/2025/NĐ-CP Điều 14 khoản 2 compares, for the month or quarter, the converted
products completed (a), completed to quality (b) and completed on time (c) with the
converted products assigned. Each non-exempt quality failure or delay removes
``deduction_per_event`` (25 %) of one product's points, at most
``max_deductions_per_unit`` times per product (so four remove all of it), unless the
competent level confirmed an objective cause (the exemption). Ratios use the assigned
amount as denominator and are capped at ``ratio_cap``.

Converted figures and ratios are exact fractions (:mod:`.rounding`): nothing is rounded
here, so a ratio such as 200/3 % keeps its last digit until the figure is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .errors import INVALID_INPUT, ScoringInputError
from .params import PERCENT, RuleParams
from .reader import ZERO, join
from .rounding import constant, exact


@dataclass(frozen=True)
class ItemInput:
    """One catalogue item for one official and one period.

    ``coefficient`` is the one copied at assignment (SPEC 3.5); ``completed`` is what
    the reviewer accepted and may exceed ``assigned``. Failures and delays are counts
    of events; the ``exempt_*`` counts are those excused for an objective cause.
    """

    code: str
    coefficient: Decimal
    assigned: Decimal
    completed: Decimal
    quality_failures: int = 0
    delays: int = 0
    exempt_quality_failures: int = 0
    exempt_delays: int = 0


@dataclass(frozen=True)
class Deduction:
    """How the events of one kind (quality or progress) hit one item.

    ``counted`` is the number of events that removed points after exemptions and the
    per-product cap; ``capped`` says the cap (or the floor at 0) was reached.
    """

    events: int
    exempt: int
    counted: Fraction
    capped: bool
    converted: Fraction

    @property
    def non_exempt(self) -> int:
        return self.events - self.exempt


@dataclass(frozen=True)
class ItemResult:
    """Converted figures of one item, exact."""

    item: ItemInput
    assigned: Fraction
    completed: Fraction
    quality: Deduction
    progress: Deduction


@dataclass(frozen=True)
class TaskSums:
    """Σ k × quantity over the items (SPEC 5.1), exact."""

    assigned: Fraction
    completed: Fraction
    quality: Fraction
    progress: Fraction
    items: tuple[ItemResult, ...]


@dataclass(frozen=True)
class Ratio:
    """One of a, b, c: the raw percentage and the capped one actually used."""

    raw: Fraction
    value: Fraction

    @property
    def capped(self) -> bool:
        return self.value != self.raw


@dataclass(frozen=True)
class Ratios:
    """a (quantity), b (quality), c (progress), each in percent, exact."""

    a: Ratio
    b: Ratio
    c: Ratio


def item_errors(item: ItemInput, path: str) -> list[tuple[str, str]]:
    """Range rules of one item, shared by the preview parser and :func:`converted_sums`."""
    errors: list[tuple[str, str]] = []
    if item.coefficient <= ZERO:
        errors.append((join(path, "coefficient"), "Phải lớn hơn 0."))
    amounts = {
        "assigned": item.assigned,
        "completed": item.completed,
        "quality_failures": Decimal(item.quality_failures),
        "delays": Decimal(item.delays),
        "exempt_quality_failures": Decimal(item.exempt_quality_failures),
        "exempt_delays": Decimal(item.exempt_delays),
    }
    errors.extend((join(path, key), "Không được là số âm.") for key, value in amounts.items() if value < ZERO)
    # A negative count is already reported; comparing with it would only add noise.
    if 0 <= item.quality_failures < item.exempt_quality_failures:
        errors.append((join(path, "exempt_quality_failures"), "Không được lớn hơn quality_failures."))
    if 0 <= item.delays < item.exempt_delays:
        errors.append((join(path, "exempt_delays"), "Không được lớn hơn delays."))
    return errors


def check_items(items: Sequence[ItemInput]) -> None:
    """Raise ``INVALID_INPUT`` naming every bad field of every item."""
    errors = [error for index, item in enumerate(items) for error in item_errors(item, join("items", index))]
    if errors:
        raise ScoringInputError(INVALID_INPUT, errors)


def _deduct(item: ItemInput, events: int, exempt: int, params: RuleParams) -> Deduction:
    """k × max(0, completed − deduction × min(non-exempt, cap × completed)) for one kind.

    ND 335 Điều 14 khoản 2 điểm b (quality) and điểm c (progress): 25 % of one
    product's points per event; the cap stops one product from losing more than all
    of its points, and the floor at 0 guards rule sets with other parameters.
    """
    non_exempt = events - exempt
    completed = exact(item.completed)
    counted = min(Fraction(non_exempt), params.max_deductions_per_unit * completed)
    remaining = completed - exact(params.deduction_per_event) * counted
    converted = exact(item.coefficient) * max(Fraction(0), remaining)
    capped = counted < non_exempt or remaining < ZERO
    return Deduction(events=events, exempt=exempt, counted=counted, capped=capped, converted=converted)


def converted_item(item: ItemInput, params: RuleParams) -> ItemResult:
    """The converted figures of one item (SPEC 5.1)."""
    return ItemResult(
        item=item,
        assigned=exact(item.coefficient) * exact(item.assigned),
        completed=exact(item.coefficient) * exact(item.completed),
        quality=_deduct(item, item.quality_failures, item.exempt_quality_failures, params),
        progress=_deduct(item, item.delays, item.exempt_delays, params),
    )


def converted_sums(items: Sequence[ItemInput], params: RuleParams) -> TaskSums:
    """Σ over items of the converted assigned, completed, quality and progress amounts.

    ND 335/2025/NĐ-CP Điều 14 khoản 1 (compare converted completed with converted
    assigned) and khoản 2 (quality and progress deductions). Validates the items first.
    """
    check_items(items)
    results = tuple(converted_item(item, params) for item in items)
    return TaskSums(
        assigned=sum((result.assigned for result in results), Fraction(0)),
        completed=sum((result.completed for result in results), Fraction(0)),
        quality=sum((result.quality.converted for result in results), Fraction(0)),
        progress=sum((result.progress.converted for result in results), Fraction(0)),
        items=results,
    )


def _ratio(amount: Fraction, assigned: Fraction, params: RuleParams) -> Ratio:
    raw = amount * constant(PERCENT) / assigned
    return Ratio(raw=raw, value=min(constant(params.ratio_cap), raw))


def task_ratios(sums: TaskSums, params: RuleParams) -> Ratios | None:
    """a, b, c in percent against the assigned amount, capped (ND 335 Điều 14 khoản 2).

    Returns ``None`` when nothing was assigned: the period is not evaluable for task
    results (SPEC 5.2), rather than scored 0 for work nobody gave.
    """
    if sums.assigned == 0:
        return None
    return Ratios(
        a=_ratio(sums.completed, sums.assigned, params),
        b=_ratio(sums.quality, sums.assigned, params),
        c=_ratio(sums.progress, sums.assigned, params),
    )


@dataclass(frozen=True)
class TaskShares:
    """Shares (0..1) of the converted assigned work done, delayed and failed, for band conditions.

    QĐ 366-QĐ/TW Điều 11 words its conditions in tasks: "100 % done on time, to
    quality", "at most 20 % delayed". Read here per product and weighted by
    coefficient: an item counts as done up to its assigned quantity (more on one item
    does not make up for another), and each non-exempt delay (quality failure) marks
    one of its completed products as delayed (failed), at most all of them. All are
    divided by the converted assigned amount, like a, b and c.
    """

    done: Fraction
    delayed: Fraction
    failed: Fraction = Fraction(0)


def task_shares(sums: TaskSums) -> TaskShares:
    """The shares of :class:`TaskShares`, for a period with assigned work (see :func:`task_ratios`)."""
    return shares_of(work_done(sums), work_delayed(sums), sums.assigned, work_failed(sums))


def shares_of(done: Fraction, delayed: Fraction, assigned: Fraction, failed: Fraction = Fraction(0)) -> TaskShares:
    """The converted amounts done, delayed and failed as shares of the converted assigned amount (> 0)."""
    return TaskShares(done=done / assigned, delayed=delayed / assigned, failed=failed / assigned)


def work_done(sums: TaskSums) -> Fraction:
    """Σ over items of k × min(completed, assigned): the converted work done, each item up to its assignment."""
    return sum((_done(result) for result in sums.items), Fraction(0))


def work_delayed(sums: TaskSums) -> Fraction:
    """Σ over items of k × min(non-exempt delays, completed): the converted products delayed."""
    return sum((_delayed(result) for result in sums.items), Fraction(0))


def work_failed(sums: TaskSums) -> Fraction:
    """Σ over items of k × min(non-exempt quality failures, completed): the converted products not to quality."""
    return sum((_failed(result) for result in sums.items), Fraction(0))


def _done(result: ItemResult) -> Fraction:
    return min(result.completed, result.assigned)


def _delayed(result: ItemResult) -> Fraction:
    item = result.item
    return exact(item.coefficient) * min(Fraction(result.progress.non_exempt), exact(item.completed))


def _failed(result: ItemResult) -> Fraction:
    item = result.item
    return exact(item.coefficient) * min(Fraction(result.quality.non_exempt), exact(item.completed))
