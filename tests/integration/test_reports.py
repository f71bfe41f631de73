"""The report builder (SPEC 6): definitions checked in Vietnamese, custom fields as columns,
filters and groups, grouping and aggregation in the database, and always the runner's scope."""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories.reports import make_field, set_custom
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.customfields import services as custom
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.reports.definition import report_definition_validate
from thanhhoa_kpi.reports.services import report_preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(cast):
    make_field("nhom", "select", label="Nhóm chuyên môn", options=["Văn hóa", "Thể thao", "Du lịch"])
    make_field("he_so", "decimal", label="Hệ số phụ cấp")
    make_field("so_nam", "integer", label="Số năm công tác")
    make_field("dang_vien", "checkbox", label="Đảng viên")
    make_field("don_vi_kiem_nhiem", "link_unit", label="Đơn vị kiêm nhiệm")
    values = {
        "official": {"nhom": "Văn hóa", "he_so": "0.5", "so_nam": 3, "dang_vien": True},
        "colleague": {"nhom": "Thể thao", "he_so": "0.3", "so_nam": 5, "don_vi_kiem_nhiem": cast.ward.pk},
        "deputy": {"nhom": "Văn hóa", "he_so": "0.7", "so_nam": 10, "dang_vien": True},
        "head": {"he_so": "1.0", "so_nam": 20, "dang_vien": False},
        "outsider": {"nhom": "Văn hóa", "he_so": "0.9", "so_nam": 8},
    }
    for persona, custom_values in values.items():
        set_custom(cast.official_of(getattr(cast, persona)), **custom_values)
    Official.objects.filter(code="T0002").update(birth_date=date(1990, 5, 1), category="VIEN_CHUC")
    Official.objects.filter(code="T0001").update(birth_date=date(1985, 1, 1))
    return cast


def run(user, **definition):
    return report_preview(definition={"doctype": "official", **definition}, user=user)


def errors_of(definition):
    with pytest.raises(ValidationFailed) as caught:
        report_definition_validate(definition)
    return {e.field: e.message for e in caught.value.errors}


def column(result, key):
    index = [c.key for c in result.columns].index(key)
    return [row[index] for row in result.rows]


@pytest.mark.parametrize(
    ("definition", "field", "message"),
    [
        ({"doctype": "car", "columns": ["x"]}, "doctype", "Loại dữ liệu «car» không có trong trình tạo báo cáo."),
        ({"columns": ["luong"]}, "columns[0]", "Không có trường «luong» trong loại dữ liệu này."),
        ({"columns": []}, "columns", "Chọn ít nhất một cột, một nhóm hoặc một giá trị tổng hợp."),
        ({"columns": ["code"], "filters": [{"field": "category", "op": "gt", "value": "CAN_BO"}]}, "filters[0].op",
         "Toán tử «gt» không dùng được cho trường «Đối tượng» (chỉ: eq, ne, in, isnull)."),
        ({"columns": ["code"], "filters": [{"field": "category", "op": "eq", "value": "Bộ đội"}]}, "filters[0].value",
         "Giá trị «Bộ đội» không nằm trong các lựa chọn của «Đối tượng»: Cán bộ, Công chức, Viên chức, "
         "Hợp đồng lao động."),
        ({"columns": ["code"], "filters": [{"field": "birth_date", "op": "gt", "value": "31/02/1990"}]},
         "filters[0].value", "Ngày không hợp lệ (dd/mm/yyyy)."),
        ({"columns": ["code"], "filters": [{"field": "custom.he_so", "op": "lt", "value": "một"}]},
         "filters[0].value", "Phải là số."),
        ({"columns": ["code"], "filters": [{"field": "custom.so_nam", "op": "between", "value": [1]}]},
         "filters[0].value", "Cần đúng hai giá trị: từ, đến."),
        ({"columns": ["code"], "filters": [{"field": "code", "op": "in", "value": []}]}, "filters[0].value",
         "Cần ít nhất một giá trị."),
        ({"group_by": ["unit"], "aggregates": [{"fn": "sum", "field": "full_name"}]}, "aggregates[0].field",
         "Không tính được «Tổng» của trường «Họ và tên»."),
        ({"group_by": ["unit"], "aggregates": [{"fn": "median"}]}, "aggregates[0].fn",
         "Hàm tổng hợp «median» không hỗ trợ (count, sum, avg, min, max)."),
        ({"columns": ["code"], "aggregates": [{"fn": "count"}]}, "aggregates",
         "Tổng hợp cần «Nhóm theo»; hoặc bỏ chọn các cột để tính tổng toàn bộ."),
        ({"columns": ["code"], "sort": [{"field": "email"}]}, "sort[0].field",
         "Không sắp xếp được theo «email» (chỉ theo cột hoặc nhóm hiển thị)."),
        ({"group_by": ["unit"], "chart": {"type": "radar"}}, "chart.type", "Loại biểu đồ phải là bar, line hoặc pie."),
        ({"group_by": ["unit"], "chart": {"type": "bar", "y": "sum:code"}}, "chart.y",
         "Trục dọc phải là một giá trị tổng hợp (hoặc một cột số)."),
    ],
)  # fmt: skip
def test_bad_definitions_are_refused_in_vietnamese(data, definition, field, message):
    assert errors_of({"doctype": "official", **definition})[field] == message


def test_a_list_shows_builtin_and_custom_columns_with_labels(data):
    result = run(data.head, columns=["code", "full_name", "category", "custom.nhom", "custom.he_so", "custom.dang_vien",
                                     "custom.don_vi_kiem_nhiem", "unit"], sort=[{"field": "code"}])  # fmt: skip
    assert [c.label for c in result.columns] == [
        "Mã CBCCVC", "Họ và tên", "Đối tượng", "Nhóm chuyên môn", "Hệ số phụ cấp", "Đảng viên", "Đơn vị kiêm nhiệm",
        "Đơn vị hiện tại",
    ]  # fmt: skip
    assert result.rows[0] == ["T0001", "Nguyễn Văn An", "Công chức", "Văn hóa", Decimal("0.5"), "Có", None,
                              "Phòng Văn hóa - Xã hội A"]  # fmt: skip
    assert result.rows[1][2] == "Viên chức" and result.rows[1][6] == "Phường A"
    assert column(result, "code") == ["T0001", "T0002", "T0003", "T0004"]


@pytest.mark.parametrize(
    ("flt", "codes"),
    [
        ({"field": "custom.nhom", "op": "eq", "value": "văn hóa"}, ["T0001", "T0003"]),
        ({"field": "custom.nhom", "op": "ne", "value": "Văn hóa"}, ["T0002", "T0004"]),
        ({"field": "custom.nhom", "op": "isnull", "value": True}, ["T0004"]),
        ({"field": "custom.nhom", "op": "in", "value": "Thể thao; Du lịch"}, ["T0002"]),
        ({"field": "custom.he_so", "op": "gte", "value": "0,7"}, ["T0003", "T0004"]),
        ({"field": "custom.so_nam", "op": "between", "value": [4, 10]}, ["T0002", "T0003"]),
        ({"field": "custom.dang_vien", "op": "eq", "value": "Có"}, ["T0001", "T0003"]),
        ({"field": "custom.don_vi_kiem_nhiem", "op": "contains", "value": "phường"}, ["T0002"]),
        ({"field": "category", "op": "in", "value": ["Viên chức", "CAN_BO"]}, ["T0002"]),
        ({"field": "birth_date", "op": "between", "value": "01/01/1980; 31/12/1989"}, ["T0001"]),
        ({"field": "full_name", "op": "contains", "value": "thị"}, ["T0002", "T0004"]),
        ({"field": "leadership_role", "op": "eq", "value": "Cấp phó"}, ["T0003"]),
    ],
)
def test_filters_on_builtin_and_custom_fields(data, flt, codes):
    result = run(data.head, columns=["code"], filters=[flt], sort=[{"field": "code"}])
    assert column(result, "code") == codes


def test_grouping_by_a_custom_field_counts_and_averages_in_the_database(data, django_assert_max_num_queries):
    data.head.refresh_from_db()  # a fresh user object: its scope is computed inside the block
    definition = {"group_by": ["custom.nhom"], "aggregates": [{"fn": "count"}, {"fn": "avg", "field": "custom.he_so"},
                  {"fn": "sum", "field": "custom.so_nam"}], "sort": [{"field": "count", "desc": True}],
                  "chart": {"type": "bar"}}  # fmt: skip
    with django_assert_max_num_queries(8):
        result = run(data.head, **definition)
    assert [c.label for c in result.columns] == [
        "Nhóm chuyên môn", "Số lượng", "Trung bình Hệ số phụ cấp", "Tổng Số năm công tác"
    ]  # fmt: skip
    assert result.rows == [
        ["Văn hóa", 2, Decimal("0.60"), 13],
        ["(Trống)", 1, Decimal("1.00"), 20],
        ["Thể thao", 1, Decimal("0.30"), 5],
    ]
    assert result.chart_data == {"type": "bar", "x_label": "Nhóm chuyên môn", "y_label": "Số lượng",
                                 "labels": ["Văn hóa", "(Trống)", "Thể thao"], "values": [2.0, 1.0, 1.0]}  # fmt: skip


def test_aggregation_query_count_does_not_grow_with_rows(data, django_assert_max_num_queries):
    for i in range(40):
        official = org.official_create(by=SYSTEM, code=f"T9{i:03d}", full_name=f"Cán bộ {i}",
                                       custom={"nhom": "Du lịch"},
                                       assignment={"unit": data.team, "position": data.position,
                                                   "start_date": date(2026, 1, 1)})  # fmt: skip
        assert official.pk
    data.head.refresh_from_db()
    with django_assert_max_num_queries(8):
        result = run(data.head, group_by=["unit", "custom.nhom"], aggregates=[{"fn": "count"}])
    assert ["Phòng Văn hóa - Xã hội A", "Du lịch", 40] in result.rows


def test_a_head_never_sees_another_units_rows(data):
    result = run(data.head, group_by=["unit"], aggregates=[{"fn": "count"}])
    assert result.rows == [["Phòng Văn hóa - Xã hội A", 4]]
    listed = run(data.head, columns=["code", "custom.nhom"], filters=[{"field": "custom.nhom", "op": "eq",
                                                                     "value": "Văn hóa"}])  # fmt: skip
    assert "T0006" not in column(listed, "code")


def test_an_outsider_and_an_official_see_only_their_own_rows(data):
    assert run(data.outsider, columns=["code"]).rows == [["T0006"]]
    assert run(data.official, group_by=["custom.nhom"]).rows == [["Văn hóa", 1]]
    units = report_preview(definition={"doctype": "org_unit", "columns": ["code"]}, user=data.outsider)
    assert "T_PHONG_A" not in column(units, "code")


def test_the_viewer_sees_the_whole_province(data):
    assert run(data.viewer, columns=[], aggregates=[{"fn": "count"}, {"fn": "max", "field": "custom.so_nam"}]).rows == [
        [6, 20]
    ]


def test_big_results_are_cut_with_a_warning(data):
    result = report_preview(definition={"doctype": "official", "columns": ["code"]}, user=data.viewer, limit=2)
    assert len(result.rows) == 2 and result.truncated
    assert result.warning == "Kết quả có hơn 2 dòng; chỉ hiển thị 2 dòng đầu. Hãy thêm bộ lọc hoặc nhóm dữ liệu."


def test_positions_and_units_are_reportable_too(data):
    make_field("ma_vtvl", "text", doctype="position", label="Mã VTVL")
    set_custom(data.position, ma_vtvl="CV-01")
    positions = report_preview(definition={"doctype": "position", "columns": ["code", "group", "custom.ma_vtvl"],
                                           "sort": [{"field": "code"}]}, user=data.hr)  # fmt: skip
    assert positions.rows == [["T_CV", "Chuyên môn, nghiệp vụ", "CV-01"], ["T_TP", "Lãnh đạo, quản lý", None]]
    units = report_preview(definition={"doctype": "org_unit", "group_by": ["level"]}, user=data.viewer)
    assert dict(units.rows) == {"Cấp tỉnh": 4, "Cấp xã": 2}


def test_a_retired_custom_field_is_reported_when_a_saved_report_uses_it(data):
    from thanhhoa_kpi.customfields.models import FieldDefinition
    from thanhhoa_kpi.reports.services import report_run, saved_report_create

    report = saved_report_create(
        owner=data.head, name="Theo nhóm", definition={"doctype": "official", "group_by": ["custom.nhom"]}
    )
    custom.field_definition_retire(by=SYSTEM, definition=FieldDefinition.objects.get(key="nhom"))
    with pytest.raises(ValidationFailed) as caught:
        report_run(report=report, user=data.head)
    assert caught.value.errors[0].field == "group_by[0]"
