"""The import and export endpoints (SPEC 8.1 error body) and the desk pages (upload, report,
confirm, progress, export)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories.xlsx import POSITION_HEADERS, UNIT_HEADERS, read_xlsx, xlsx
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.organization.models import JobPosition, OrgUnit
from thanhhoa_kpi.transfer.models import ImportJob, ImportStatus

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _fast_and_private(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def roles(cast):
    from thanhhoa_kpi.accounts.loaders import load_roles

    load_roles(read_file(FIXTURES_DIR / "base" / "roles.transfer.yaml"))
    return cast


def upload(content, name="du-lieu.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def position_file(*codes):
    return xlsx(POSITION_HEADERS, *[[c, f"Vị trí {c}", "HO_TRO_PHUC_VU", "CHINH_QUYEN", None, ""] for c in codes])


# --- API ------------------------------------------------------------------------------------------
def test_api_dry_run_returns_the_report_and_writes_nothing(cast, api_for):
    content = xlsx(UNIT_HEADERS, ["T_X", "X", "", "CHINH_QUYEN", "XA", "PHONG", "T_PHUONG_A", "01/01/2026", None])
    response = api_for(cast.hr).post(
        "/api/v1/imports/", {"kind": "org_units", "file": upload(content), "dry_run": "true"}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "kind": "org_units", "valid": True, "rows": 1, "created": 1, "updated": 0, "unchanged": 0,
        "error_count": 0, "errors": [], "differences": [],
    }  # fmt: skip
    assert not OrgUnit.objects.filter(code="T_X").exists() and not ImportJob.objects.exists()


def test_api_invalid_file_gets_400_listing_every_row_error(cast, api_for):
    content = xlsx(
        UNIT_HEADERS,
        ["T_X", "X", "", "CHINH_QUYEN", "XA", "PHONG", "T_PHONG_B", None, None],
        ["T_Y", "", "", "Khối lạ", "XA", "PHONG", "T_PHUONG_A", "32/01/2026", None],
    )
    before = OrgUnit.objects.count()
    response = api_for(cast.hr).post(
        "/api/v1/imports/", {"kind": "org_units", "file": upload(content)}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"]) == ("ERROR", "IMPORT_INVALID")
    assert body["message"] == "Tệp có 4 lỗi; chưa có dữ liệu nào được ghi. Hãy sửa và tải lên lại."
    assert [e["field"] for e in body["errors"]] == [
        "Dòng 2, cột Mã đơn vị cấp trên",
        "Dòng 3, cột Tên đơn vị",
        "Dòng 3, cột Khối",
        "Dòng 3, cột Hoạt động từ",
    ]
    assert body["errors"][0]["message"] == "Bạn không quản lý đơn vị cấp trên «T_PHONG_B»."
    assert OrgUnit.objects.count() == before
    assert ImportJob.objects.get().status == ImportStatus.FAILED


def test_api_not_an_excel_file_gets_400(cast, api_for):
    response = api_for(cast.hr).post(
        "/api/v1/imports/", {"kind": "positions", "file": upload(b"a;b\n1;2\n", "x.csv")}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "Tệp", "message": "Tệp không phải là tệp Excel (.xlsx)."}]


def test_api_small_import_is_done_at_once_with_201(cast, api_for):
    client = api_for(cast.province_hr)
    response = client.post(
        "/api/v1/imports/", {"kind": "positions", "file": upload(position_file("T_A", "T_B"))}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["processed_rows"], body["created_rows"], body["percent"]) == ("DONE", 2, 2, 100)
    assert JobPosition.objects.filter(code__in=["T_A", "T_B"]).count() == 2
    status = client.get(body["url"])
    assert status.status_code == 200 and status.json()["status"] == "DONE"
    assert api_for(cast.outsider).get(body["url"]).status_code == 404


def test_api_large_import_is_queued_with_202(cast, api_for, django_capture_on_commit_callbacks):
    content = position_file(*[f"T_Q{n:03}" for n in range(201)])
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(cast.province_hr).post(
            "/api/v1/imports/", {"kind": "positions", "file": upload(content)}, format="multipart"
        )
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "QUEUED"
    job = ImportJob.objects.get()
    assert (job.status, job.processed_rows) == (ImportStatus.DONE, 201)


def test_api_refuses_imports_to_people_who_cannot_write_master_data(cast, api_for):
    response = api_for(cast.head).post(
        "/api/v1/imports/", {"kind": "positions", "file": upload(position_file("T_A"))}, format="multipart"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "PERMISSION_DENIED"


def test_api_unknown_kind_is_a_validation_error(cast, api_for):
    response = api_for(cast.hr).post("/api/v1/imports/", {"kind": "x", "file": upload(b"PK")}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "kind"
    assert api_for(cast.hr).get("/api/v1/exports/x/").json()["code"] == "UNKNOWN_KIND"


def test_api_export_is_a_scoped_xlsx_download(cast, api_for):
    response = api_for(cast.outsider).get("/api/v1/exports/officials/")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="officials-')
    assert [row[0] for row in read_xlsx(response.content)["Cán bộ"][1:]] == ["T0006"]
    assert api_for(None).get("/api/v1/exports/officials/").status_code == 401


# --- desk -----------------------------------------------------------------------------------------
def test_desk_upload_page_renders_for_an_hr_admin(roles, client):
    client.force_login(roles.hr)
    response = client.get("/admin/transfer/importjob/upload/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nhập dữ liệu từ Excel" in page and "Kiểm tra tệp" in page and "Nhập, xuất dữ liệu" in page
    assert client.get("/admin/transfer/importjob/template/positions/")["Content-Type"] == XLSX


def test_desk_upload_page_is_refused_to_an_official(roles, client):
    client.force_login(roles.official)
    assert client.get("/admin/transfer/importjob/upload/").status_code == 403


def test_desk_upload_shows_the_error_table_and_no_confirm_button(roles, client):
    client.force_login(roles.hr)
    content = xlsx(POSITION_HEADERS, ["T_A", "A", "nhóm lạ", "CHINH_QUYEN", "x", ""])
    response = client.post(
        "/admin/transfer/importjob/upload/", {"kind": "positions", "file": upload(content)}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lỗi cần sửa" in page and "Nhóm vị trí" in page and "Hạng chức danh nghề nghiệp" in page
    assert "Xác nhận nhập" not in page
    assert not JobPosition.objects.filter(code="T_A").exists()


def test_desk_upload_then_confirm_imports(roles, client):
    client.force_login(roles.province_hr)
    response = client.post(
        "/admin/transfer/importjob/upload/", {"kind": "positions", "file": upload(position_file("T_A", "T_B"))}
    )
    assert response.status_code == 302
    report_url = response["Location"]
    page = client.get(report_url).content.decode()
    assert "Xác nhận nhập 2 dòng" in page and "2 thêm mới" in page
    assert not JobPosition.objects.filter(code="T_A").exists()
    job = ImportJob.objects.get()
    confirmed = client.post(f"/admin/transfer/importjob/{job.pk}/confirm/", follow=True)
    assert confirmed.status_code == 200 and "Đã nhập xong 2 dòng." in confirmed.content.decode()
    assert JobPosition.objects.filter(code__in=["T_A", "T_B"]).count() == 2
    status = client.get(f"/admin/transfer/importjob/{job.pk}/status/").json()
    assert (status["status"], status["percent"], status["processed_rows"]) == ("DONE", 100, 2)


def test_desk_shows_a_progress_bar_that_polls_the_status_while_running(roles, client):
    job = ImportJob.objects.create(kind="positions", created_by=roles.hr, status=ImportStatus.RUNNING, total_rows=500)
    client.force_login(roles.hr)
    page = client.get(f"/admin/transfer/importjob/{job.pk}/report/").content.decode()
    assert 'id="import-progress-bar"' in page
    assert re.search(rf'data-url="/admin/transfer/importjob/{job.pk}/status/"', page)


def test_desk_jobs_list_and_detail_are_scoped_to_their_uploader(roles, client):
    job = ImportJob.objects.create(kind="positions", created_by=roles.hr, status=ImportStatus.DONE)
    client.force_login(roles.hr)
    assert client.get("/admin/transfer/importjob/").status_code == 200
    assert client.get(f"/admin/transfer/importjob/{job.pk}/change/").status_code == 302
    client.force_login(roles.head)
    assert client.get(f"/admin/transfer/importjob/{job.pk}/report/").status_code == 404
    assert client.get(f"/admin/transfer/importjob/{job.pk}/status/").status_code == 404


def test_desk_export_page_and_download_for_any_desk_user(roles, client):
    client.force_login(roles.head)
    page = client.get("/admin/transfer/importjob/export/")
    assert page.status_code == 200 and "Tải tệp Excel" in page.content.decode()
    download = client.get("/admin/transfer/importjob/export/officials/")
    assert download["Content-Type"] == XLSX
    assert sorted(row[0] for row in read_xlsx(download.content)["Cán bộ"][1:]) == ["T0001", "T0002", "T0003", "T0004"]
