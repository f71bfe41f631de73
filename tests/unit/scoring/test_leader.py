"""Task percent and score; leaders' d, đ, e (SPEC 5.3; ND 335 Điều 14, 15)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from thanhhoa_kpi.scoring import (
    Classification,
    Role,
    ScoringInputError,
    UnitCriteria,
    converted_sums,
    task_ratios,
    task_score,
    unit_result_criterion,
)
from thanhhoa_kpi.scoring.tasks import Ratios

from .conftest import D, item, params


def _ratios() -> Ratios:
    ratios = task_ratios(converted_sums([item("X", 1, 100, 90, quality_failures=40)], params()), params())
    assert ratios is not None
    return ratios


def test_staff_average_three_components() -> None:
    result = task_score(_ratios(), Role.STAFF, None, params())
    assert result.components == (D(90), D(80), D(90))
    assert result.percent == Fraction(260, 3)
    assert result.score == Fraction(260, 3) * 70 / 100


def test_leader_average_six_components() -> None:
    result = task_score(_ratios(), Role.LEADER, UnitCriteria(D(100), D(50), D(100)), params())
    assert len(result.components) == 6
    assert result.percent == Fraction(510, 6)


def test_leader_needs_unit_criteria() -> None:
    with pytest.raises(ScoringInputError) as caught:
        task_score(_ratios(), Role.LEADER, None, params())
    assert [field for field, _ in caught.value.errors] == ["unit"]


def test_unit_criteria_take_only_the_two_values() -> None:
    with pytest.raises(ScoringInputError) as caught:
        task_score(_ratios(), Role.LEADER, UnitCriteria(D(75), D(100), D(0)), params())
    assert caught.value.errors == (
        ("unit.d", "Chỉ nhận giá trị 100 hoặc 50."),
        ("unit.e", "Chỉ nhận giá trị 100 hoặc 50."),
    )


@pytest.mark.parametrize(
    ("subordinates", "expected"),
    [
        ([Classification.HOAN_THANH, Classification.HOAN_THANH_XUAT_SAC], 100),
        ([Classification.HOAN_THANH_TOT, Classification.KHONG_HOAN_THANH], 50),
        ([None, Classification.HOAN_THANH_TOT], 100),
        ([], 100),
    ],
)
def test_d_from_subordinates(subordinates: list[Classification | None], expected: int) -> None:
    assert unit_result_criterion(subordinates, params()) == D(expected)
