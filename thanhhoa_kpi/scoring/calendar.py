"""A rule set's calendar: the step deadlines a new appraisal period defaults to.

``params.calendar`` (optional; absent → :data:`DEFAULT_CALENDAR`) gives, for a month or a
quarter, the day of the month *after* the period ends by which each step is due:

- ``self_assessment_day`` (default 3) — the official's self-assessment (ND 335/2025/NĐ-CP
  Điều 18 khoản 1);
- ``unit_review_day`` (default 6) — the unit's review (Điều 18 khoản 2);
- ``closing_day`` (default 10) — the monthly closing day: the authority approves and
  publishes (Điều 18 khoản 3, Điều 19).

ND 335 Điều 14 khoản 1 says only that monitoring is "hằng tháng hoặc quý" and fixes no
day, leaving it to the agency; the defaults are the 3/6/10 days the demo periods used, so
that the month's work log is closed before the self-assessment and the result is public
within ten days. Each day is 1–28 (it exists in every month) and they may not decrease.

A year's period takes the annual deadline the rule set already holds,
``classification_deadline`` (ND 335 Điều 21: xếp loại trước ngày 15 tháng 12), as its
approval deadline; its other steps are left for the authority to set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .reader import Fields

CALENDAR_KEYS = ("self_assessment_day", "unit_review_day", "closing_day")
_LAST_SAFE_DAY = 28
_DECEMBER = 12


@dataclass(frozen=True)
class PeriodCalendar:
    self_assessment_day: int = 3
    unit_review_day: int = 6
    closing_day: int = 10


DEFAULT_CALENDAR = PeriodCalendar()


def read_calendar(data: Fields) -> PeriodCalendar:
    """``calendar`` of a rule set's params; the default when absent."""
    if "calendar" not in data.data:
        return DEFAULT_CALENDAR
    section = data.section("calendar", CALENDAR_KEYS)
    days = [section.count(key, low=1, high=_LAST_SAFE_DAY) for key in CALENDAR_KEYS]
    if days != sorted(days):
        data.reader.fail(data.at("calendar"), "Các ngày hạn phải theo thứ tự tự đánh giá ≤ đơn vị xem xét ≤ chốt.")
    return PeriodCalendar(*days)


def default_deadlines(
    calendar: PeriodCalendar, annual: tuple[int, int], *, kind: str, year: int, end: date
) -> dict[str, date]:
    """The step deadlines of a period of ``kind`` ending on ``end``; ``annual`` is the
    (day, month) of the classification deadline."""
    if kind == "YEAR":
        day, month = annual
        return {"approval_deadline": date(year, month, day)}
    after = date(end.year + 1, 1, 1) if end.month == _DECEMBER else date(end.year, end.month + 1, 1)
    return {
        "self_assessment_deadline": after.replace(day=calendar.self_assessment_day),
        "unit_review_deadline": after.replace(day=calendar.unit_review_day),
        "approval_deadline": after.replace(day=calendar.closing_day),
    }
