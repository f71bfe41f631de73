"""Names in Vietnamese order, absolute links in e-mails, and the notice of a review that
found failures or delays (issue 11, item 9)."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.factories.workflow import job_description, prepare_workflows
from tests.factories.worklogs import log
from thanhhoa_kpi.accounts.models import User
from thanhhoa_kpi.core.models import OutboxJob
from thanhhoa_kpi.workflow import jobs
from thanhhoa_kpi.workflow import services as workflow_services
from thanhhoa_kpi.workflow.models import Notification
from thanhhoa_kpi.worklogs import services

pytestmark = pytest.mark.django_db

SITE = "https://kpi.example.vn"
REVIEW_JOB = "thanhhoa_kpi.workflow.jobs.notify_lines_reviewed"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def western_names(cast):
    """Accounts whose names were entered given-name first, as Django's fields suggest."""
    for user, first, last in (
        (cast.official, "An", "Nguyễn Văn"),
        (cast.deputy, "Cường", "Lê Văn"),
        (cast.head, "Dung", "Phạm Thị"),
        (cast.hr, "Hà", "Trần Thu"),
    ):
        user.first_name, user.last_name = first, last
        user.save()
    return cast


def _reload(user):
    return User.objects.get(pk=user.pk)


def test_a_user_is_named_in_vietnamese_order(western_names):
    cast = western_names
    assert _reload(cast.official).get_full_name() == "Nguyễn Văn An"  # the official's recorded name
    assert _reload(cast.hr).get_full_name() == "Trần Thu Hà"  # no official: family name first
    assert _reload(cast.viewer).get_full_name() == ""


def test_an_account_reads_as_the_person_and_their_login_without_a_query(western_names, django_assert_num_queries):
    hr, viewer = _reload(western_names.hr), _reload(western_names.viewer)
    with django_assert_num_queries(0):
        assert str(hr) == "Trần Thu Hà (hr)"
        assert str(viewer) == "viewer"  # no names on the account: the login alone


def test_the_sidebar_names_the_user_in_vietnamese_order(client, western_names):
    client.force_login(western_names.official)
    html = client.get("/admin/").content.decode()
    assert "Nguyễn Văn An" in html and "An Nguyễn Văn" not in html


def test_transition_notices_and_emails_use_vietnamese_names_and_absolute_links(
    western_names, django_capture_on_commit_callbacks
):
    cast = western_names
    prepare_workflows()
    document = job_description(cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow_services.workflow_transition(document=document, action="submit", user=_reload(cast.official))
    (message,) = [m for m in mail.outbox if m.to == ["head@example.vn"]]
    assert message.body.startswith("Kính gửi Phạm Thị Dung,")
    assert "Nguyễn Văn An vừa thực hiện" in message.body and "An Nguyễn Văn" not in message.body
    assert f"Xem và xử lý tại: {SITE}/admin/workflow/jobdescription/{document.pk}/change/" in message.body
    notice = Notification.objects.get(user=cast.head)
    assert notice.body.startswith("Nguyễn Văn An đã thực hiện")


def test_the_digest_links_to_the_inbox_with_an_absolute_address(western_names):
    prepare_workflows()
    job_description(western_names, state="UNIT_REVIEW")
    mail.outbox.clear()
    jobs.send_daily_digest()
    (message,) = [m for m in mail.outbox if m.to == ["head@example.vn"]]
    assert f"Hộp việc cần xử lý: {SITE}/admin/workflow/notification/inbox/" in message.body


def test_a_reviewed_line_with_a_delay_notifies_its_official_once(
    western_names, work, django_capture_on_commit_callbacks
):
    cast = western_names
    line = log(cast.official, work.culture, "2")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.worklog_review(line=line, reviewer=_reload(cast.deputy), delays=1, comment="Nộp báo cáo muộn")
    (notice,) = Notification.objects.filter(user=cast.official)
    assert notice.title == "Nhật ký công việc được duyệt có lỗi chất lượng hoặc chậm tiến độ"
    assert notice.body.startswith("Lê Văn Cường đã duyệt 1 dòng nhật ký của bạn:")
    assert "1 lần chậm tiến độ" in notice.body and "Nộp báo cáo muộn" in notice.body
    assert notice.url == f"/admin/worklogs/worklogline/?period__id__exact={line.period_id}"
    (message,) = mail.outbox
    assert message.to == ["official@example.vn"] and message.body.startswith("Kính gửi Nguyễn Văn An,")
    assert f"Xem tại: {SITE}/admin/worklogs/worklogline/?period__id__exact={line.period_id}" in message.body

    # The outbox delivers at least once: the same job run again tells nobody twice.
    job = OutboxJob.objects.get(func=REVIEW_JOB)
    assert jobs.notify_lines_reviewed(**job.kwargs) == 0
    assert Notification.objects.filter(user=cast.official).count() == 1 and len(mail.outbox) == 1


def test_a_bulk_review_tells_each_official_once_and_a_clean_review_tells_nobody(
    western_names, work, django_capture_on_commit_callbacks
):
    cast = western_names
    flawed = [log(cast.official, work.culture, "1") for _ in range(2)]
    clean = log(cast.official, work.culture, "1")
    with django_capture_on_commit_callbacks(execute=True):
        services.worklog_review_bulk(lines=flawed, reviewer=_reload(cast.deputy), quality_failures=1)
    (notice,) = Notification.objects.filter(user=cast.official)
    assert notice.body.startswith("Lê Văn Cường đã duyệt 2 dòng nhật ký của bạn:")
    with django_capture_on_commit_callbacks(execute=True):
        services.worklog_review(line=clean, reviewer=_reload(cast.deputy))
    assert Notification.objects.filter(user=cast.official).count() == 1
    assert OutboxJob.objects.filter(func=REVIEW_JOB).count() == 1


def test_a_line_reviewed_again_before_the_job_runs_is_told_by_the_later_review_only(
    western_names, work, django_capture_on_commit_callbacks
):
    cast = western_names
    line = log(cast.official, work.culture, "1")
    deputy = _reload(cast.deputy)
    with django_capture_on_commit_callbacks(execute=False):
        services.worklog_review(line=line, reviewer=deputy, delays=2)
    stale = OutboxJob.objects.get(func=REVIEW_JOB)
    with django_capture_on_commit_callbacks(execute=True):
        services.worklog_review(line=line, reviewer=deputy, delays=1)
    assert jobs.notify_lines_reviewed(**stale.kwargs) == 0
    (notice,) = Notification.objects.filter(user=cast.official)
    assert "1 lần chậm tiến độ" in notice.body
