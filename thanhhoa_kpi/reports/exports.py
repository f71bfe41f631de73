"""A report result as XLSX (openpyxl), CSV (UTF-8 with BOM, for Excel) or PDF (WeasyPrint)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from thanhhoa_kpi.core import spreadsheet
from thanhhoa_kpi.formats.numbers import decimal_text
from thanhhoa_kpi.reports.engine import ReportResult

MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}
FORMATS = tuple(MIME)


def cell_text(value: Any) -> str:
    """A value as printed in Vietnamese: dd/mm/yyyy, 0,8 and 1.234,5, Có/Không; a whole
    number plainly (2026: a cell may hold a year or an id)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if timezone.is_aware(value) else f"{value:%d/%m/%Y}"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal | float):
        return decimal_text(value)
    return str(value)


def to_xlsx(result: ReportResult) -> bytes:
    book = Workbook()
    sheet = book.active
    # Every value goes through core.spreadsheet: typed text never becomes a live formula.
    title = spreadsheet.sheet_title(re.sub(r"[\[\]:*?/\\]", " ", result.title))[:31].strip()
    sheet.title = title or "Báo cáo"
    sheet.append(spreadsheet.xlsx_row(sheet, [result.title]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(spreadsheet.xlsx_row(sheet, [result.subtitle or f"Ngày xuất: {timezone.localdate():%d/%m/%Y}"]))
    sheet.append(spreadsheet.xlsx_row(sheet, [c.label for c in result.columns]))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in result.rows:
        sheet.append(spreadsheet.xlsx_row(sheet, [_xlsx_value(v) for v in row]))
    for index, column in enumerate(result.columns, start=1):
        letter = get_column_letter(index)
        if column.kind == "date":
            for (cell,) in sheet.iter_rows(min_row=4, min_col=index, max_col=index):
                cell.number_format = "DD/MM/YYYY"
        sheet.column_dimensions[letter].width = max(12, min(48, len(column.label) + 4))
    sheet.freeze_panes = "A4"
    notes = [text for text in (result.note, result.warning) if text]
    if notes:
        sheet.append([])
    for text in notes:
        sheet.append(spreadsheet.xlsx_row(sheet, [text]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def to_csv(result: ReportResult) -> bytes:
    """UTF-8 with a BOM so Excel shows the diacritics; dates dd/mm/yyyy, numbers with a dot."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet.csv_value(c.label) for c in result.columns])
    for row in result.rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value: Any) -> Any:
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return str(value)  # a real number, "-5" included, stays a number
    return spreadsheet.csv_value(cell_text(value))


def to_pdf(result: ReportResult) -> bytes:
    from thanhhoa_kpi.reports.pdf import render_pdf, report_context

    numeric = [c.kind == "number" for c in result.columns]
    rows = [[(cell_text(v), num) for v, num in zip(row, numeric, strict=True)] for row in result.rows]
    return render_pdf("reports/pdf/report.html", report_context(result, rows))


def export(result: ReportResult, fmt: str) -> tuple[bytes, str, str]:
    """(content, MIME type, file extension) of ``result`` in ``fmt`` (xlsx, csv or pdf)."""
    writers = {"xlsx": to_xlsx, "csv": to_csv, "pdf": to_pdf}
    if fmt not in writers:
        raise ValueError(fmt)
    return writers[fmt](result), MIME[fmt], fmt


def filename(title: str, extension: str, when: datetime | None = None) -> str:
    """An ASCII file name: "Danh sách cán bộ" → "danh-sach-can-bo-20260315.xlsx"."""
    ascii_title = unicodedata.normalize("NFKD", title.replace("đ", "d").replace("Đ", "D"))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.encode("ascii", "ignore").decode().lower()).strip("-") or "bao-cao"
    stamp = timezone.localtime(when or timezone.now()).strftime("%Y%m%d")
    return f"{slug[:60]}-{stamp}.{extension}"
