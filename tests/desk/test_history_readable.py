"""Every history the desk shows reads as a timeline for people (issue 11, item 10): state
labels instead of codes (``DRAFT → UNIT_REVIEW``), full names in Vietnamese order instead of
logins, Việt Nam time instead of UTC, "—" instead of ``None``.

Covered: the «Lịch sử xử lý» tab of appraisals, catalogues and job descriptions; the
change timelines (simple-history) of the same documents, of a work-log line and of both
kinds of period with their re-opening reasons; Django's change log of pages without
simple-history (accounts).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.factories.appraisals import appraisal_of, opened, prepare_appraisals, self_assess
from tests.factories.workflow import job_description
from tests.factories.worklogs import log, make_catalogue, work_cast
from thanhhoa_kpi.appraisals import services as appraisals
from thanhhoa_kpi.catalogue.models import CatalogueStatus
from thanhhoa_kpi.workflow.models import TransitionLog
from thanhhoa_kpi.workflow.services import workflow_transition
from thanhhoa_kpi.worklogs import services as worklogs
from thanhhoa_kpi.worklogs.models import WorkPeriod

pytestmark = pytest.mark.django_db

STATE_CODES = ("DRAFT", "UNIT_REVIEW", "HOME_AFFAIRS", "PUBLISHED")
INLINE = "workflow-transitionlog-content_type-object_id-group"
UTC_EVENING = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)
LOCAL_MORNING = "02/03/2026 03:30"  # 20:30 UTC is 03:30 the next day in Hà Nội
# What the personas are called; hr and sysadmin are accounts without an official record.
NAMES = {
    "official": "Nguyễn Văn An",
    "head": "Phạm Thị Dung",
    "authority": "Hoàng Văn Em",
    "hr": "Võ Thị Hạnh",
    "sysadmin": "Đặng Quốc Khánh",
}


@pytest.fixture
def named(cast):
    """Accounts without an official record get a name (last_name = họ và đệm, first_name = tên)."""
    for user, (last, first) in ((cast.hr, ("Võ Thị", "Hạnh")), (cast.sysadmin, ("Đặng Quốc", "Khánh"))):
        user.last_name, user.first_name = last, first
        user.save()
    return cast


@pytest.fixture
def appraisal(named):
    """The official's appraisal through the whole chain, with a return on the way."""
    cast = named
    prepare_appraisals()
    period = opened(cast)
    document = self_assess(appraisal_of(cast.official, period), cast.official)
    workflow_transition(document=document, action="submit", user=cast.official)
    workflow_transition(document=document, action="return", user=cast.head, comment="Bổ sung minh chứng.")
    workflow_transition(document=document, action="submit", user=cast.official)
    workflow_transition(document=document, action="approve", user=cast.head)
    workflow_transition(document=document, action="publish", user=cast.authority)
    document.refresh_from_db()
    return document


def inline_html(html: str) -> str:
    """The «Lịch sử xử lý» tab of a change page."""
    start = html.index(f'id="{INLINE}"')
    return html[start : html.index("</table>", start)]


def cell_texts(fragment: str) -> list[str]:
    return [t.strip() for t in re.findall(r">([^<>]+)<", fragment) if t.strip()]


def assert_readable(texts: list[str], *, where: str) -> None:
    for text in texts:
        assert text not in STATE_CODES, f"{where}: a state code {text!r}"
        assert "None" not in text, f"{where}: {text!r}"
        assert text not in {"official", "head", "authority", "hr", "sysadmin"}, f"{where}: a login {text!r}"


def timeline_texts(response) -> list[str]:
    texts = []
    for version in response.context["versions"]:
        texts += [version.who, version.kind, version.reason]
        texts += [value for change in version.changes for value in (change.label, change.old, change.new)]
    return texts


def history_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


# --- «Lịch sử xử lý»: the workflow's own log -----------------------------------------------


@pytest.mark.parametrize("persona", ["official", "head", "authority", "hr", "viewer", "sysadmin"])
def test_the_processing_tab_reads_labels_full_names_and_local_time(persona, appraisal, cast, client):
    TransitionLog.objects.filter(object_id=appraisal.pk, action="publish").update(created_at=UTC_EVENING)
    client.force_login(getattr(cast, persona))
    response = client.get(change_url(appraisal))
    assert response.status_code == 200
    tab = inline_html(response.content.decode())
    texts = cell_texts(tab)
    assert_readable(texts, where=persona)
    for label in ("Nháp", "Đơn vị xem xét", "Cơ quan tổ chức cán bộ phê duyệt", "Công khai", "Trả lại"):
        assert label in texts, label
    assert {NAMES["official"], NAMES["head"], NAMES["authority"]} <= set(texts)
    assert "Bổ sung minh chứng." in texts and LOCAL_MORNING in texts
    assert "—" in texts  # an empty comment, not "None" nor "-"
    assert "→" not in tab  # rows carry no "Gửi: DRAFT → UNIT_REVIEW" title


def test_a_transition_log_names_its_states_by_label(appraisal):
    first = TransitionLog.objects.filter(object_id=appraisal.pk).order_by("id").first()
    assert str(first) == "Gửi: Nháp → Đơn vị xem xét"


def test_the_processing_tabs_of_catalogues_and_job_descriptions(named, client):
    cast = named
    work_cast(cast)
    catalogue = make_catalogue(cast.ward, "DM_MOI", [("M01", "Văn hóa", "1")], status=CatalogueStatus.DRAFT)
    workflow_transition(document=catalogue, action="submit", user=cast.hr, comment="Trình phê duyệt")
    description = job_description(cast, author=cast.official)
    workflow_transition(document=description, action="submit", user=cast.official)
    client.force_login(cast.hr)
    for document, actor in ((catalogue, NAMES["hr"]), (description, NAMES["official"])):
        response = client.get(change_url(document))
        assert response.status_code == 200, document
        texts = cell_texts(inline_html(response.content.decode()))
        assert_readable(texts, where=type(document).__name__)
        assert actor in texts and "Gửi" in texts and "Nháp" in texts and "Đơn vị xem xét" in texts
        timeline = client.get(history_url(document))
        assert_readable(timeline_texts(timeline), where=f"{type(document).__name__} timeline")
        latest = timeline.context["versions"][0]
        assert (latest.who, latest.reason) == (actor, "Gửi")
        assert [(c.label, c.old, c.new) for c in latest.changes if c.label == "Trạng thái"] == [
            ("Trạng thái", "Nháp", "Đơn vị xem xét")
        ]


# --- the change timelines (simple-history) ---------------------------------------------------


@pytest.mark.parametrize("persona", ["official", "head", "authority", "viewer"])
def test_the_appraisal_timeline_shows_state_labels_the_person_and_the_action(persona, appraisal, cast, client):
    client.force_login(getattr(cast, persona))
    response = client.get(history_url(appraisal))
    assert response.status_code == 200
    versions = response.context["versions"]
    assert_readable(timeline_texts(response), where=persona)
    moves = [(v.who, v.reason, c.old, c.new) for v in versions for c in v.changes if c.label == "Trạng thái"]
    assert moves[::-1] == [
        ("Hệ thống", "Mở kỳ đánh giá", "—", "Nháp"),  # created by the opening job
        (NAMES["official"], "Gửi", "Nháp", "Đơn vị xem xét"),
        (NAMES["head"], "Trả lại", "Đơn vị xem xét", "Nháp"),
        (NAMES["official"], "Gửi", "Nháp", "Đơn vị xem xét"),
        (NAMES["head"], "Duyệt", "Đơn vị xem xét", "Cơ quan tổ chức cán bộ phê duyệt"),
        (NAMES["authority"], "Công khai", "Cơ quan tổ chức cán bộ phê duyệt", "Công khai"),
    ]
    reviewers = [c.new for v in versions for c in v.changes if c.label == "Người đánh giá"]
    assert reviewers == [NAMES["head"]]  # a person by full name, never the login
    html = response.content.decode()
    assert "Tham số đã áp dụng" not in html and "Nhóm xét tỷ lệ:" not in html  # machine copies left out
    assert "None" not in html


def test_two_times_within_one_minute_are_told_apart(appraisal, cast, client):
    client.force_login(cast.head)
    versions = client.get(history_url(appraisal)).context["versions"]
    for change in (c for v in versions for c in v.changes if re.fullmatch(r"[\d/]+ [\d:]+", c.new)):
        assert change.old != change.new, change


def test_a_work_log_line_timeline_names_the_reviewer(named, client):
    cast = named
    work = work_cast(cast)
    line = log(cast.official, work.culture, "2")
    worklogs.worklog_review(line=line, reviewer=cast.head, accepted_quantity="2", quality_failures=1, delays=0)
    line.history.all().update(history_date=UTC_EVENING)
    client.force_login(cast.official)
    response = client.get(history_url(line))
    assert response.status_code == 200
    texts = timeline_texts(response)
    assert_readable(texts, where="line")
    assert NAMES["head"] in texts and NAMES["official"] in texts
    assert response.context["versions"][0].when == LOCAL_MORNING


def test_the_reopening_of_a_work_month_shows_who_why_and_when(named, client):
    cast = named
    work = work_cast(cast)
    month = WorkPeriod.objects.get(pk=work.period.pk)
    worklogs.work_period_set_status(period=month, user=cast.sysadmin, status="CLOSED")
    worklogs.work_period_set_status(period=month, user=cast.sysadmin, status="OPEN", reason="Bổ sung nhật ký")
    client.force_login(cast.sysadmin)
    response = client.get(history_url(month))
    reopened, closed = response.context["versions"][:2]
    assert (reopened.who, reopened.reason) == (NAMES["sysadmin"], "Bổ sung nhật ký")
    assert [(c.label, c.old, c.new) for c in reopened.changes if c.label == "Trạng thái"] == [
        ("Trạng thái", "Đã khóa", "Đang mở")
    ]
    assert (closed.who, closed.reason) == (NAMES["sysadmin"], "Khóa kỳ")
    assert_readable(timeline_texts(response), where="work month")
    html = response.content.decode()
    assert "Bổ sung nhật ký" in html and NAMES["sysadmin"] in html


def test_the_unlocking_of_an_appraisal_period_shows_who_and_why(appraisal, cast, client):
    period = appraisal.period
    appraisals.period_close(user=cast.authority, period=period)
    appraisals.period_reopen(user=cast.authority, period=period, reason="Sửa điểm sau phúc khảo")
    client.force_login(cast.authority)
    response = client.get(history_url(period))
    latest = response.context["versions"][0]
    assert (latest.who, latest.reason) == (NAMES["authority"], "Sửa điểm sau phúc khảo")
    assert_readable(timeline_texts(response), where="appraisal period")


# --- Django's change log (pages without simple-history) ------------------------------------


def test_the_change_log_of_an_account_names_people_in_local_time(named, client):
    cast = named
    account = ContentType.objects.get_for_model(cast.official)
    LogEntry.objects.create(
        user=cast.sysadmin, content_type=account, object_id=str(cast.official.pk), object_repr="official",
        action_flag=CHANGE, change_message='[{"changed": {"fields": ["Email"]}}]', action_time=UTC_EVENING,
    )  # fmt: skip
    client.force_login(cast.sysadmin)
    response = client.get(reverse("admin:accounts_user_history", args=[cast.official.pk]))
    assert response.status_code == 200
    texts = cell_texts(response.content.decode().split('id="history-timeline"', 1)[1])
    assert NAMES["sysadmin"] in texts and LOCAL_MORNING in texts
    assert not any("sysadmin" in text for text in texts)
    assert_readable(texts, where="account log")
