"""The annual list rolls up every month the official was present (issue 10, item 5).

Three regressions, each against the decree it broke: sick and maternity leave do not
count against the six-month minimum (ND 233/2026/NĐ-CP Điều 14 khoản 2); a month without
assigned work is a month present; months spent in another bloc stay in the mean of a
transferred official (ND 335/2025/NĐ-CP Điều 21, ND 233 Điều 15 khoản 1).
"""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories.appraisals import appraisal_of, month_period, opened, prepare_appraisals, scored
from thanhhoa_kpi.appraisals import selectors, services
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import JobPosition, LeavePeriod

pytestmark = pytest.mark.django_db

YEAR = date.today().year


@pytest.fixture
def months(cast):
    """The twelve months of this year, opened in the government bloc."""
    prepare_appraisals()
    return {month: opened(cast, month_period(cast, year=YEAR, month=month)) for month in range(1, 13)}


def publish(cast, periods: dict[int, AppraisalPeriod], totals: dict[int, str]) -> None:
    for month, total in totals.items():
        scored(appraisal_of(cast.official, periods[month]), total, state="PUBLISHED")


def without_work(cast, periods: dict[int, AppraisalPeriod], months: range) -> None:
    """Published months in which nobody assigned the official any work (SPEC 5.2)."""
    for month in months:
        Appraisal.objects.filter(pk=appraisal_of(cast.official, periods[month]).pk).update(
            state="PUBLISHED", score_status="NO_ASSIGNED_WORK", total=None, task_score=None
        )


def year_row(cast, kind: str = "YEAR", number: int = 1):
    period = services.period_create(user=cast.authority, kind=kind, bloc="CHINH_QUYEN", year=YEAR, number=number)
    found = selectors.classification_list(period=period, unit=cast.team, user=cast.authority)
    assert found.rolled_up
    return next(row for row in found.rows if row.official.user == cast.official)


@pytest.mark.parametrize("kind", ["MATERNITY", "SICK"])
def test_five_months_worked_and_seven_on_maternity_or_sick_leave_are_classified(cast, months, kind):
    publish(cast, months, {1: "80", 2: "82", 3: "78", 4: "81", 5: "84"})
    LeavePeriod.objects.create(official=cast.official_of(cast.official), kind=kind,
                               start_date=date(YEAR, 6, 1), end_date=date(YEAR, 12, 31))  # fmt: skip
    row = year_row(cast)
    assert (row.months_worked, row.months_excluded, row.months_missing) == (5, 7, 0)
    assert (row.mean, row.final) == (Decimal("81.00"), "HOAN_THANH_TOT")  # (80+82+78+81+84) / 5
    assert any(line.startswith("Tính 7 tháng") and "Điều 14 khoản 2" in line for line in row.explanation)


def test_seven_months_of_training_leave_still_leave_the_year_unclassified(cast, months):
    publish(cast, months, {1: "80", 2: "82", 3: "78", 4: "81", 5: "84"})
    LeavePeriod.objects.create(official=cast.official_of(cast.official), kind="TRAINING",
                               start_date=date(YEAR, 6, 1), end_date=date(YEAR, 12, 31))  # fmt: skip
    row = year_row(cast)
    assert (row.months_worked, row.mean, row.final) == (5, None, "")
    assert row.explanation[-1].startswith("Không xếp loại: thời gian thực tế làm việc 5 tháng, dưới mức tối thiểu 6")


def test_a_year_present_throughout_with_seven_months_without_work_is_classified(cast, months):
    publish(cast, months, {1: "70", 2: "75", 3: "72", 4: "78", 5: "80"})
    without_work(cast, months, range(6, 13))
    row = year_row(cast)
    assert (row.months_worked, row.months_excluded, row.months_missing) == (12, 7, 0)
    assert (row.mean, row.final) == (Decimal("75.00"), "HOAN_THANH_TOT")  # (70+75+72+78+80) / 5
    assert not any("làm việc 5 tháng" in line for line in row.explanation)


def _party_unit():
    return org.org_unit_create(by=SYSTEM, parent=None, code="T_BAN_TC", name="Ban Tổ chức (thử)", bloc="DANG",
                               level="TINH", kind="BAN_DANG")  # fmt: skip


def _move_to_party_bloc(cast, periods: list[AppraisalPeriod], unit) -> None:
    """Those periods were monitored in the Party bloc, the official then posted there."""
    AppraisalPeriod.objects.filter(pk__in=[period.pk for period in periods]).update(bloc="DANG")
    Appraisal.objects.filter(official=cast.official_of(cast.official), period__in=periods).update(unit=unit)


def test_months_in_another_bloc_stay_in_the_mean_of_a_transferred_official(cast, months):
    first_half = {1: "90", 2: "88", 3: "86", 4: "84", 5: "82", 6: "80"}
    publish(cast, months, first_half | {7: "70", 8: "72", 9: "74", 10: "76", 11: "78", 12: "80"})
    _move_to_party_bloc(cast, [months[month] for month in first_half], _party_unit())
    row = year_row(cast)
    assert (row.months_worked, row.months_missing) == (12, 0)
    assert (row.mean, row.final) == (Decimal("80.00"), "HOAN_THANH_TOT")  # 960 / 12, not 450 / 6


def test_a_month_monitored_twice_across_blocs_counts_once_in_the_shorter_period(cast, months):
    """Quarterly in the old bloc, monthly in the new one from March: March is the monthly result."""
    quarter = opened(cast, services.period_create(user=cast.authority, kind="QUARTER", bloc="CHINH_QUYEN",
                                                  year=YEAR, number=1))  # fmt: skip
    scored(appraisal_of(cast.official, quarter), "90", state="PUBLISHED")
    _move_to_party_bloc(cast, [quarter], _party_unit())
    publish(cast, months, {3: "70"})
    row = year_row(cast, kind="QUARTER", number=1)
    assert (row.months_worked, row.mean) == (3, Decimal("83.33"))  # (90 × 2 + 70) / 3


def test_an_official_who_left_for_another_bloc_is_classified_there_not_here(cast, months):
    """ND 335 Điều 21: the new unit classifies the whole year; the old bloc's list leaves them out."""
    second_half = {7: "70", 8: "72", 9: "74", 10: "76", 11: "78", 12: "80"}
    publish(cast, months, {1: "90", 2: "88", 3: "86", 4: "84", 5: "82", 6: "80"} | second_half)
    unit = _party_unit()
    _move_to_party_bloc(cast, [months[month] for month in second_half], unit)
    position = JobPosition.objects.create(code="T_CV_D", name="Chuyên viên", group="CHUYEN_MON_NGHIEP_VU", bloc="DANG")
    org.official_transfer(by=SYSTEM, official=cast.official_of(cast.official), unit=unit, position=position,
                          on=date(YEAR, 7, 1))  # fmt: skip
    period = services.period_create(user=cast.authority, kind="YEAR", bloc="CHINH_QUYEN", year=YEAR)
    # The province-wide administrator still sees the official, who is out of the authority's scope now.
    found = selectors.classification_list(period=period, unit=None, user=cast.sysadmin)
    listed = {row.official.user for row in found.rows}
    assert cast.official not in listed and cast.colleague in listed
