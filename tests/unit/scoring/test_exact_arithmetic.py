"""Exact arithmetic: totals on a half-cent round up, and printed steps add up (SPEC 5, issue 10 item 1).

The oracle below is written from SPEC 5.1–5.5 with :class:`fractions.Fraction` only,
independently of the engine's modules, and the engine must agree with it figure by
figure on random inputs and on inputs built to land exactly on a half-cent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from thanhhoa_kpi.scoring import (
    Classification,
    GeneralInput,
    ItemInput,
    PeriodInput,
    PeriodScore,
    Role,
    Status,
    SummedInput,
    UnitCriteria,
    score_period,
    score_summed,
    summed_work,
)
from thanhhoa_kpi.scoring.explain import shown_places

from .conftest import D, item, params

ND335 = params("ND335")


# ------------------------------------------------------------------ the oracle


def _half_up(value: Fraction) -> Fraction:
    """Half away from zero to 2 places, on the exact value (figures here are ≥ 0)."""
    hundredths = value * 100
    whole = hundredths.numerator // hundredths.denominator
    if hundredths - whole >= Fraction(1, 2):
        whole += 1
    return Fraction(whole, 100)


@dataclass(frozen=True)
class Expected:
    a: Fraction
    b: Fraction
    c: Fraction
    task_percent: Fraction
    task_score: Fraction
    total: Fraction
    classification: Classification


def _kept(entry: ItemInput, events: int, exempt: int) -> Fraction:
    done = Fraction(entry.completed)
    counted = min(Fraction(events - exempt), 4 * done)
    return Fraction(entry.coefficient) * max(Fraction(0), done - counted / 4)


def _level(total: Fraction) -> Classification:
    if total >= 90:
        return Classification.HOAN_THANH_XUAT_SAC
    if total >= 70:
        return Classification.HOAN_THANH_TOT
    if total >= 50:
        return Classification.HOAN_THANH
    return Classification.KHONG_HOAN_THANH


def _exact(period: PeriodInput) -> tuple[Fraction, Fraction, Fraction, Fraction, Fraction]:
    """a, b, c, task percent and total, unrounded (SPEC 5.1–5.4)."""
    assigned = sum((Fraction(i.coefficient) * Fraction(i.assigned) for i in period.items), Fraction(0))
    completed = sum((Fraction(i.coefficient) * Fraction(i.completed) for i in period.items), Fraction(0))
    quality = sum((_kept(i, i.quality_failures, i.exempt_quality_failures) for i in period.items), Fraction(0))
    progress = sum((_kept(i, i.delays, i.exempt_delays) for i in period.items), Fraction(0))
    a, b, c = (min(Fraction(100), 100 * amount / assigned) for amount in (completed, quality, progress))
    parts = [a, b, c]
    if period.unit is not None:
        parts += [Fraction(period.unit.d), Fraction(period.unit.dd), Fraction(period.unit.e)]
    percent = sum(parts, Fraction(0)) / len(parts)
    assert period.general.points is not None
    return a, b, c, percent, Fraction(period.general.points) + percent * 70 / 100


def oracle(period: PeriodInput) -> Expected:
    """SPEC 5.1–5.5 for ND335 (25 %, 4 per product, cap 100, 30 + 70, 90/70/50)."""
    a, b, c, percent, total = _exact(period)
    rounded = _half_up(total)
    task = _half_up(percent * 70 / 100)
    return Expected(_half_up(a), _half_up(b), _half_up(c), _half_up(percent), task, rounded, _level(rounded))


def _on_half_cent(period: PeriodInput) -> bool:
    thousandths = _exact(period)[4] * 1000
    return thousandths.denominator == 1 and thousandths.numerator % 10 == 5


# ------------------------------------------------------------------ strategies

general_points = st.integers(0, 60).map(lambda halves: GeneralInput(points=Decimal(halves) / 2))
unit_values = st.sampled_from([Decimal(100), Decimal(50)])


@st.composite
def random_items(draw: st.DrawFn) -> ItemInput:
    failures = draw(st.integers(0, 30))
    delays = draw(st.integers(0, 30))
    return ItemInput(
        code="P",
        coefficient=draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(50), places=2)),
        assigned=draw(st.integers(1, 60).map(Decimal)),
        completed=draw(st.decimals(min_value=0, max_value=70, places=1)),
        quality_failures=failures,
        delays=delays,
        exempt_quality_failures=draw(st.integers(0, failures)),
        exempt_delays=draw(st.integers(0, delays)),
    )


@st.composite
def random_periods(draw: st.DrawFn) -> PeriodInput:
    role = draw(st.sampled_from(list(Role)))
    unit = UnitCriteria(draw(unit_values), draw(unit_values), draw(unit_values)) if role is Role.LEADER else None
    found = tuple(draw(st.lists(random_items(), min_size=1, max_size=6)))
    return PeriodInput(role, found, draw(general_points), unit)


@st.composite
def half_cent_periods(draw: st.DrawFn) -> PeriodInput:
    """One fully completed item whose deductions put the total exactly on x,xx5.

    Staff: task = 70 − (35/6) × (failures + delays) / n, on a half-cent when
    (failures + delays) / n = 3k / 3500 with k odd. Leaders: task = 70 − (35/6) × r −
    (35/12) × events / n with r of d, đ, e reduced; r ∈ {0, 3} keeps the first term on
    whole half-cents and events / n = 3k / 1750 with k odd does the rest.
    """
    role = draw(st.sampled_from(list(Role)))
    scale = draw(st.integers(1, 3))
    odd = 2 * draw(st.integers(0, 400)) + 1
    if role is Role.STAFF:
        unit, n = None, 3500 * scale
    else:
        reduced = draw(st.sampled_from([0, 3]))
        value = Decimal(50) if reduced else Decimal(100)
        unit, n = UnitCriteria(value, value, value), 1750 * scale
    events = 3 * odd * scale
    failures = draw(st.integers(0, events))
    coefficient = draw(st.decimals(min_value=Decimal("0.1"), max_value=Decimal(9), places=1))
    entry = ItemInput("H", coefficient, Decimal(n), Decimal(n), quality_failures=failures, delays=events - failures)
    return PeriodInput(role, (entry,), draw(general_points), unit)


# ------------------------------------------------------------------ tests


def _assert_matches_oracle(period: PeriodInput) -> None:
    result = score_period(period, ND335)
    expected = oracle(period)
    assert result.status is Status.OK
    got = (result.a, result.b, result.c, result.task_percent, result.task_score, result.total)
    want = (expected.a, expected.b, expected.c, expected.task_percent, expected.task_score, expected.total)
    assert tuple(Fraction(value) for value in got if value is not None) == want
    assert result.classification is expected.classification


def test_a_total_of_exactly_89_995_rounds_up_to_excellent() -> None:
    """Issue 10 item 1: staff, general 20, 3,500 assigned and completed, 3 delays."""
    period = PeriodInput(Role.STAFF, (item("P1", 1, 3500, 3500, delays=3),), GeneralInput(points=D(20)))
    result = score_period(period, ND335)
    # 20 + 70 × (100 + 100 + 100 × 3499,25 / 3500) / 300 = 89,995 exactly.
    assert _on_half_cent(period)
    assert result.task_score == D("70.00")
    assert result.total == D("90.00")
    assert result.classification is Classification.HOAN_THANH_XUAT_SAC


def test_the_printed_task_score_step_adds_up_on_a_half_cent() -> None:
    """The line shows the percent with the places that give the printed score (no "67,38 × 0,7 = 47,16")."""
    period = PeriodInput(Role.STAFF, (item("P1", 1, 3500, 3500, delays=3),), GeneralInput(points=D(20)))
    line = next(text for text in score_period(period, ND335).explanation if text.startswith("Điểm kết quả"))
    assert line.startswith("Điểm kết quả thực hiện nhiệm vụ = 99,993% × 70 / 100 = 70 ")


def test_a_step_that_cannot_add_up_when_rounded_is_reported_as_such() -> None:
    assert shown_places(2, lambda _places: Fraction(1), Fraction(2)) is None


def test_work_assigned_below_half_a_cent_is_explained_with_the_places_it_needs() -> None:
    """0,04 × 0,1 = 0,004 assigned prints as 0,00 at the rule set's 2 places: the ratio lines show 3."""
    period = PeriodInput(Role.STAFF, (item("P1", "0.04", "0.1", "0.1"),), GeneralInput(points=D(20)))
    result = score_period(period, ND335)
    assert result.a == D("100.00") and result.total == D("90.00")
    line = next(text for text in result.explanation if text.startswith("a (số lượng)"))
    assert line.startswith("a (số lượng) = 0,004 / 0,004 × 100 = 100")
    assert shown_places(2, lambda places: None if places < 3 else Fraction(1), Fraction(1)) == 3


def test_terms_that_cannot_add_up_are_followed_by_their_exact_sum() -> None:
    """a = b = 12,0833…, c = 11,4583…: any rounding of them gives 11,87, the percent is 11,875 → 11,88."""
    period = PeriodInput(Role.STAFF, (item("A", 1, 240, 29, delays=6),), GeneralInput(points=D(0)))
    result = score_period(period, ND335)
    line = next(text for text in result.explanation if text.startswith("Tỷ lệ %"))
    assert result.task_percent == D("11.88")
    assert line.endswith(" / 3 = 35,625 / 3 = 11,88%.")


_NUMBER = re.compile(r"\d[\d.]*(?:,\d+)?")


def _read(text: str) -> Fraction:
    return Fraction(text.replace(".", "").replace(",", "."))


def _figures(line: str) -> list[Fraction]:
    """The numbers printed after the first "=" of a line (the left side names the figure)."""
    return [_read(text) for text in _NUMBER.findall(line.split(" = ", 1)[1])]


def _assert_steps_add_up(lines: tuple[str, ...]) -> None:
    """Redo the a/b/c, task-percent, task-score and total lines from their printed numbers."""
    for line in lines:
        if line.startswith(("a (", "b (", "c (")):
            amount, assigned, _hundred, raw = _figures(line)[:4]
            assert _half_up(amount / assigned * 100) == raw, line
        elif line.startswith("Tỷ lệ % kết quả"):
            count, *values, last_count, percent = _figures(line)
            if len(values) > count:  # the exact sum follows terms that cannot add up
                assert values[-2] == last_count == count, line
                values = [values[-1]]
            assert _half_up(sum(values, Fraction(0)) / count) == percent, line
        elif line.startswith("Điểm kết quả"):
            percent, task_max, _hundred, score = _figures(line)[:4]
            assert _half_up(percent * task_max / 100) == score, line
        elif line.startswith("Tổng điểm"):
            general, task, total = _figures(line)
            assert _half_up(general + task) == total, line


@settings(deadline=None, max_examples=1500)
@given(random_periods())
def test_engine_matches_the_exact_oracle_on_random_inputs(period: PeriodInput) -> None:
    _assert_matches_oracle(period)
    _assert_steps_add_up(score_period(period, ND335).explanation)


@settings(deadline=None, max_examples=1500)
@given(half_cent_periods())
def test_engine_matches_the_exact_oracle_on_half_cent_totals(period: PeriodInput) -> None:
    assert _on_half_cent(period)
    _assert_matches_oracle(period)
    _assert_steps_add_up(score_period(period, ND335).explanation)


def _summed(period: PeriodInput) -> PeriodScore:
    data = SummedInput(period.role, summed_work(period.items, ND335), period.general, period.unit)
    return score_summed(data, ND335)


@settings(deadline=None, max_examples=1500)
@given(st.one_of(random_periods(), half_cent_periods()))
def test_the_summed_door_matches_the_oracle_and_score_period(period: PeriodInput) -> None:
    """score_summed computes on integer pairs: the same exact values, rounded once, as the oracle."""
    result, expected = _summed(period), oracle(period)
    got = (result.a, result.b, result.c, result.task_percent, result.task_score, result.total)
    want = (expected.a, expected.b, expected.c, expected.task_percent, expected.task_score, expected.total)
    assert tuple(Fraction(value) for value in got if value is not None) == want
    assert result.classification is expected.classification
    one_by_one = score_period(period, ND335)
    assert result == replace(one_by_one, explanation=(), task_explanation=())


def test_the_summed_door_rounds_89_995_up_to_excellent() -> None:
    period = PeriodInput(Role.STAFF, (item("P1", 1, 3500, 3500, delays=3),), GeneralInput(points=D(20)))
    result = _summed(period)
    assert (result.total, result.classification) == (D("90.00"), Classification.HOAN_THANH_XUAT_SAC)
