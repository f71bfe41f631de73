"""Excel imports (SPEC 9): every row checked first, every error named by row and column,
nothing written when any row fails, scope enforced per row, progress recorded."""

from datetime import date

import django_rq
import pytest
from django.core.management import call_command
from redis import Redis
from rq import Queue

from tests.factories.xlsx import (
    COMPETENCY_HEADERS,
    OFFICIAL_HEADERS,
    POSITION_HEADERS,
    REQUIREMENT_HEADERS,
    UNIT_HEADERS,
    xlsx,
    xlsx_sheets,
)
from thanhhoa_kpi.competencies.models import Competency, CompetencyFramework, PositionRequirement, ProficiencyLevel
from thanhhoa_kpi.core.errors import PermissionRefused
from thanhhoa_kpi.core.models import OutboxJob
from thanhhoa_kpi.organization.models import JobPosition, Official, OfficialAssignment, OrgUnit
from thanhhoa_kpi.organization.services import org_unit_create
from thanhhoa_kpi.transfer import services
from thanhhoa_kpi.transfer.models import ImportJob, ImportStatus
from thanhhoa_kpi.transfer.report import ImportInvalid

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_and_private(settings, tmp_path):
    # Password hashing dominates building the cast; uploads go to a throwaway folder.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")


def counts():
    return {
        "units": OrgUnit.objects.count(),
        "officials": Official.objects.count(),
        "assignments": OfficialAssignment.objects.count(),
        "positions": JobPosition.objects.count(),
        "competencies": Competency.objects.count(),
        "requirements": PositionRequirement.objects.count(),
    }


def where(report):
    """(row, column) of every error, in report order."""
    return [(e.row, e.column) for e in report.sorted_errors()]


def assert_refused_unchanged(kind, content, user, expected):
    """The check lists exactly ``expected`` and applying writes nothing."""
    before = counts()
    report = services.import_validate(kind=kind, content=content, user=user)
    assert where(report) == expected, report.error_dicts()
    with pytest.raises(ImportInvalid) as raised:
        services.import_apply(kind=kind, content=content, user=user)
    assert [(e.row, e.column) for e in raised.value.report.sorted_errors()] == expected
    assert counts() == before
    return report


def unit_row(code, name, parent="T_PHUONG_A", **extra):
    row = [code, name, "", "Khối chính quyền", "Cấp xã", "Phòng", parent, None, None]
    for index, value in extra.items():
        row[int(index[1:])] = value
    return row


def official_row(code, name, unit="T_PHONG_A", position="T_CV", start="01/02/2026", **extra):
    row = [code, name, "15/03/1990", "Nữ", f"{code.lower()}@example.vn", "0912345678", "CONG_CHUC",
           unit, position, "Không giữ chức vụ", "Văn hóa; Du lịch", start]  # fmt: skip
    for index, value in extra.items():
        row[int(index[1:])] = value
    return row


# --- valid imports ------------------------------------------------------------------------------
def test_a_valid_unit_file_creates_units_with_children_listed_before_parents(cast):
    content = xlsx(
        UNIT_HEADERS,
        unit_row("T_TO_1", "Tổ 1", parent="T_PHONG_MOI"),
        unit_row("T_PHONG_MOI", "Phòng mới", parent="T_PHUONG_A", c5="PHONG"),
        ["T_PHONG_A", "Phòng Văn hóa - Xã hội A", "", "CHINH_QUYEN", "XA", "PHONG", "T_PHUONG_A", None, None],
    )
    report = services.import_apply(kind="org_units", content=content, user=cast.hr)
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 2, 0, 1)
    child = OrgUnit.objects.get(code="T_TO_1")
    parent = OrgUnit.objects.get_parent(child)
    assert parent.code == "T_PHONG_MOI"
    assert OrgUnit.objects.get_parent(parent).code == "T_PHUONG_A"
    assert child.bloc == "CHINH_QUYEN" and child.level == "XA"


def test_a_valid_officials_file_creates_officials_with_their_postings(cast):
    content = xlsx(
        OFFICIAL_HEADERS,
        official_row("T0100", "Đỗ Thị Hoa"),
        official_row("T0101", "Ngô Văn Ích", position="T_TP", c9="DEPUTY", c6="Viên chức", c3="NAM"),
    )
    report = services.import_apply(kind="officials", content=content, user=cast.hr)
    assert (report.created, report.updated) == (2, 0)
    hoa = Official.objects.get(code="T0100")
    assert (hoa.full_name, hoa.birth_date, hoa.gender, hoa.category) == (
        "Đỗ Thị Hoa",
        date(1990, 3, 15),
        "NU",
        "CONG_CHUC",
    )
    posting = hoa.assignments.get()
    assert (posting.unit, posting.position.code, posting.start_date) == (cast.team, "T_CV", date(2026, 2, 1))
    assert posting.fields_in_charge == ["Văn hóa", "Du lịch"] and posting.leadership_role == "NONE"
    ich = Official.objects.get(code="T0101")
    assert (ich.category, ich.gender, ich.assignments.get().leadership_role) == ("VIEN_CHUC", "NAM", "DEPUTY")


def test_another_unit_is_a_transfer_that_keeps_the_history(cast):
    new_team = org_unit_create(
        by=cast.hr, parent=cast.ward, code="T_PHONG_C", name="Phòng C", bloc="CHINH_QUYEN", level="XA", kind="PHONG"
    )
    content = xlsx(OFFICIAL_HEADERS, official_row("T0001", "Nguyễn Văn An", unit="T_PHONG_C", start="01/03/2026"))
    report = services.import_apply(kind="officials", content=content, user=cast.hr)
    assert report.updated == 1
    old, new = OfficialAssignment.objects.filter(official__code="T0001").order_by("start_date")
    assert old.unit == cast.team and old.end_date == date(2026, 2, 28)
    assert new.unit == new_team and new.end_date is None and new.start_date == date(2026, 3, 1)


def test_positions_accept_codes_or_labels_and_upsert_by_code(cast):
    content = xlsx(
        POSITION_HEADERS,
        ["T_CV", "Chuyên viên chính", "Chuyên môn, nghiệp vụ", "Khối chính quyền", None, "Tham mưu"],
        ["T_KT", "Kế toán", "CHUYEN_MON_NGHIEP_VU", "CHINH_QUYEN", 3, ""],
    )
    report = services.import_apply(kind="positions", content=content, user=cast.province_hr)
    assert (report.created, report.updated) == (1, 1)
    assert JobPosition.objects.get(code="T_CV").name == "Chuyên viên chính"
    assert JobPosition.objects.get(code="T_KT").professional_level == 3


def test_a_ward_hr_admin_may_neither_change_nor_add_a_bloc_wide_position(cast):
    content = xlsx(
        POSITION_HEADERS,
        ["T_CV", "Chuyên viên chính", "Chuyên môn, nghiệp vụ", "Khối chính quyền", None, "Tham mưu"],
        ["T_DANG_CV", "Chuyên viên Ban Đảng", "CHUYEN_MON_NGHIEP_VU", "DANG", None, ""],
    )
    report = assert_refused_unchanged("positions", content, cast.hr, [(2, "Mã vị trí"), (3, "Khối")])
    messages = [e.message for e in report.sorted_errors()]
    assert messages[0].startswith("Vị trí việc làm «T_CV» thuộc Khối chính quyền dùng chung cho cả khối")
    assert "chỉ quản trị cấp tỉnh hoặc quản trị nhân sự của khối" in messages[1]
    assert JobPosition.objects.get(code="T_CV").name == "Chuyên viên"


def test_a_ward_hr_admin_may_not_import_the_shared_competency_framework(cast):
    content = xlsx_sheets(
        {
            "Năng lực": [COMPETENCY_HEADERS, ["KNL", 1, "Khung", "01/01/2026", "Có", "NL01", "Giao tiếp", "CHUNG"]],
            "Yêu cầu theo vị trí": [REQUIREMENT_HEADERS, ["KNL", 1, "T_CV", "NL01", 3]],
        }
    )
    report = assert_refused_unchanged("competency_frameworks", content, cast.hr, [(2, "Mã khung"), (2, "Mã khung")])
    assert {e.message for e in report.errors} == {
        "Khung năng lực dùng chung toàn tỉnh: chỉ quản trị cấp tỉnh được thêm, sửa, xóa."
    }
    assert CompetencyFramework.objects.count() == 0


def test_competency_frameworks_import_from_two_sheets(cast):
    content = xlsx_sheets(
        {
            "Năng lực": [
                COMPETENCY_HEADERS,
                [
                    "KNL",
                    1,
                    "Khung năng lực chung",
                    "01/01/2026",
                    "Có",
                    "NL01",
                    "Giao tiếp",
                    "Năng lực chung",
                    "Biết",
                    "Hiểu",
                    "Vận dụng",
                    None,
                    None,
                ],
                [
                    "KNL",
                    1,
                    "Khung năng lực chung",
                    "01/01/2026",
                    "Có",
                    "NL02",
                    "Soạn thảo",
                    "CHUYEN_MON",
                    "Cơ bản",
                    None,
                    None,
                    None,
                    None,
                ],
            ],  # fmt: skip
            "Yêu cầu theo vị trí": [REQUIREMENT_HEADERS, ["KNL", 1, "T_CV", "NL01", 3]],
        }
    )
    report = services.import_apply(kind="competency_frameworks", content=content, user=cast.province_hr)
    assert (report.rows, report.created) == (3, 3)
    framework = CompetencyFramework.objects.get(code="KNL", version=1)
    assert framework.competencies.count() == 2
    assert list(ProficiencyLevel.objects.filter(competency__code="NL01").values_list("level", flat=True)) == [1, 2, 3]
    requirement = PositionRequirement.objects.get()
    assert (requirement.position, requirement.competency.code, requirement.required_level) == (cast.position, "NL01", 3)


# --- every error path leaves the database unchanged ---------------------------------------------
def test_a_missing_column_is_reported_on_the_header_row(cast):
    headers = [h for h in UNIT_HEADERS if h != "Khối"]
    content = xlsx(headers, ["T_X", "X", "", "XA", "PHONG", "T_PHUONG_A", None, None])
    assert_refused_unchanged("org_units", content, cast.sysadmin, [(1, "Khối")])


def test_an_unknown_column_is_reported_but_an_ordinal_column_is_accepted(cast):
    content = xlsx(["STT", *UNIT_HEADERS, "Ghi chu"], [1, *unit_row("T_X", "X"), "?"])
    assert_refused_unchanged("org_units", content, cast.sysadmin, [(1, "Ghi chu")])


def test_an_unknown_parent_unit_code(cast):
    content = xlsx(UNIT_HEADERS, unit_row("T_X", "X"), unit_row("T_Y", "Y", parent="KHONG_CO"))
    assert_refused_unchanged("org_units", content, cast.sysadmin, [(3, "Mã đơn vị cấp trên")])


def test_an_unknown_unit_or_position_code_for_an_official(cast):
    content = xlsx(
        OFFICIAL_HEADERS,
        official_row("T0100", "A", unit="KHONG_CO"),
        official_row("T0101", "B", position="KHONG_CO"),
    )
    assert_refused_unchanged("officials", content, cast.hr, [(2, "Mã đơn vị"), (3, "Mã vị trí việc làm")])


def test_a_code_repeated_in_the_file(cast):
    content = xlsx(OFFICIAL_HEADERS, official_row("T0100", "A"), official_row("T0101", "B"), official_row("T0100", "C"))
    report = assert_refused_unchanged("officials", content, cast.hr, [(4, "Mã CBCCVC")])
    assert report.errors[0].message == "Mã «T0100» bị trùng với dòng 2."


def test_a_code_already_used_outside_the_scope(cast):
    """Upsert by code: a code held by a record the importer does not manage is refused."""
    officials = xlsx(OFFICIAL_HEADERS, official_row("T0100", "A"), official_row("T0006", "Trùng mã", unit="T_PHONG_A"))
    report = assert_refused_unchanged("officials", officials, cast.hr, [(3, "Mã CBCCVC")])
    assert "ngoài phạm vi" in report.errors[0].message
    units = xlsx(UNIT_HEADERS, unit_row("T_PHONG_B", "Phòng B đổi tên", parent="T_SO_KHAC"))
    assert_refused_unchanged("org_units", units, cast.hr, [(2, "Mã đơn vị")])
    assert OrgUnit.objects.get(code="T_PHONG_B").name == "Phòng B"


def test_a_bad_date(cast):
    content = xlsx(
        OFFICIAL_HEADERS, official_row("T0100", "A", c2="31/02/1990"), official_row("T0101", "B", start="2026")
    )
    report = assert_refused_unchanged("officials", content, cast.hr, [(2, "Ngày sinh"), (3, "Ngày bắt đầu")])
    assert "dd/mm/yyyy" in report.errors[0].message


def test_text_in_an_integer_column(cast):
    content = xlsx(POSITION_HEADERS, ["T_KT", "Kế toán", "CHUYEN_MON_NGHIEP_VU", "CHINH_QUYEN", "ba", ""])
    report = assert_refused_unchanged("positions", content, cast.province_hr, [(2, "Hạng chức danh nghề nghiệp")])
    assert report.errors[0].message == "Phải là số nguyên, không phải «ba»."


def test_an_integer_out_of_range(cast):
    content = xlsx(POSITION_HEADERS, ["T_KT", "Kế toán", "CHUYEN_MON_NGHIEP_VU", "CHINH_QUYEN", 7, ""])
    assert_refused_unchanged("positions", content, cast.province_hr, [(2, "Hạng chức danh nghề nghiệp")])


def test_an_unknown_choice(cast):
    content = xlsx(UNIT_HEADERS, unit_row("T_X", "X", c3="Khối XYZ"))
    report = assert_refused_unchanged("org_units", content, cast.sysadmin, [(2, "Khối")])
    assert report.errors[0].message.startswith("Giá trị «Khối XYZ» không có trong danh sách: Khối Đảng")


def test_a_blank_required_cell(cast):
    content = xlsx(UNIT_HEADERS, unit_row("T_X", None))
    report = assert_refused_unchanged("org_units", content, cast.sysadmin, [(2, "Tên đơn vị")])
    assert report.errors[0].message == "Không được để trống."


@pytest.mark.parametrize(
    "content",
    [xlsx(UNIT_HEADERS), xlsx(UNIT_HEADERS, [None] * 9, []), xlsx()],
    ids=["header-only", "blank-rows", "no-header"],
)
def test_an_empty_file(cast, content):
    report = assert_refused_unchanged("org_units", content, cast.sysadmin, [(None, "")])
    assert report.errors[0].message.startswith("Tệp không có dòng dữ liệu nào")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Ma don vi;Ten don vi\nT_X;X\n", "Tệp không phải là tệp Excel (.xlsx)."),
        (b"%PDF-1.4 ...", "Tệp không phải là tệp Excel (.xlsx)."),
        (b"PK\x03\x04 not really a zip", "Tệp không phải là tệp Excel (.xlsx) hợp lệ hoặc đã bị hỏng."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64,
            "Tệp Excel 97–2003 (.xls) không được hỗ trợ; hãy lưu lại dưới dạng .xlsx.",
        ),
        (b"", "Tệp rỗng (0 byte)."),
    ],
    ids=["csv", "pdf", "broken-zip", "xls", "zero-bytes"],
)
def test_not_an_excel_file(cast, content, message):
    report = assert_refused_unchanged("org_units", content, cast.sysadmin, [(None, "")])
    assert report.errors[0].message == message


def test_a_zip_that_is_not_a_workbook(cast):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert_refused_unchanged("org_units", buffer.getvalue(), cast.sysadmin, [(None, "")])


def test_a_file_over_the_size_limit(cast, settings):
    settings.IMPORT_MAX_BYTES = 1024
    content = xlsx(UNIT_HEADERS, unit_row("T_X", "X"))
    report = assert_refused_unchanged("org_units", content, cast.sysadmin, [(None, "")])
    assert "lớn hơn mức cho phép" in report.errors[0].message


def test_a_file_with_too_many_rows(cast, settings):
    settings.IMPORT_MAX_ROWS = 2
    content = xlsx(UNIT_HEADERS, unit_row("T_X", "X"), unit_row("T_Y", "Y"), unit_row("T_Z", "Z"))
    report = assert_refused_unchanged("org_units", content, cast.sysadmin, [(None, "")])
    assert report.errors[0].message == "Tệp có quá nhiều dòng (tối đa 2 dòng mỗi lần nhập); hãy chia nhỏ tệp."


def test_a_one_sheet_kind_reads_its_first_sheet_whatever_its_name_but_never_the_guide(cast):
    content = xlsx_sheets(
        {"Hướng dẫn": [["ghi chú"]], "Danh sách": [POSITION_HEADERS, ["T_KT", "Kế toán", "HO_TRO_PHUC_VU", "MTTQ"]]}
    )
    report = services.import_apply(kind="positions", content=content, user=cast.province_hr)
    assert report.created == 1 and JobPosition.objects.get(code="T_KT").bloc == "MTTQ"


def test_every_error_is_listed_and_a_valid_row_is_not_half_written(cast):
    content = xlsx(
        UNIT_HEADERS,
        ["T_PHONG_A", "Tên mới hợp lệ", "", "CHINH_QUYEN", "XA", "PHONG", "T_PHUONG_A", None, None],
        unit_row("T_X", "X", c4="Tỉnh", c7="01/01/2026", c8="31/12/2025"),
        unit_row("T_Y", "Y", parent="T_Y"),
    )
    expected = [(3, "Cấp"), (3, "Hoạt động đến"), (4, "Mã đơn vị cấp trên")]
    assert_refused_unchanged("org_units", content, cast.sysadmin, expected)
    assert OrgUnit.objects.get(code="T_PHONG_A").name == "Phòng Văn hóa - Xã hội A"


def test_the_error_body_names_row_and_column_in_vietnamese(cast):
    content = xlsx(UNIT_HEADERS, unit_row("T_X", "X", parent="KHONG_CO"))
    with pytest.raises(ImportInvalid) as raised:
        services.import_apply(kind="org_units", content=content, user=cast.sysadmin)
    error = raised.value
    assert error.code == "IMPORT_INVALID" and error.http_status == 400
    assert error.message == "Tệp có 1 lỗi; chưa có dữ liệu nào được ghi. Hãy sửa và tải lên lại."
    assert [(e.field, e.message) for e in error.errors] == [
        (
            "Dòng 2, cột Mã đơn vị cấp trên",
            "Không tìm thấy đơn vị cấp trên có mã «KHONG_CO» trong tệp hoặc trong hệ thống.",
        )
    ]


def test_requirement_errors_name_their_sheet(cast):
    content = xlsx_sheets(
        {
            "Năng lực": [COMPETENCY_HEADERS, ["KNL", 1, "Khung", "01/01/2026", "Có", "NL01", "Giao tiếp", "CHUNG"]],
            "Yêu cầu theo vị trí": [REQUIREMENT_HEADERS, ["KNL", 1, "T_CV", "NL09", 3], ["KNL", 1, "T_XX", "NL01", 6]],
        }
    )
    report = assert_refused_unchanged(
        "competency_frameworks", content, cast.province_hr,
        [(2, "Mã năng lực"), (3, "Cấp độ yêu cầu"), (3, "Mã vị trí")],
    )  # fmt: skip
    assert report.sorted_errors()[0].field == "Trang Yêu cầu theo vị trí, dòng 2, cột Mã năng lực"
    assert CompetencyFramework.objects.count() == 0


# --- scope ---------------------------------------------------------------------------------------
def test_an_hr_admin_cannot_import_into_another_units_scope(cast):
    officials = xlsx(OFFICIAL_HEADERS, official_row("T0100", "A"), official_row("T0101", "B", unit="T_PHONG_B"))
    report = assert_refused_unchanged("officials", officials, cast.hr, [(3, "Mã đơn vị")])
    assert report.errors[0].message == "Bạn không quản lý đơn vị «T_PHONG_B»."
    units = xlsx(UNIT_HEADERS, unit_row("T_X", "X", parent="T_SO_KHAC"), unit_row("T_ROOT", "Gốc", parent=None))
    assert_refused_unchanged("org_units", units, cast.hr, [(2, "Mã đơn vị cấp trên"), (3, "Mã đơn vị cấp trên")])


def test_an_hr_admin_cannot_move_an_official_out_of_another_unit(cast):
    content = xlsx(OFFICIAL_HEADERS, official_row("T0006", "Vũ Thị Giang", unit="T_PHONG_A", start="01/03/2026"))
    assert_refused_unchanged("officials", content, cast.hr, [(2, "Mã CBCCVC")])


def test_a_transfer_must_start_after_the_current_posting(cast):
    content = xlsx(OFFICIAL_HEADERS, official_row("T0001", "Nguyễn Văn An", position="T_TP", start="01/01/2026"))
    report = assert_refused_unchanged("officials", content, cast.hr, [(2, "Ngày bắt đầu")])
    assert "01/01/2026" in report.errors[0].message


@pytest.mark.parametrize("persona", ["official", "head", "authority", "viewer"])
def test_only_hr_and_system_admins_may_import(cast, persona):
    content = xlsx(UNIT_HEADERS, unit_row("T_X", "X"))
    with pytest.raises(PermissionRefused):
        services.import_validate(kind="org_units", content=content, user=getattr(cast, persona))


# --- jobs and progress ---------------------------------------------------------------------------
def test_a_small_upload_is_checked_then_runs_inline_on_confirmation(cast):
    content = xlsx(POSITION_HEADERS, ["T_KT", "Kế toán", "CHUYEN_MON_NGHIEP_VU", "CHINH_QUYEN", None, ""])
    job = services.import_job_create(kind="positions", content=content, filename="vi-tri.xlsx", user=cast.province_hr)
    assert (job.status, job.total_rows, job.created_rows) == (ImportStatus.PENDING, 1, 1)
    assert not JobPosition.objects.filter(code="T_KT").exists()
    job = services.import_job_confirm(job=job, user=cast.province_hr)
    assert (job.status, job.processed_rows, job.errors) == (ImportStatus.DONE, 1, [])
    assert JobPosition.objects.filter(code="T_KT").exists()


def test_an_invalid_upload_is_kept_as_failed_with_its_errors(cast):
    content = xlsx(POSITION_HEADERS, ["T_KT", "Kế toán", "?", "CHINH_QUYEN", None, ""])
    job = services.import_job_create(kind="positions", content=content, filename="x.xlsx", user=cast.province_hr)
    assert job.status == ImportStatus.FAILED and not job.file
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "Nhóm vị trí")]


def test_a_large_import_runs_on_rq_and_records_its_progress(cast, monkeypatch, django_capture_on_commit_callbacks):
    seen = []
    publish = services.publish_progress
    monkeypatch.setattr(
        services, "publish_progress", lambda job_id, done, total: seen.append(done) or publish(job_id, done, total)
    )
    rows = [[f"T_P{n:03}", f"Vị trí {n}", "HO_TRO_PHUC_VU", "CHINH_QUYEN", None, ""] for n in range(230)]
    job = services.import_job_create(
        kind="positions", content=xlsx(POSITION_HEADERS, *rows), filename="lon.xlsx", user=cast.province_hr
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = services.import_job_confirm(job=job, user=cast.province_hr)
    assert queued.status == ImportStatus.QUEUED and len(callbacks) == 1
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.processed_rows, job.created_rows) == (ImportStatus.DONE, 230, 230, 230)
    assert seen == [0, 50, 100, 150, 200, 230]
    assert JobPosition.objects.filter(code__startswith="T_P").count() == 230
    assert services.import_job_progress(job)["percent"] == 100


def test_progress_of_a_running_job_comes_from_the_cache(cast):
    job = ImportJob.objects.create(kind="positions", created_by=cast.hr, status=ImportStatus.RUNNING, total_rows=400)
    services.publish_progress(job.pk, 100, 400)
    progress = services.import_job_progress(job)
    assert (progress["processed_rows"], progress["percent"], progress["finished"]) == (100, 25, False)


def test_a_job_is_confirmed_once_and_only_by_its_uploader(cast):
    content = xlsx(POSITION_HEADERS, ["T_KT", "Kế toán", "CHUYEN_MON_NGHIEP_VU", "CHINH_QUYEN", None, ""])
    job = services.import_job_create(kind="positions", content=content, filename="x.xlsx", user=cast.province_hr)
    with pytest.raises(PermissionRefused):
        services.import_job_confirm(job=job, user=cast.sysadmin)
    services.import_job_confirm(job=job, user=cast.province_hr)
    from thanhhoa_kpi.core.errors import Conflict

    with pytest.raises(Conflict):
        services.import_job_confirm(job=job, user=cast.province_hr)
    assert ImportJob.objects.get().status == ImportStatus.DONE


def test_a_large_import_confirmed_while_redis_is_down_waits_in_the_outbox_and_runs_once(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    """Issue 13, item 3: the job is recorded with the QUEUED status and sent when Redis is back."""
    rows = [[f"T_R{n:03}", f"Vị trí {n}", "HO_TRO_PHUC_VU", "CHINH_QUYEN", None, ""] for n in range(230)]
    job = services.import_job_create(
        kind="positions", content=xlsx(POSITION_HEADERS, *rows), filename="lon.xlsx", user=cast.province_hr
    )
    dead = Queue("default", connection=Redis.from_url("redis://127.0.0.1:1/0"), is_async=False)
    with monkeypatch.context() as down:
        down.setattr(django_rq, "get_queue", lambda *args, **kwargs: dead)
        with django_capture_on_commit_callbacks(execute=True):
            services.import_job_confirm(job=job, user=cast.province_hr)
    job.refresh_from_db()
    (waiting,) = OutboxJob.objects.filter(func="thanhhoa_kpi.transfer.jobs.run_import")
    assert (job.status, waiting.sent_at, waiting.kwargs) == (ImportStatus.QUEUED, None, {"import_id": job.pk})
    assert not JobPosition.objects.filter(code__startswith="T_R").exists()
    call_command("outbox_flush")  # Redis is back (RQ_ASYNC=0: the job runs here)
    call_command("outbox_flush")
    job.refresh_from_db()
    assert (job.status, job.created_rows) == (ImportStatus.DONE, 230)
    assert JobPosition.objects.filter(code__startswith="T_R").count() == 230
    assert OutboxJob.objects.get(pk=waiting.pk).sent_at is not None
