"""Custom fields (SPEC 7): every type accepts its values and refuses bad ones in Vietnamese;
definitions are validated, retired not deleted; overrides of built-in fields are checked;
imports and exports get the custom columns."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.factories.reports import make_field
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.customfields import services
from thanhhoa_kpi.customfields.models import FieldDefinition
from thanhhoa_kpi.customfields.types import FIELD_TYPES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def fields(cast):
    """One field of every type on officials."""
    make_field("ghi_chu", "text", label="Ghi chú")
    make_field("qua_trinh", "long_text", label="Quá trình đào tạo")
    make_field("so_nam", "integer", label="Số năm công tác")
    make_field("diem_thuong", "decimal", label="Điểm thưởng")
    make_field("ngay_vao_dang", "date", label="Ngày vào Đảng")
    make_field("nhom", "select", label="Nhóm chuyên môn", options=["Văn hóa", "Thể thao", "Du lịch"])
    make_field("dang_vien", "checkbox", label="Đảng viên")
    make_field("don_vi_kiem_nhiem", "link_unit", label="Đơn vị kiêm nhiệm")
    make_field("nguoi_kem_cap", "link_official", label="Người kèm cặp")
    make_field("quyet_dinh", "attachment", label="Quyết định")
    return cast


def validate(values, instance=None, doctype="official"):
    return services.custom_values_validate(doctype=doctype, values=values, instance=instance)


def errors_of(values, instance=None):
    with pytest.raises(ValidationFailed) as caught:
        validate(values, instance)
    return {e.field: e.message for e in caught.value.errors}


def test_the_type_table_is_the_one_list_of_types():
    assert list(FIELD_TYPES) == [
        "text", "long_text", "integer", "decimal", "date", "select", "checkbox", "link_unit", "link_official",
        "attachment",
    ]  # fmt: skip
    assert FIELD_TYPES["decimal"].label == "Số thập phân"
    assert [c for c, _ in FieldDefinition._meta.get_field("field_type").choices] == list(FIELD_TYPES)


def test_every_type_accepts_its_values_and_stores_json(fields):
    default_storage.save("custom/official/quyet_dinh/qd.pdf", ContentFile(b"%PDF-1.4"))
    stored = validate({
        "ghi_chu": "  Cán bộ trẻ  ", "qua_trinh": "Cử nhân Luật\nThạc sĩ Hành chính công", "so_nam": "12",
        "diem_thuong": "81,50", "ngay_vao_dang": "15/03/2016", "nhom": "văn hóa", "dang_vien": "Có",
        "don_vi_kiem_nhiem": "T_PHONG_A", "nguoi_kem_cap": "T0004",
        "quyet_dinh": "custom/official/quyet_dinh/qd.pdf",
    })  # fmt: skip
    head = fields.official_of(fields.head)
    assert stored == {
        "ghi_chu": "Cán bộ trẻ", "qua_trinh": "Cử nhân Luật\nThạc sĩ Hành chính công", "so_nam": 12,
        "diem_thuong": "81.50", "ngay_vao_dang": "2016-03-15", "nhom": "Văn hóa", "dang_vien": True,
        "don_vi_kiem_nhiem": fields.team.pk, "nguoi_kem_cap": head.pk,
        "quyet_dinh": "custom/official/quyet_dinh/qd.pdf",
    }  # fmt: skip
    again = validate({"so_nam": 12.0, "diem_thuong": 7, "ngay_vao_dang": "2016-03-15", "dang_vien": False,
                      "don_vi_kiem_nhiem": fields.team.pk, "nguoi_kem_cap": str(head.pk)})  # fmt: skip
    assert again["so_nam"] == 12 and again["diem_thuong"] == "7" and again["dang_vien"] is False
    assert again["nguoi_kem_cap"] == head.pk


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("ghi_chu", True, "Phải là chuỗi ký tự."),
        ("ghi_chu", {"a": 1}, "Phải là chuỗi ký tự."),
        ("ghi_chu", "x" * 256, "Tối đa 255 ký tự."),
        ("qua_trinh", "x" * 10_001, "Tối đa 10.000 ký tự."),
        ("so_nam", "1,5", "Phải là số nguyên."),
        ("so_nam", "mười", "Phải là số nguyên."),
        ("so_nam", 1.5, "Phải là số nguyên."),
        ("so_nam", True, "Phải là số nguyên."),
        ("so_nam", 10**16, "Phải là số nguyên."),
        ("diem_thuong", "tám mươi", "Phải là số (ví dụ 81,50)."),
        ("diem_thuong", "NaN", "Số quá lớn hoặc không hợp lệ."),
        ("diem_thuong", "1e20", "Số quá lớn hoặc không hợp lệ."),
        ("diem_thuong", [1], "Phải là số."),
        ("ngay_vao_dang", "31/02/2026", "Ngày không hợp lệ (dd/mm/yyyy)."),
        ("ngay_vao_dang", "2026-13-01", "Ngày không hợp lệ (dd/mm/yyyy)."),
        ("ngay_vao_dang", 20260101, "Ngày không hợp lệ (dd/mm/yyyy)."),
        ("nhom", "Bóng đá", "Giá trị «Bóng đá» không nằm trong các lựa chọn: Văn hóa, Thể thao, Du lịch."),
        ("nhom", ["Văn hóa"], "Phải là một trong các lựa chọn."),
        ("dang_vien", "có lẽ", "Phải là Có hoặc Không (true/false)."),
        ("dang_vien", 2, "Phải là Có hoặc Không (true/false)."),
        ("don_vi_kiem_nhiem", "KHONG_CO", "Không có đơn vị có mã hoặc số hiệu «KHONG_CO»."),
        ("don_vi_kiem_nhiem", 987654321, "Không có đơn vị có mã hoặc số hiệu «987654321»."),
        ("don_vi_kiem_nhiem", 1.5, "Phải là số hiệu hoặc mã đơn vị."),
        ("nguoi_kem_cap", "T9999", "Không có cán bộ có mã hoặc số hiệu «T9999»."),
        ("quyet_dinh", "../../etc/passwd", "Tệp đính kèm không hợp lệ."),
        ("quyet_dinh", "custom/official/khong-co.pdf", "Tệp đính kèm không tồn tại."),
        ("khong_ton_tai", "x", "Trường tùy biến không tồn tại hoặc đã ngừng sử dụng."),
    ],
)
def test_each_bad_value_is_refused_naming_custom_key(fields, key, value, message):
    assert errors_of({key: value}) == {f"custom.{key}": message}


def test_all_bad_values_are_reported_at_once(fields):
    errors = errors_of({"so_nam": "x", "nhom": "y", "ngay_vao_dang": "z", "la": 1})
    assert set(errors) == {"custom.so_nam", "custom.nhom", "custom.ngay_vao_dang", "custom.la"}


def test_values_must_be_an_object(fields):
    assert errors_of(["nhom"]) == {"custom": "Phải là một đối tượng {mã trường: giá trị}."}


def test_required_fields_defaults_partial_updates_and_clearing(cast):
    make_field("ma_ngach", "text", label="Mã ngạch", required=True)
    make_field("hang", "select", options=["I", "II", "III"], default="III")
    make_field("ghi_chu", "text")
    assert errors_of({"ghi_chu": "a"}) == {"custom.ma_ngach": "Trường này là bắt buộc."}
    assert errors_of({"ma_ngach": "  "}) == {"custom.ma_ngach": "Trường này là bắt buộc."}
    created = validate({"ma_ngach": "01.003", "ghi_chu": "a"})
    assert created == {"ma_ngach": "01.003", "hang": "III", "ghi_chu": "a"}  # default filled on creation
    official = cast.official_of(cast.official)
    official.custom = created
    official.save()
    assert validate({"ghi_chu": None}, official) == {"ma_ngach": "01.003", "hang": "III"}  # null clears, rest kept
    assert validate({}, official) == created
    assert errors_of({"ma_ngach": ""}, official) == {"custom.ma_ngach": "Trường này là bắt buộc."}


def test_a_retired_field_refuses_new_values_but_keeps_the_old_ones(cast):
    field = make_field("cu", "text")
    official = cast.official_of(cast.official)
    official.custom = validate({"cu": "giá trị cũ"}, official)
    official.save()
    services.field_definition_retire(by=SYSTEM, definition=field)
    assert FieldDefinition.objects.get(pk=field.pk).active is False  # retired, not deleted
    assert errors_of({"cu": "mới"}, official) == {"custom.cu": "Trường tùy biến không tồn tại hoặc đã ngừng sử dụng."}
    assert validate({}, official) == {"cu": "giá trị cũ"}


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"key": "Nhom Chuyen Mon"},
            "key",
            "Mã trường chỉ gồm chữ thường không dấu, chữ số, dấu gạch dưới (tối đa 50).",
        ),
        ({"key": "in"}, "key", "Mã trường «in» trùng từ khóa của hệ thống; hãy chọn mã khác."),
        ({"label": " "}, "label", "Cần nhập nhãn."),
        ({"field_type": "color"}, "field_type", "Kiểu dữ liệu «color» không hỗ trợ."),
        ({"doctype": "car"}, "doctype", "Loại tài liệu «car» không hỗ trợ trường tùy biến."),
        ({"field_type": "select"}, "options", "Cần ít nhất một lựa chọn."),
        ({"field_type": "select", "options": ["A", "a"]}, "options", "Các lựa chọn bị trùng nhau."),
        ({"options": ["A"]}, "options", "Chỉ kiểu «Lựa chọn» mới có các lựa chọn."),
        ({"field_type": "integer", "default": "x"}, "default", "Phải là số nguyên."),
        ({"field_type": "attachment", "default": "a"}, "default", "Tệp đính kèm không có giá trị mặc định."),
    ],
)
def test_bad_definitions_are_refused(cast, kwargs, field, message):
    base = {"doctype": "official", "key": "truong_moi", "label": "Trường mới", "field_type": "text"}
    with pytest.raises(ValidationFailed) as caught:
        services.field_definition_create(by=SYSTEM, **{**base, **kwargs})
    assert (field, message) in [(e.field, e.message) for e in caught.value.errors]
    assert not FieldDefinition.objects.exists()


def test_keys_are_unique_per_doctype_and_fixed_after_creation(cast):
    field = make_field("nhom", "text")
    make_field("nhom", "text", doctype="position")  # another doctype may reuse the key
    with pytest.raises(ValidationFailed) as caught:
        make_field("nhom", "integer")
    assert caught.value.errors[0].message == "Mã trường «nhom» đã tồn tại."
    with pytest.raises(ValidationFailed) as caught:
        services.field_definition_update(by=SYSTEM, definition=field, field_type="integer")
    assert caught.value.errors[0].field == "field_type"
    updated = services.field_definition_update(by=SYSTEM, definition=field, label="Nhóm mới", show_in_list=True)
    assert (updated.label, updated.show_in_list, updated.history.count()) == ("Nhóm mới", True, 2)


def test_fields_are_ordered_and_reordered(cast):
    a, b, c = make_field("a1", "text"), make_field("b1", "text"), make_field("c1", "text")
    assert [a.order, b.order, c.order] == [10, 20, 30]
    services.field_definition_reorder(by=SYSTEM, doctype="official", keys=["c1", "a1"])
    assert list(FieldDefinition.objects.filter(doctype="official").values_list("key", flat=True)) == ["c1", "a1", "b1"]
    with pytest.raises(ValidationFailed):
        services.field_definition_reorder(by=SYSTEM, doctype="official", keys=["zz"])


def test_builtin_overrides_cannot_unrequire_or_hide_mandatory_fields(cast):
    with pytest.raises(ValidationFailed) as caught:
        services.builtin_override_set(by=SYSTEM, doctype="official", field_name="full_name", required=False)
    assert caught.value.errors[0].message == "Trường này bắt buộc theo quy định, không thể bỏ bắt buộc."
    with pytest.raises(ValidationFailed) as caught:
        services.builtin_override_set(by=SYSTEM, doctype="official", field_name="code", hidden=True)
    assert caught.value.errors[0].message == "Không thể ẩn một trường bắt buộc."
    with pytest.raises(ValidationFailed):
        services.builtin_override_set(by=SYSTEM, doctype="official", field_name="khong_co")
    override = services.builtin_override_set(
        by=SYSTEM, doctype="official", field_name="phone", label="Số di động", required=True
    )
    assert (override.label, override.required, override.hidden) == ("Số di động", True, False)
    assert (
        services.builtin_override_set(by=SYSTEM, doctype="official", field_name="phone", hidden=True).pk == override.pk
    )


def test_imports_and_exports_get_the_custom_columns(fields):
    headers = [h for h, _k in services.custom_columns("official")]
    assert headers[:3] == ["Ghi chú", "Quá trình đào tạo", "Số năm công tác"]
    assert "Quyết định" not in headers  # attachments do not travel in spreadsheets
    values, errors = services.custom_values_from_row(
        "official",
        {"Mã CBCCVC": "T0001", "số năm công tác": 12.0, "Nhóm chuyên môn *": "Thể thao",
         "Ngày vào Đảng": date(2016, 3, 15), "Đơn vị kiêm nhiệm": "T_PHONG_A", "Đảng viên": "", "Điểm thưởng": "abc"},
    )  # fmt: skip
    assert values == {"so_nam": 12, "nhom": "Thể thao", "ngay_vao_dang": "2016-03-15",
                      "don_vi_kiem_nhiem": fields.team.pk, "dang_vien": None}  # fmt: skip
    assert [(e.field, e.message) for e in errors] == [("Điểm thưởng", "Phải là số (ví dụ 81,50).")]
    head = fields.official_of(fields.head)
    stored = {"nhom": "Văn hóa", "don_vi_kiem_nhiem": fields.team.pk, "nguoi_kem_cap": head.pk,
              "ngay_vao_dang": "2016-03-15"}  # fmt: skip
    cells = services.custom_cells("official", [stored, {}])
    assert cells[0][4:9] == [date(2016, 3, 15), "Văn hóa", None, "T_PHONG_A", "T0004"]
    assert cells[1] == [None] * 9
    assert dict(services.custom_display("official", {"diem_thuong": "81.5", "dang_vien": True}, host=None)) == {
        **{label: "" for label, _k in services.custom_columns("official")},
        "Điểm thưởng": "81,50",
        "Đảng viên": "Có",
    }
