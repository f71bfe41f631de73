"""Scheduled reports (SPEC 6): due at their hour, daily/weekly/monthly, caught up after a
missed run, sent once, run WITH THE OWNER'S SCOPE and mailed with the file attached."""

import importlib
import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rq import cron as rq_cron

from tests.factories.reports import make_field, set_custom
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.customfields import services as custom
from thanhhoa_kpi.reports import jobs
from thanhhoa_kpi.reports.models import ReportSchedule
from thanhhoa_kpi.reports.schedules import is_due, latest_slot, report_schedule_create, send_due_reports
from thanhhoa_kpi.reports.services import saved_report_create

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(7 * 60)


def at(*parts):
    return datetime(*parts, tzinfo=TZ)


@pytest.fixture(autouse=True)
def mail_domains(settings):
    """The test addresses' domain is on the allow-list of scheduled mail."""
    settings.REPORT_MAIL_DOMAINS = ["example.vn", "thanhhoa.gov.vn"]


@pytest.fixture
def report(cast):
    make_field("nhom", "select", label="Nhóm chuyên môn", options=["Văn hóa", "Thể thao"])
    set_custom(cast.official_of(cast.outsider), nhom="Văn hóa")
    return saved_report_create(
        owner=cast.head,
        name="Danh sách cán bộ của phòng",
        definition={
            "doctype": "official",
            "columns": ["code", "full_name", "custom.nhom"],
            "sort": [{"field": "code"}],
        },
    )


def schedule(report, created, **fields):
    made = report_schedule_create(report=report, owner=report.owner, recipients="a@example.vn, b@example.vn", **fields)
    ReportSchedule.objects.filter(pk=made.pk).update(created_at=created)
    made.refresh_from_db()
    return made


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"frequency": "weekly"}, "weekday", "Chọn thứ trong tuần để gửi."),
        ({"frequency": "monthly"}, "day_of_month", "Chọn ngày trong tháng (1–31) để gửi."),
        ({"frequency": "daily", "hour": 24}, "hour", "Giờ gửi từ 0 đến 23."),
        ({"frequency": "hourly"}, "frequency", "Tần suất phải là hằng ngày, hằng tuần hoặc hằng tháng."),
        ({"frequency": "daily", "format": "docx"}, "format", "Định dạng phải là xlsx, pdf hoặc csv."),
        (
            {"frequency": "daily", "recipients": "truong.phong@, x@y.vn"},
            "recipients",
            "Địa chỉ không hợp lệ: truong.phong@.",
        ),
        ({"frequency": "daily", "recipients": ""}, "recipients", "Cần 1–50 địa chỉ thư điện tử."),
    ],
)
def test_bad_schedules_are_refused(report, fields, field, message):
    fields.setdefault("recipients", "a@example.vn")
    with pytest.raises(ValidationFailed) as caught:
        report_schedule_create(report=report, owner=report.owner, **fields)
    assert (field, message) in [(e.field, e.message) for e in caught.value.errors]


def test_only_reports_the_owner_sees_can_be_scheduled(report, cast):
    with pytest.raises(ValidationFailed) as caught:
        report_schedule_create(report=report, owner=cast.outsider, frequency="daily", recipients="a@example.vn")
    assert caught.value.errors[0].field == "report"


def test_slots_for_daily_weekly_and_monthly_schedules(report):
    daily = schedule(report, at(2026, 3, 1), frequency="daily", hour=7)
    weekly = schedule(report, at(2026, 3, 1), frequency="weekly", weekday=0, hour=7)  # Monday
    monthly = schedule(report, at(2026, 1, 1), frequency="monthly", day_of_month=31, hour=6)
    assert latest_slot(daily, at(2026, 3, 10, 6, 59)) == at(2026, 3, 9, 7)
    assert latest_slot(daily, at(2026, 3, 10, 7, 0)) == at(2026, 3, 10, 7)
    assert latest_slot(weekly, at(2026, 3, 12, 9)) == at(2026, 3, 9, 7)  # Thursday → the Monday before
    assert latest_slot(weekly, at(2026, 3, 9, 6)) == at(2026, 3, 2, 7)
    assert latest_slot(monthly, at(2026, 3, 5)) == at(2026, 2, 28, 6)  # no 31 February: its last day
    assert latest_slot(monthly, at(2026, 3, 31, 6, 30)) == at(2026, 3, 31, 6)


def test_a_schedule_is_due_once_per_slot_and_never_before_its_first_slot(report):
    daily = schedule(report, at(2026, 3, 10, 10), frequency="daily", hour=7)
    assert not is_due(daily, at(2026, 3, 10, 11))  # created after today's slot: waits for tomorrow
    assert is_due(daily, at(2026, 3, 11, 7))
    assert is_due(daily, at(2026, 3, 11, 15))  # a missed hour is caught up
    daily.last_sent_at = at(2026, 3, 11, 7, 0, 5)
    assert not is_due(daily, at(2026, 3, 11, 23))
    daily.active = False
    assert not is_due(daily, at(2026, 3, 12, 7))


def test_due_reports_are_mailed_with_the_owners_scope(report, cast, mailoutbox, django_capture_on_commit_callbacks):
    schedule(report, at(2026, 3, 1), frequency="daily", hour=7)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reports(at(2026, 3, 10, 7, 0, 30)) == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "[KPI Thanh Hóa] Danh sách cán bộ của phòng — 10/03/2026"
    assert mail.to == ["a@example.vn", "b@example.vn"]
    assert "4 dòng" in mail.body
    name, content, mime = mail.attachments[0]
    assert name == "danh-sach-can-bo-cua-phong-20260310.xlsx" and mime.startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "Danh sách cán bộ của phòng"
    assert [sheet["A4"].value, sheet["B4"].value] == ["T0001", "Nguyễn Văn An"]
    codes = [row[0] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert codes == ["T0001", "T0002", "T0003", "T0004"]  # the head's unit only: never the outsider's T0006
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reports(at(2026, 3, 10, 8)) == 0  # sent once per slot
    assert len(mailoutbox) == 1
    assert ReportSchedule.objects.get().last_sent_at == at(2026, 3, 10, 7, 0, 30)


def test_pdf_schedules_attach_a_pdf_and_a_broken_one_does_not_stop_the_others(
    report, cast, mailoutbox, django_capture_on_commit_callbacks
):
    broken_report = saved_report_create(
        owner=cast.head, name="Hỏng", definition={"doctype": "official", "group_by": ["custom.nhom"]}
    )
    schedule(broken_report, at(2026, 3, 1), frequency="daily", hour=7)
    schedule(report, at(2026, 3, 1), frequency="weekly", weekday=1, hour=7, format="pdf")
    custom.field_definition_update(by=SYSTEM, definition=custom.FieldDefinition.objects.get(key="nhom"), active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reports(at(2026, 3, 10, 7)) == 0  # the list report still uses the retired field too
    report.columns = ["code", "full_name"]
    report.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reports(at(2026, 3, 10, 7, 5)) == 1
    name, content, mime = mailoutbox[0].attachments[0]
    assert name.endswith(".pdf") and mime == "application/pdf" and content.startswith(b"%PDF")


def test_the_job_and_the_cron_entry(report, mailoutbox, django_capture_on_commit_callbacks):
    schedule(report, timezone.now() - timedelta(days=3), frequency="daily", hour=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.send_due_reports() == 1
    assert len(mailoutbox) == 1
    import thanhhoa_kpi.reports.cron as cron_config

    rq_cron._job_data_registry.clear()
    importlib.reload(cron_config)
    entries = [(e["func"], e["cron"], e["queue_name"]) for e in rq_cron._job_data_registry]
    rq_cron._job_data_registry.clear()
    assert entries == [(jobs.send_due_reports, "0 * * * *", "default")]


def test_the_owner_schedules_a_report_in_the_desk(report, cast, client):
    from django.urls import reverse

    from tests.factories.reports import ensure_report_roles

    ensure_report_roles()
    client.force_login(cast.head)
    add = reverse("admin:reports_reportschedule_add")
    page = client.get(add, {"report": report.pk})
    assert page.status_code == 200 and "Danh sách cán bộ của phòng" in page.content.decode()
    data = {"report": report.pk, "frequency": "weekly", "weekday": "", "day_of_month": "", "hour": "7",
            "format": "xlsx", "recipients_text": "truong.phong@thanhhoa.gov.vn", "active": "on"}  # fmt: skip
    bad = client.post(add, data)
    assert bad.status_code == 200 and bad.context["adminform"].form.errors["weekday"] == ["Chọn thứ trong tuần để gửi."]
    assert client.post(add, {**data, "weekday": "4"}).status_code == 302
    saved = ReportSchedule.objects.get()
    assert (saved.owner, saved.weekday, saved.recipients) == (cast.head, 4, ["truong.phong@thanhhoa.gov.vn"])
    client.force_login(cast.deputy)
    assert client.get(reverse("admin:reports_reportschedule_change", args=[saved.pk])).status_code == 302  # not theirs
