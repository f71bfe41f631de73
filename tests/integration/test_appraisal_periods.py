"""Appraisal periods: who creates them, their dates and deadlines, and the opening job (SPEC 3.8)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories.appraisals import appraisal_of, month_period, opened, prepare_appraisals, staff
from thanhhoa_kpi.appraisals import services
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalCriterion, AppraisalPeriod
from thanhhoa_kpi.appraisals.services.opening import period_open_run
from thanhhoa_kpi.appraisals.services.periods import OPENING_STALLED_AFTER
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.errors import Conflict, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import Official

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(cast):
    prepare_appraisals()
    return cast


def test_the_authority_creates_a_month_linked_to_its_work_period(ready):
    period = month_period(ready, year=2026, month=2, self_assessment_deadline=date(2026, 3, 3))
    assert (period.start_date, period.end_date, period.status, period.label) == (
        date(2026, 2, 1), date(2026, 2, 28), "DRAFT", "Tháng 02/2026"
    )  # fmt: skip
    assert [(wp.year, wp.month) for wp in period.work_periods.all()] == [(2026, 2)]
    quarter = services.period_create(user=ready.sysadmin, kind="QUARTER", bloc="CHINH_QUYEN", year=2026, number=2)
    assert (quarter.start_date, quarter.end_date) == (date(2026, 4, 1), date(2026, 6, 30))
    assert sorted(wp.month for wp in quarter.work_periods.all()) == [4, 5, 6]
    assert period.history.first().history_user == ready.authority


def test_only_the_bloc_authority_or_a_system_admin_manages_periods(ready):
    for user in (ready.official, ready.head, ready.hr, ready.viewer, ready.outsider):
        with pytest.raises(PermissionRefused):
            services.period_create(user=user, kind="MONTH", bloc="CHINH_QUYEN", year=2026, number=3)
    with pytest.raises(PermissionRefused):
        services.period_create(user=ready.authority, kind="MONTH", bloc="DANG", year=2026, number=3)


def test_bad_periods_are_refused_naming_every_field(ready):
    month_period(ready, year=2026, month=5)
    with pytest.raises(ValidationFailed) as error:
        month_period(ready, year=2026, month=5)
    assert [item.field for item in error.value.errors] == ["number"]
    with pytest.raises(ValidationFailed) as error:
        services.period_create(user=ready.authority, kind="QUARTER", bloc="CHINH_QUYEN", year=2026, number=5)
    assert [item.field for item in error.value.errors] == ["number"]
    with pytest.raises(ValidationFailed) as error:
        month_period(ready, year=2026, month=6, rule_set_code="XYZ", self_assessment_deadline=date(2026, 7, 10),
                     unit_review_deadline=date(2026, 7, 5), approval_deadline=date(2026, 5, 1))  # fmt: skip
    fields = {item.field for item in error.value.errors}
    assert fields == {"rule_set_code", "unit_review_deadline", "approval_deadline"}


def test_opening_creates_every_appraisal_exactly_once_with_progress(ready, django_capture_on_commit_callbacks):
    period = month_period(ready)
    with django_capture_on_commit_callbacks(execute=True):  # the queued job runs here (RQ_ASYNC=0)
        services.period_open(user=ready.authority, period=period)
    period.refresh_from_db()
    assert (period.status, period.opening_status) == ("OPEN", "DONE")
    assert (period.opening_total, period.opening_done, period.opening_created) == (6, 6, 6)
    assert services.period_progress(period)["percent"] == 100
    assert Appraisal.objects.filter(period=period).count() == 6
    assert AppraisalCriterion.objects.filter(appraisal__period=period).count() == 60
    assert Appraisal.history.filter(period=period, history_type="+").count() == 6
    staff(ready.team, "T0300", "Người mới vào", position=ready.position)
    with django_capture_on_commit_callbacks(execute=True):
        services.period_open(user=ready.authority, period=period)
    period.refresh_from_db()
    assert (period.opening_total, period.opening_done, period.opening_created) == (7, 7, 1)
    period_open_run(period_id=period.pk)
    assert Appraisal.objects.filter(period=period).count() == 7
    assert AppraisalCriterion.objects.filter(appraisal__period=period).count() == 70
    assert Appraisal.history.filter(period=period, history_type="+").count() == 7


def test_an_opening_whose_worker_died_is_queued_again_once_it_has_stalled(ready, django_capture_on_commit_callbacks):
    """The worker was killed after one batch (status RUNNING, no more progress): «Mở kỳ»
    does nothing while the job may still be alive, and queues it again once it stalled."""
    period = opened(ready)
    Appraisal.objects.filter(period=period).exclude(official__user=ready.official).delete()
    stamp = timezone.now() - OPENING_STALLED_AFTER + timedelta(minutes=1)
    AppraisalPeriod.objects.filter(pk=period.pk).update(opening_status="RUNNING", opening_done=1, updated_at=stamp)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        services.period_open(user=ready.authority, period=AppraisalPeriod.objects.get(pk=period.pk))
    assert not queued
    assert AppraisalPeriod.objects.get(pk=period.pk).opening_status == "RUNNING"
    with pytest.raises(Conflict):
        services.period_close(user=ready.authority, period=period)
    AppraisalPeriod.objects.filter(pk=period.pk).update(updated_at=stamp - timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        services.period_open(user=ready.authority, period=AppraisalPeriod.objects.get(pk=period.pk))
    assert len(queued) == 1
    period.refresh_from_db()
    assert (period.opening_status, period.opening_total, period.opening_done, period.opening_created) == (
        "DONE", 6, 6, 5
    )  # fmt: skip
    assert Appraisal.objects.filter(period=period).values("official").distinct().count() == 6


def test_an_appraisal_snapshots_the_posting_and_copies_the_rule_set(ready):
    period = opened(ready)
    head = appraisal_of(ready.head, period)
    assert (head.unit, head.leadership_role, head.state, head.workflow.code) == (
        ready.team,
        "HEAD",
        "DRAFT",
        "APPRAISAL",
    )
    # The quota counts in the agency (the ward), not in the phòng (SPEC 5.6, decided 2026-12).
    assert (head.quota_unit, head.quota_group, head.rule_set_code, head.rule_set_version) == (
        ready.ward, "CHUYEN_VIEN", "ND335", 3
    )  # fmt: skip
    assert head.rule_params["quota_rate"] == 0.2
    assert [line.code for line in head.criteria.order_by("order")][:3] == ["1.1", "1.2", "2.1"]
    authority = appraisal_of(ready.authority, period)
    assert (authority.quota_unit, authority.quota_group) == (ready.home_affairs, "CHUYEN_VIEN")
    assert authority.quota_group_label == "Công chức không giữ chức vụ lãnh đạo"


def test_one_appraisal_per_official_for_the_posting_that_weighs_most(ready):
    official = Official.objects.get(user=ready.colleague)
    org.official_assign(by=SYSTEM, official=official, unit=ready.other_team, position=ready.lead_position,
                        leadership_role="HEAD", start_date=date(2026, 3, 1))  # fmt: skip
    period = opened(ready)
    appraisal = appraisal_of(ready.colleague, period)
    assert (appraisal.unit, appraisal.leadership_role) == (ready.other_team, "HEAD")


def test_only_officials_of_the_bloc_get_an_appraisal(ready):
    party = org.org_unit_create(by=SYSTEM, parent=None, code="T_DANG", name="Tỉnh ủy (thử)", bloc="DANG", level="TINH",
                                kind="TINH_UY")  # fmt: skip
    staff(party, "T0400", "Cán bộ Đảng", position=ready.position)
    period = opened(ready)
    assert not Appraisal.objects.filter(period=period, official__code="T0400").exists()


def test_a_closed_period_is_not_opened_again_and_its_appraisals_do_not_change(ready):
    period = opened(ready)
    services.period_close(user=ready.authority, period=period)
    with pytest.raises(Conflict) as error:
        services.period_open(user=ready.authority, period=period)
    assert error.value.code == "PERIOD_CLOSED"
    appraisal = appraisal_of(ready.official, period)
    with pytest.raises(Conflict) as error:
        services.appraisal_self_assess(appraisal=appraisal, user=ready.official, lines=[{"code": "1.1", "score": 5}])
    assert error.value.code == "PERIOD_CLOSED"


def test_a_year_opens_without_appraisals_and_only_an_untouched_draft_is_deleted(ready):
    year = services.period_create(user=ready.authority, kind="YEAR", bloc="CHINH_QUYEN", year=2026)
    opened_year = services.period_open(user=ready.authority, period=year)
    assert (opened_year.status, opened_year.opening_status, opened_year.appraisals.count()) == ("OPEN", "DONE", 0)
    with pytest.raises(Conflict):
        services.period_delete(user=ready.authority, period=year)
    draft = month_period(ready, year=2025, month=12)
    services.period_delete(user=ready.authority, period=draft)
    assert not AppraisalPeriod.objects.filter(pk=draft.pk).exists()


def test_deadlines_drive_the_workflow_reminders(ready):
    today = timezone.localdate()
    period = opened(ready)
    services.period_update(user=ready.authority, period=period, self_assessment_deadline=today + timedelta(days=1))
    due = Appraisal.workflow_due(until=today + timedelta(days=2))
    assert due.filter(period=period).count() == 6
    assert appraisal_of(ready.official, period).workflow_deadline() == today + timedelta(days=1)
    with pytest.raises(ValidationFailed) as error:
        services.period_update(user=ready.authority, period=period, rule_set_code="ND233")
    assert error.value.errors[0].field == "rule_set_code"
