"""Notices (SPEC 4): after each transition, before deadlines, and the daily digest."""

import pytest
from django.core import mail
from django.test import RequestFactory

from tests.factories.workflow import job_description, prepare_workflows, soon
from thanhhoa_kpi.desk.pages.workflow import unread_badge
from thanhhoa_kpi.workflow import jobs, services
from thanhhoa_kpi.workflow.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def wf(cast):
    prepare_workflows()
    return cast


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """Take a transition and run what it enqueued after commit (RQ runs inline in tests)."""

    def run(document, action, user, comment=""):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.workflow_transition(document=document, action=action, user=user, comment=comment)
        return {message.to[0]: message for message in mail.outbox}

    return run


def test_each_transition_emails_the_next_actors_and_tells_the_subject(wf, act, mailoutbox):
    document = job_description(wf)

    sent = act(document, "submit", wf.official)
    assert set(sent) == {"head@example.vn"}
    assert "chờ bạn xử lý: «Duyệt», «Trả lại»" in sent["head@example.vn"].body
    assert sent["head@example.vn"].subject.startswith("[KPI Thanh Hóa] Chờ bạn xử lý: Mô tả «Chuyên viên»")

    sent = act(document, "approve", wf.head)
    assert set(sent) == {"authority@example.vn", "official@example.vn"}
    assert "Trạng thái mới: «Cơ quan tổ chức cán bộ phê duyệt»" in sent["official@example.vn"].body

    sent = act(document, "return", wf.authority, comment="Bổ sung sản phẩm đầu ra.")
    assert set(sent) == {"official@example.vn", "hr@example.vn", "province_hr@example.vn"}  # all may submit again
    assert "Ý kiến: Bổ sung sản phẩm đầu ra." in sent["official@example.vn"].body
    assert Notification.objects.filter(user=wf.hr, title__startswith="Chờ bạn xử lý").count() == 1


def test_a_user_without_an_address_gets_the_desk_notice_only(wf, act):
    wf.head.email = ""
    wf.head.save()
    sent = act(job_description(wf), "submit", wf.official)
    assert sent == {}
    assert Notification.objects.filter(user=wf.head).count() == 1


def test_desk_notifications_count_in_the_sidebar_badge_until_read(wf, act):
    document = job_description(wf)
    act(document, "submit", wf.official)
    request = RequestFactory().get("/admin/")
    request.user = wf.head
    assert unread_badge(request) == "1"
    notice = Notification.objects.get(user=wf.head)
    assert notice.url == f"/admin/workflow/jobdescription/{document.pk}/change/"
    services.notifications_mark_read(user=wf.head)
    assert unread_badge(request) is None


def test_reminders_go_to_the_awaited_users_of_documents_due_soon(wf, mailoutbox):
    due = job_description(wf, state="UNIT_REVIEW", deadline=soon(2))
    job_description(wf, state="UNIT_REVIEW", deadline=soon(10))
    job_description(wf, state="PUBLISHED", deadline=soon(1))  # nobody awaited
    overdue = job_description(wf, state="HOME_AFFAIRS", deadline=soon(-1))

    assert jobs.send_deadline_reminders(days=3) == 2

    by_user = {message.to[0]: message for message in mailoutbox}
    assert set(by_user) == {"head@example.vn", "authority@example.vn"}
    assert by_user["head@example.vn"].subject.endswith(f"Sắp đến hạn xử lý: {due}")
    assert f"Hạn xử lý là {soon(2):%d/%m/%Y}." in by_user["head@example.vn"].body
    assert by_user["authority@example.vn"].subject.endswith(f"Quá hạn xử lý: {overdue}")


def test_the_daily_digest_sends_one_email_per_awaited_user(wf, mailoutbox):
    for state in ("DRAFT", "DRAFT", "UNIT_REVIEW", "HOME_AFFAIRS", "PUBLISHED"):
        job_description(wf, state=state)

    assert jobs.send_daily_digest() == 5  # the province HR admin may submit the drafts too

    by_user = {message.to[0]: message for message in mailoutbox}
    assert set(by_user) == {
        "official@example.vn", "hr@example.vn", "province_hr@example.vn", "head@example.vn", "authority@example.vn"
    }  # fmt: skip
    assert by_user["hr@example.vn"].subject == "[KPI Thanh Hóa] 2 tài liệu đang chờ bạn xử lý"
    assert "/admin/workflow/notification/inbox/" in by_user["head@example.vn"].body


def test_the_cron_module_registers_the_digest_and_the_reminders():
    from django_rq.cron import DjangoCronScheduler

    scheduler = DjangoCronScheduler()
    scheduler.load_config_from_file("thanhhoa_kpi.workflow.cron")

    schedule = {job.func_name: (job.cron, job.queue_name) for job in scheduler.get_jobs()}
    assert schedule == {
        "thanhhoa_kpi.workflow.jobs.send_daily_digest": ("0 7 * * *", "default"),
        "thanhhoa_kpi.workflow.jobs.send_deadline_reminders": ("30 6 * * *", "default"),
    }
