"""QĐ 366-QĐ/TW Điều 11 on the year (and quarter): its conditions read the whole period's work.

QĐ 366 classifies by year, so the year's level is checked against the year's work: "tốt"
needs 100 % of the tasks done on time, "hoàn thành" 100 % done with at most 20 % delayed,
"xuất sắc" at least 30 % exceeded besides. A year whose mean reaches a band but whose work
does not meet the band's conditions gets the lower level, with the reason (issue 14, item 2).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from thanhhoa_kpi.scoring import (
    Classification,
    RollupPeriod,
    SummedWork,
    TaskShares,
    exceeded_share_over,
    rollup,
    summed_shares,
)

from .conftest import D, params

XS = Classification.HOAN_THANH_XUAT_SAC
TOT = Classification.HOAN_THANH_TOT
HT = Classification.HOAN_THANH
KHT = Classification.KHONG_HOAN_THANH
ON_TIME = TaskShares(done=Fraction(1), delayed=Fraction(0))


def _year(total: str, shares: TaskShares | None, exceeded: str | None = None, code: str = "QD366"):
    periods = [RollupPeriod(D(total))] * 12
    share = None if exceeded is None else D(exceeded)
    return rollup(periods, params(code), exceeded_share=share, shares=shares)


# ---------------------------------------------------------------- the share of tasks exceeded


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([(D("0.5"), D(10)), (D("0.2"), D(20))], D("0.3")),  # (5 + 4) / 30: the year's work exceeded
        ([(D("0.4"), D(10)), (None, D(10))], D("0.2")),  # a month nobody confirmed: nothing exceeded
        ([(D("0.4"), D(10)), (None, D(0))], D("0.4")),  # a month without work does not count
        ([(D(1), D(2)), (None, D(1))], D("0.6666")),  # cut, never rounded up to reach a threshold
        ([(None, D(10)), (None, D(5))], None),  # never confirmed
        ([], None),
    ],
)
def test_the_years_share_exceeded_is_the_months_weighted_by_their_work(parts, expected) -> None:
    assert exceeded_share_over(parts) == expected


# ---------------------------------------------------------------- the year's level


def test_a_year_on_time_with_a_third_exceeded_is_excellent() -> None:
    result = _year("92", ON_TIME, "0.35")
    assert (result.mean, result.classification) == (D("92.00"), XS)
    assert (
        "Công việc cả kỳ: đã hoàn thành 100% khối lượng được giao, 0% chậm tiến độ; tỷ lệ nhiệm vụ vượt mức 35% "
        "(bình quân các kỳ theo khối lượng được giao quy đổi) (QĐ 366-QĐ/TW Điều 11)."
    ) in result.explanation


def test_a_good_year_with_late_work_is_completed_with_the_reason() -> None:
    """Mean 85 ("tốt" by the band), 5 % of the year's work late: "hoàn thành" (QĐ 366 Điều 11)."""
    result = _year("85", TaskShares(done=Fraction(1), delayed=Fraction(1, 20)))  # nothing failed
    assert result.classification is HT
    assert result.explanation[-2] == (
        "Điểm đạt mức Hoàn thành tốt nhiệm vụ nhưng chưa đủ điều kiện kèm theo: đã hoàn thành 100% khối lượng "
        "được giao (yêu cầu từ 100%), 5% chậm tiến độ (tối đa 0%), 0% chưa bảo đảm chất lượng "
        "(tối đa 0%) (QĐ 366-QĐ/TW Điều 11): xếp loại thấp hơn, "
        "Hoàn thành nhiệm vụ."
    )
    assert result.explanation[-1] == "Xếp loại: Hoàn thành nhiệm vụ."


def test_a_year_with_work_left_undone_is_not_completed_whatever_its_mean() -> None:
    result = _year("88", TaskShares(done=Fraction(9, 10), delayed=Fraction(0)))
    assert result.classification is KHT


def test_a_year_never_confirmed_exceeded_stops_at_good_and_says_so() -> None:
    result = _year("95", ON_TIME)
    assert result.classification is TOT
    assert any(
        line.startswith("Đủ điểm xuất sắc nhưng tỷ lệ nhiệm vụ vượt mức chưa được xác nhận, dưới mức yêu cầu 30%")
        for line in result.explanation
    )


def test_without_the_years_work_the_mean_alone_decides_as_before() -> None:
    """ND 335 sets no condition beside the band (Điều 20): the caller passes no shares."""
    result = _year("85", None, code="ND335")
    assert result.classification is TOT
    assert not any(line.startswith("Công việc cả kỳ") for line in result.explanation)


# ---------------------------------------------------------------- shares from summed work


def test_summed_work_gives_the_shares_of_its_assigned_work() -> None:
    work = SummedWork(assigned=D(24), completed=D(24), quality=D(23), progress=D("23.75"), done=D(24), delayed=D(1),
                      failed=D(2))  # fmt: skip
    assert summed_shares(work) == TaskShares(done=Fraction(1), delayed=Fraction(1, 24), failed=Fraction(1, 12))


@pytest.mark.parametrize(
    "work",
    [
        SummedWork(assigned=D(0), completed=D(0), quality=D(0), progress=D(0), done=D(0), delayed=D(0)),
        SummedWork(assigned=D(10), completed=D(10), quality=D(10), progress=D(10)),
        SummedWork(assigned=D(10), completed=D(10), quality=D(10), progress=D(10), done=D(10)),
        SummedWork(assigned=D(10), completed=D(10), quality=D(10), progress=D(10), done=D(10), delayed=D(0)),
    ],
)
def test_no_shares_without_assigned_work_or_without_the_amounts_done_and_delayed(work: SummedWork) -> None:
    assert summed_shares(work) is None


def test_a_quarter_reads_its_work_too() -> None:
    periods = [RollupPeriod(D("80"))] * 3
    result = rollup(periods, params("QD366"), annual=False, shares=TaskShares(Fraction(1), Fraction(1, 4)))
    assert result.classification is KHT  # 25 % delayed: more than the fifth "hoàn thành" allows
    assert isinstance(result.mean, Decimal)
