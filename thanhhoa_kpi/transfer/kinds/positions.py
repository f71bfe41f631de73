"""Job positions: upsert by code (positions are shared by every unit of a bloc).

A position is a bloc-wide row: only province admins or HR admins of that whole bloc add
or change it (``access.bloc_rows``, :func:`thanhhoa_kpi.organization.services.position_save`),
so a ward's HR admin is refused row by row, before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.choices import Bloc
from thanhhoa_kpi.organization.models import JobPosition
from thanhhoa_kpi.transfer.custom import plan_custom, with_custom_cells
from thanhhoa_kpi.transfer.kinds.base import (
    CREATE,
    SAME,
    UPDATE,
    Change,
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
        # fields owned by a bloc follow the row's bloc
        in_bloc = JobPosition(bloc=(row.get("bloc") if row.has("bloc") else getattr(position, "bloc", "")) or "")
        custom = plan_custom("position", row, data, report, position, host=in_bloc)
        if row.bad or custom is None:
            continue
        values = {name: row.get(name) for name in FIELDS if row.has(name)} | {"custom": custom}
        diff = differences(position, values) if position is not None else values
        if position is not None and not diff:
            changes.append(Change(row.number, "", SAME))  # re-importing an export changes nothing
            continue
        if not _may_write(user, row, data, report, position, writable):
            continue
        if position is None:
            changes.append(Change(row.number, "", CREATE, partial(_create, user, code, values)))
            continue
        changes.append(Change(row.number, "", UPDATE, partial(org.position_save, by=user, position=position, **diff)))
    return changes


def _may_write(
    user: Any, row: Any, data: SheetRows, report: ImportReport, position: JobPosition | None, writable: set[str]
) -> bool:
    """Bloc-wide rows: the stored position and the row's bloc must both be the user's to change."""
    code = row.get("code")
    if position is not None and code not in writable:
        data.error(report, row.number, "code", _refusal(code, position.bloc))
        return False
    bloc = row.get("bloc") if row.has("bloc") else getattr(position, "bloc", None)
    if bloc and not access.can_manage_bloc(user, bloc):
        data.error(report, row.number, "bloc", _refusal(code, bloc))
        return False
    return True


def _refusal(code: str, bloc: str) -> str:
    label = Bloc(bloc).label if bloc in Bloc.values else bloc
    return (
        f"Vị trí việc làm «{code}» thuộc {label} dùng chung cho cả khối: chỉ quản trị cấp tỉnh hoặc quản trị "
        "nhân sự của khối được thêm, sửa."
    )


def _create(user: Any, code: str, values: dict[str, Any]) -> None:
    org.position_save(by=user, code=code, **values)


def export(user: Any) -> dict[str, Iterable[dict[str, Any]]]:
    rows = access.scoped(JobPosition.objects.order_by("code"), user).values("code", "custom", *FIELDS)
    return {POSITIONS.main.title: with_custom_cells(POSITIONS.custom_doctype, rows.iterator())}
