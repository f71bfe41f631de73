"""Custom fields added by an HR admin flow through Excel import and export (SPEC 7)."""

import pytest

from tests.factories.reports import make_field, set_custom
from tests.factories.xlsx import OFFICIAL_HEADERS, POSITION_HEADERS, read_xlsx, xlsx
from thanhhoa_kpi.organization.models import JobPosition, Official
from thanhhoa_kpi.transfer import services
from thanhhoa_kpi.transfer.report import ImportInvalid

pytestmark = pytest.mark.django_db


def official_row(code, name, *custom):
    return [code, name, "15/03/1990", "Nữ", f"{code.lower()}@example.vn", "0912345678", "CONG_CHUC",
            "T_PHONG_A", "T_CV", "Không giữ chức vụ", "Văn hóa", "01/02/2026", *custom]  # fmt: skip


@pytest.fixture
def fields(cast):
    make_field("trinh_do", "select", label="Trình độ lý luận", options=["Sơ cấp", "Trung cấp", "Cao cấp"])
    make_field("so_nam", "integer", label="Số năm công tác")
    return cast


def test_custom_columns_are_imported_into_the_custom_object(fields):
    content = xlsx(
        [*OFFICIAL_HEADERS, "Trình độ lý luận", "Số năm công tác"],
        official_row("T0300", "Đinh Thị Yến", "Trung cấp", 12),
    )
    report = services.import_apply(kind="officials", content=content, user=fields.hr)
    assert report.created == 1
    assert Official.objects.get(code="T0300").custom == {"trinh_do": "Trung cấp", "so_nam": 12}


def test_a_bad_custom_value_is_a_row_error_naming_the_column_and_nothing_is_written(fields):
    content = xlsx(
        [*OFFICIAL_HEADERS, "Trình độ lý luận", "Số năm công tác"],
        official_row("T0301", "Mai Văn Đức", "Trung cấp", 3),
        official_row("T0302", "Lò Thị Sen", "Tiến sĩ", "mười"),
    )
    with pytest.raises(ImportInvalid) as caught:
        services.import_apply(kind="officials", content=content, user=fields.hr)
    errors = {(e.field, e.message) for e in caught.value.errors}
    fields_named = {field for field, _message in errors}
    assert any("Dòng 3" in f and "Trình độ lý luận" in f for f in fields_named), errors
    assert any("Dòng 3" in f and "Số năm công tác" in f for f in fields_named), errors
    assert not Official.objects.filter(code__in=["T0301", "T0302"]).exists()


def test_a_required_custom_field_must_be_given_for_a_new_record(fields):
    make_field("ma_ho_so", "text", label="Mã hồ sơ lưu trữ", required=True)
    content = xlsx(OFFICIAL_HEADERS, official_row("T0303", "Vi Văn Tú"))
    with pytest.raises(ImportInvalid) as caught:
        services.import_apply(kind="officials", content=content, user=fields.hr)
    assert any("ma_ho_so" in e.message for e in caught.value.errors)


def test_a_file_without_the_custom_columns_keeps_stored_values(fields):
    set_custom(fields.official_of(fields.official), trinh_do="Cao cấp")
    content = xlsx(OFFICIAL_HEADERS, official_row("T0001", "Nguyễn Văn An"))
    services.import_apply(kind="officials", content=content, user=fields.hr)
    assert Official.objects.get(code="T0001").custom["trinh_do"] == "Cao cấp"


def test_export_writes_custom_columns_and_reimports_unchanged(fields):
    set_custom(fields.official_of(fields.official), trinh_do="Cao cấp", so_nam=20)
    sheet = next(iter(read_xlsx(services.export_rows(kind="officials", user=fields.hr)).values()))
    header = list(sheet[0])
    assert header[-2:] == ["Trình độ lý luận", "Số năm công tác"]
    row = next(r for r in sheet[1:] if r[0] == "T0001")
    assert (row[-2], row[-1]) == ("Cao cấp", 20)
    before = Official.objects.get(code="T0001").custom
    report = services.import_apply(
        kind="officials", content=services.export_rows(kind="officials", user=fields.hr), user=fields.hr
    )
    assert report.created == 0
    assert Official.objects.get(code="T0001").custom == before


def test_positions_carry_custom_fields_too(fields):
    make_field("nhom_luong", "text", doctype="position", label="Nhóm lương")
    content = xlsx(
        [*POSITION_HEADERS, "Nhóm lương"],
        ["T_KT", "Kế toán", "Hỗ trợ, phục vụ", "Khối chính quyền", "", "Kế toán đơn vị", "A1"],
    )
    services.import_apply(kind="positions", content=content, user=fields.sysadmin)
    assert JobPosition.objects.get(code="T_KT").custom == {"nhom_luong": "A1"}
