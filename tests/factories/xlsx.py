"""Build and read small .xlsx workbooks in tests (openpyxl, in memory)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook

UNIT_HEADERS = [
    "Mã đơn vị", "Tên đơn vị", "Tên viết tắt", "Khối", "Cấp", "Loại hình", "Mã đơn vị cấp trên",
    "Hoạt động từ", "Hoạt động đến",
]  # fmt: skip
OFFICIAL_HEADERS = [
    "Mã CBCCVC", "Họ và tên", "Ngày sinh", "Giới tính", "Thư điện tử", "Điện thoại", "Đối tượng",
    "Mã đơn vị", "Mã vị trí việc làm", "Chức vụ lãnh đạo", "Lĩnh vực phụ trách", "Ngày bắt đầu",
]  # fmt: skip
POSITION_HEADERS = ["Mã vị trí", "Tên vị trí việc làm", "Nhóm vị trí", "Khối", "Hạng chức danh nghề nghiệp", "Nhiệm vụ"]
COMPETENCY_HEADERS = [
    "Mã khung", "Phiên bản", "Tên khung năng lực", "Hiệu lực từ", "Đang áp dụng", "Mã năng lực", "Tên năng lực",
    "Nhóm năng lực", "Cấp độ 1", "Cấp độ 2", "Cấp độ 3", "Cấp độ 4", "Cấp độ 5",
]  # fmt: skip
REQUIREMENT_HEADERS = ["Mã khung", "Phiên bản", "Mã vị trí", "Mã năng lực", "Cấp độ yêu cầu"]


def xlsx(*rows: list[Any], title: str = "Trang 1") -> bytes:
    """One sheet: the first row is the header."""
    return xlsx_sheets({title: list(rows)})


def xlsx_sheets(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_xlsx(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows as tuples of values (header first), padded to the header's width."""
    book = load_workbook(BytesIO(content), read_only=True, data_only=True)
    try:
        return {ws.title: _padded(list(ws.iter_rows(values_only=True))) for ws in book.worksheets}
    finally:
        book.close()


def _padded(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    width = max((len(r) for r in rows), default=0)
    return [tuple(r) + (None,) * (width - len(r)) for r in rows]
