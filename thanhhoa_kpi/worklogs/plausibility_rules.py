"""Plausibility of a work log (issue 15): the thresholds, the comparisons and their
explanations in Vietnamese. Standard library only, so it is tested without a database.

The figures come from :mod:`thanhhoa_kpi.worklogs.plausibility`, which asks the database
for them (sums per day, per month and per evidence, counts per document number). A flag
is a question for the reviewer, never a deduction: nothing here changes a quantity, a
review or a score, and each text says what to look at rather than what to conclude. Legit
reasons exist for every pattern (the one-stop-shop desk open on Saturday morning, the same
dossier received by one official and examined by another, the month's report written in
its last days), which is why the thresholds are parameters and the reviewer decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from thanhhoa_kpi.formats.numbers import decimal_text

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")

DAY_TOO_LONG = "DAY_TOO_LONG"
NON_WORKING_DAY = "NON_WORKING_DAY"
ON_LEAVE = "ON_LEAVE"
DOCUMENT_REUSED = "DOCUMENT_REUSED"
EVIDENCE_REUSED = "EVIDENCE_REUSED"
MONTH_END_BURST = "MONTH_END_BURST"
AFTER_DEADLINE = "AFTER_DEADLINE"
RATE_OUTLIER = "RATE_OUTLIER"
SELF_REGISTERED = "SELF_REGISTERED"

LABELS = {
    DAY_TOO_LONG: "Vượt thời gian ngày làm việc",
    NON_WORKING_DAY: "Ghi vào ngày nghỉ",
    ON_LEAVE: "Trùng thời gian nghỉ",
    DOCUMENT_REUSED: "Số văn bản / hồ sơ dùng nhiều lần",
    EVIDENCE_REUSED: "Tệp minh chứng dùng lại",
    MONTH_END_BURST: "Dồn việc cuối tháng",
    AFTER_DEADLINE: "Ghi sau hạn được giao",
    RATE_OUTLIER: "Năng suất cao bất thường so với nhóm",
    SELF_REGISTERED: "Chủ yếu việc tự đăng ký",
}
ORDER = tuple(LABELS)


@dataclass(frozen=True)
class Thresholds:
    """Defaults of :class:`~thanhhoa_kpi.worklogs.models.PlausibilityThresholds`.

    480 minutes: the 8-hour working day (Bộ luật Lao động 2019 Điều 105; Nghị định
    45/2013 for public bodies). The others are the agency's choice, set so that an honest
    month rarely trips them: the last 5 days are about a sixth of a month, so 60 % of the
    month's converted output in them is several times the even share.
    """

    working_day_minutes: int = 480
    burst_days: int = 5
    burst_percent: int = 60
    late_percent: int = 50
    min_month_lines: int = 6
    rate_median_multiple: Decimal = Decimal(3)
    rate_percentile: int = 99
    rate_min_peers: int = 5
    percentile_min_peers: int = 100
    self_registered_percent: int = 70


@dataclass(frozen=True)
class Flag:
    code: str
    text: str

    @property
    def label(self) -> str:
        return LABELS[self.code]


def hours_text(minutes: int) -> str:
    """500 → "8 giờ 20 phút"; 480 → "8 giờ"; 45 → "45 phút"."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} phút"
    return f"{hours} giờ {rest} phút" if rest else f"{hours} giờ"


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a whole-number percentage of ``whole`` (None when there is no whole)."""
    if not whole or whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------ one line


def day_too_long(day: date, minutes: int, limits: Thresholds) -> Flag | None:
    if minutes <= limits.working_day_minutes:
        return None
    return Flag(
        DAY_TOO_LONG,
        f"Tổng thời gian ghi ngày {day:%d/%m/%Y} là {hours_text(minutes)}, vượt ngày làm việc "
        f"{hours_text(limits.working_day_minutes)}; đề nghị xem số phút của các dòng trong ngày.",
    )


def non_working_day(day: date, holiday: str | None, worked_exchange: bool) -> Flag | None:
    """A holiday or day off (``holiday`` names it), or a Saturday/Sunday not worked in exchange."""
    if holiday:
        return Flag(NON_WORKING_DAY, f"Ngày {day:%d/%m/%Y} là ngày nghỉ: {holiday}; đề nghị xác nhận có làm việc.")
    if day.weekday() < 5 or worked_exchange:
        return None
    return Flag(
        NON_WORKING_DAY,
        f"Ngày {day:%d/%m/%Y} là {WEEKDAYS[day.weekday()]}; đề nghị xác nhận có làm việc "
        "(trực, tiếp nhận hồ sơ ngày nghỉ, làm thêm được giao).",
    )


def on_leave(day: date, kind: str, start: date, end: date) -> Flag:
    return Flag(
        ON_LEAVE,
        f"Ngày {day:%d/%m/%Y} nằm trong thời gian {kind.lower()} từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}; "
        "đề nghị xem lại ngày ghi hoặc thời gian nghỉ.",
    )


def document_reused(number: str, year: int, lines: int, officials: int, same_item: int) -> Flag | None:
    """``lines`` lines of ``year`` (``officials`` people) cite ``number``; ``same_item`` of
    them log the same catalogue item as this line. Numbering restarts each year, so only
    one year's lines are compared."""
    if lines < 2:
        return None
    who = f"của {officials} cán bộ" if officials > 1 else "của cùng một cán bộ"
    text = f"Số văn bản / hồ sơ «{number}» được ghi làm minh chứng ở {lines} dòng nhật ký năm {year} ({who})"
    if same_item > 1:
        return Flag(DOCUMENT_REUSED, f"{text}, {same_item} dòng cùng đầu công việc; đề nghị kiểm tra việc ghi trùng.")
    return Flag(
        DOCUMENT_REUSED,
        f"{text}, mỗi dòng một đầu công việc khác nhau: có thể là các bước khác nhau của cùng hồ sơ "
        "(tiếp nhận, thẩm định, trình ký); đề nghị xác nhận.",
    )


def evidence_reused(lines: int, officials: int) -> Flag | None:
    if lines < 2:
        return None
    who = f"của {officials} cán bộ" if officials > 1 else "của cùng một cán bộ"
    return Flag(
        EVIDENCE_REUSED,
        f"Cùng một tệp minh chứng (trùng mã băm SHA-256) được đính kèm ở {lines} dòng nhật ký ({who}); "
        "đề nghị xem mỗi dòng có sản phẩm riêng không.",
    )


# ------------------------------------------------------------------ one official's month


@dataclass(frozen=True)
class Month:
    """One official's month, added up by the database (converted = quantity × coefficient)."""

    lines: int
    converted: Decimal
    last_days: Decimal  # converted output dated in the last ``burst_days`` days
    window_start: date
    after_deadline: Decimal  # converted output dated after its assignment's deadline
    self_registered: Decimal  # not assigned by a leader: self-registered, or no assignment
    timed_converted: Decimal  # converted output of the lines that record minutes
    minutes: int

    @property
    def rate(self) -> Decimal | None:
        """Converted output per hour, over the lines that record minutes."""
        if self.minutes <= 0:
            return None
        return Decimal(self.timed_converted) * 60 / self.minutes


def _share_above(month: Month, part: Decimal, threshold: int, limits: Thresholds) -> Decimal | None:
    """``part`` as a percentage of the month's output, when above ``threshold`` in a month
    with enough lines to judge (a share of three lines says nothing)."""
    share = percent(part, month.converted)
    if month.lines < limits.min_month_lines or share is None or share <= threshold:
        return None
    return share


def month_end_burst(month: Month, limits: Thresholds) -> Flag | None:
    share = _share_above(month, month.last_days, limits.burst_percent, limits)
    return (
        None
        if share is None
        else Flag(
            MONTH_END_BURST,
            f"{share} % khối lượng quy đổi của tháng được ghi vào {limits.burst_days} ngày cuối tháng "
            f"(từ {month.window_start:%d/%m/%Y}), trên ngưỡng {limits.burst_percent} %; "
            "đề nghị đối chiếu ngày hoàn thành thực tế.",
        )
    )


def after_deadline(month: Month, limits: Thresholds) -> Flag | None:
    share = _share_above(month, month.after_deadline, limits.late_percent, limits)
    return (
        None
        if share is None
        else Flag(
            AFTER_DEADLINE,
            f"{share} % khối lượng quy đổi của tháng được ghi sau hạn hoàn thành của việc được giao, "
            f"trên ngưỡng {limits.late_percent} %; đề nghị xem tiến độ hoặc ngày ghi.",
        )
    )


def self_registered(month: Month, limits: Thresholds) -> Flag | None:
    share = _share_above(month, month.self_registered, limits.self_registered_percent, limits)
    return (
        None
        if share is None
        else Flag(
            SELF_REGISTERED,
            f"{share} % khối lượng quy đổi của tháng là việc tự đăng ký hoặc không theo việc được giao, "
            f"trên ngưỡng {limits.self_registered_percent} %; đề nghị xem việc có được phân công không.",
        )
    )


def median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def quantile(values: Sequence[Decimal], percentile: int) -> Decimal:
    """The ``percentile``-th percentile, linear between the closest ranks (as Excel's PERCENTILE.INC)."""
    ordered = sorted(values)
    position = Decimal(len(ordered) - 1) * percentile / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rate_outlier(rate: Decimal | None, peers: Sequence[Decimal], group: str, limits: Thresholds) -> Flag | None:
    """Converted output per hour far above the others of the similar-task group.

    Robust: compared with the median of the *other* members (one extreme value cannot
    raise its own bar), only when there are at least ``rate_min_peers`` of them; beyond
    ``rate_median_multiple`` × median, or, in a group of ``percentile_min_peers`` or more,
    beyond its ``rate_percentile``-th percentile.
    """
    if rate is None or len(peers) < limits.rate_min_peers:
        return None
    middle = median(peers)
    bar = middle * limits.rate_median_multiple
    reason = f"{decimal_text(limits.rate_median_multiple)} lần trung vị"
    if len(peers) >= limits.percentile_min_peers:
        high = quantile(peers, limits.rate_percentile)
        if high < bar:
            bar, reason = high, f"phân vị {limits.rate_percentile}"
    if rate <= bar or rate <= 0:
        return None
    return Flag(
        RATE_OUTLIER,
        f"Khối lượng quy đổi mỗi giờ là {decimal_text(rate)}, trong khi trung vị của {len(peers)} người "
        f"cùng nhóm «{group}» là {decimal_text(middle)} (ngưỡng: {reason}, {decimal_text(bar)}); "
        "đề nghị xem số lượng và thời gian đã ghi.",
    )


def ordered(flags: Sequence[Flag]) -> list[Flag]:
    """Flags in the order of :data:`LABELS`, each text once."""
    seen: set[tuple[str, str]] = set()
    result = []
    for flag in sorted(flags, key=lambda f: ORDER.index(f.code)):
        if (flag.code, flag.text) not in seen:
            seen.add((flag.code, flag.text))
            result.append(flag)
    return result
