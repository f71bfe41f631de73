"""Converted sums and a, b, c (SPEC 5.1, 5.2; ND 335 Điều 14)."""

from __future__ import annotations

import pytest

from thanhhoa_kpi.scoring import INVALID_INPUT, ScoringInputError, converted_sums, task_ratios

from .conftest import D, item, params


@pytest.mark.parametrize(
    ("completed", "failures", "exempt", "expected", "capped"),
    [
        ("10", 0, 0, "10", False),
        ("10", 1, 0, "9.75", False),
        ("10", 4, 0, "9", False),
        ("1", 4, 0, "0", False),
        ("1", 5, 0, "0", True),
        ("2", 9, 0, "0", True),
        ("3", 1, 1, "3", False),
        ("3", 3, 1, "2.5", False),
        ("0", 3, 0, "0", True),
        ("2.5", 11, 0, "0", True),
        ("0.5", 1, 0, "0.25", False),
    ],
)
def test_quality_deduction_per_event_with_cap_per_product(
    completed: str, failures: int, exempt: int, expected: str, capped: bool
) -> None:
    entry = item("X", 1, 10, completed, quality_failures=failures, exempt_quality_failures=exempt)
    sums = converted_sums([entry], params())
    assert sums.quality == D(expected)
    assert sums.items[0].quality.capped is capped
    assert sums.progress == D(completed)


@pytest.mark.parametrize(("delays", "exempt", "expected"), [(0, 0, "4"), (1, 0, "3.75"), (2, 1, "3.75"), (20, 0, "0")])
def test_progress_deduction_mirrors_quality(delays: int, exempt: int, expected: str) -> None:
    sums = converted_sums([item("X", 1, 4, 4, delays=delays, exempt_delays=exempt)], params())
    assert sums.progress == D(expected)
    assert sums.quality == D(4)


def test_coefficient_multiplies_every_converted_amount() -> None:
    sums = converted_sums([item("X", "2.5", 4, 3, quality_failures=1, delays=2)], params())
    assert (sums.assigned, sums.completed, sums.quality, sums.progress) == (D(10), D("7.5"), D("6.875"), D("6.25"))


def test_floor_at_zero_guards_other_deduction_rates() -> None:
    harsh = params(deduction_per_event=D("0.5"))
    result = converted_sums([item("X", 3, 1, 1, quality_failures=4)], harsh).items[0].quality
    assert result.converted == 0
    assert result.capped


def test_ratios_use_assigned_as_denominator() -> None:
    sums = converted_sums([item("X", 1, 10, 5, quality_failures=2)], params())
    ratios = task_ratios(sums, params())
    assert ratios is not None
    assert (ratios.a.value, ratios.b.value, ratios.c.value) == (D(50), D(45), D(50))
    assert not ratios.a.capped


def test_over_fulfilment_is_capped_at_the_ratio_cap() -> None:
    sums = converted_sums([item("X", 1, 10, 15), item("Y", 2, 0, 1)], params())
    ratios = task_ratios(sums, params())
    assert ratios is not None
    assert (ratios.a.raw, ratios.a.value, ratios.a.capped) == (D(170), D(100), True)


def test_nothing_assigned_is_not_evaluable() -> None:
    assert task_ratios(converted_sums([item("X", 1, 0, 3)], params()), params()) is None
    assert task_ratios(converted_sums([], params()), params()) is None


def test_bad_items_are_all_named() -> None:
    items = [
        item("A", 0, -1, 1),
        item("B", 1, 1, -2, quality_failures=1, exempt_quality_failures=2, delays=-1),
        item("C", 1, 1, 1, delays=1, exempt_delays=2, exempt_quality_failures=-1),
    ]
    with pytest.raises(ScoringInputError) as caught:
        converted_sums(items, params())
    assert caught.value.code == INVALID_INPUT
    assert [field for field, _ in caught.value.errors] == [
        "items[0].coefficient",
        "items[0].assigned",
        "items[1].completed",
        "items[1].delays",
        "items[1].exempt_quality_failures",
        "items[2].exempt_quality_failures",
        "items[2].exempt_delays",
    ]
