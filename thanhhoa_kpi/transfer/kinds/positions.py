"""Job positions: upsert by code (positions are shared by every unit of the province)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.organization.models import JobPosition
from thanhhoa_kpi.transfer.custom import plan_custom, with_custom_cells
from thanhhoa_kpi.transfer.kinds.base import (
    CREATE,
    SAME,
    UPDATE,
    Change,
    apply_values,
    cell_key,
    differences,
    unique_rows,
)
from thanhhoa_kpi.transfer.report import ImportReport
from thanhhoa_kpi.transfer.specs import POSITIONS
from thanhhoa_kpi.transfer.workbook import SheetRows

FIELDS = ("name", "group", "bloc", "professional_level", "duties", "output_products", "working_conditions")


def plan(sheets: dict[str, SheetRows], user: Any, report: ImportReport) -> list[Change]:
    data = sheets[POSITIONS.main.title]
    rows = unique_rows(data, cell_key("code"), "code", report)
    existing = {p.code: p for p in JobPosition.objects.all()}
    writable = set(access.writable(JobPosition.objects.all(), user).values_list("code", flat=True))
    changes: list[Change] = []
    for row in rows:
        code = row.get("code")
        position = existing.get(code)
        if position is not None and code not in writable:
            data.error(report, row.number, "code", f"Bạn không có quyền sửa vị trí việc làm «{code}».")
            continue
        custom = plan_custom("position", row, data, report, position)
        if row.bad or custom is None:
            continue
        values = {name: row.get(name) for name in FIELDS if row.has(name)} | {"custom": custom}
        if position is None:
            changes.append(Change(row.number, "", CREATE, partial(_create, code, values)))
            continue
        diff = differences(position, values)
        action = UPDATE if diff else SAME
        changes.append(Change(row.number, "", action, partial(apply_values, position, diff) if diff else None))
    return changes


def _create(code: str, values: dict[str, Any]) -> None:
    apply_values(JobPosition(code=code), values)


def export(user: Any) -> dict[str, Iterable[dict[str, Any]]]:
    rows = access.scoped(JobPosition.objects.order_by("code"), user).values("code", "custom", *FIELDS)
    return {POSITIONS.main.title: with_custom_cells(POSITIONS.custom_doctype, rows.iterator())}
