"""Vietnamese number notation in explanations."""

from __future__ import annotations

import pytest

from thanhhoa_kpi.scoring.explain import num, pct

from .conftest import D


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("29.75", None, "29,75"),
        ("38.00", None, "38"),
        ("1086", None, "1.086"),
        ("1234567.5", None, "1.234.567,5"),
        ("78.947368", 2, "78,95"),
        ("54.495", 2, "54,5"),
        ("0", 2, "0"),
        ("-0.25", None, "-0,25"),
    ],
)
def test_numbers_use_decimal_comma_and_dot_grouping(value: str, places: int | None, expected: str) -> None:
    assert num(D(value), places) == expected


def test_rates_read_as_percentages() -> None:
    assert (pct(D("0.25")), pct(D("0.2")), pct(D("0.3"))) == ("25%", "20%", "30%")
