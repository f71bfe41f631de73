"""Report adapters answer bad input with a 4xx, never a 500 (issue 9, finding 7)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories.reports import ensure_report_roles
from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.reports.builtin import BUILTINS
from thanhhoa_kpi.reports.models import ReportSchedule
from thanhhoa_kpi.reports.schedules import report_schedule_create, report_schedule_update, send_due_reports
from thanhhoa_kpi.reports.services import saved_report_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporters(cast):
    ensure_report_roles()
    return cast


def test_an_odd_builtin_report_code_with_a_format_is_a_404_with_the_error_body(reporters, api_for):
    response = api_for(reporters.head).get("/api/v1/reports/builtin/1.2/?format=csv")
    assert response.status_code == 404, response.content[:300]
    assert response.json()["code"] == "NOT_FOUND"


def test_an_unknown_format_of_a_builtin_report_is_a_400_naming_format(reporters, api_for):
    response = api_for(reporters.head).get("/api/v1/reports/builtin/officials_by_unit/?format=docx")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "format"


@pytest.mark.parametrize("doctype", [["official"], {"a": 1}])
def test_an_unhashable_doctype_in_the_preview_is_a_400_naming_doctype(reporters, api_for, doctype):
    body = {"definition": {"doctype": doctype, "columns": ["full_name"]}}
    response = api_for(reporters.head).post("/api/v1/reports/preview/", body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["errors"][0]["field"] == "doctype"


def test_unhashable_names_elsewhere_in_a_definition_are_400s(reporters, api_for):
    definition = {"doctype": "official", "group_by": ["unit"], "aggregates": [{"fn": ["count"]}],
                  "sort": [{"field": {"x": 1}}], "chart": {"type": ["bar"]}}  # fmt: skip
    response = api_for(reporters.head).post("/api/v1/reports/preview/", {"definition": definition}, format="json")
    assert response.status_code == 400, response.content[:300]
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"aggregates[0].fn", "sort[0].field", "chart.type"} <= fields


def test_the_desk_builtin_export_of_an_unknown_report_or_format_is_a_404(reporters, client):
    client.force_login(reporters.head)
    assert client.get(reverse("admin:reports_builtin_export", args=["1.2", "csv"])).status_code == 404
    assert client.get(reverse("admin:reports_builtin_export", args=["officials_by_unit", "docx"])).status_code == 404
    assert client.get(reverse("admin:reports_builtin_run", args=["1.2"]), {"format": "csv"}).status_code == 404


def test_odd_numbers_in_builtin_report_parameters_are_ignored_not_500s(reporters, api_for):
    client = api_for(reporters.head)
    for code, params in (("officials_by_unit", {"unit": "²"}), ("bao_cao_thang_tinh", {"year": "99999999"}),
                         ("so_ket_quy", {"year": "6623", "quarter": "9"})):  # fmt: skip
        assert code in BUILTINS
        assert client.get(f"/api/v1/reports/builtin/{code}/", params).status_code == 200, code


def test_a_report_for_a_month_never_opened_creates_no_work_period(reporters, api_for):
    from thanhhoa_kpi.worklogs.models import WorkPeriod

    client = api_for(reporters.head)
    for code in ("nhat_ky_ca_nhan", "tong_hop_gio_lam_viec"):
        response = client.get(f"/api/v1/reports/builtin/{code}/", {"period": "2099-12"})
        assert response.status_code == 200 and response.json()["rows"] == []
    assert not WorkPeriod.objects.filter(year=2099).exists()


# --- scheduled mail: an allow-list of recipients (finding 7) -----------------------------------------
@pytest.fixture
def report(reporters, settings):
    settings.REPORT_MAIL_DOMAINS = ["thanhhoa.gov.vn"]
    return saved_report_create(owner=reporters.head, name="Cán bộ của phòng",
                               definition={"doctype": "official", "columns": ["code", "full_name"]})  # fmt: skip


def test_a_schedule_to_an_outside_address_is_refused_naming_recipients(report):
    with pytest.raises(ValidationFailed) as caught:
        report_schedule_create(report=report, owner=report.owner, frequency="daily",
                               recipients="ke.gian@gmail.com, truong.phong@thanhhoa.gov.vn")  # fmt: skip
    (error,) = caught.value.errors
    assert error.field == "recipients" and "ke.gian@gmail.com" in error.message
    assert "truong.phong@thanhhoa.gov.vn" not in error.message


def test_allowed_domains_their_subdomains_and_active_accounts_may_receive(report, cast):
    cast.colleague.email = "Binh.Tran@Gmail.com"
    cast.colleague.save()
    recipients = "a@thanhhoa.gov.vn, b@snv.thanhhoa.gov.vn, binh.tran@gmail.com"
    made = report_schedule_create(report=report, owner=report.owner, frequency="daily", recipients=recipients)
    assert made.recipients == ["a@thanhhoa.gov.vn", "b@snv.thanhhoa.gov.vn", "binh.tran@gmail.com"]
    with pytest.raises(ValidationFailed):  # a look-alike domain is not a subdomain
        report_schedule_update(schedule=made, user=report.owner, recipients="x@evilthanhhoa.gov.vn")


def test_the_desk_form_shows_the_refusal_on_the_recipients_field(report, client):
    client.force_login(report.owner)
    data = {"report": report.pk, "frequency": "daily", "hour": "7", "format": "xlsx", "active": "on",
            "recipients_text": "ke.gian@gmail.com"}  # fmt: skip
    page = client.post(reverse("admin:reports_reportschedule_add"), data)
    assert page.status_code == 200
    assert "ke.gian@gmail.com" in page.context["adminform"].form.errors["recipients_text"][0]
    assert not ReportSchedule.objects.exists()


def test_addresses_refused_since_saving_are_skipped_at_send_time(
    report, cast, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    cast.colleague.email = "binh.tran@gmail.com"
    cast.colleague.save()
    made = report_schedule_create(report=report, owner=report.owner, frequency="daily", hour=7,
                                  recipients="a@thanhhoa.gov.vn, binh.tran@gmail.com")  # fmt: skip
    ReportSchedule.objects.filter(pk=made.pk).update(created_at=timezone.now() - timedelta(days=3))
    cast.colleague.is_active = False  # the account was closed after the schedule was made
    cast.colleague.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reports() == 1
    assert mailoutbox[0].to == ["a@thanhhoa.gov.vn"]
    assert "binh.tran@gmail.com" in caplog.text
