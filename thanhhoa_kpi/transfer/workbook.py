"""Reading an uploaded .xlsx into checked rows, and writing rows back to .xlsx.

Reading refuses, with one clear message each, what is not a workbook at all (too large,
empty, an old .xls, any other file), then checks each sheet's header row against the
:class:`~thanhhoa_kpi.transfer.specs.Spec` and converts every cell of every row,
collecting all errors instead of stopping at the first. A kind whose spec allows it
(``Spec.csv``) also reads a UTF-8 CSV file of its one sheet, through the same checks.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from io import BytesIO, StringIO
from typing import Any

from django.conf import settings
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from thanhhoa_kpi.core import files, spreadsheet
from thanhhoa_kpi.transfer import cells
from thanhhoa_kpi.transfer.report import ImportReport
from thanhhoa_kpi.transfer.specs import CHOICE, DATE, Column, Sheet, Spec

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (.xls), Word .doc...
ORDINAL_HEADERS = {"stt", "tt", "số thứ tự"}  # an ordinal column people add by habit
GUIDE_TITLE = "Hướng dẫn"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"
CSV_DELIMITERS = ",;\t"  # Excel writes ";" where the decimal mark is ","


@dataclass
class Row:
    number: int  # the Excel row, header = 1
    values: dict[str, Any]  # converted cells of the columns present; a bad cell is left out
    bad: set[str] = field(default_factory=set)

    def has(self, key: str) -> bool:
        return key in self.values

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


@dataclass
class SheetRows:
    sheet: Sheet
    label: str  # the sheet named in errors ("" when the kind has one sheet)
    present: set[str]
    rows: list[Row]
    usable: bool = True  # False when the header is wrong: rows are then not checked further

    def error(self, report: ImportReport, row: int | None, key: str, message: str) -> None:
        report.add(row, self.sheet.header(key) if key else "", message, self.label)


EMPTY_MESSAGE = "Tệp không có dòng dữ liệu nào (chỉ có dòng tiêu đề hoặc để trống)."


def max_bytes() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def read(spec: Spec, content: bytes, report: ImportReport) -> dict[str, SheetRows] | None:
    """Every sheet of ``spec`` with its converted rows; ``None`` when the file or a header is unusable.

    Cell errors are reported but do not stop reading: the caller goes on to check the
    rows against the database, so the person sees every error of the file at once.
    """
    report.sheet_order = tuple(s.title for s in spec.sheets) if len(spec.sheets) > 1 else ()
    if spec.csv and is_csv(content):
        return _read_csv(spec, content, report)
    book = _open(content, report)
    if book is None:
        return None
    try:
        found = {sheet.title: _read_sheet(book, spec, sheet, report) for sheet in spec.sheets}
    # read-only sheets are parsed lazily, while rows are read: a damaged part shows up here
    except (*BROKEN, SyntaxError) as exc:
        report.add(None, "", f"Tệp không phải là tệp Excel (.xlsx) hợp lệ hoặc đã bị hỏng ({type(exc).__name__}).")
        return None
    finally:
        book.close()
    sheets = {title: rows for title, rows in found.items() if rows is not None}
    report.rows = sum(len(s.rows) for s in sheets.values())
    usable = all(s.usable for s in sheets.values()) and all(
        sheet.optional or sheet.title in sheets for sheet in spec.sheets
    )
    if usable and report.rows == 0:
        report.add(None, "", EMPTY_MESSAGE)
        usable = False
    return sheets if usable else None


def _open(content: bytes, report: ImportReport) -> Any:
    limit = max_bytes()
    if not content:
        report.add(None, "", "Tệp rỗng (0 byte).")
    elif len(content) > limit:
        report.add(None, "", f"Tệp lớn hơn mức cho phép ({limit // (1024 * 1024)} MB); hãy chia nhỏ tệp.")
    elif content.startswith(OLE_SIGNATURE):
        report.add(None, "", "Tệp Excel 97–2003 (.xls) không được hỗ trợ; hãy lưu lại dưới dạng .xlsx.")
    elif not content.startswith(ZIP_SIGNATURE):
        report.add(None, "", "Tệp không phải là tệp Excel (.xlsx).")
    else:
        return _load(content, report)
    return None


# openpyxl reports a damaged or foreign zip (a .docx, a renamed archive) through several
# exception types, none of which a person can act on but "not an xlsx".
BROKEN = (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError, AttributeError, EOFError)


def _load(content: bytes, report: ImportReport) -> Any:
    """The read-only workbook, after the zip-bomb, DTD and size checks of core.files."""
    try:
        files.check_xlsx_archive(content)
        book = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except files.UnsafeFile as exc:
        report.add(None, "", exc.message)
        return None
    except (*BROKEN, SyntaxError):  # SyntaxError: xml.etree's ParseError
        report.add(None, "", "Tệp không phải là tệp Excel (.xlsx) hợp lệ hoặc đã bị hỏng.")
        return None
    try:
        files.check_sheet_dimensions(book)
    except files.UnsafeFile as exc:
        book.close()
        report.add(None, "", exc.message)
        return None
    return book


def _worksheet(book: Any, spec: Spec, sheet: Sheet) -> Any:
    by_title = {cells.normalize(ws.title): ws for ws in book.worksheets}
    found = by_title.get(cells.normalize(sheet.title))
    if found is None and len(spec.sheets) == 1:
        # A one-sheet kind takes its first sheet, however named (but never the guide).
        others = [ws for ws in book.worksheets if cells.normalize(ws.title) != cells.normalize(GUIDE_TITLE)]
        return others[0] if others else None
    return found


def _read_sheet(book: Any, spec: Spec, sheet: Sheet, report: ImportReport) -> SheetRows | None:
    label = sheet.title if len(spec.sheets) > 1 else ""
    ws = _worksheet(book, spec, sheet)
    # Bounded: a sheet that declares no size (or a false one) still stops at the limits.
    lines = ws.iter_rows(values_only=True, **files.row_limits()) if ws is not None else iter(())
    return _read_lines(sheet, lines, label, report)


def _read_lines(sheet: Sheet, lines: Iterator[tuple[Any, ...]], label: str, report: ImportReport) -> SheetRows | None:
    header = next(lines, None) or ()
    if all(cells.is_blank(v) for v in header):
        if not sheet.optional:
            missing = f"Thiếu trang «{sheet.title}» hoặc trang này trống." if label else EMPTY_MESSAGE
            report.add(None, "", missing, label)
        return None
    errors_before = report.error_count
    positions = _header(sheet, header, label, report)
    result = SheetRows(sheet, label, set(positions), [], usable=report.error_count == errors_before)
    for number, line in enumerate(lines, start=2):
        if all(cells.is_blank(v) for v in line):
            continue
        if len(result.rows) >= settings.IMPORT_MAX_ROWS:
            report.add(None, "", files.too_many_rows(settings.IMPORT_MAX_ROWS), label)
            result.usable = False
            break
        result.rows.append(_row(sheet, positions, number, line, label, report))
    return result


# --- CSV ---------------------------------------------------------------------------------
def is_csv(content: bytes) -> bool:
    """Neither a zip (.xlsx) nor an OLE file (.xls): read as text, to be refused there if it is not."""
    return bool(content) and not content.startswith((ZIP_SIGNATURE, OLE_SIGNATURE))


def _read_csv(spec: Spec, content: bytes, report: ImportReport) -> dict[str, SheetRows] | None:
    lines = _csv_lines(content, report)
    if lines is None:
        return None
    sheet = spec.main
    try:
        found = _read_lines(sheet, lines, "", report)
    except csv.Error as exc:
        report.add(None, "", f"Tệp CSV không đọc được ({exc}).")
        return None
    if found is None:
        return None
    report.rows = len(found.rows)
    if found.usable and report.rows == 0:
        report.add(None, "", EMPTY_MESSAGE)
        return None
    return {sheet.title: found} if found.usable else None


def _csv_lines(content: bytes, report: ImportReport) -> Iterator[tuple[Any, ...]] | None:
    limit = max_bytes()
    if len(content) > limit:
        report.add(None, "", f"Tệp lớn hơn mức cho phép ({limit // (1024 * 1024)} MB); hãy chia nhỏ tệp.")
        return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.add(None, "", "Tệp CSV phải lưu với bảng mã UTF-8 (trong Excel: «CSV UTF-8»), hoặc tải lên tệp .xlsx.")
        return None
    if "\x00" in text:
        report.add(None, "", "Tệp không phải là tệp Excel (.xlsx) hay tệp CSV.")
        return None
    first = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first.count)
    return (tuple(line) for line in csv.reader(StringIO(text, newline=""), delimiter=delimiter))


def write_csv(sheet: Sheet, rows: Iterable[dict[str, Any]]) -> bytes:
    """A CSV of ``sheet`` (UTF-8 with a BOM so Excel shows the diacritics; dates dd/mm/yyyy)."""
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet.csv_value(column.header) for column in sheet.columns])
    for values in rows:
        writer.writerow([_csv_cell(column, values.get(column.key)) for column in sheet.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(column: Column, value: Any) -> Any:
    rendered = cells.render(column, value)
    if column.datatype == DATE and rendered is not None:
        return rendered.strftime(cells.DATE_FORMAT)
    return "" if rendered is None else spreadsheet.csv_value(rendered)


def _header(sheet: Sheet, header: tuple[Any, ...], label: str, report: ImportReport) -> dict[str, int]:
    """Column key -> position in the row; reports unknown, repeated and missing columns."""
    known = {cells.normalize(c.header): c for c in sheet.columns}
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        if cells.is_blank(value) or cells.normalize(value) in ORDINAL_HEADERS:
            continue
        column = known.get(cells.normalize(value))
        if column is None:
            report.add(1, str(value).strip(), "Cột không có trong mẫu nhập; hãy kiểm tra lại tên cột.", label)
        elif column.key in positions:
            report.add(1, column.header, "Cột bị lặp lại.", label)
        else:
            positions[column.key] = index
    for column in sheet.columns:
        if column.must_be_present and column.key not in positions:
            report.add(1, column.header, f"Thiếu cột bắt buộc «{column.header}».", label)
    return positions


def _row(
    sheet: Sheet, positions: dict[str, int], number: int, line: tuple[Any, ...], label: str, report: ImportReport
) -> Row:
    row = Row(number, {})
    for key, index in positions.items():
        column = sheet.column(key)
        raw = line[index] if index < len(line) else None
        try:
            row.values[key] = cells.parse(column, raw)
        except cells.CellError as exc:
            row.bad.add(key)
            report.add(number, column.header, exc.message, label)
    return row


# --- writing ----------------------------------------------------------------------------
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def write(spec: Spec, data: dict[str, Iterable[dict[str, Any]]]) -> bytes:
    """An .xlsx of ``spec`` (one sheet per spec sheet, then a guide); rows are dicts by key."""
    book = Workbook(write_only=True)
    for sheet in spec.sheets:
        ws = book.create_sheet(sheet.title)
        for index, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = max(14, min(40, len(column.header) + 6))
        ws.freeze_panes = "A2"
        ws.append([_header_cell(ws, column.header) for column in sheet.columns])
        for values in data.get(sheet.title, ()):
            # Through core.spreadsheet: a typed "=HYPERLINK(...)" stays text in Excel.
            ws.append(spreadsheet.xlsx_row(ws, [_cell(ws, column, values.get(column.key)) for column in sheet.columns]))
    _write_guide(book, spec)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header_cell(ws: Any, text: str) -> WriteOnlyCell:
    cell = spreadsheet.inert_cell(WriteOnlyCell(ws, value=spreadsheet.clean_text(text)))
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    return cell


def _cell(ws: Any, column: Column, value: Any) -> Any:
    rendered = cells.render(column, value)
    if column.datatype == DATE and rendered is not None:
        cell = WriteOnlyCell(ws, value=rendered)
        cell.number_format = cells.EXCEL_DATE_FORMAT
        return cell
    return rendered


def _write_guide(book: Workbook, spec: Spec) -> None:
    ws = book.create_sheet(GUIDE_TITLE)
    for letter, width in zip("ABCDE", (24, 30, 12, 14, 80), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append(spreadsheet.xlsx_row(ws, [f"Mẫu nhập: {spec.label}. {spec.note}".strip()]))
    ws.append(["Dòng 1 của mỗi trang là tiêu đề cột; ngày ghi dd/mm/yyyy; trang này không được đọc khi nhập."])
    ws.append([_header_cell(ws, h) for h in ("Trang", "Cột", "Bắt buộc", "Kiểu", "Giá trị hợp lệ, ghi chú")])
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet in spec.sheets:
        for column in sheet.columns:
            note = spreadsheet.inert_cell(WriteOnlyCell(ws, value=spreadsheet.clean_text(_describe(column))))
            note.alignment = wrap
            required = "Có" if column.required else ("Cột phải có" if column.must_be_present else "")
            cells_ = spreadsheet.xlsx_row(ws, [sheet.title, column.header, required, _TYPE_LABELS[column.datatype]])
            ws.append([*cells_, note])


_TYPE_LABELS = {
    "text": "Chữ",
    "int": "Số nguyên",
    "date": "Ngày",
    "choice": "Danh sách",
    "bool": "Có/Không",
    "list": "Danh sách chữ",
    "email": "Thư điện tử",
    "raw": "Trường tùy biến",
}


def _describe(column: Column) -> str:
    parts = [column.help] if column.help else []
    if column.datatype == CHOICE and column.choices is not None:
        parts.append("; ".join(f"{label} ({code})" for code, label in column.choices.choices))
    if column.min_value is not None and column.max_value is not None:
        parts.append(f"Từ {column.min_value} đến {column.max_value}.")
    if column.max_length:
        parts.append(f"Tối đa {column.max_length} ký tự.")
    return " ".join(parts)
