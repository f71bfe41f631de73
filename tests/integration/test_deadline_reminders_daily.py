"""Deadlines with teeth (issue 14, item 6): the cron reminder follows every state's
deadline (states.deadline_of / due_q) and reminds each person once a day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.appraisals import opened, prepare_appraisals
from thanhhoa_kpi.appraisals import services
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
