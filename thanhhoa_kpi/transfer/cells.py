"""One Excel cell to a Python value (reading) and back (writing), per column type.

Excel hands over numbers, dates, booleans or text depending on how a cell was typed; a
code typed as ``1001`` arrives as an integer, a date typed as text arrives as a string.
Each converter accepts what a person would reasonably type and refuses the rest with a
Vietnamese message; the caller attaches row and column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from thanhhoa_kpi.transfer.specs import BOOL, CHOICE, DATE, EMAIL, INT, LIST, LIST_SEPARATOR, RAW, TEXT, Column

DATE_FORMAT = "%d/%m/%Y"
EXCEL_DATE_FORMAT = "DD/MM/YYYY"
_TRUE = {"có", "co", "x", "true", "đúng", "1", "yes"}
_FALSE = {"không", "khong", "false", "sai", "0", "no"}
_INT_RE = re.compile(r"^[+-]?\d+$")


class CellError(ValueError):
    """A cell that cannot become a value of its column; ``message`` is Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def normalize(text: Any) -> str:
    """Case-, accent-composition- and spacing-insensitive form used to match headers and labels."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse(column: Column, value: Any) -> Any:
    """The Python value of a cell; ``column.default`` when blank; raises :class:`CellError`."""
    if is_blank(value):
        if column.required:
            raise CellError("Không được để trống.")
        if column.default is not None:
            return column.default
        return [] if column.datatype == LIST else _BLANK.get(column.datatype)
    return _PARSERS[column.datatype](column, value)


def _text(column: Column, value: Any) -> str:
    if isinstance(value, bool):
        text = "Có" if value else "Không"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))  # a code typed as a number: 1001.0 -> "1001"
    elif isinstance(value, datetime | date):
        text = value.strftime(DATE_FORMAT)
    else:
        text = str(value).strip()
    if column.max_length and len(text) > column.max_length:
        raise CellError(f"Dài quá {column.max_length} ký tự (hiện có {len(text)}).")
    return text


def _int(column: Column, value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("Phải là số nguyên.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _INT_RE.match(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise CellError(f"Phải là số nguyên, không phải «{value}».")
    low, high = column.min_value, column.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        raise CellError(f"Phải từ {low} đến {high}.")
    return value


def _date(column: Column, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip(), DATE_FORMAT).date()
        except ValueError:
            pass
    raise CellError(f"Ngày «{value}» không hợp lệ; cần dạng dd/mm/yyyy (ví dụ 01/09/2026).")


def _choice(column: Column, value: Any) -> str:
    assert column.choices is not None
    wanted = normalize(value)
    for code, label in column.choices.choices:
        if wanted in (normalize(code), normalize(label)):
            return code
    allowed = ", ".join(str(label) for label in column.choices.labels)
    raise CellError(f"Giá trị «{value}» không có trong danh sách: {allowed}.")


def _bool(column: Column, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    wanted = normalize(_text(column, value))
    if wanted in _TRUE:
        return True
    if wanted in _FALSE:
        return False
    raise CellError(f"Giá trị «{value}» không hợp lệ; ghi «Có» hoặc «Không».")


def _list(column: Column, value: Any) -> list[str]:
    return [part.strip() for part in _text(column, value).split(LIST_SEPARATOR) if part.strip()]


def _email(column: Column, value: Any) -> str:
    text = _text(column, value)
    try:
        validate_email(text)
    except ValidationError:
        raise CellError(f"Thư điện tử «{text}» không hợp lệ.") from None
    return text


# What a blank optional cell means when the column declares no default.
_BLANK: dict[str, Any] = {TEXT: "", EMAIL: ""}

_PARSERS: dict[str, Callable[[Column, Any], Any]] = {
    TEXT: _text,
    INT: _int,
    DATE: _date,
    CHOICE: _choice,
    BOOL: _bool,
    LIST: _list,
    EMAIL: _email,
    RAW: lambda _column, value: value,
}


def render(column: Column, value: Any) -> Any:
    """The cell value written on export; :func:`parse` reads it back to ``value``."""
    if value is None:
        return None
    if column.datatype == CHOICE and column.choices is not None:
        return dict(column.choices.choices).get(value, value) if value else None
    if column.datatype == BOOL:
        return "Có" if value else "Không"
    if column.datatype == LIST:
        return f"{LIST_SEPARATOR} ".join(value) or None
    if column.datatype == TEXT or column.datatype == EMAIL:
        return value or None
    return value
