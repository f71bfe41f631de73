"""Deadlines with teeth (issue 14, item 6): the cron reminder follows every state's
deadline (states.deadline_of / due_q) and reminds each person once a day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.appraisals import appraisal_of, opened, place, prepare_appraisals
from thanhhoa_kpi.appraisals import services
from thanhhoa_kpi.appraisals.models import AppraisalPeriod
from thanhhoa_kpi.workflow.models import Notification
from thanhhoa_kpi.workflow.notifications import reminders_send

pytestmark = pytest.mark.django_db


def test_each_person_is_reminded_once_a_day(cast):
    prepare_appraisals()
    today = timezone.localdate()
    period = opened(cast)
    services.period_update(user=cast.authority, period=period, self_assessment_deadline=today - timedelta(days=1))
    reminders_send(days=2, today=today)
    notices = Notification.objects.filter(title__startswith="Quá hạn xử lý")
    first = notices.count()
    assert first >= 1
    assert notices.filter(user=cast.official).count() == 1
    reminders_send(days=2, today=today)
    assert notices.count() == first
    reminders_send(days=2, today=today + timedelta(days=1))
    assert notices.filter(user=cast.official).count() == 2


def test_a_later_step_is_reminded_by_its_own_deadline(cast):
    prepare_appraisals()
    today = timezone.localdate()
    period = opened(cast)
    place(appraisal_of(cast.official, period), "UNIT_REVIEW")
    AppraisalPeriod.objects.filter(pk=period.pk).update(
        self_assessment_deadline=today + timedelta(days=20), unit_review_deadline=today + timedelta(days=1),
        approval_deadline=today + timedelta(days=30),
    )  # fmt: skip
    reminders_send(days=2, today=today)
    soon = Notification.objects.filter(title__startswith="Sắp đến hạn xử lý")
    assert soon.filter(user=cast.head).count() == 1
    assert not soon.filter(user=cast.official).exists()  # their own step is not due
