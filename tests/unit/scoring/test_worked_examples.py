"""Every worked example of research/domain.md section 9, to the cent."""

from __future__ import annotations

import pytest

from thanhhoa_kpi.scoring import (
    Classification,
    Disqualifier,
    ItemInput,
    PeriodInput,
    PeriodKind,
    QuotaReading,
    Role,
    RollupPeriod,
    RollupStatus,
    RuleParams,
    UnitCriteria,
    cap_head_by_unit,
    converted_sums,
    quota_limit,
    rollup,
    score_period,
)

from .conftest import EXAMPLE_1_ITEMS, D, item, params, points


def test_example_1_non_leader_month(nd335: RuleParams) -> None:
    result = score_period(PeriodInput(Role.STAFF, EXAMPLE_1_ITEMS, points(27)), nd335)
    figures = (
        result.assigned_converted,
        result.completed_converted,
        result.quality_converted,
        result.progress_converted,
        result.a,
        result.b,
        result.c,
        result.task_percent,
        result.task_score,
        result.general_score,
        result.total,
    )
    expected = ("38", "30", "29", "29.75", "78.95", "76.32", "78.29", "77.85", "54.50", "27", "81.50")
    assert figures == tuple(D(value) for value in expected)
    assert result.classification is Classification.HOAN_THANH_TOT


def test_example_1_variant_all_done_is_a_candidate(nd335: RuleParams) -> None:
    items = (*EXAMPLE_1_ITEMS[:2], item("P3", 8, 2, 2))
    result = score_period(PeriodInput(Role.STAFF, items, points(27)), nd335)
    assert (result.a, result.b, result.c) == (D("100.00"), D("97.37"), D("99.34"))
    assert (result.task_percent, result.task_score, result.total) == (D("98.90"), D("69.23"), D("96.23"))
    assert result.classification is Classification.HOAN_THANH_XUAT_SAC


def test_example_1_heavy_product_costs_about_14_7_points(nd335: RuleParams) -> None:
    done = score_period(PeriodInput(Role.STAFF, (*EXAMPLE_1_ITEMS[:2], item("P3", 8, 2, 2)), points(27)), nd335)
    missing = score_period(PeriodInput(Role.STAFF, EXAMPLE_1_ITEMS, points(27)), nd335)
    assert done.total is not None and missing.total is not None
    assert done.total - missing.total == D("14.73")


def _leader_with_abc(a: int, b: int, c: int) -> tuple[ItemInput, ...]:
    # One item of coefficient 1 and 100 assigned gives a, b, c exactly as percentages:
    # completed a; b and c lowered by 4 events per lost product (25 % each).
    return (item("Q", 1, 100, a, quality_failures=4 * (a - b), delays=4 * (a - c)),)


@pytest.mark.parametrize(
    ("d", "total", "task_percent", "task_score", "level"),
    [
        (50, "88.67", "86.67", "60.67", Classification.HOAN_THANH_TOT),
        (100, "94.50", "95.00", "66.50", Classification.HOAN_THANH_XUAT_SAC),
    ],
)
def test_example_2_head_of_division_quarter(
    nd335: RuleParams, d: int, total: str, task_percent: str, task_score: str, level: Classification
) -> None:
    items = _leader_with_abc(95, 90, 85)
    unit = UnitCriteria(d=D(d), dd=D(100), e=D(100))
    result = score_period(PeriodInput(Role.LEADER, items, points(28), unit=unit), nd335)
    assert (result.a, result.b, result.c) == (D(95), D(90), D(85))
    assert (result.task_percent, result.task_score, result.total) == (D(task_percent), D(task_score), D(total))
    assert result.classification is level


def test_example_2_one_failing_subordinate_costs_5_83_points(nd335: RuleParams) -> None:
    items = _leader_with_abc(95, 90, 85)
    totals = [
        score_period(PeriodInput(Role.LEADER, items, points(28), unit=UnitCriteria(D(d), D(100), D(100))), nd335).total
        for d in (100, 50)
    ]
    assert totals[0] is not None and totals[1] is not None
    assert totals[0] - totals[1] == D("5.83")


def test_example_2_ceiling_head_not_above_unit(nd335: RuleParams) -> None:
    capped = cap_head_by_unit(Classification.HOAN_THANH_XUAT_SAC, Classification.HOAN_THANH_TOT, nd335)
    assert capped.classification is Classification.HOAN_THANH_TOT
    assert capped.capped


EXAMPLE_3_MONTHS = [92, 88, 91, 85, 90, 93, 89, 94, 90, 87, 92, 95]


def test_example_3_annual_mean(nd335: RuleParams) -> None:
    result = rollup([RollupPeriod(D(total)) for total in EXAMPLE_3_MONTHS], nd335)
    assert (result.mean, result.worked_months) == (D("90.50"), 12)
    assert result.classification is Classification.HOAN_THANH_XUAT_SAC


def test_example_3_quarters_of_equal_length_give_the_same_mean(nd335: RuleParams) -> None:
    quarters = [sum(EXAMPLE_3_MONTHS[i : i + 3]) for i in range(0, 12, 3)]
    periods = [RollupPeriod(D(total) / 3, months=3) for total in quarters]
    assert rollup(periods, nd335).mean == D("90.50")


def test_example_3_maternity_leave_may_to_august(nd335: RuleParams) -> None:
    periods = [
        RollupPeriod(None, PeriodKind.FULL_LEAVE) if 5 <= month <= 8 else RollupPeriod(D(total))
        for month, total in enumerate(EXAMPLE_3_MONTHS, start=1)
    ]
    result = rollup(periods, nd335)
    assert (result.mean, result.worked_months, result.status) == (D("90.00"), 8, RollupStatus.OK)
    assert result.classification is Classification.HOAN_THANH_XUAT_SAC


def test_example_3_reprimand_means_not_completed_regardless_of_score(nd335: RuleParams) -> None:
    result = rollup(
        [RollupPeriod(D(total)) for total in EXAMPLE_3_MONTHS], nd335, disqualifiers=[Disqualifier.DISCIPLINE]
    )
    assert result.mean == D("90.50")
    assert result.classification is Classification.KHONG_HOAN_THANH


@pytest.mark.parametrize(
    ("candidates", "good", "rate", "reading", "limit"),
    [
        (8, 22, "0.20", QuotaReading.FINAL_GOOD, 5),
        (8, 22, "0.20", QuotaReading.GOOD_PLUS_CANDIDATES, 6),
        (8, 22, "0.25", QuotaReading.FINAL_GOOD, 6),
        (8, 22, "0.25", QuotaReading.GOOD_PLUS_CANDIDATES, 7),
        (2, 3, "0.20", QuotaReading.FINAL_GOOD, 0),
        (2, 3, "0.20", QuotaReading.GOOD_PLUS_CANDIDATES, 1),
        (2, 3, "0.25", QuotaReading.FINAL_GOOD, 1),
        (2, 3, "0.25", QuotaReading.GOOD_PLUS_CANDIDATES, 1),
    ],
)
def test_example_4_quota_readings(candidates: int, good: int, rate: str, reading: QuotaReading, limit: int) -> None:
    assert quota_limit(candidates, good, D(rate), reading) == limit


def test_example_4_group_b_final_counts(nd335: RuleParams) -> None:
    limit = quota_limit(8, 22, nd335.quota_rate, nd335.quota_reading)
    final_good = 22 + 8 - limit
    assert (limit, final_good) == (5, 25)
    assert limit <= nd335.quota_rate * final_good


@pytest.mark.parametrize(
    ("k", "units", "failures", "expected"),
    [("6.4", 5, 3, "27.2"), ("20", 1, 3, "5"), ("20", 1, 5, "0"), ("6.4", 5, 0, "32")],
)
def test_example_6_per_unit_deduction_cap(k: str, units: int, failures: int, expected: str) -> None:
    sums = converted_sums([item("X", k, units, units, quality_failures=failures)], params())
    assert sums.quality == D(expected)
