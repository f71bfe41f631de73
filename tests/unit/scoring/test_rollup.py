"""Quarter and year roll-up (SPEC 5.5; ND 335 Điều 21; ND 233 Điều 14)."""

from __future__ import annotations

import pytest

from thanhhoa_kpi.scoring import (
    Classification,
    PeriodKind,
    RollupPeriod,
    RollupStatus,
    ScoringInputError,
    rollup,
)

from .conftest import D, params


@pytest.mark.parametrize(("months", "status"), [(5, RollupStatus.NOT_CLASSIFIED), (6, RollupStatus.OK)])
def test_minimum_worked_months_in_a_year(months: int, status: RollupStatus) -> None:
    periods = [RollupPeriod(D(80))] * months + [RollupPeriod(None, PeriodKind.FULL_LEAVE)] * (12 - months)
    result = rollup(periods, params())
    assert (result.status, result.worked_months) == (status, months)
    if status is RollupStatus.NOT_CLASSIFIED:
        assert (result.mean, result.classification) == (None, None)
        assert result.explanation == (
            f"Không tính {12 - months} kỳ nghỉ trọn kỳ hoặc không được giao việc.",
            f"Không xếp loại: thời gian thực tế làm việc {months} tháng, dưới mức tối thiểu 6 tháng "
            "(NĐ 233/2026/NĐ-CP Điều 14 khoản 1).",
        )


def test_periods_without_assigned_work_are_left_out() -> None:
    periods = [RollupPeriod(D(72)), RollupPeriod(None, PeriodKind.NO_ASSIGNED_WORK), RollupPeriod(D(75))]
    result = rollup(periods, params(), annual=False)
    assert (result.mean, result.worked_months, result.classification) == (D("73.50"), 2, Classification.HOAN_THANH_TOT)


def test_a_quarter_needs_one_worked_month_only() -> None:
    assert rollup([RollupPeriod(D(91))], params(), annual=False).classification is Classification.HOAN_THANH_XUAT_SAC
    empty = rollup([RollupPeriod(None, PeriodKind.FULL_LEAVE)] * 3, params(), annual=False)
    assert empty.status is RollupStatus.NOT_CLASSIFIED


def test_no_minimum_still_needs_something_to_average() -> None:
    assert rollup([], params(min_worked_months=0)).status is RollupStatus.NOT_CLASSIFIED


def test_partly_worked_quarters_weigh_their_months() -> None:
    periods = [RollupPeriod(D(90), months=3), RollupPeriod(D(80), months=1), RollupPeriod(D(70), months=3)]
    result = rollup(periods, params(min_worked_months=6))
    assert result.mean == D("80.00")
    assert result.explanation[0] == ("Điểm bình quân = (90 × 3 + 80 × 1 + 70 × 3) / 7 = 80 (7 tháng thực tế làm việc).")


def test_monthly_mean_line() -> None:
    result = rollup([RollupPeriod(D(total)) for total in (92, 88, 91, 85, 90, 93)], params())
    assert (
        result.explanation[0]
        == "Điểm bình quân = (92 + 88 + 91 + 85 + 90 + 93) / 6 = 89,83 (6 tháng thực tế làm việc)."
    )


def test_the_mean_is_rounded_before_classifying() -> None:
    periods = [RollupPeriod(D("89.99"))] * 5 + [RollupPeriod(D("90.02"))]
    assert rollup(periods, params()).mean == D("90.00")


def test_bad_periods() -> None:
    periods = [RollupPeriod(None), RollupPeriod(D(101)), RollupPeriod(D(80), months=0), RollupPeriod(D(-1))]
    with pytest.raises(ScoringInputError) as caught:
        rollup(periods, params())
    assert dict(caught.value.errors) == {
        "periods[0].total": "Kỳ có làm việc phải có tổng điểm từ 0 đến 100.",
        "periods[1].total": "Kỳ có làm việc phải có tổng điểm từ 0 đến 100.",
        "periods[2].months": "Phải từ 1 tháng trở lên.",
        "periods[3].total": "Kỳ có làm việc phải có tổng điểm từ 0 đến 100.",
    }
