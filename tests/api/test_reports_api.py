"""Saved reports over the API (SPEC 6, 8.1): CRUD by the owner, visibility by sharing,
``run/?format=json|xlsx|csv|pdf`` with the caller's scope, errors in the SPEC body."""

import io

import pytest
from openpyxl import load_workbook

from tests.factories.reports import make_field, set_custom

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"
PAYLOAD = {"name": "Cán bộ theo nhóm", "doctype": "official", "group_by": ["custom.nhom"],
           "aggregates": [{"fn": "count"}], "chart": {"type": "bar"}}  # fmt: skip


@pytest.fixture
def data(cast):
    make_field("nhom", "select", label="Nhóm chuyên môn", options=["Văn hóa", "Thể thao"])
    for persona, group in (("official", "Văn hóa"), ("colleague", "Thể thao"), ("outsider", "Văn hóa")):
        set_custom(cast.official_of(getattr(cast, persona)), nhom=group)
    return cast


def test_a_head_saves_and_runs_a_report(data, api_for):
    client = api_for(data.head)
    created = client.post(REPORTS, PAYLOAD, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["owner"] == "head" and body["can_edit"] and body["shared_with"] == {"roles": [], "units": []}
    assert body["chart"] == {"type": "bar", "x": "custom.nhom", "y": "count"}
    ran = client.get(f"{REPORTS}{body['id']}/run/").json()
    assert [c["label"] for c in ran["columns"]] == ["Nhóm chuyên môn", "Số lượng"]
    assert ran["rows"] == [["(Trống)", 2], ["Thể thao", 1], ["Văn hóa", 1]]
    assert ran["chart"]["labels"] == ["(Trống)", "Thể thao", "Văn hóa"] and ran["chart"]["values"] == [2.0, 1.0, 1.0]


@pytest.mark.parametrize(("fmt", "mime", "magic"), [("xlsx", "application/vnd.openxmlformats", b"PK"),
                                                    ("csv", "text/csv", b"\xef\xbb\xbf"), ("pdf", "application/pdf",
                                                                                          b"%PDF")])  # fmt: skip
def test_run_exports_files(data, api_for, fmt, mime, magic):
    client = api_for(data.head)
    report = client.post(REPORTS, PAYLOAD, format="json").json()
    response = client.get(f"{REPORTS}{report['id']}/run/", {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(mime) and response.content.startswith(magic)
    assert response["Content-Disposition"].startswith('attachment; filename="can-bo-theo-nhom-')
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet["A5"].value == "Thể thao" and sheet["B5"].value == 1


def test_an_unknown_format_gets_the_error_body(data, api_for):
    client = api_for(data.head)
    report = client.post(REPORTS, PAYLOAD, format="json").json()
    response = client.get(f"{REPORTS}{report['id']}/run/", {"format": "docx"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "format"


def test_a_bad_definition_gets_400_with_each_field(data, api_for):
    bad = {"name": "", "doctype": "official", "columns": ["luong"],
           "filters": [{"field": "custom.nhom", "op": "gt", "value": "x"}]}  # fmt: skip
    response = api_for(data.head).post(REPORTS, bad, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "ERROR" and body["code"] == "VALIDATION_ERROR"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields["columns[0]"] == "Không có trường «luong» trong loại dữ liệu này."
    assert fields["filters[0].op"].startswith("Toán tử «gt» không dùng được cho trường «Nhóm chuyên môn»")


def test_shared_reports_run_with_the_callers_scope_and_stay_owned(data, api_for):
    report = api_for(data.viewer).post(REPORTS, {**PAYLOAD, "shared_with": {"roles": ["OFFICIAL"], "units": []}},
                                       format="json").json()  # fmt: skip
    outsider = api_for(data.outsider)
    listed = outsider.get(REPORTS).json()
    assert [r["name"] for r in listed["results"]] == ["Cán bộ theo nhóm"] and not listed["results"][0]["can_edit"]
    assert outsider.get(f"{REPORTS}{report['id']}/run/").json()["rows"] == [["Văn hóa", 1]]
    refused = outsider.patch(f"{REPORTS}{report['id']}/", {"name": "Của tôi"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "PERMISSION_DENIED"
    assert outsider.delete(f"{REPORTS}{report['id']}/").status_code == 403


def test_reports_not_shared_are_invisible(data, api_for):
    report = api_for(data.head).post(REPORTS, PAYLOAD, format="json").json()
    outsider = api_for(data.outsider)
    assert outsider.get(REPORTS).json()["count"] == 0
    assert outsider.get(f"{REPORTS}{report['id']}/run/").status_code == 404


def test_sharing_with_units_and_updating(data, api_for):
    client = api_for(data.hr)
    report = client.post(REPORTS, {**PAYLOAD, "shared_with": {"roles": [], "units": [data.ward.pk]}}, format="json")
    assert report.status_code == 201, report.json()
    report_id = report.json()["id"]
    assert api_for(data.colleague).get(f"{REPORTS}{report_id}/").status_code == 200  # works below Phường A
    patched = client.patch(f"{REPORTS}{report_id}/", {"group_by": ["category"]}, format="json")
    assert patched.status_code == 200 and patched.json()["chart"]["x"] == "category"
    outside = client.patch(f"{REPORTS}{report_id}/", {"shared_with": {"units": [data.other_team.pk]}}, format="json")
    assert outside.status_code == 400
    assert outside.json()["errors"] == [
        {"field": "shared_with.units", "message": "Chỉ chia sẻ được với đơn vị trong phạm vi của bạn."}
    ]
    assert client.delete(f"{REPORTS}{report_id}/").status_code == 204


def test_preview_and_builtin_reports(data, api_for):
    client = api_for(data.head)
    preview = client.post(f"{REPORTS}preview/", {"definition": {"doctype": "official", "columns": ["code"],
                                                                "sort": [{"field": "code", "desc": True}]}},
                          format="json")  # fmt: skip
    assert preview.status_code == 200 and preview.json()["rows"] == [["T0004"], ["T0003"], ["T0002"], ["T0001"]]
    builtins = client.get(f"{REPORTS}builtin/").json()
    assert {b["code"] for b in builtins} >= {"officials_by_unit", "competency_gap"}
    listing = client.get(f"{REPORTS}builtin/officials_by_unit/").json()
    assert sorted(row[1] for row in listing["rows"]) == ["T0001", "T0002", "T0003", "T0004"]
    csv = client.get(f"{REPORTS}builtin/officials_by_unit/", {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and "Phạm Thị Dung" in csv.content.decode("utf-8-sig")
    assert client.get(f"{REPORTS}builtin/khong_co/").status_code == 404


def test_anonymous_callers_are_refused(api_for):
    response = api_for(None).get(REPORTS)
    assert response.status_code == 401 and response.json()["code"] == "NOT_AUTHENTICATED"
