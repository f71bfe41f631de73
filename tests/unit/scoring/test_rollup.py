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
    result = rollup(periods, params("ND233"))
    assert (result.status, result.worked_months) == (status, months)
    if status is RollupStatus.NOT_CLASSIFIED:
        assert (result.mean, result.classification) == (None, None)
        assert result.explanation == (
            f"Không tính {12 - months} kỳ nghỉ trọn kỳ hoặc không được giao việc.",
            f"Không xếp loại: thời gian thực tế làm việc {months} tháng, dưới mức tối thiểu 6 tháng "
            "(NĐ 233/2026/NĐ-CP Điều 14 khoản 1).",
        )


def test_periods_without_assigned_work_are_left_out_of_the_mean_but_count_as_worked() -> None:
    periods = [RollupPeriod(D(72)), RollupPeriod(None, PeriodKind.NO_ASSIGNED_WORK), RollupPeriod(D(75))]
    result = rollup(periods, params(), annual=False)
    assert (result.mean, result.classification) == (D("73.50"), Classification.HOAN_THANH_TOT)
    assert (result.worked_months, result.scored_months) == (3, 2)


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


def test_every_period_needs_a_month_whatever_its_kind() -> None:
    periods = [RollupPeriod(None, PeriodKind.NO_ASSIGNED_WORK, months=0), RollupPeriod(None, PeriodKind.FULL_LEAVE, 0)]
    with pytest.raises(ScoringInputError) as caught:
        rollup(periods, params())
    assert dict(caught.value.errors) == {
        "periods[0].months": "Phải từ 1 tháng trở lên.",
        "periods[1].months": "Phải từ 1 tháng trở lên.",
    }


# Issue 10, item 5: the three roll-up defects, each against the decree it breaks.


@pytest.mark.parametrize("code", ["ND335", "ND233", "QD366"])
def test_maternity_months_count_towards_the_six_month_minimum(code: str) -> None:
    """ND 233 Điều 14 khoản 2 (ND 335 Điều 21): 5 months worked + 7 of maternity → classified on the 5."""
    totals = [D(80), D(82), D(78), D(81), D(84)]
    periods = [RollupPeriod(total) for total in totals]
    periods += [RollupPeriod(None, PeriodKind.FULL_LEAVE, leave=("MATERNITY",))] * 7
    result = rollup(periods, params(code))
    assert result.status is RollupStatus.OK
    assert (result.worked_months, result.scored_months, result.leave_months) == (5, 5, 7)
    assert result.mean == sum(totals) / 5
    assert result.classification is Classification.HOAN_THANH_TOT
    assert "Tính 7 tháng nghỉ thai sản vào thời gian làm việc tối thiểu" in result.explanation[1]


def test_sick_leave_and_maternity_leave_are_added_together() -> None:
    periods = [RollupPeriod(D(80), months=3), RollupPeriod(D(70))]
    periods += [RollupPeriod(None, PeriodKind.FULL_LEAVE, leave=("SICK",))]
    periods += [RollupPeriod(None, PeriodKind.FULL_LEAVE, leave=("MATERNITY", "SICK"))]
    result = rollup(periods, params())
    assert (result.status, result.leave_months, result.mean) == (RollupStatus.OK, 2, D("77.50"))
    assert "Tính 2 tháng nghỉ thai sản, nghỉ ốm" in result.explanation[1]


@pytest.mark.parametrize("leave", [("TRAINING",), ("OTHER",), ("MATERNITY", "OTHER"), ()])
def test_other_leave_still_counts_against_the_minimum(leave: tuple[str, ...]) -> None:
    """Only the kinds the rule set names; a month partly on another leave is not counted."""
    periods = [RollupPeriod(D(80))] * 5 + [RollupPeriod(None, PeriodKind.FULL_LEAVE, leave=leave)] * 7
    result = rollup(periods, params())
    assert (result.status, result.leave_months) == (RollupStatus.NOT_CLASSIFIED, 0)
    assert result.explanation[-1].startswith("Không xếp loại: thời gian thực tế làm việc 5 tháng, dưới mức")


def test_a_rule_set_may_count_no_leave() -> None:
    periods = [RollupPeriod(D(80))] * 5 + [RollupPeriod(None, PeriodKind.FULL_LEAVE, leave=("MATERNITY",))] * 7
    assert rollup(periods, params(min_months_leave_kinds=())).status is RollupStatus.NOT_CLASSIFIED


def test_counted_leave_still_needs_the_minimum_when_too_short() -> None:
    periods = [RollupPeriod(D(80))] * 2 + [RollupPeriod(None, PeriodKind.FULL_LEAVE, leave=("SICK",))] * 3
    result = rollup(periods, params("ND233"))
    assert (result.status, result.worked_months, result.leave_months) == (RollupStatus.NOT_CLASSIFIED, 2, 3)
    assert result.explanation[-1] == (
        "Không xếp loại: thời gian thực tế làm việc 2 tháng, cộng 3 tháng nghỉ được tính là 5 tháng, "
        "dưới mức tối thiểu 6 tháng (NĐ 233/2026/NĐ-CP Điều 14 khoản 1)."
    )


def test_a_year_present_throughout_with_months_without_work_is_classified() -> None:
    """Months without assigned work are months worked: 5 scored + 7 without work → 12 months, mean of 5."""
    totals = [D(72), D(75), D(78), D(70), D(80)]
    periods = [RollupPeriod(total) for total in totals] + [RollupPeriod(None, PeriodKind.NO_ASSIGNED_WORK)] * 7
    result = rollup(periods, params())
    assert result.status is RollupStatus.OK
    assert (result.worked_months, result.scored_months) == (12, 5)
    assert result.mean == sum(totals) / 5
    assert result.explanation[1] == (
        "Thời gian thực tế làm việc 12 tháng, trong đó 7 tháng không được giao việc: tính vào thời gian làm việc, "
        "không tính vào điểm bình quân (SPEC 5.2, 5.5)."
    )
    assert not any("5 tháng, dưới mức" in line for line in result.explanation)


def test_a_quarter_without_assigned_work_weighs_its_months_in_the_minimum() -> None:
    periods = [RollupPeriod(D(85), months=3), RollupPeriod(None, PeriodKind.NO_ASSIGNED_WORK, months=3)]
    result = rollup(periods, params())
    assert (result.status, result.worked_months, result.mean) == (RollupStatus.OK, 6, D("85.00"))


def test_a_year_without_any_assigned_work_is_not_classified() -> None:
    result = rollup([RollupPeriod(None, PeriodKind.NO_ASSIGNED_WORK)] * 12, params())
    assert (result.status, result.worked_months, result.mean) == (RollupStatus.NOT_CLASSIFIED, 12, None)
    assert result.explanation[-1] == "Không xếp loại: không có kỳ nào được chấm điểm để tính điểm bình quân."
