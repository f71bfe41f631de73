"""Cases the decrees leave to the agency, through opening and the annual list (issue 14, item 5).

The rule set's ``edge_cases`` (thanhhoa_kpi/scoring/edge_cases.py gives each default and
its reason): a person on leave for the whole period (ND 335/2025/NĐ-CP Điều 21, the time
actually worked), a leader appointed mid-month (the posting in force on the last day, or
the one held longest), a person transferred between blocs (ND 335 Điều 21: the months of
the old bloc enter the mean, unless the rule set keeps only this bloc's). The small-group
quota is a pure rule: tests/unit/scoring/test_edge_cases.py.
"""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories.appraisals import appraisal_of, month_period, opened, prepare_appraisals, scored
from thanhhoa_kpi.appraisals import selectors, services
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod, RuleSet
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import LeavePeriod, Official

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture
def ready(cast):
    prepare_appraisals()
    return cast


def edge_cases(**values: str) -> None:
    """Every rule set in force decides ``values`` (an HR decision recorded as data)."""
    for rule_set in RuleSet.objects.filter(is_current=True):
        params = dict(rule_set.params)
        params["edge_cases"] = {**params.get("edge_cases", {}), **values}
        RuleSet.objects.filter(pk=rule_set.pk).update(params=params)


def march(cast) -> AppraisalPeriod:
    return month_period(cast, year=YEAR, month=3)


def leave(cast, start: date, end: date, kind: str = "MATERNITY") -> None:
    LeavePeriod.objects.create(official=cast.official_of(cast.colleague), kind=kind, start_date=start, end_date=end)


def has_appraisal(cast, period: AppraisalPeriod) -> bool:
    return Appraisal.objects.filter(period=period, official__user=cast.colleague).exists()


def test_leave_covering_the_whole_month_opens_no_appraisal_by_default(ready):
    period = march(ready)
    leave(ready, date(YEAR, 2, 15), date(YEAR, 3, 10))
    leave(ready, date(YEAR, 3, 11), date(YEAR, 6, 30), kind="SICK")  # joined, they cover all of March
    period = opened(ready, period)
    assert not has_appraisal(ready, period)
    assert Appraisal.objects.filter(period=period, official__user=ready.official).exists()
    assert period.opening_total == Appraisal.objects.filter(period=period).count()


def test_leave_with_one_day_at_work_still_opens_the_appraisal(ready):
    period = march(ready)
    leave(ready, date(YEAR, 3, 2), date(YEAR, 3, 31))
    assert has_appraisal(ready, opened(ready, period))


def test_a_rule_set_that_says_appraise_opens_one_for_the_whole_month_on_leave(ready):
    edge_cases(full_leave="APPRAISE")
    period = march(ready)
    leave(ready, date(YEAR, 3, 1), date(YEAR, 3, 31))
    assert has_appraisal(ready, opened(ready, period))


def appointed_head_on_the_25th(cast) -> None:
    org.official_transfer(by=SYSTEM, official=Official.objects.get(user=cast.colleague), unit=cast.other_team,
                          position=cast.lead_position, on=date(YEAR, 3, 25), leadership_role="HEAD")  # fmt: skip


def test_a_head_appointed_on_the_25th_is_appraised_as_head_by_default(ready):
    appointed_head_on_the_25th(ready)
    appraisal = appraisal_of(ready.colleague, opened(ready, march(ready)))
    assert (appraisal.unit, appraisal.leadership_role) == (ready.other_team, "HEAD")


def test_most_days_appraises_the_month_in_the_posting_held_longest(ready):
    edge_cases(posting_rule="MOST_DAYS")
    appointed_head_on_the_25th(ready)  # 24 days in the team, 7 as head
    appraisal = appraisal_of(ready.colleague, opened(ready, march(ready)))
    assert (appraisal.unit, appraisal.leadership_role) == (ready.team, "NONE")
    # Someone who did not move keeps their one posting.
    assert appraisal_of(ready.official, Appraisal.objects.get(pk=appraisal.pk).period).unit == ready.team


def _other_bloc_first_half(cast, months: dict[int, AppraisalPeriod]) -> None:
    first_half = {1: "90", 2: "88", 3: "86", 4: "84", 5: "82", 6: "80"}
    for month, total in (first_half | {7: "70", 8: "72", 9: "74", 10: "76", 11: "78", 12: "80"}).items():
        scored(appraisal_of(cast.official, months[month]), total, state="PUBLISHED")
    party = org.org_unit_create(by=SYSTEM, parent=None, code="T_BAN_TC", name="Ban Tổ chức (thử)", bloc="DANG",
                                level="TINH", kind="BAN_DANG")  # fmt: skip
    AppraisalPeriod.objects.filter(pk__in=[months[month].pk for month in first_half]).update(bloc="DANG")
    Appraisal.objects.filter(official__user=cast.official, period__in=[months[m] for m in first_half]).update(
        unit=party
    )


def _year_row(cast):
    period = services.period_create(user=cast.authority, kind="YEAR", bloc="CHINH_QUYEN", year=YEAR)
    found = selectors.classification_list(period=period, unit=cast.team, user=cast.authority)
    return next(row for row in found.rows if row.official.user == cast.official)


@pytest.fixture
def year_of_months(ready):
    return {month: opened(ready, month_period(ready, year=YEAR, month=month)) for month in range(1, 13)}


def test_by_default_the_old_blocs_months_enter_the_mean(ready, year_of_months):
    _other_bloc_first_half(ready, year_of_months)
    row = _year_row(ready)
    assert (row.months_worked, row.months_missing, row.mean) == (12, 0, Decimal("80.00"))  # 960 / 12


def test_this_bloc_only_keeps_the_months_monitored_here(ready, year_of_months):
    edge_cases(transfer_months="THIS_BLOC")
    _other_bloc_first_half(ready, year_of_months)
    # The appraisals carry the copy of the rule set made when their month opened.
    for appraisal in Appraisal.objects.filter(official__user=ready.official):
        params = {**appraisal.rule_params, "edge_cases": {"transfer_months": "THIS_BLOC"}}
        Appraisal.objects.filter(pk=appraisal.pk).update(rule_params=params)
    row = _year_row(ready)
    assert (row.months_worked, row.months_missing, row.mean) == (6, 6, Decimal("75.00"))  # 450 / 6
    assert row.final == "HOAN_THANH_TOT"
