"""Official forms as PDF (SPEC 6): Quốc hiệu and Tiêu ngữ, the unit, place and date, title,
tables, signature blocks, page numbers, a Times-like font; text checked with pdftotext."""

import subprocess
import tempfile
import unicodedata
from datetime import date
from decimal import Decimal

from thanhhoa_kpi.reports.pdf import appraisal_form_pdf, place_date, unit_summary_pdf

APPRAISAL = {
    "agency": "UBND PHƯỜNG HẠC THÀNH",
    "unit": "PHÒNG VĂN HÓA - XÃ HỘI",
    "date": date(2026, 4, 5),
    "period": "Tháng 3 năm 2026",
    "official": {"full_name": "Nguyễn Thị Hồng Ngọc", "position": "Chuyên viên", "unit": "Phòng Văn hóa - Xã hội"},
    "custom": [("Nhóm chuyên môn", "Văn hóa")],
    "general_criteria": [
        {"code": "1", "title": "Chính trị, tư tưởng", "max": 10, "self": 10, "reviewer": Decimal("9.5"),
         "children": [{"code": "1.1", "title": "Chấp hành chủ trương, đường lối", "max": 5, "self": 5, "reviewer": 5}]},
        {"code": "2", "title": "Đạo đức, lối sống", "max": 10, "self": 9, "reviewer": 9, "children": []},
        {"code": "3", "title": "Tác phong, lề lối làm việc", "max": 10, "self": 9, "reviewer": 8, "children": []},
    ],
    "general_total": {"max": 30, "self": 28, "reviewer": Decimal("26.5")},
    "task": {"a": 100, "b": Decimal("90"), "c": 95, "percent": Decimal("78.57"), "score": 55},
    "total": Decimal("81.5"),
    "classification": "Hoàn thành xuất sắc nhiệm vụ",
    "self_comment": "Hoàn thành đúng hạn các nhiệm vụ được giao.",
    "reviewer_comment": "Đồng ý với kết quả tự đánh giá.",
    "signers": {"self": "Nguyễn Thị Hồng Ngọc", "reviewer": "Lê Văn Cường", "head": "Phạm Thị Dung"},
}  # fmt: skip


def text_of(pdf: bytes) -> str:
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return unicodedata.normalize("NFC", proc.stdout.decode("utf-8"))


def flat(pdf: bytes) -> str:
    return " ".join(text_of(pdf).split())


def test_the_appraisal_form_prints_the_official_header_and_the_scores():
    pdf = appraisal_form_pdf(APPRAISAL)
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND PHƯỜNG HẠC THÀNH",
                 "PHÒNG VĂN HÓA - XÃ HỘI", "Thanh Hóa, ngày 5 tháng 4 năm 2026",
                 "PHIẾU THEO DÕI, ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NHIỆM VỤ", "Tháng 3 năm 2026"):  # fmt: skip
        assert line in text.splitlines(), line
    words = flat(pdf)
    # Decimals as everywhere (formats/numbers.py): a comma, no trailing zeros.
    for phrase in ("Họ và tên: Nguyễn Thị Hồng Ngọc", "Nhóm chuyên môn: Văn hóa", "Tổng điểm: 81,5",
                   "Xếp loại: Hoàn thành xuất sắc nhiệm vụ", "78,57", "26,5", "9,5", "NGƯỜI TỰ ĐÁNH GIÁ",
                   "NGƯỜI ĐÁNH GIÁ", "THỦ TRƯỞNG ĐƠN VỊ", "Phạm Thị Dung"):  # fmt: skip
        assert phrase in words, phrase
    pages = text.count("\f")
    assert [f"Trang {n}/{pages}" in words for n in range(1, pages + 1)] == [True] * pages
    assert "d) Kết quả thực hiện nhiệm vụ của cơ quan" not in words  # not a leader: no d, đ, e


def test_a_leaders_form_prints_d_dd_and_e():
    words = flat(appraisal_form_pdf({**APPRAISAL, "is_leader": True, "task": {**APPRAISAL["task"], "d": 90, "dd": 85,
                                                                               "e": Decimal("88.5")}}))  # fmt: skip
    assert "d) Kết quả thực hiện nhiệm vụ của cơ quan, đơn vị được giao phụ trách" in words
    assert "đ) Năng lực tập hợp, đoàn kết, chỉ đạo, điều hành" in words and "88,5" in words


def test_the_unit_summary_runs_over_pages_with_page_numbers():
    rows = [
        {"full_name": f"Cán bộ số {i}", "position": "Chuyên viên", "self_score": Decimal("85"),
         "score": Decimal("81.5"), "classification": "Hoàn thành tốt nhiệm vụ"}
        for i in range(1, 61)
    ]  # fmt: skip
    rows[0] = {**rows[0], "full_name": "Nguyễn Thị Hồng Ngọc", "score": Decimal("92.25"),
               "classification": "Hoàn thành xuất sắc nhiệm vụ"}  # fmt: skip
    summary = [{"label": "Hoàn thành xuất sắc nhiệm vụ", "count": 1, "percent": Decimal("1.67")},
               {"label": "Hoàn thành tốt nhiệm vụ", "count": 59, "percent": Decimal("98.33")}]  # fmt: skip
    pdf = unit_summary_pdf({"agency": "UBND PHƯỜNG HẠC THÀNH", "unit": "PHÒNG VĂN HÓA - XÃ HỘI", "date": None,
                            "period": "Năm 2026", "rows": rows, "summary": summary,
                            "signers": {"maker": "Trần Thị Bình", "head": "Phạm Thị Dung"}})  # fmt: skip
    text = text_of(pdf)
    assert "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ" in text
    assert "Thanh Hóa, ngày ..... tháng ..... năm .........." in text  # no date yet: filled by hand
    words = " ".join(text.split())
    assert "Nguyễn Thị Hồng Ngọc" in words and "92,25" in words and "Hoàn thành xuất sắc nhiệm vụ" in words
    assert "98,33" in words and "NGƯỜI LẬP BIỂU" in words
    pages = text.count("\f")
    assert pages >= 2
    assert f"Trang 1/{pages}" in words and f"Trang {pages}/{pages}" in words


def test_the_forms_use_a_times_like_font():
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:  # pdffonts reads stdin only on some versions
        pdf.write(appraisal_form_pdf(APPRAISAL))
        pdf.flush()
        listing = subprocess.run(["pdffonts", pdf.name], capture_output=True, check=True).stdout.decode()
    assert "Liberation-Serif" in listing or "LiberationSerif" in listing or "TimesNewRoman" in listing


def test_place_and_date_line():
    assert place_date(None, date(2026, 12, 31)) == "Thanh Hóa, ngày 31 tháng 12 năm 2026"
    assert place_date("Sầm Sơn", None).startswith("Sầm Sơn, ngày .....")
