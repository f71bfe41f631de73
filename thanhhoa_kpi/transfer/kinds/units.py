"""Org units: upsert by code; parents placed before their children, whatever the file order.

The tree after the import is worked out first (the file's parents over the database's),
so a missing parent, a loop, or a unit placed outside the importer's scope is reported
per row before anything moves. Writes go through the organization services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import OrgUnit
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
from thanhhoa_kpi.transfer.specs import ORG_UNITS
from thanhhoa_kpi.transfer.workbook import Row, SheetRows

FIELDS = ("name", "short_name", "bloc", "level", "kind", "active_from", "active_to")


@dataclass
class _Tree:
    existing: dict[str, OrgUnit]
    db_parents: dict[str, str | None]  # code -> parent code, now
    parents: dict[str, str | None]  # code -> parent code, after the import
    in_file: set[str]
    writable: set[str]  # codes the user may write, growing as new units are placed
    may_create_roots: bool


def plan(sheets: dict[str, SheetRows], user: Any, report: ImportReport) -> list[Change]:
    data = sheets[ORG_UNITS.main.title]
    rows = unique_rows(data, cell_key("code"), "code", report)
    tree = _tree(rows, data, user)
    changes: list[Change] = []
    for row in sorted(rows, key=lambda r: _depth(tree, r.get("code"))):
        if _check(row, tree, data, report) and not row.bad:
            changes.append(_change(row, tree, user))
    return changes


def _tree(rows: list[Row], data: SheetRows, user: Any) -> _Tree:
    existing = {u.code: u for u in OrgUnit.objects.all()}
    code_by_path = {u.path: u.code for u in existing.values()}
    db_parents = {u.code: _parent_code(u, code_by_path) for u in existing.values()}
    parents = dict(db_parents)
    for row in rows:
        code = row.get("code")
        if "parent" in data.present and "parent" not in row.bad:
            parents[code] = row.get("parent") or None
        elif code not in existing:
            parents[code] = None
    scope = access.scope_for(user)
    writable = set(access.writable(OrgUnit.objects.all(), user).values_list("code", flat=True))
    in_file = {r.get("code") for r in rows}
    return _Tree(existing, db_parents, parents, in_file, writable, scope.is_system_admin)


def _ancestors(tree: _Tree, code: str) -> list[str] | None:
    """The chain of parents of ``code`` after the import; ``None`` when it loops."""
    chain: list[str] = []
    parent = tree.parents.get(code)
    while parent is not None:
        if parent == code or parent in chain:
            return None
        chain.append(parent)
        parent = tree.parents.get(parent)
    return chain


def _depth(tree: _Tree, code: str) -> int:
    chain = _ancestors(tree, code)
    return len(chain) if chain is not None else 0


def _check(row: Row, tree: _Tree, data: SheetRows, report: ImportReport) -> bool:
    code = row.get("code")
    parent = tree.parents.get(code)
    unit = tree.existing.get(code)
    error = partial(data.error, report, row.number)
    if unit is not None and code not in tree.writable:
        error("code", f"Mã đơn vị «{code}» đã được dùng cho một đơn vị ngoài phạm vi bạn quản lý.")
        return False
    if parent is not None and parent not in tree.existing and parent not in tree.in_file:
        error("parent", f"Không tìm thấy đơn vị cấp trên có mã «{parent}» trong tệp hoặc trong hệ thống.")
        return False
    if _ancestors(tree, code) is None:
        error("parent", "Đơn vị cấp trên tạo thành vòng lặp: một đơn vị không thể nằm dưới chính nó.")
        return False
    if not _may_place(row, unit, tree, error):
        return False
    tree.writable.add(code)
    return _dates_ok(row, unit, error)


def _may_place(row: Row, unit: OrgUnit | None, tree: _Tree, error: Any) -> bool:
    """A new unit, or a unit given another parent, must land under a unit the user manages."""
    parent = tree.parents.get(row.get("code"))
    if unit is not None and parent == tree.db_parents.get(unit.code):
        return True
    column = "parent" if "parent" in row.values else "code"
    if parent is None and not tree.may_create_roots:
        error(column, "Chỉ quản trị hệ thống mới tạo được đơn vị gốc; hãy ghi mã đơn vị cấp trên.")
        return False
    if parent is not None and parent not in tree.writable:
        if parent in tree.in_file and parent not in tree.existing:
            error(column, f"Đơn vị cấp trên «{parent}» ở dòng khác của tệp chưa hợp lệ; hãy sửa dòng đó trước.")
        else:
            error(column, f"Bạn không quản lý đơn vị cấp trên «{parent}».")
        return False
    return True


def _dates_ok(row: Row, unit: OrgUnit | None, error: Any) -> bool:
    start = row.get("active_from") if row.has("active_from") else getattr(unit, "active_from", None)
    end = row.get("active_to") if row.has("active_to") else getattr(unit, "active_to", None)
    if start and end and end < start:
        error("active_to", "Ngày hoạt động đến phải bằng hoặc sau ngày hoạt động từ.")
        return False
    return True


def _change(row: Row, tree: _Tree, user: Any) -> Change:
    code = row.get("code")
    values = {name: row.get(name) for name in FIELDS if row.has(name)}
    parent = tree.parents.get(code)
    unit = tree.existing.get(code)
    if unit is None:
        return Change(row.number, "", CREATE, partial(_create, user, code, parent, values))
    diff = differences(unit, values)
    moved = parent != tree.db_parents.get(code)
    if not diff and not moved:
        return Change(row.number, "", SAME)
    return Change(row.number, "", UPDATE, partial(_update, user, code, diff, parent, moved))


def _create(user: Any, code: str, parent_code: str | None, values: dict[str, Any]) -> None:
    parent = OrgUnit.objects.get(code=parent_code) if parent_code else None
    org.org_unit_create(by=user, parent=parent, code=code, **values)


def _update(user: Any, code: str, diff: dict[str, Any], parent_code: str | None, moved: bool) -> None:
    # Tree operations rewrite paths: always work on freshly read nodes.
    if diff:
        org.org_unit_update(by=user, unit=OrgUnit.objects.get(code=code), **diff)
    if moved:
        parent = OrgUnit.objects.get(code=parent_code) if parent_code else None
        org.org_unit_move(by=user, unit=OrgUnit.objects.get(code=code), new_parent=parent)


def export(user: Any) -> dict[str, Iterable[dict[str, Any]]]:
    code_by_path = dict(OrgUnit.objects.values_list("path", "code"))
    units = access.scoped(OrgUnit.objects.order_by("path"), user)
    return {ORG_UNITS.main.title: (_export_row(u, code_by_path) for u in units.iterator())}


def _export_row(unit: OrgUnit, code_by_path: dict[str, str]) -> dict[str, Any]:
    values = {name: getattr(unit, name) for name in ("code", *FIELDS)}
    values["parent"] = _parent_code(unit, code_by_path)
    return values


def _parent_code(unit: OrgUnit, code_by_path: dict[str, str]) -> str | None:
    return code_by_path.get(unit.path[: -OrgUnit.steplen]) if unit.depth > 1 else None
