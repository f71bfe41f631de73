"""Property-based checks of the scoring rules (hypothesis)."""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from thanhhoa_kpi.scoring import (
    Classification,
    GeneralInput,
    ItemInput,
    PeriodInput,
    QuotaEntry,
    QuotaReading,
    Role,
    Status,
    UnitCriteria,
    apply_quota,
    quota_limit,
    score_period,
)

from .conftest import params

ND335 = params("ND335")
XS = Classification.HOAN_THANH_XUAT_SAC

coefficients = st.decimals(min_value=Decimal("0.1"), max_value=Decimal(50), places=2)
quantities = st.integers(min_value=0, max_value=40).map(Decimal)


@st.composite
def items(draw: st.DrawFn) -> ItemInput:
    failures = draw(st.integers(0, 30))
    delays = draw(st.integers(0, 30))
    return ItemInput(
        code=draw(st.sampled_from(["P1", "P2", "P3"])),
        coefficient=draw(coefficients),
        assigned=draw(quantities),
        completed=draw(st.one_of(quantities, st.decimals(min_value=0, max_value=45, places=1))),
        quality_failures=failures,
        delays=delays,
        exempt_quality_failures=draw(st.integers(0, failures)),
        exempt_delays=draw(st.integers(0, delays)),
    )


unit_values = st.sampled_from([Decimal(100), Decimal(50)])


@st.composite
def periods(draw: st.DrawFn) -> PeriodInput:
    role = draw(st.sampled_from(list(Role)))
    unit = UnitCriteria(draw(unit_values), draw(unit_values), draw(unit_values)) if role is Role.LEADER else None
    # The general score moves in the rule set's steps of 0.5 (ND335 general_step).
    general = GeneralInput(points=Decimal(draw(st.integers(0, 60))) / 2)
    return PeriodInput(role, tuple(draw(st.lists(items(), min_size=1, max_size=6))), general, unit)


def _scores(period: PeriodInput) -> tuple[object, ...]:
    result = score_period(period, ND335)
    return (result.a, result.b, result.c, result.task_percent, result.task_score, result.total, result.classification)


@settings(deadline=None)
@given(periods())
def test_every_figure_stays_in_bounds(period: PeriodInput) -> None:
    result = score_period(period, ND335)
    if result.status is Status.NO_ASSIGNED_WORK:
        assert result.total is None and result.classification is None
        return
    assert result.a is not None and result.b is not None and result.c is not None
    for ratio in (result.a, result.b, result.c):
        assert 0 <= ratio <= 100
    assert result.b <= result.a and result.c <= result.a
    assert result.task_percent is not None and 0 <= result.task_percent <= 100
    assert result.task_score is not None and 0 <= result.task_score <= ND335.task_max
    assert result.total is not None and 0 <= result.total <= ND335.total_max


def _with_item(period: PeriodInput, index: int, **changes: int) -> PeriodInput:
    changed = list(period.items)
    changed[index % len(changed)] = replace(changed[index % len(changed)], **changes)  # type: ignore[arg-type]
    return replace(period, items=tuple(changed))


def _not_higher(after: PeriodInput, before: PeriodInput) -> None:
    new, old = score_period(after, ND335), score_period(before, ND335)
    for attribute in ("b", "c", "task_percent", "task_score", "total"):
        new_value, old_value = getattr(new, attribute), getattr(old, attribute)
        assert new_value is None or new_value <= old_value


@settings(deadline=None)
@given(periods(), st.integers(0, 5), st.sampled_from(["quality_failures", "delays"]))
def test_one_more_failure_or_delay_never_raises_a_score(period: PeriodInput, index: int, kind: str) -> None:
    target = period.items[index % len(period.items)]
    worse = _with_item(period, index, **{kind: getattr(target, kind) + 1})
    _not_higher(worse, period)


@settings(deadline=None)
@given(periods(), st.integers(0, 5), st.sampled_from(["quality", "delays"]))
def test_an_exemption_never_lowers_a_score(period: PeriodInput, index: int, kind: str) -> None:
    target = period.items[index % len(period.items)]
    events, exempt = (
        ("quality_failures", "exempt_quality_failures") if kind == "quality" else ("delays", "exempt_delays")
    )
    if getattr(target, exempt) == getattr(target, events):
        return
    excused = _with_item(period, index, **{exempt: getattr(target, exempt) + 1})
    _not_higher(period, excused)


@settings(deadline=None)
@given(periods(), st.sampled_from(["2", "3", "0.5", "7.25", "0.04"]))
def test_scaling_every_coefficient_changes_nothing(period: PeriodInput, factor: str) -> None:
    scale = Decimal(factor)
    scaled = replace(period, items=tuple(replace(item, coefficient=item.coefficient * scale) for item in period.items))
    assert _scores(scaled) == _scores(period)


readings = st.sampled_from(list(QuotaReading))
rates = st.sampled_from([Decimal("0.2"), Decimal("0.25"), Decimal("0.3"), Decimal(0), Decimal(1)])


@settings(deadline=None)
@given(st.integers(0, 60), st.integers(0, 200), rates, readings)
def test_quota_limit_is_never_exceeded_and_maximal(
    candidates: int, good: int, rate: Decimal, reading: QuotaReading
) -> None:
    limit = quota_limit(candidates, good, rate, reading)
    assert 0 <= limit <= candidates
    if reading is QuotaReading.FINAL_GOOD:
        assert limit <= math.floor(rate * (good + candidates - limit))
        # One more would break the rule: nobody is demoted without need.
        assert limit == candidates or limit + 1 > math.floor(rate * (good + candidates - limit - 1))
    else:
        assert limit == min(candidates, math.floor(rate * (good + candidates)))


@st.composite
def unit_lists(draw: st.DrawFn) -> list[QuotaEntry]:
    size = draw(st.integers(0, 40))
    entries = []
    for index in range(size):
        total = draw(st.decimals(min_value=40, max_value=100, places=2))
        task = draw(st.decimals(min_value=0, max_value=min(total, Decimal(70)), places=2))
        group = draw(st.sampled_from(["heads", "deputies", "staff"]))
        entries.append(QuotaEntry(f"id{index}", group, total, task))
    return entries


@settings(deadline=None, max_examples=60)
@given(unit_lists(), st.booleans(), readings)
def test_apply_quota_keeps_the_best_and_only_demotes_what_it_must(
    entries: list[QuotaEntry], excellent: bool, reading: QuotaReading
) -> None:
    rule_set = params(quota_reading=reading)
    outcome = apply_quota(entries, rule_set, unit_excellent=excellent)
    for group in outcome.groups:
        members = [(e, r) for e, r in zip(entries, outcome.results, strict=True) if e.group == group.group]
        kept = [e for e, r in members if r.classification is XS]
        demoted = [e for e, r in members if r.demoted]
        assert len(kept) == group.limit <= group.candidates
        assert len(kept) + len(demoted) == group.candidates
        if kept and demoted:
            assert min(e.total for e in kept) >= max(e.total for e in demoted)
        good_after = sum(1 for _, r in members if r.classification is Classification.HOAN_THANH_TOT)
        if reading is QuotaReading.FINAL_GOOD:
            assert len(kept) <= math.floor(group.rate * good_after)
