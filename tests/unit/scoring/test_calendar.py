"""A rule set's calendar (issue 14, item 6): the step deadlines a new period defaults to.

ND 335/2025/NĐ-CP Điều 14 khoản 1 (monitoring "hằng tháng hoặc quý", no day fixed: the
agency's choice, default 3/6/10 days into the next month) and Điều 21 (annual
classification before 15 December, the year's approval deadline)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from thanhhoa_kpi.scoring import INVALID_RULE_SET, ScoringInputError, parse_params
from thanhhoa_kpi.scoring.calendar import DEFAULT_CALENDAR, PeriodCalendar, default_deadlines

from .conftest import raw_rule_sets


def _raw(code: str = "ND335") -> dict[str, Any]:
    entry = next(entry for entry in raw_rule_sets() if entry["code"] == code)
    return copy.deepcopy(entry["params"])  # type: ignore[arg-type]


def test_absent_calendar_reads_as_the_default() -> None:
    data = _raw()
    data.pop("calendar", None)
    assert parse_params(data).calendar == DEFAULT_CALENDAR == PeriodCalendar(3, 6, 10)


def test_a_calendar_is_read_and_its_days_checked() -> None:
    data = _raw()
    data["calendar"] = {"self_assessment_day": 2, "unit_review_day": 5, "closing_day": 8}
    assert parse_params(data).calendar == PeriodCalendar(2, 5, 8)
    data["calendar"] = {"self_assessment_day": 9, "unit_review_day": 5, "closing_day": 29}
    with pytest.raises(ScoringInputError) as caught:
        parse_params(data)
    assert caught.value.code == INVALID_RULE_SET
    errors = dict(caught.value.errors)
    assert set(errors) == {"calendar", "calendar.closing_day"}


def test_a_month_and_a_quarter_fall_due_in_the_next_month() -> None:
    cal = PeriodCalendar(3, 6, 10)
    assert default_deadlines(cal, (15, 12), kind="MONTH", year=2026, end=date(2026, 2, 28)) == {
        "self_assessment_deadline": date(2026, 3, 3),
        "unit_review_deadline": date(2026, 3, 6),
        "approval_deadline": date(2026, 3, 10),
    }
    december = default_deadlines(cal, (15, 12), kind="QUARTER", year=2026, end=date(2026, 12, 31))
    assert december["approval_deadline"] == date(2027, 1, 10)


def test_a_year_takes_the_classification_deadline() -> None:
    found = default_deadlines(DEFAULT_CALENDAR, (15, 12), kind="YEAR", year=2026, end=date(2026, 12, 31))
    assert found == {"approval_deadline": date(2026, 12, 15)}
