"""Custom fields in Excel imports and exports (SPEC 7: "imports and exports").

The columns of a kind's main sheet are extended at run time with one column per active
custom field of the kind's doctype (HR admins add fields without code, so a static spec
cannot list them). Cells of those columns are read raw and converted by the custom-field
type table (:mod:`thanhhoa_kpi.customfields.services`), errors naming the row and the
column like any other cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice
from typing import Any

from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.customfields.services import custom_cells, custom_columns, custom_values_from_row
from thanhhoa_kpi.customfields.services import custom_values_validate as validate
from thanhhoa_kpi.transfer.report import ImportReport
from thanhhoa_kpi.transfer.specs import RAW, Column, Spec
from thanhhoa_kpi.transfer.workbook import Row, SheetRows

PREFIX = "custom:"
EXPORT_CHUNK = 2000


def with_custom_columns(spec: Spec) -> Spec:
    """``spec`` with the kind's active custom fields appended to its main sheet."""
    if not spec.custom_doctype:
        return spec
    extra = tuple(Column(label, PREFIX + key, RAW) for label, key in custom_columns(spec.custom_doctype))
    if not extra:
        return spec
    main = replace(spec.main, columns=spec.main.columns + extra)
    return replace(spec, sheets=(main, *spec.sheets[1:]))


def plan_custom(
    doctype: str, row: Row, data: SheetRows, report: ImportReport, instance: Any, *, host: Any = None
) -> dict[str, Any] | None:
    """The record's whole ``custom`` dict after this row, or ``None`` (errors reported).

    A row of a file without custom columns keeps an existing record's values; a new
    record still gets the fields' defaults and the required-field check. Only the fields
    owned by a scope holding ``host`` (the row's unit or bloc; default: ``instance``) apply.
    """
    raw = {data.sheet.header(k): v for k, v in row.values.items() if k.startswith(PREFIX)}
    if not raw and instance is not None:
        return dict(instance.custom or {})
    values, errors = custom_values_from_row(doctype, raw)
    by_header = {data.sheet.header(k): k for k in row.values if k.startswith(PREFIX)}
    for error in errors:
        data.error(report, row.number, by_header.get(error.field, ""), error.message)
    if errors:
        return None
    try:
        return validate(doctype=doctype, values=values, instance=instance, host=host or instance)
    except ValidationFailed as exc:
        for error in exc.errors:
            key = PREFIX + error.field.removeprefix("custom.")
            data.error(report, row.number, key if key in row.values else "", f"{error.field}: {error.message}")
        return None


def with_custom_cells(doctype: str | None, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Export rows (each with a ``custom`` dict) with one cell per custom column, in chunks."""
    keys = [PREFIX + key for _label, key in custom_columns(doctype)] if doctype else []
    iterator = iter(rows)
    while chunk := list(islice(iterator, EXPORT_CHUNK)):
        cells = custom_cells(doctype, [r.get("custom") or {} for r in chunk]) if keys else [[] for _ in chunk]
        for row, values in zip(chunk, cells, strict=True):
            row.pop("custom", None)
            yield row | dict(zip(keys, values, strict=True))
