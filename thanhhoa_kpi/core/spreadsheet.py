"""Cells of every exported spreadsheet (XLSX and CSV), made inert: the one helper.

Any text a person typed (a task, a description, a custom field, a report title) ends up in
exports that others open in Excel or LibreOffice. Text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is read there as a formula (``=HYPERLINK(...)``, DDE
payloads: OWASP "CSV injection"), and control characters other than tab and line breaks
are not allowed in XLSX at all (openpyxl raises, the export answered 500). So every export
writes its values through :func:`xlsx_row` / :func:`xlsx_value` or :func:`csv_value`:

- XLSX: illegal characters are dropped; a risky text becomes a *string* cell (never a
  formula or an error value) with Excel's "quote prefix" style, so it shows as typed,
  stays text when someone edits it, and reads back unchanged (catalogue and master-data
  exports re-import as they are, so the value itself must not gain a ``'``).
- CSV has no cell types: a risky text gets a leading ``'`` (OWASP's advice).

Numbers, dates and booleans pass unchanged (a negative number is a number, not a
formula). Hand-written because no kept library does it: openpyxl only *detects* ``=``
to make formulas, and tablib/django-import-export leave exports as they are.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell

RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Full-width forms that some spreadsheet programs also read as formula starts.
RISKY_STARTS += ("\uff1d", "\uff0b", "\uff0d", "\uff20")


# What openpyxl writes as a typed cell; anything else (a list, an object) is written as text.
NATIVE = (int, float, Decimal, date, datetime, time, timedelta, type(None), Cell)


def clean_text(text: str) -> str:
    """``text`` without the control characters XLSX (XML 1.0) cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def is_risky(text: str) -> bool:
    """True when a spreadsheet program could read ``text`` as a formula (or an error value)."""
    return text.startswith(RISKY_STARTS) or text in ERROR_CODES


def xlsx_value(ws: Any, value: Any) -> Any:
    """What to hand to ``ws.append`` for ``value``: the value itself, or an inert text cell."""
    if isinstance(value, NATIVE):
        return value
    if not isinstance(value, str):  # e.g. a JSON list: openpyxl would refuse it (a 500)
        value = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    text = clean_text(value)
    if not is_risky(text):
        return text
    cell = WriteOnlyCell(ws, value=None)
    # Assigned directly: the value setter would make "=..." a formula and "#N/A" an error.
    cell._value = text[:32767]
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_row(ws: Any, values: Any) -> list[Any]:
    """A row for ``ws.append`` (normal or write-only worksheets) with every value made inert."""
    return [xlsx_value(ws, value) for value in values]


def inert_cell(cell: Any) -> Any:
    """Makes an existing text cell (e.g. a styled ``WriteOnlyCell``) inert; returns it."""
    if isinstance(cell.value, str):
        text = clean_text(cell.value)
        cell._value = text[:32767]
        cell.data_type = "s"
        if is_risky(text):
            cell.quotePrefix = True
    return cell


def sheet_title(text: str) -> str:
    """A worksheet title without characters XLSX refuses."""
    return clean_text(text)


def csv_value(value: Any) -> Any:
    """A CSV field: text made inert with a leading ``'``; anything else unchanged."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    return "'" + text if is_risky(text) else text
