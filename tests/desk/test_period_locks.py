"""Closing a period asks first; unlocking takes a reason from the authority that may close
(issue 11, item 7). «Công khai» and the inbox's bulk action say what they will do, and to
how many, before anything moves; a GET never changes state."""

from __future__ import annotations

import pytest

from tests.factories.appraisals import appraisal_of, month_period, opened, prepare_appraisals, scored
from tests.factories.workflow import job_description, prepare_workflows
from thanhhoa_kpi.accounts.models import RoleGrant, User
from thanhhoa_kpi.appraisals import services as appraisal_services
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod
from thanhhoa_kpi.core.errors import Conflict, PermissionRefused, ValidationFailed
from thanhhoa_kpi.workflow.models import JobDescription
from thanhhoa_kpi.worklogs import services as worklog_services
from thanhhoa_kpi.worklogs.models import PeriodStatus, WorkPeriod

pytestmark = pytest.mark.django_db

WORK_PERIODS = "/admin/worklogs/workperiod/"
INBOX = "/admin/workflow/notification/inbox/"


def _status(period):
    return type(period).objects.get(pk=period.pk).status


# ------------------------------------------------------------------ work periods (months)


def test_closing_months_from_the_list_asks_first_naming_them_and_their_count(client, cast, work):
    client.force_login(cast.sysadmin)
    chosen = {"action": "close_periods", "_selected_action": [work.period.pk]}
    question = client.post(WORK_PERIODS, chosen)
    html = question.content.decode()
    assert question.status_code == 200 and 'id="confirm-action"' in html
    assert "Khóa 1 kỳ công việc" in html and str(work.period) in html
    assert _status(work.period) == PeriodStatus.OPEN  # the list's POST only asked
    done = client.post(WORK_PERIODS, {**chosen, "confirmed": "1"})
    assert done.status_code == 302 and _status(work.period) == PeriodStatus.CLOSED


def test_unlocking_a_month_from_the_list_needs_a_reason(client, cast, work):
    worklog_services.work_period_set_status(period=work.period, user=cast.sysadmin, status=PeriodStatus.CLOSED)
    client.force_login(cast.sysadmin)
    chosen = {"action": "reopen_periods", "_selected_action": [work.period.pk]}
    question = client.post(WORK_PERIODS, chosen).content.decode()
    assert 'name="reason"' in question and "Mở khóa 1 kỳ công việc" in question
    refused = client.post(WORK_PERIODS, {**chosen, "confirmed": "1", "reason": "  "}, follow=True)
    assert "Mở khóa kỳ phải ghi rõ lý do." in refused.content.decode()
    assert _status(work.period) == PeriodStatus.CLOSED
    client.post(WORK_PERIODS, {**chosen, "confirmed": "1", "reason": "Bổ sung nhật ký tháng"})
    assert _status(work.period) == PeriodStatus.OPEN
    assert WorkPeriod.history.filter(id=work.period.pk).latest("history_date").history_change_reason == (
        "Bổ sung nhật ký tháng"
    )


def test_only_the_system_admin_unlocks_a_month_and_only_with_a_reason(cast, work):
    worklog_services.work_period_set_status(period=work.period, user=cast.sysadmin, status=PeriodStatus.CLOSED)
    for user in (cast.head, cast.hr, cast.authority, cast.official):
        with pytest.raises(PermissionRefused):
            worklog_services.work_period_set_status(
                period=work.period, user=user, status=PeriodStatus.OPEN, reason="Bổ sung"
            )
    with pytest.raises(ValidationFailed) as missing:
        worklog_services.work_period_set_status(period=work.period, user=cast.sysadmin, status=PeriodStatus.OPEN)
    assert missing.value.code == "REASON_REQUIRED" and _status(work.period) == PeriodStatus.CLOSED


def test_the_lock_actions_are_offered_only_to_the_system_admin(client, cast, work):
    client.force_login(cast.head)
    html = client.get(WORK_PERIODS).content.decode()
    assert "close_periods" not in html and "reopen_periods" not in html
    client.post(WORK_PERIODS, {"action": "close_periods", "_selected_action": [work.period.pk], "confirmed": "1"})
    assert _status(work.period) == PeriodStatus.OPEN


# ------------------------------------------------------------------ appraisal periods


@pytest.fixture
def closed_period(cast):
    prepare_appraisals()
    period = opened(cast)
    return appraisal_services.period_close(user=cast.authority, period=period)


def test_closing_an_appraisal_period_names_how_many_appraisals_it_freezes(client, cast):
    prepare_appraisals()
    period = opened(cast)
    client.force_login(cast.authority)
    html = client.get(f"/admin/appraisals/appraisalperiod/{period.pk}/close/").content.decode()
    count = Appraisal.objects.filter(period=period).count()
    assert count and f"{count} phiếu đánh giá của kỳ không sửa được nữa" in html
    assert _status(period) == "OPEN"


def test_unlocking_an_appraisal_period_asks_for_a_reason_and_a_get_changes_nothing(client, cast, closed_period):
    url = f"/admin/appraisals/appraisalperiod/{closed_period.pk}/reopen/"
    client.force_login(cast.authority)
    question = client.get(url).content.decode()
    assert 'id="confirm-action"' in question and 'name="reason"' in question
    assert _status(closed_period) == "CLOSED"
    refused = client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "Mở khóa kỳ phải ghi rõ lý do." in refused and _status(closed_period) == "CLOSED"
    client.post(url, {"reason": "Sửa điểm phiếu theo kết luận thanh tra"})
    assert _status(closed_period) == "OPEN"
    record = AppraisalPeriod.history.filter(id=closed_period.pk).latest("history_date")
    assert (record.history_change_reason, record.history_user) == (
        "Sửa điểm phiếu theo kết luận thanh tra",
        cast.authority,
    )


def test_only_the_authority_that_may_close_unlocks(client, cast, closed_period):
    party = User.objects.create_user(username="ban_to_chuc", password="x" * 12)
    RoleGrant.objects.create(user=party, role="BLOC_AUTHORITY", bloc="DANG")
    for user in (party, cast.head, cast.hr, cast.official):
        with pytest.raises(PermissionRefused):
            appraisal_services.period_reopen(user=user, period=closed_period, reason="Sửa phiếu")
    for user in (cast.official, cast.head, cast.hr):
        client.force_login(user)
        url = f"/admin/appraisals/appraisalperiod/{closed_period.pk}/reopen/"
        assert client.post(url, {"reason": "Sửa phiếu"}).status_code == 403
    assert _status(closed_period) == "CLOSED"
    reopened = appraisal_services.period_reopen(user=cast.sysadmin, period=closed_period, reason="Sửa phiếu")
    assert reopened.status == "OPEN"


def test_an_open_period_is_not_unlocked_again(cast):
    prepare_appraisals()
    period = month_period(cast)
    with pytest.raises(Conflict) as error:
        appraisal_services.period_reopen(user=cast.authority, period=period, reason="Thử")
    assert error.value.code == "PERIOD_NOT_CLOSED"


# ------------------------------------------------------------------ «Công khai»


def test_publishing_first_names_how_many_appraisals_will_be_published(client, cast):
    prepare_appraisals()
    period = opened(cast)
    for user, total in ((cast.official, "95"), (cast.colleague, "80"), (cast.deputy, "93")):
        scored(appraisal_of(user, period), total)
    page_url = f"/admin/appraisals/appraisalperiod/home-affairs/?period={period.pk}&unit={cast.team.pk}"
    client.force_login(cast.authority)
    page = client.get(page_url).content.decode()
    assert 'id="publish-form"' in page and '<form method="get" class="mt-4" id="publish-form">' in page
    question = client.get(page_url + "&confirm=1")
    html = question.content.decode()
    assert 'id="confirm-action"' in html and "Công khai 3 phiếu đánh giá của" in html and "Nguyễn Văn An" in html
    assert not Appraisal.objects.filter(period=period, state="PUBLISHED").exists()  # asking published nothing
    done = client.post(page_url + "&confirm=1", {"period": period.pk, "unit": cast.team.pk})
    assert done.status_code == 302 and "confirm=1" not in done.url
    assert Appraisal.objects.filter(period=period, state="PUBLISHED").count() == 3


# ------------------------------------------------------------------ the inbox's bulk action


def test_the_bulk_action_has_no_default_and_asks_naming_the_action_and_the_count(client, cast):
    prepare_workflows()
    ready = [job_description(cast, state="HOME_AFFAIRS") for _ in range(2)]
    draft = job_description(cast, state="DRAFT")
    client.force_login(cast.authority)
    page = client.get(INBOX).content.decode()
    assert '<select name="action" required' in page and '<option value="" selected>— Chọn thao tác —</option>' in page

    chosen = {"selected": [f"job_description:{d.pk}" for d in [*ready, draft]], "action": "publish", "comment": ""}
    question = client.post(INBOX, chosen)
    html = question.content.decode()
    assert question.status_code == 200 and 'id="confirm-action"' in html
    assert "Thực hiện «Công khai» cho 2 tài liệu dưới đây?" in html
    assert f'value="job_description:{draft.pk}"' not in html  # not awaiting this action: left out, and said so
    assert "1 tài liệu đã chọn không chờ thao tác này" in html
    assert set(JobDescription.objects.filter(pk__in=[d.pk for d in ready]).values_list("state", flat=True)) == {
        "HOME_AFFAIRS"
    }

    confirmed = {"selected": [f"job_description:{d.pk}" for d in ready], "action": "publish", "confirmed": "1"}
    answer = client.post(INBOX, confirmed, follow=True)
    assert "Đã xử lý 2 tài liệu." in answer.content.decode()
    assert set(JobDescription.objects.filter(pk__in=[d.pk for d in ready]).values_list("state", flat=True)) == {
        "PUBLISHED"
    }


def test_the_bulk_action_without_a_chosen_action_does_nothing(client, cast):
    prepare_workflows()
    ready = job_description(cast, state="HOME_AFFAIRS")
    client.force_login(cast.authority)
    answer = client.post(INBOX, {"selected": [f"job_description:{ready.pk}"], "action": "", "confirmed": "1"})
    assert answer.status_code == 302 and JobDescription.objects.get(pk=ready.pk).state == "HOME_AFFAIRS"


def test_a_get_of_the_inbox_never_acts(client, cast):
    prepare_workflows()
    ready = job_description(cast, state="HOME_AFFAIRS")
    client.force_login(cast.authority)
    client.get(INBOX, {"selected": f"job_description:{ready.pk}", "action": "publish", "confirmed": "1"})
    assert JobDescription.objects.get(pk=ready.pk).state == "HOME_AFFAIRS"
