"""A new period's step deadlines default from its rule set's calendar (issue 14, item 6;
``params.calendar`` and ``classification_deadline``, :mod:`thanhhoa_kpi.scoring.calendar`)."""

from datetime import date

import pytest

from tests.factories.appraisals import month_period, prepare_appraisals
from thanhhoa_kpi.appraisals import services

pytestmark = pytest.mark.django_db


def deadlines(period):
    return (period.self_assessment_deadline, period.unit_review_deadline, period.approval_deadline)


def test_a_month_falls_due_on_the_calendar_days_of_the_next_month(cast):
    prepare_appraisals()
    period = month_period(cast, year=2026, month=2)
    assert deadlines(period) == (date(2026, 3, 3), date(2026, 3, 6), date(2026, 3, 10))
    given = month_period(cast, year=2026, month=3, approval_deadline=date(2026, 4, 20))
    assert deadlines(given) == (date(2026, 4, 3), date(2026, 4, 6), date(2026, 4, 20))
    late = month_period(cast, year=2026, month=4, self_assessment_deadline=date(2026, 5, 8))
    assert deadlines(late) == (date(2026, 5, 8), None, None)  # the defaults would come before it


def test_a_quarter_and_a_year(cast):
    prepare_appraisals()
    quarter = services.period_create(user=cast.sysadmin, kind="QUARTER", bloc="CHINH_QUYEN", year=2026, number=4)
    assert deadlines(quarter) == (date(2027, 1, 3), date(2027, 1, 6), date(2027, 1, 10))
    year = services.period_create(user=cast.sysadmin, kind="YEAR", bloc="CHINH_QUYEN", year=2026)
    assert deadlines(year) == (None, None, date(2026, 12, 15))  # ND 335 Điều 21: before 15 December
