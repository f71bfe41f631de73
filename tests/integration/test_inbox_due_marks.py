"""The inbox marks overdue items and those due within two days, and filters and sorts by
it (issue 14, item 6: deadlines with teeth)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.appraisals import appraisal_of, opened, prepare_appraisals, self_assess
from thanhhoa_kpi.appraisals.models import AppraisalPeriod
from thanhhoa_kpi.workflow.selectors import inbox_due, inbox_for

pytestmark = pytest.mark.django_db
INBOX = "/admin/workflow/notification/inbox/"


@pytest.fixture
def waiting(cast):
    prepare_appraisals()
    period = opened(cast)
    self_assess(appraisal_of(cast.official, period), cast.official)
    return period


def move(period, days):
    day = timezone.localdate() + timedelta(days=days)
    AppraisalPeriod.objects.filter(pk=period.pk).update(
        self_assessment_deadline=day, unit_review_deadline=day, approval_deadline=day
    )


def test_overdue_and_soon_due_items_are_marked_and_filtered(cast, waiting, client):
    client.force_login(cast.head)
    move(waiting, -3)
    page = client.get(INBOX, {"due": "overdue"}).content.decode()
    assert "Quá hạn 3 ngày" in page and "Hạn xử lý" in page
    move(waiting, 2)
    page = client.get(INBOX).content.decode()
    assert "Còn 2 ngày" in page
    assert "Còn 2 ngày" not in client.get(INBOX, {"due": "overdue"}).content.decode()
    assert "Còn 2 ngày" in client.get(INBOX, {"due": "soon", "order": "deadline"}).content.decode()
    move(waiting, 5)
    assert "Còn 5 ngày" not in client.get(INBOX).content.decode()


def test_sorting_puts_the_most_overdue_first_and_no_deadline_last(cast, waiting):
    today = timezone.localdate()
    [item] = inbox_for(user=cast.head, doctype="appraisal")
    late = item.__class__(**{**item.__dict__, "deadline": today - timedelta(days=4)})
    soon = item.__class__(**{**item.__dict__, "deadline": today + timedelta(days=1)})
    none = item.__class__(**{**item.__dict__, "deadline": None})
    ordered = inbox_due([none, soon, late], today=today, order="deadline")
    assert [i.due_mark for i in ordered] == ["Quá hạn 4 ngày", "Còn 1 ngày", ""]
    assert [i.overdue for i in ordered] == [True, False, False]
    assert inbox_due([soon], today=today + timedelta(days=1))[0].due_mark == "Đến hạn hôm nay"
