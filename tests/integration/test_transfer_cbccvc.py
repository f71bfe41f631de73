"""The national CBCCVC database (issue 15, item 3): its export of officials and postings is
compared with the database and every difference listed before the HR admin confirms;
rows with errors are named by row and column in Vietnamese and block applying; applying
is one transaction; a second identical import changes nothing."""

from datetime import date

import pytest

from tests.factories.xlsx import read_xlsx, xlsx
from thanhhoa_kpi.core.errors import Conflict, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import Official, OfficialAssignment
from thanhhoa_kpi.transfer import services, workbook
from thanhhoa_kpi.transfer.models import ImportStatus
from thanhhoa_kpi.transfer.report import ImportInvalid
from thanhhoa_kpi.transfer.specs import CBCCVC

pytestmark = pytest.mark.django_db

HEADERS = [
    "Mã CBCCVC", "Họ và tên", "Ngày sinh", "Giới tính", "Thư điện tử", "Điện thoại", "Đối tượng", "Mã đơn vị",
    "Mã vị trí việc làm", "Chức vụ lãnh đạo", "Từ ngày", "Đến ngày",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _private(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def row(code, name, unit="T_PHONG_A", position="T_CV", start="01/01/2026", end=None, role="Không giữ chức vụ"):
    return [code, name, None, None, None, None, "Công chức", unit, position, role, start, end]


def team_as_stored():
    """The team T_PHONG_A as the cast stores it, in the national layout."""
    return [
        row("T0001", "Nguyễn Văn An"),
        row("T0002", "Trần Thị Bình"),
        row("T0003", "Lê Văn Cường", position="T_TP", role="Cấp phó"),
        row("T0004", "Phạm Thị Dung", position="T_TP", role="Người đứng đầu"),
    ]


def team_moved():
    """An renamed and made deputy in June; Cường moved to T_CV in July (his old posting not
    listed); a newcomer; Dung absent; Bình unchanged."""
    return [
        row("T0001", "Nguyễn Văn Ân", end="31/05/2026"),
        row("T0001", "Nguyễn Văn Ân", position="T_TP", start="01/06/2026", role="Cấp phó"),
        row("T0002", "Trần Thị Bình"),
        row("T0003", "Lê Văn Cường", start="01/07/2026"),
        row("T9001", "Đỗ Thị Hoa", start="15/09/2026"),
    ]


def snapshot():
    return {
        "officials": sorted(Official.objects.values_list("code", "full_name")),
        "postings": sorted(
            OfficialAssignment.objects.values_list(
                "official__code", "unit__code", "position__code", "leadership_role", "start_date", "end_date"
            )
        ),
        "history": Official.history.count() + OfficialAssignment.history.count(),
    }


def diffs(report_or_job):
    found = report_or_job.differences
    items = [d if isinstance(d, dict) else d.as_dict() for d in found]
    return [(d["kind"], d["code"], d["subject"], d["old"], d["new"]) for d in items]


# --- the template ------------------------------------------------------------------------------
def test_the_template_has_the_vietnamese_headers_and_a_guide():
    sheets = read_xlsx(services.export_template(kind="cbccvc"))
    assert list(sheets["CSDL CBCCVC"][0]) == HEADERS
    guide = sheets["Hướng dẫn"]
    assert ("CSDL CBCCVC", "Đến ngày", None, "Ngày") == guide[-1][:4]


def test_an_export_in_the_template_round_trips_as_xlsx_and_csv_without_a_difference(cast):
    exported = services.export_rows(kind="cbccvc", user=cast.province_hr)
    rows = read_xlsx(exported)["CSDL CBCCVC"]
    assert list(rows[0]) == HEADERS
    assert [r[0] for r in rows[1:]] == ["T0001", "T0002", "T0003", "T0004", "T0005", "T0006"]
    as_csv = workbook.write_csv(CBCCVC.main, services.HANDLERS["cbccvc"].export(cast.province_hr)["CSDL CBCCVC"])
    assert as_csv.decode("utf-8-sig").splitlines()[1].startswith("T0001,Nguyễn Văn An,,,,,Công chức,T_PHONG_A,T_CV,")
    for content in (exported, as_csv):
        report = services.import_validate(kind="cbccvc", content=content, user=cast.province_hr)
        assert report.ok, report.error_dicts()
        assert (report.rows, report.created, report.updated, report.unchanged) == (6, 0, 0, 6)
        assert report.differences == []


def test_a_csv_with_semicolons_reads_like_the_workbook(cast):
    lines = [";".join(HEADERS)] + [";".join("" if v is None else str(v) for v in r) for r in team_moved()]
    content = ("\ufeff" + "\r\n".join(lines)).encode("utf-8")
    from_csv = services.import_validate(kind="cbccvc", content=content, user=cast.hr)
    from_xlsx = services.import_validate(kind="cbccvc", content=xlsx(HEADERS, *team_moved()), user=cast.hr)
    assert from_csv.ok and diffs(from_csv) == diffs(from_xlsx)


def test_a_csv_not_in_utf8_is_refused_in_vietnamese(cast):
    content = "\r\n".join([",".join(HEADERS), "T0001,Nguyễn Văn An"]).encode("cp1258", errors="replace")
    report = services.import_validate(kind="cbccvc", content=content, user=cast.hr)
    assert [e.message for e in report.errors] == [
        "Tệp CSV phải lưu với bảng mã UTF-8 (trong Excel: «CSV UTF-8»), hoặc tải lên tệp .xlsx."
    ]


# --- the difference report ----------------------------------------------------------------------
def test_the_report_lists_new_changed_ended_and_missing_before_anything_is_written(cast):
    before = snapshot()
    report = services.import_validate(kind="cbccvc", content=xlsx(HEADERS, *team_moved()), user=cast.hr)
    assert report.ok, report.error_dicts()
    assert diffs(report) == [
        ("changed", "T0001", "Họ và tên", "Nguyễn Văn An", "Nguyễn Văn Ân"),
        ("ended_posting", "T0001", "T_PHONG_A – Chuyên viên, từ 01/01/2026: Đến ngày", "đang công tác", "31/05/2026"),
        ("new_posting", "T0001", "T_PHONG_A – Trưởng phòng, từ 01/06/2026", "", "01/06/2026 – đang công tác"),
        ("ended_posting", "T0003", "T_PHONG_A – Trưởng phòng, từ 01/01/2026: Đến ngày", "đang công tác", "30/06/2026"),
        ("new_posting", "T0003", "T_PHONG_A – Chuyên viên, từ 01/07/2026", "", "01/07/2026 – đang công tác"),
        ("new_official", "T9001", "", "", ""),
        ("new_posting", "T9001", "T_PHONG_A – Chuyên viên, từ 15/09/2026", "", "15/09/2026 – đang công tác"),
        ("missing", "T0004", "T_PHONG_A – Phòng Văn hóa - Xã hội A", "đang công tác", ""),
    ]
    assert [d.row for d in report.differences] == [2, 2, 3, 5, 5, 6, 6, None]
    assert (report.rows, report.created, report.updated, report.unchanged) == (5, 3, 1, 1)
    assert snapshot() == before


def test_applying_writes_the_differences_and_a_second_identical_import_changes_nothing(cast):
    content = xlsx(HEADERS, *team_moved())
    job = services.import_job_create(kind="cbccvc", content=content, filename="cbccvc.xlsx", user=cast.hr)
    assert job.status == ImportStatus.PENDING and len(job.differences) == 8
    job = services.import_job_confirm(job=job, user=cast.hr)
    assert job.status == ImportStatus.DONE, job.errors
    postings = snapshot()["postings"]
    assert ("T0001", "T_PHONG_A", "T_CV", "NONE", date(2026, 1, 1), date(2026, 5, 31)) in postings
    assert ("T0001", "T_PHONG_A", "T_TP", "DEPUTY", date(2026, 6, 1), None) in postings
    assert ("T0003", "T_PHONG_A", "T_TP", "DEPUTY", date(2026, 1, 1), date(2026, 6, 30)) in postings
    assert ("T9001", "T_PHONG_A", "T_CV", "NONE", date(2026, 9, 15), None) in postings
    assert ("T0004", "T_PHONG_A", "T_TP", "HEAD", date(2026, 1, 1), None) in postings  # missing: left alone
    assert Official.objects.get(code="T0001").full_name == "Nguyễn Văn Ân"
    after = snapshot()
    again = services.import_job_create(kind="cbccvc", content=content, filename="cbccvc.xlsx", user=cast.hr)
    assert (again.created_rows, again.updated_rows, again.unchanged_rows) == (0, 0, 5)
    assert [d[0] for d in diffs(again)] == ["missing"]
    services.import_job_confirm(job=again, user=cast.hr)
    assert snapshot() == after


def test_a_stored_open_posting_without_a_later_one_in_the_file_is_listed_and_kept(cast):
    rows = [*team_as_stored()[:3], row("T0004", "Phạm Thị Dung", start="01/01/2025", end="31/12/2025")]
    report = services.import_validate(kind="cbccvc", content=xlsx(HEADERS, *rows), user=cast.hr)
    assert diffs(report) == [
        ("not_in_file", "T0004", "T_PHONG_A – Trưởng phòng, từ 01/01/2026", "đang công tác", "đang công tác"),
        ("new_posting", "T0004", "T_PHONG_A – Chuyên viên, từ 01/01/2025", "", "01/01/2025 – 31/12/2025"),
    ]


# --- errors ---------------------------------------------------------------------------------------
def test_row_errors_name_the_row_and_the_column_in_vietnamese_and_block_applying(cast):
    rows = [
        row("T0001", "Nguyễn Văn An", unit="T_KHONG_CO"),
        row("T0002", "Trần Thị Bình", start="31/02/2026"),
        row("T0003", "Lê Văn Cường", start="01/03/2026", end="01/02/2026"),
        row("T0004", "Phạm Thị Dung", position="T_TP", role="Người đứng đầu"),
        row("T0004", "Phạm Thị Dũng", start="01/01/2025", end="31/12/2025"),
        row("T9001", "Đỗ Thị Hoa", start="01/01/2026"),
        row("T9001", "Đỗ Thị Hoa", start="01/02/2026", position="T_TP"),
        row("T0006", "Vũ Thị Giang", unit="T_PHONG_B"),
        row("T9002", "Ngô Văn Khánh", position="T_KHONG_CO"),
        row("T9003", "Mai Văn Lộc", unit="T_PHONG_B"),
    ]
    before = snapshot()
    content = xlsx(HEADERS, *rows)
    with pytest.raises(ImportInvalid) as raised:
        services.import_apply(kind="cbccvc", content=content, user=cast.hr)
    errors = [(e.row, e.column, e.message) for e in raised.value.report.sorted_errors()]
    assert errors == [
        (2, "Mã đơn vị", "Không tìm thấy đơn vị có mã «T_KHONG_CO»."),
        (3, "Từ ngày", "Ngày «31/02/2026» không hợp lệ; cần dạng dd/mm/yyyy (ví dụ 01/09/2026)."),
        (4, "Đến ngày", "Đến ngày phải từ Từ ngày (01/03/2026) trở đi."),
        (6, "Họ và tên", "Khác với dòng 5 của cùng Mã CBCCVC (dòng 5 ghi «Phạm Thị Dung»)."),
        (8, "Đến ngày", "Mỗi cán bộ chỉ có một quá trình công tác đang diễn ra; dòng 7 cũng để trống Đến ngày."),
        (9, "Mã CBCCVC", "Mã CBCCVC «T0006» thuộc về một cán bộ ngoài phạm vi bạn quản lý."),
        (10, "Mã vị trí việc làm", "Không tìm thấy vị trí việc làm có mã «T_KHONG_CO»."),
        (11, "Mã đơn vị", "Bạn không quản lý đơn vị «T_PHONG_B»."),
    ]
    assert raised.value.errors[0].field == "Dòng 2, cột Mã đơn vị"
    assert snapshot() == before
    job = services.import_job_create(kind="cbccvc", content=content, filename="loi.xlsx", user=cast.hr)
    assert job.status == ImportStatus.FAILED and len(job.errors) == 8
    with pytest.raises(Conflict):
        services.import_job_confirm(job=job, user=cast.hr)
    assert snapshot() == before


def test_a_failure_while_writing_leaves_nothing_half_written(cast, monkeypatch):
    content = xlsx(HEADERS, *team_moved())
    job = services.import_job_create(kind="cbccvc", content=content, filename="cbccvc.xlsx", user=cast.hr)
    before = snapshot()
    real, calls = org.assignment_save, []

    def fails_on_the_fourth(**kwargs):
        calls.append(kwargs)
        if len(calls) == 4:
            raise ValidationFailed("Dữ liệu không hợp lệ.", [])
        return real(**kwargs)

    monkeypatch.setattr(org, "assignment_save", fails_on_the_fourth)
    job = services.import_job_confirm(job=job, user=cast.hr)
    assert job.status == ImportStatus.FAILED and len(calls) == 4
    assert job.errors[0]["row"] == 5
    assert snapshot() == before


def test_nobody_changes_their_own_postings_through_the_file(cast):
    from thanhhoa_kpi.accounts.models import RoleGrant

    RoleGrant.objects.create(user=cast.head, role="HR_ADMIN", unit=cast.ward)
    rows = [*team_as_stored()[:3], row("T0004", "Phạm Thị Dung", position="T_TP", role="Cấp phó")]
    report = services.import_validate(kind="cbccvc", content=xlsx(HEADERS, *rows), user=cast.head)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (5, "Mã đơn vị", "Không ai được tự thay đổi quá trình công tác của chính mình.")
    ]


@pytest.mark.parametrize("persona", ["official", "head", "authority", "viewer", "outsider"])
def test_only_hr_and_system_admins_import(cast, persona):
    with pytest.raises(PermissionRefused):
        services.import_validate(kind="cbccvc", content=xlsx(HEADERS, *team_as_stored()), user=getattr(cast, persona))


@pytest.mark.parametrize("persona", ["hr", "province_hr", "sysadmin"])
def test_hr_admins_and_system_admins_check_a_file(cast, persona):
    report = services.import_validate(
        kind="cbccvc", content=xlsx(HEADERS, *team_as_stored()), user=getattr(cast, persona)
    )
    assert report.ok and report.unchanged == 4
