"""Saved reports (SPEC 6): shared with roles or units, changed only by their owner, run
with the viewer's scope; exports to XLSX, CSV and PDF; built-in reports; the desk builder."""

import io
import subprocess
import unicodedata
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories.reports import ensure_report_roles, make_field, set_custom
from thanhhoa_kpi.competencies.models import Competency, CompetencyFramework, PositionRequirement
from thanhhoa_kpi.core.errors import PermissionRefused, ValidationFailed
from thanhhoa_kpi.dashboards.charts import PHONE_WIDTH
from thanhhoa_kpi.reports import exports
from thanhhoa_kpi.reports.builtin import builtin_run
from thanhhoa_kpi.reports.models import SavedReport
from thanhhoa_kpi.reports.services import (
    report_run,
    reports_visible,
    saved_report_create,
    saved_report_delete,
    saved_report_update,
)

pytestmark = pytest.mark.django_db

BY_GROUP = {"doctype": "official", "group_by": ["custom.nhom"], "aggregates": [{"fn": "count"}],
            "chart": {"type": "pie"}}  # fmt: skip


@pytest.fixture
def data(cast):
    ensure_report_roles()
    make_field("nhom", "select", label="Nhóm chuyên môn", options=["Văn hóa", "Thể thao"])
    for persona, group in (("official", "Văn hóa"), ("colleague", "Thể thao"), ("outsider", "Văn hóa")):
        set_custom(cast.official_of(getattr(cast, persona)), nhom=group)
    return cast


def names(user):
    return sorted(reports_visible(user).values_list("name", flat=True))


def pdf_text(content):
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(unicodedata.normalize("NFC", proc.stdout.decode("utf-8")).split())  # cells may wrap


def test_reports_are_visible_to_the_owner_and_whom_they_are_shared_with(data):
    saved_report_create(owner=data.head, name="Riêng", definition=BY_GROUP)
    saved_report_create(owner=data.head, name="Cho cấp phó", definition=BY_GROUP, shared_roles=["DEPUTY"])
    saved_report_create(owner=data.hr, name="Cho phường A", definition=BY_GROUP, shared_units=[data.ward])
    assert names(data.head) == ["Cho cấp phó", "Cho phường A", "Riêng"]  # the head works in Phòng A, under Phường A
    assert names(data.deputy) == ["Cho cấp phó", "Cho phường A"]
    assert names(data.official) == ["Cho phường A"]
    assert names(data.outsider) == []
    assert names(data.viewer) == []
    assert len(names(data.sysadmin)) == 3


def test_a_shared_report_runs_with_the_viewers_scope(data):
    report = saved_report_create(owner=data.viewer, name="Toàn tỉnh", definition=BY_GROUP, shared_roles=["OFFICIAL"])
    assert report_run(report=report, user=data.viewer).rows == [["(Trống)", 3], ["Thể thao", 1], ["Văn hóa", 2]]
    assert report_run(report=report, user=data.outsider).rows == [["Văn hóa", 1]]  # only their own row


def test_only_the_owner_changes_or_deletes_a_report(data):
    report = saved_report_create(owner=data.head, name="Của trưởng phòng", definition=BY_GROUP, shared_roles=["DEPUTY"])
    with pytest.raises(PermissionRefused):
        saved_report_update(report=report, user=data.deputy, name="Đổi tên")
    with pytest.raises(PermissionRefused):
        saved_report_delete(report=report, user=data.deputy)
    updated = saved_report_update(report=report, user=data.head, definition={"group_by": ["category"]})
    assert updated.group_by == ["category"] and updated.history.count() == 2
    saved_report_delete(report=report, user=data.head)
    assert not SavedReport.objects.exists()


def test_sharing_is_checked(data):
    with pytest.raises(ValidationFailed) as caught:
        saved_report_create(owner=data.head, name="X", definition=BY_GROUP, shared_roles=["KING"],
                            shared_units=[data.other_team])  # fmt: skip
    assert {e.field for e in caught.value.errors} == {"shared_with.roles", "shared_with.units"}
    with pytest.raises(ValidationFailed) as caught:
        saved_report_create(owner=data.head, name=" ", definition=BY_GROUP)
    assert caught.value.errors[0].message == "Cần đặt tên báo cáo."


def test_exports_to_xlsx_csv_and_pdf(data):
    report = saved_report_create(owner=data.head, name="Cán bộ theo nhóm chuyên môn", definition=BY_GROUP)
    result = report_run(report=report, user=data.head)
    content, mime, ext = exports.export(result, "xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "Cán bộ theo nhóm chuyên môn"
    assert (sheet["A3"].value, sheet["B3"].value) == ("Nhóm chuyên môn", "Số lượng")
    assert [sheet["A4"].value, sheet["B4"].value] == ["(Trống)", 2]
    assert [sheet["A5"].value, sheet["B5"].value] == ["Thể thao", 1]
    text = exports.to_csv(result).decode("utf-8")
    assert text.startswith("\ufeffNhóm chuyên môn,Số lượng\r\n") and "Văn hóa,1" in text
    pdf = pdf_text(exports.to_pdf(result))
    assert "CÁN BỘ THEO NHÓM CHUYÊN MÔN" in pdf and "Văn hóa" in pdf and "Trang 1/1" in pdf
    assert "Phòng Văn hóa - Xã hội A".upper() in pdf.upper()  # the runner's unit in the header
    assert exports.filename("Cán bộ theo nhóm", "xlsx").startswith("can-bo-theo-nhom-")


def test_dates_export_as_dates(data):
    from thanhhoa_kpi.organization.models import Official

    Official.objects.filter(code="T0001").update(birth_date=date(1985, 3, 9))
    result = report_run(
        report=saved_report_create(
            owner=data.head,
            name="Ngày sinh",
            definition={
                "doctype": "official",
                "columns": ["code", "birth_date"],
                "filters": [{"field": "code", "op": "eq", "value": "T0001"}],
            },
        ),
        user=data.head,
    )
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(result))).active
    assert sheet["B4"].value.date() == date(1985, 3, 9) and sheet["B4"].number_format == "DD/MM/YYYY"
    assert "T0001,09/03/1985" in exports.to_csv(result).decode("utf-8")


def test_builtin_officials_by_unit_respects_scope(data):
    result = builtin_run(code="officials_by_unit", user=data.head)
    assert [row[1] for row in result.rows] == ["T0003", "T0001", "T0004", "T0002"]  # by name within the unit
    assert {row[0] for row in result.rows} == {"Phòng Văn hóa - Xã hội A"}
    assert builtin_run(code="officials_by_unit", user=data.outsider).rows == [
        ["Phòng B", "T0006", "Vũ Thị Giang", "Công chức", "Chuyên viên", "Không giữ chức vụ"]
    ]
    everything = builtin_run(code="officials_by_unit", user=data.viewer, params={"unit": str(data.other_dept.pk)})
    assert [row[1] for row in everything.rows] == ["T0006"]


def test_builtin_competency_gap_lists_requirements_with_holders(data):
    framework = CompetencyFramework.objects.create(code="KNL", name="Khung năng lực", effective_from=date(2026, 1, 1))
    skill = Competency.objects.create(framework=framework, code="NL01", name="Soạn thảo văn bản", kind="CHUNG")
    PositionRequirement.objects.create(framework=framework, position=data.position, competency=skill, required_level=3)
    PositionRequirement.objects.create(framework=framework, position=data.lead_position, competency=skill,
                                       required_level=4)  # fmt: skip
    result = builtin_run(code="competency_gap", user=data.head, params={"mode": "requirements"})
    assert [row[:5] for row in result.rows] == [
        ["Chuyên viên", "Soạn thảo văn bản", "Năng lực chung", 3, 2],
        ["Trưởng phòng", "Soạn thảo văn bản", "Năng lực chung", 4, 2],
    ]
    assert builtin_run(code="competency_gap", user=data.outsider, params={"mode": "requirements"}).rows[0][4] == 1


def test_the_desk_builder_runs_and_saves_a_grouped_report(data, client):
    client.force_login(data.head)
    url = reverse("admin:reports_builder")
    page = client.get(url, {"doctype": "official"})
    assert page.status_code == 200 and "Nhóm chuyên môn" in page.content.decode()
    form = {"doctype": "official", "group_by": ["custom.nhom"], "agg_fn_0": "count", "chart_type": "bar",
            "filter_op_0": "eq", "filter_op_1": "eq", "filter_op_2": "eq", "filter_op_3": "eq",
            "name": "Theo nhóm chuyên môn", "shared_roles": ["DEPUTY"]}  # fmt: skip
    ran = client.post(url, {**form, "_run": "1"})
    html = ran.content.decode()
    assert ran.status_code == 200 and "<svg" in html and "Thể thao" in html
    # The chart twice: for a wide screen and drawn for a phone (labels at full size there).
    assert 'viewBox="0 0 640 ' in html and f'viewBox="0 0 {PHONE_WIDTH} ' in html
    assert ran.context["result"].rows == [["(Trống)", 2], ["Thể thao", 1], ["Văn hóa", 1]]
    bad = client.post(url, {**form, "filter_field_0": "custom.nhom", "filter_value_0": "Bóng đá", "_run": "1"})
    assert "filter_value_0" in bad.context["form"].errors
    saved = client.post(url, {**form, "_save": "1"})
    report = SavedReport.objects.get()
    assert saved.status_code == 302 and saved.url == reverse("admin:reports_run", args=[report.pk])
    assert report.shared_with_roles == ["DEPUTY"] and report.owner == data.head
    shown = client.get(saved.url)
    assert shown.status_code == 200 and shown.context["result"].rows == [
        ["(Trống)", 2],
        ["Thể thao", 1],
        ["Văn hóa", 1],
    ]
    download = client.get(reverse("admin:reports_export", args=[report.pk, "xlsx"]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(data.outsider)
    assert client.get(reverse("admin:reports_run", args=[report.pk])).status_code == 404


def test_the_desk_lists_and_exports_builtin_reports(data, client):
    client.force_login(data.head)
    listing = client.get(reverse("admin:reports_builtin")).content.decode()
    assert "Danh sách cán bộ theo đơn vị" in listing and "Báo cáo khoảng cách năng lực" in listing
    page = client.get(reverse("admin:reports_builtin_run", args=["officials_by_unit"]))
    assert page.status_code == 200 and "Phạm Thị Dung" in page.content.decode()
    assert "Vũ Thị Giang" not in page.content.decode()
    pdf = client.get(reverse("admin:reports_builtin_export", args=["officials_by_unit", "pdf"]))
    assert "Phạm Thị Dung" in pdf_text(pdf.content)


def test_the_desk_bulk_delete_never_deletes_other_peoples_reports(data, client):
    mine = saved_report_create(owner=data.deputy, name="Của cấp phó", definition=BY_GROUP)
    shared = saved_report_create(owner=data.head, name="Của trưởng phòng", definition=BY_GROUP, shared_roles=["DEPUTY"])
    client.force_login(data.deputy)
    url = reverse("admin:reports_savedreport_changelist")
    both = {"action": "delete_selected", "_selected_action": [mine.pk, shared.pk], "post": "yes"}
    assert client.post(url, both).status_code == 403
    assert SavedReport.objects.count() == 2
    own = {"action": "delete_selected", "_selected_action": [mine.pk], "post": "yes"}
    assert client.post(url, own).status_code == 302
    assert list(SavedReport.objects.values_list("name", flat=True)) == ["Của trưởng phòng"]


def test_the_system_admin_reads_but_never_rewrites_a_colleagues_report(data, api_for):
    report = saved_report_create(owner=data.head, name="Của trưởng phòng", definition=BY_GROUP)
    client = api_for(data.sysadmin)
    assert client.get(f"/api/v1/reports/{report.pk}/").status_code == 200
    assert client.patch(f"/api/v1/reports/{report.pk}/", {"name": "Đổi"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/reports/{report.pk}/").status_code == 403
    report.refresh_from_db()
    assert report.name == "Của trưởng phòng"
