"""The pure side of the plausibility checks (thanhhoa_kpi/worklogs/plausibility_rules.py):
thresholds compared, statistics and Vietnamese explanations, without a database."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thanhhoa_kpi.worklogs import plausibility_rules as rules

LIMITS = rules.Thresholds()


def month(**figures):
    base = {"lines": 10, "converted": Decimal(100), "last_days": Decimal(0), "window_start": date(2026, 11, 26),
            "after_deadline": Decimal(0), "self_registered": Decimal(0), "timed_converted": Decimal(100),
            "minutes": 600}  # fmt: skip
    return rules.Month(**{**base, **figures})


def test_hours_read_as_hours_and_minutes():
    assert [rules.hours_text(m) for m in (45, 480, 500)] == ["45 phút", "8 giờ", "8 giờ 20 phút"]


def test_a_day_is_too_long_only_beyond_the_working_day():
    assert rules.day_too_long(date(2026, 11, 2), 480, LIMITS) is None
    flag = rules.day_too_long(date(2026, 11, 2), 540, LIMITS)
    assert flag.code == rules.DAY_TOO_LONG and flag.label == "Vượt thời gian ngày làm việc"
    assert "02/11/2026 là 9 giờ, vượt ngày làm việc 8 giờ" in flag.text


def test_weekends_and_holidays_but_not_days_worked_in_exchange():
    saturday, monday = date(2026, 11, 7), date(2026, 11, 2)
    assert "là thứ Bảy" in rules.non_working_day(saturday, None, False).text
    assert "là Chủ nhật" in rules.non_working_day(date(2026, 11, 8), None, False).text
    assert rules.non_working_day(saturday, None, True) is None
    assert rules.non_working_day(monday, None, False) is None
    assert "ngày nghỉ: Quốc khánh" in rules.non_working_day(monday, "Quốc khánh", False).text


def test_leave_names_its_kind_and_dates():
    flag = rules.on_leave(date(2026, 11, 3), "Nghỉ ốm", date(2026, 11, 2), date(2026, 11, 4))
    assert "nghỉ ốm từ 02/11/2026 đến 04/11/2026" in flag.text


def test_a_document_number_once_is_fine_twice_is_asked():
    assert rules.document_reused("1/UB", 2026, 1, 1, 1) is None
    assert "ghi trùng" in rules.document_reused("1/UB", 2026, 2, 1, 2).text
    assert "của cùng một cán bộ" in rules.document_reused("1/UB", 2026, 2, 1, 2).text
    steps = rules.document_reused("1/UB", 2026, 3, 3, 1).text
    assert "của 3 cán bộ" in steps and "các bước khác nhau" in steps


def test_an_evidence_file_once_is_fine():
    assert rules.evidence_reused(1, 1) is None
    assert "ở 3 dòng nhật ký (của 2 cán bộ)" in rules.evidence_reused(3, 2).text
    assert "của cùng một cán bộ" in rules.evidence_reused(2, 1).text


def test_month_shares_trip_above_their_thresholds_only():
    assert rules.month_end_burst(month(last_days=Decimal(60)), LIMITS) is None
    burst = rules.month_end_burst(month(last_days=Decimal(61)), LIMITS)
    assert "61 % khối lượng quy đổi" in burst.text and "(từ 26/11/2026)" in burst.text
    assert rules.after_deadline(month(after_deadline=Decimal(50)), LIMITS) is None
    assert "51 %" in rules.after_deadline(month(after_deadline=Decimal(51)), LIMITS).text
    assert rules.self_registered(month(self_registered=Decimal(70)), LIMITS) is None
    assert "71 %" in rules.self_registered(month(self_registered=Decimal(71)), LIMITS).text


def test_a_month_with_few_lines_or_no_output_is_not_judged():
    assert rules.month_end_burst(month(lines=5, last_days=Decimal(100)), LIMITS) is None
    assert rules.self_registered(month(converted=Decimal(0), self_registered=Decimal(0)), LIMITS) is None
    assert rules.percent(Decimal(1), Decimal(0)) is None


def test_rate_is_output_per_hour_of_timed_lines():
    assert month().rate == 10
    assert month(minutes=0).rate is None


def test_median_and_percentile():
    assert rules.median([Decimal(3), Decimal(1), Decimal(2)]) == 2
    assert rules.median([Decimal(1), Decimal(2), Decimal(3), Decimal(10)]) == Decimal("2.5")
    values = [Decimal(n) for n in range(1, 101)]
    assert rules.quantile(values, 99) == Decimal("99.01")
    assert rules.quantile(values, 100) == 100
    assert rules.quantile([Decimal(7)], 99) == 7


def test_rate_far_above_the_median_of_the_others_is_flagged():
    peers = [Decimal(n) for n in (1, 2, 2, 3, 4)]
    assert rules.rate_outlier(Decimal(6), peers, "Chuyên viên", LIMITS) is None
    flag = rules.rate_outlier(Decimal("6.5"), peers, "Chuyên viên", LIMITS)
    assert "mỗi giờ là 6,5" in flag.text and "trung vị của 5 người cùng nhóm «Chuyên viên» là 2" in flag.text
    assert "3 lần trung vị, 6" in flag.text


def test_no_comparison_without_time_or_enough_peers():
    assert rules.rate_outlier(None, [Decimal(1)] * 10, "Nhóm", LIMITS) is None
    assert rules.rate_outlier(Decimal(100), [Decimal(1)] * 4, "Nhóm", LIMITS) is None


def test_a_large_group_uses_the_percentile_when_it_is_the_lower_bar():
    peers = [Decimal(1)] * 98 + [Decimal("1.5"), Decimal(2)]
    limits = rules.Thresholds(rate_median_multiple=Decimal(5))
    flag = rules.rate_outlier(Decimal(3), peers, "Một cửa", limits)
    assert flag is not None and "phân vị 99" in flag.text
    small = rules.Thresholds(rate_median_multiple=Decimal(5), percentile_min_peers=200)
    assert rules.rate_outlier(Decimal(3), peers, "Một cửa", small) is None


def test_flags_are_ordered_and_unique():
    a = rules.Flag(rules.SELF_REGISTERED, "x")
    b = rules.Flag(rules.DAY_TOO_LONG, "y")
    assert rules.ordered([a, b, a]) == [b, a]


@given(st.lists(st.decimals(min_value=0, max_value=1000, places=2), min_size=5, max_size=60))
def test_nobody_is_above_a_bar_of_their_own_group_median(values):
    """Scaling everyone alike never flags: the checks are relative to the group."""
    middle = rules.median(values)
    assert min(values) <= middle <= max(values)
    assert rules.rate_outlier(middle, values, "Nhóm", LIMITS) is None


@pytest.mark.parametrize("minutes", [0, 1, 59, 60, 61, 1440])
def test_hours_text_round_trips(minutes):
    text = rules.hours_text(minutes)
    hours = int(text.split(" giờ")[0]) if "giờ" in text else 0
    rest = int(text.split(" ")[-2]) if text.endswith("phút") else 0
    assert hours * 60 + rest == minutes
