"""The Excel format of a catalogue: one sheet for the catalogue, one for its items.

Reading checks every cell and returns every problem with its row and column (in
Vietnamese); nothing here writes to the database. Writing produces a workbook that
reads back to the same catalogue, so an export re-imports unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import IO, Any

from django.conf import settings
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from thanhhoa_kpi.catalogue.models import COEFFICIENT_DIGITS, Catalogue
from thanhhoa_kpi.core import files, spreadsheet
from thanhhoa_kpi.organization.choices import Bloc

HEADER_SHEET = "Danh mục"
ITEM_SHEET = "Đầu công việc"
POSITION_SEPARATOR = ","

# (key, label) of the catalogue sheet, one per row, value in column B.
HEADER_ROWS = [
    ("code", "Mã danh mục"),
    ("name", "Tên danh mục"),
    ("version", "Phiên bản"),
    ("owner_unit", "Đơn vị sở hữu (mã đơn vị)"),
    ("owner_bloc", "Khối sở hữu (DANG, CHINH_QUYEN, MTTQ; để trống nếu có đơn vị)"),
    ("effective_from", "Hiệu lực từ (dd/mm/yyyy)"),
    ("effective_to", "Hiệu lực đến (dd/mm/yyyy)"),
    ("standard_product", "Sản phẩm chuẩn"),
    ("standard_minutes", "Thời gian chuẩn (phút)"),
]
# (key, label, max length or None) of the item sheet, one column each.
ITEM_COLUMNS = [
    ("code", "Mã công việc", 40),
    ("field", "Lĩnh vực", 255),
    ("task", "Nhiệm vụ", 500),
    ("detailed_work", "Công việc chi tiết", None),
    ("output_product", "Sản phẩm đầu ra", 500),
    ("unit_of_measure", "Đơn vị tính", 60),
    ("complexity_group", "Nhóm mức độ phức tạp (1-5)", None),
    ("coefficient", "Hệ số quy đổi", None),
    ("standard_minutes", "Thời gian chuẩn (phút)", None),
    ("positions", "Vị trí việc làm áp dụng (mã, cách nhau bằng dấu phẩy)", None),
]
REQUIRED_ITEM_KEYS = {"code", "field", "task", "unit_of_measure", "coefficient"}
_MAX_INT_DIGITS = COEFFICIENT_DIGITS["max_digits"] - COEFFICIENT_DIGITS["decimal_places"]


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: str
    header: str
    message: str

    @property
    def where(self) -> str:
        return f"{self.sheet}: dòng {self.row}, cột {self.column} ({self.header})"

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header,
                "message": self.message}  # fmt: skip


@dataclass
class ParsedCatalogue:
    header: dict[str, Any] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    total_rows: int = 0


# ------------------------------------------------------------------ cell readers


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decimal(value: Any) -> Decimal:
    """A number from a cell; a comma is read as the Vietnamese decimal separator."""
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = _text(value).replace(" ", "").replace(",", ".")
    number = Decimal(text)
    if not number.is_finite():
        raise InvalidOperation
    return number


def _integer(value: Any) -> int:
    number = _decimal(value)
    if number != number.to_integral_value():
        raise InvalidOperation
    return int(number)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


# ------------------------------------------------------------------ reading


def read_catalogue(
    source: str | IO[bytes],
    *,
    known_units: Callable[[str], bool],
    known_positions: dict[str, int],
    progress: Callable[[int, int], None] | None = None,
) -> ParsedCatalogue:
    """Parse and check a workbook; every error is collected, none is raised."""
    parsed = ParsedCatalogue()
    try:
        # Zip bomb, DTD/entities and declared size: refused before openpyxl parses anything.
        files.check_xlsx_archive(source)
        book = load_workbook(source, read_only=True, data_only=True)
    except files.UnsafeFile as exc:
        return _file_error(parsed, NOT_XLSX if exc.not_xlsx else exc.message)
    except Exception:  # openpyxl raises many kinds for a file that is not xlsx
        return _file_error(parsed, NOT_XLSX)
    try:
        files.check_sheet_dimensions(book)
        for name in (HEADER_SHEET, ITEM_SHEET):
            if name not in book.sheetnames:
                parsed.errors.append(CellError(name, 0, "", "Trang tính", f'Thiếu trang tính "{name}".'))
        if parsed.errors:
            return parsed
        _read_header(book[HEADER_SHEET], parsed, known_units)
        _read_items(book[ITEM_SHEET], parsed, known_positions, progress)
    except files.UnsafeFile as exc:
        return _file_error(parsed, exc.message)
    # read-only sheets are parsed lazily, while rows are read: a damaged part shows up here
    except (SyntaxError, ValueError, KeyError, TypeError, IndexError, OSError, EOFError):
        parsed.items.clear()
        return _file_error(parsed, NOT_XLSX)
    finally:
        book.close()
    return parsed


NOT_XLSX = "Tệp không phải là bảng tính Excel (.xlsx) hợp lệ."


def _file_error(parsed: ParsedCatalogue, message: str) -> ParsedCatalogue:
    parsed.errors.append(CellError("", 0, "", "Tệp", message))
    return parsed


def _read_header(sheet: Any, parsed: ParsedCatalogue, known_units: Callable[[str], bool]) -> None:
    keys = {label: key for key, label in HEADER_ROWS}
    labels = dict(HEADER_ROWS)
    values: dict[str, tuple[int, Any]] = {}
    for index, row in enumerate(sheet.iter_rows(min_row=2, max_col=2, values_only=True), start=2):
        key = keys.get(_text(row[0]) if row else "")
        if key is not None:
            values[key] = (index, row[1] if len(row) > 1 else None)
    for key, label in HEADER_ROWS:
        if key not in values and key in {"code", "name", "effective_from"}:
            parsed.errors.append(CellError(HEADER_SHEET, 0, "A", label, f'Thiếu dòng "{label}".'))

    def fail(key: str, message: str) -> None:
        parsed.errors.append(CellError(HEADER_SHEET, values.get(key, (0, None))[0], "B", labels[key], message))

    def raw(key: str) -> Any:
        return values.get(key, (0, None))[1]

    header = parsed.header
    _read_identity(header, raw, fail)
    _read_owner(header, raw, fail, known_units)
    _read_header_dates(header, raw, fail)
    header["standard_product"] = _text(raw("standard_product"))[:255]
    header["standard_minutes"] = None
    if _text(raw("standard_minutes")):
        try:
            header["standard_minutes"] = _integer(raw("standard_minutes"))
            if header["standard_minutes"] < 0:
                raise ValueError
        except (InvalidOperation, ValueError):
            fail("standard_minutes", "Phải là số nguyên không âm.")


def _read_identity(header: dict[str, Any], raw: Callable, fail: Callable) -> None:
    header["code"] = _text(raw("code"))
    header["name"] = _text(raw("name"))
    for key, limit in (("code", 60), ("name", 255)):
        if not header[key]:
            fail(key, "Không được để trống.")
        elif len(header[key]) > limit:
            fail(key, f"Dài quá {limit} ký tự.")
    try:
        header["version"] = _integer(raw("version")) if _text(raw("version")) else 1
        if header["version"] < 1:
            fail("version", "Phiên bản phải là số nguyên từ 1 trở lên.")
    except (InvalidOperation, ValueError):
        fail("version", "Phiên bản phải là số nguyên từ 1 trở lên.")


def _read_owner(header: dict[str, Any], raw: Callable, fail: Callable, known_units: Callable[[str], bool]) -> None:
    unit, bloc = _text(raw("owner_unit")), _text(raw("owner_bloc"))
    header["owner_unit"], header["owner_bloc"] = unit, bloc
    if bool(unit) == bool(bloc):
        fail("owner_unit", "Ghi đúng một chủ sở hữu: mã đơn vị, hoặc khối (nếu là danh mục dùng chung).")
    elif unit and not known_units(unit):
        fail("owner_unit", f'Không có đơn vị mã "{unit}".')
    elif bloc and bloc not in Bloc.values:
        fail("owner_bloc", f"Khối phải là một trong: {', '.join(Bloc.values)}.")


def _read_header_dates(header: dict[str, Any], raw: Callable, fail: Callable) -> None:
    header["effective_from"] = header["effective_to"] = None
    for key, required in (("effective_from", True), ("effective_to", False)):
        if not _text(raw(key)):
            if required:
                fail(key, "Không được để trống.")
            continue
        try:
            header[key] = _date(raw(key))
        except ValueError:
            fail(key, "Ngày không hợp lệ (ghi theo dạng dd/mm/yyyy).")
    if header["effective_from"] and header["effective_to"] and header["effective_to"] < header["effective_from"]:
        fail("effective_to", "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")


def _item_header_map(first_row: Iterable[Any], parsed: ParsedCatalogue) -> dict[str, int] | None:
    labels = [_text(v) for v in first_row]
    positions: dict[str, int] = {}
    for key, label, _limit in ITEM_COLUMNS:
        if label in labels:
            positions[key] = labels.index(label)
        elif key in REQUIRED_ITEM_KEYS or key in {"complexity_group"}:
            parsed.errors.append(CellError(ITEM_SHEET, 1, "", label, f'Thiếu cột "{label}" ở dòng tiêu đề.'))
    return None if parsed.errors else positions


def _read_items(
    sheet: Any,
    parsed: ParsedCatalogue,
    known_positions: dict[str, int],
    progress: Callable[[int, int], None] | None,
) -> None:
    rows = sheet.iter_rows(values_only=True, **files.row_limits())  # bounded even if the size lies
    first = next(rows, None)
    columns = _item_header_map(first or (), parsed)
    if columns is None:
        return
    data = [(index, row) for index, row in enumerate(rows, start=2) if any(_text(v) for v in row)]
    if len(data) > settings.IMPORT_MAX_ROWS:
        parsed.errors.append(CellError(ITEM_SHEET, 0, "", "Tệp", files.too_many_rows(settings.IMPORT_MAX_ROWS)))
        return
    parsed.total_rows = len(data)
    if progress:
        progress(0, parsed.total_rows)
    seen: dict[str, int] = {}
    for done, (index, row) in enumerate(data, start=1):
        item = _read_item_row(index, row, columns, parsed, known_positions)
        if item["code"]:
            if item["code"] in seen:
                _item_error(parsed, index, columns, "code", f"Mã trùng với dòng {seen[item['code']]}.")
            else:
                seen[item["code"]] = index
        parsed.items.append(item)
        if progress and (done % 250 == 0 or done == parsed.total_rows):
            progress(done, parsed.total_rows)
    if not data:
        parsed.errors.append(CellError(ITEM_SHEET, 2, "A", "Mã công việc", "Danh mục chưa có đầu công việc nào."))


def _item_error(parsed: ParsedCatalogue, row: int, columns: dict[str, int], key: str, message: str) -> None:
    label = next(label for k, label, _ in ITEM_COLUMNS if k == key)
    column = get_column_letter(columns[key] + 1) if key in columns else ""
    parsed.errors.append(CellError(ITEM_SHEET, row, column, label, message))


def _read_item_row(
    index: int, row: tuple[Any, ...], columns: dict[str, int], parsed: ParsedCatalogue, known: dict[str, int]
) -> dict[str, Any]:
    def cell(key: str) -> Any:
        position = columns.get(key)
        return row[position] if position is not None and position < len(row) else None

    def fail(key: str, message: str) -> None:
        _item_error(parsed, index, columns, key, message)

    item: dict[str, Any] = {"row": index}
    for key, _label, limit in ITEM_COLUMNS:
        if key in {"complexity_group", "coefficient", "standard_minutes", "positions"}:
            continue
        item[key] = _text(cell(key))
        if key in REQUIRED_ITEM_KEYS and not item[key]:
            fail(key, "Không được để trống.")
        elif limit and len(item[key]) > limit:
            fail(key, f"Dài quá {limit} ký tự.")
    item["coefficient"] = _read_coefficient(cell("coefficient"), fail)
    item["complexity_group"] = _read_group(cell("complexity_group"), fail)
    item["standard_minutes"] = _read_minutes(cell("standard_minutes"), fail)
    item["positions"] = _read_positions(cell("positions"), known, fail)
    return item


def _read_coefficient(value: Any, fail: Callable[[str, str], None]) -> Decimal | None:
    if not _text(value):
        fail("coefficient", "Không được để trống.")
        return None
    try:
        number = _decimal(value)
    except (InvalidOperation, ValueError):
        fail("coefficient", f'"{_text(value)}" không phải là số.')
        return None
    if number <= 0:
        fail("coefficient", "Hệ số quy đổi phải lớn hơn 0.")
        return None
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > COEFFICIENT_DIGITS["decimal_places"]:
        fail("coefficient", f"Tối đa {COEFFICIENT_DIGITS['decimal_places']} chữ số thập phân.")
        return None
    if number >= Decimal(10) ** _MAX_INT_DIGITS:
        fail("coefficient", f"Hệ số quá lớn (tối đa {_MAX_INT_DIGITS} chữ số phần nguyên).")
        return None
    return number


def _read_group(value: Any, fail: Callable[[str, str], None]) -> int | None:
    try:
        group = _integer(value)
    except (InvalidOperation, ValueError):
        fail("complexity_group", "Nhóm mức độ phức tạp phải là số nguyên từ 1 đến 5.")
        return None
    if not 1 <= group <= 5:
        fail("complexity_group", "Nhóm mức độ phức tạp phải là số nguyên từ 1 đến 5.")
        return None
    return group


def _read_minutes(value: Any, fail: Callable[[str, str], None]) -> int | None:
    if not _text(value):
        return None
    try:
        minutes = _integer(value)
    except (InvalidOperation, ValueError):
        minutes = -1
    if minutes < 0:
        fail("standard_minutes", "Thời gian chuẩn phải là số nguyên phút, không âm.")
        return None
    return minutes


def _read_positions(value: Any, known: dict[str, int], fail: Callable[[str, str], None]) -> list[int]:
    codes = [c.strip() for c in _text(value).split(POSITION_SEPARATOR) if c.strip()]
    unknown = [c for c in codes if c not in known]
    if unknown:
        fail("positions", f"Không có vị trí việc làm mã: {', '.join(unknown)}.")
    return sorted({known[c] for c in codes if c in known})


# ------------------------------------------------------------------ writing


def _plain(number: Decimal) -> str:
    text = f"{number.normalize():f}"
    return text


def write_catalogue(catalogue: Catalogue) -> bytes:
    """The workbook of one catalogue (header sheet + one row per item)."""
    book = Workbook()
    head = book.active
    head.title = HEADER_SHEET
    head.append(["Thông tin", "Giá trị"])
    values = {
        "code": catalogue.code,
        "name": catalogue.name,
        "version": catalogue.version,
        "owner_unit": catalogue.owner_unit.code if catalogue.owner_unit_id else "",
        "owner_bloc": catalogue.owner_bloc,
        "effective_from": catalogue.effective_from.strftime("%d/%m/%Y"),
        "effective_to": catalogue.effective_to.strftime("%d/%m/%Y") if catalogue.effective_to else "",
        "standard_product": catalogue.standard_product,
        "standard_minutes": catalogue.standard_minutes if catalogue.standard_minutes is not None else "",
    }
    # Every row goes through core.spreadsheet: a task typed "=HYPERLINK(...)" stays text.
    for key, label in HEADER_ROWS:
        head.append(spreadsheet.xlsx_row(head, [label, values[key]]))
    head.column_dimensions["A"].width = 60
    head.column_dimensions["B"].width = 60
    sheet = book.create_sheet(ITEM_SHEET)
    sheet.append([label for _key, label, _limit in ITEM_COLUMNS])
    items = catalogue.items.prefetch_related("positions").order_by("code")
    for item in items:
        sheet.append(spreadsheet.xlsx_row(sheet, [
            item.code, item.field, item.task, item.detailed_work, item.output_product, item.unit_of_measure,
            item.complexity_group, _plain(item.coefficient),
            item.standard_minutes if item.standard_minutes is not None else "",
            f"{POSITION_SEPARATOR} ".join(sorted(p.code for p in item.positions.all())),
        ]))  # fmt: skip
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in list(head[1]) + list(sheet[1]):
        cell.font, cell.fill = bold, fill
    for index, width in enumerate([14, 30, 40, 60, 40, 14, 12, 12, 12, 40], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
