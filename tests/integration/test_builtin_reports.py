"""Built-in reports of work logs and appraisals (SPEC 6): each runs in the caller's scope
(a head sees only their unit, the viewer the whole province), exports to XLSX and PDF."""

import io
import subprocess
import unicodedata
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories.reports import builtin_report_data
from thanhhoa_kpi.reports.builtin import BUILTINS, builtin_run

pytestmark = pytest.mark.django_db

CODES = ["nhat_ky_ca_nhan", "tong_hop_gio_lam_viec", "tong_hop_danh_gia_ca_nhan", "tong_hop_don_vi_thang",
         "bao_cao_thang_tinh", "so_ket_quy", "danh_sach_xep_loai_nam"]  # fmt: skip
OUTSIDE = ("Vũ Thị Giang", "Sở Khoa học (thử)", "Phòng B")


@pytest.fixture
def data(cast):
    return builtin_report_data(cast)[:2]


def text(result):
    return " | ".join(str(cell) for row in result.rows for cell in row)


def params_for(code, period):
    return {"period": str(period.pk)} if code in {"tong_hop_danh_gia_ca_nhan", "tong_hop_don_vi_thang",
                                                  "danh_sach_xep_loai_nam"} else {}  # fmt: skip


def test_the_work_reports_are_registered_with_vietnamese_titles():
    assert set(CODES) <= set(BUILTINS)
    assert BUILTINS["bao_cao_thang_tinh"].title == "Báo cáo tháng kết quả đánh giá cán bộ toàn tỉnh"


@pytest.mark.parametrize("code", CODES)
def test_a_head_sees_only_their_unit_and_the_viewer_everything(data, code):
    cast, period = data
    head = builtin_run(code=code, user=cast.head, params=params_for(code, period))
    viewer = builtin_run(code=code, user=cast.viewer, params=params_for(code, period))
    assert head.columns and all(column.label for column in head.columns)
    assert not any(name in text(head) for name in OUTSIDE), text(head)
    if code != "nhat_ky_ca_nhan":  # the head's own log is empty; see the next test
        assert "Nguyễn Văn An" in text(head) or "Phòng Văn hóa - Xã hội A" in text(head), text(head)
    assert any(name in text(viewer) for name in OUTSIDE), text(viewer)


def test_the_personal_log_defaults_to_me_and_refuses_others_scopes(data):
    cast, _period = data
    mine = builtin_run(code="nhat_ky_ca_nhan", user=cast.official, params={})
    assert [row[0] for row in mine.rows] == ["Nguyễn Văn An"] and mine.rows[0][6] == 120
    assert mine.rows[0][7] == "Chưa duyệt"
    official_id = cast.official_of(cast.official).pk
    assert len(builtin_run(code="nhat_ky_ca_nhan", user=cast.head, params={"official": official_id}).rows) == 1
    outsider_id = cast.official_of(cast.outsider).pk
    assert builtin_run(code="nhat_ky_ca_nhan", user=cast.head, params={"official": outsider_id}).rows == []


def test_hours_per_person_and_per_unit(data):
    cast, _period = data
    people = builtin_run(code="tong_hop_gio_lam_viec", user=cast.head, params={})
    assert {row[2]: row[5] for row in people.rows} == {"Nguyễn Văn An": 2, "Trần Thị Bình": 1}
    units = builtin_run(code="tong_hop_gio_lam_viec", user=cast.viewer, params={"by": "unit"})
    assert {row[0]: row[3] for row in units.rows} == {"Phòng Văn hóa - Xã hội A": 3, "Phòng B": 0.5}


def test_the_province_report_counts_in_the_database(data, django_assert_max_num_queries):
    cast, _period = data
    with django_assert_max_num_queries(12):
        result = builtin_run(code="bao_cao_thang_tinh", user=cast.viewer, params={})
    total = result.rows[-1]
    assert total[:2] == ["Toàn tỉnh", "Tổng cộng"]
    appraised, published, excellent = total[2], total[3], total[4]
    assert published == 2 and appraised >= 6 and excellent == 1
    assert total[-2:] == [3, Decimal("3.5")]
    other = next(row for row in result.rows if row[1] == "Sở Khoa học (thử)")
    assert other[2:4] == [1, 1] and other[-2:] == [1, Decimal("0.5")]


def test_the_quarter_has_a_row_per_month_and_the_quarter(data):
    cast, _period = data
    result = builtin_run(code="so_ket_quy", user=cast.viewer, params={})
    labels = [row[0] for row in result.rows if row[1] in ("Cộng tháng", "Tổng cộng cả quý")]
    assert len(labels) == 4 and labels[-1].startswith("Quý ")
    assert result.rows[-1][-2:] == [3, Decimal("3.5")]


def pdf_text(content):
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(unicodedata.normalize("NFC", proc.stdout.decode("utf-8")).split())


def test_xlsx_and_pdf_exports_through_the_api(data, api_for):
    cast, period = data
    client = api_for(cast.viewer)
    response = client.get("/api/v1/reports/builtin/bao_cao_thang_tinh/?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert values[0] == "Báo cáo tháng kết quả đánh giá cán bộ toàn tỉnh"
    assert "Số người được đánh giá" in values and "Sở Khoa học (thử)" in values
    response = client.get(f"/api/v1/reports/builtin/tong_hop_danh_gia_ca_nhan/?format=pdf&period={period.pk}")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/pdf")
    content = pdf_text(response.content)
    assert "BẢNG TỔNG HỢP ĐÁNH GIÁ TỪNG CÁ NHÂN" in content.upper() and "Nguyễn Văn An" in content
    head = api_for(cast.head).get("/api/v1/reports/builtin/tong_hop_don_vi_thang/?format=json")
    assert head.status_code == 200 and "Sở Khoa học" not in str(head.json()["rows"])
