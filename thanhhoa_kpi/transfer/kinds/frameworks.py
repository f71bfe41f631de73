"""Competency frameworks on two sheets: competencies (with their framework and levels 1–5)
and the level each position requires.

Natural keys: a framework by (code, version), a competency by (framework, code), a level
by (competency, level), a requirement by (position, competency). The framework columns
repeat on each competency row and must agree across the rows of one framework.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.competencies import services as competencies
from thanhhoa_kpi.competencies.models import Competency, CompetencyFramework, PositionRequirement, ProficiencyLevel
from thanhhoa_kpi.organization.models import JobPosition
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
from thanhhoa_kpi.transfer.specs import COMPETENCY_FRAMEWORKS
from thanhhoa_kpi.transfer.workbook import Row, SheetRows

COMPETENCIES, REQUIREMENTS = (s.title for s in COMPETENCY_FRAMEWORKS.sheets)
FRAMEWORK_COLUMNS = {"framework_name": "name", "effective_from": "effective_from", "is_active": "is_active"}
LEVELS = range(1, 6)
FwKey = tuple[str, int]


@dataclass
class _State:
    """The frameworks and competencies as they will be, shared by both sheets' writes."""

    frameworks: dict[FwKey, CompetencyFramework]
    competencies: dict[tuple[FwKey, str], Competency]
    writable: set[int]
    user: Any = None
    may_edit: bool = False  # the framework is province-wide: province admins only
    framework_rows: dict[FwKey, Row] = field(default_factory=dict)  # the row that defines each framework
    written: dict[FwKey, CompetencyFramework] = field(default_factory=dict)


def plan(sheets: dict[str, SheetRows], user: Any, report: ImportReport) -> list[Change]:
    frameworks = {(f.code, f.version): f for f in CompetencyFramework.objects.prefetch_related("competencies__levels")}
    state = _State(
        frameworks=frameworks,
        competencies={(key, c.code): c for key, f in frameworks.items() for c in f.competencies.all()},
        writable=set(access.writable(CompetencyFramework.objects.all(), user).values_list("id", flat=True)),
        user=user,
        may_edit=competencies.may_edit(user),
    )
    changes = _plan_competencies(sheets[COMPETENCIES], state, report)
    if REQUIREMENTS in sheets:
        changes += _plan_requirements(sheets[REQUIREMENTS], state, report)
    return changes


# --- sheet "Năng lực" -------------------------------------------------------------------
def _plan_competencies(data: SheetRows, state: _State, report: ImportReport) -> list[Change]:
    rows = unique_rows(data, cell_key("framework", "version", "code"), "code", report)
    changes = []
    for row in rows:
        key = _fw_key(row)
        if key is None or not _framework_ok(row, key, state, data, report) or row.bad:
            continue
        change = _competency_change(row, key, state)
        if change.action != SAME and not _may_change(state, key):  # unchanged rows (a re-imported export) pass
            data.error(report, row.number, "framework", competencies.REFUSAL)
            continue
        changes.append(change)
    return changes


def _may_change(state: _State, key: FwKey) -> bool:
    existing = state.frameworks.get(key)
    return state.may_edit and (existing is None or existing.pk in state.writable)


def _fw_key(row: Row) -> FwKey | None:
    if row.bad & {"framework", "version"} or not row.get("framework") or not row.get("version"):
        return None
    return row.get("framework"), row.get("version")


def _framework_ok(row: Row, key: FwKey, state: _State, data: SheetRows, report: ImportReport) -> bool:
    first = state.framework_rows.setdefault(key, row)
    ok = True
    for column in FRAMEWORK_COLUMNS:
        if first is not row and row.has(column) and first.has(column) and row.get(column) != first.get(column):
            message = f"Khác với dòng {first.number} của cùng khung «{key[0]}» phiên bản {key[1]}."
            data.error(report, row.number, column, message)
            ok = False
    return ok


def _competency_change(row: Row, key: FwKey, state: _State) -> Change:
    framework = state.frameworks.get(key)
    framework_values = {name: row.get(column) for column, name in FRAMEWORK_COLUMNS.items() if row.has(column)}
    competency = state.competencies.get((key, row.get("code")))
    values = {"name": row.get("name"), "kind": row.get("kind")}
    levels = {n: row.get(f"level_{n}") for n in LEVELS if row.get(f"level_{n}")}
    if competency is None:
        # Later rows (and the requirements sheet) must know this competency will exist.
        state.competencies[(key, row.get("code"))] = Competency(code=row.get("code"))
        action = CREATE
    else:
        current_levels = {lv.level: lv.description for lv in competency.levels.all()}
        same = not differences(competency, values) and all(current_levels.get(n) == d for n, d in levels.items())
        same = same and (framework is None or not differences(framework, framework_values))
        action = SAME if same else UPDATE
    if action == SAME:
        return Change(row.number, COMPETENCIES, SAME)
    write = partial(_write_competency, state, key, framework_values, row.get("code"), values, levels)
    return Change(row.number, COMPETENCIES, action, write)


def _write_framework(state: _State, key: FwKey, values: dict[str, Any]) -> CompetencyFramework:
    competencies.require_editor(state.user)
    if key in state.written:
        return state.written[key]
    framework = state.frameworks.get(key) or CompetencyFramework(code=key[0], version=key[1])
    diff = differences(framework, values) if framework.pk else values
    if diff or not framework.pk:
        apply_values(framework, diff)
    state.written[key] = framework
    return framework


def _write_competency(
    state: _State, key: FwKey, fw_values: dict[str, Any], code: str, values: dict[str, Any], levels: dict[int, str]
) -> None:
    framework = _write_framework(state, key, fw_values)
    competency = Competency.objects.filter(framework=framework, code=code).first() or Competency(
        framework=framework, code=code
    )
    if not competency.pk or differences(competency, values):
        apply_values(competency, values)
    state.competencies[(key, code)] = competency
    for level, description in levels.items():
        ProficiencyLevel.objects.update_or_create(
            competency=competency, level=level, defaults={"description": description}
        )


# --- sheet "Yêu cầu theo vị trí" ------------------------------------------------------------
def _plan_requirements(data: SheetRows, state: _State, report: ImportReport) -> list[Change]:
    positions = {p.code: p for p in JobPosition.objects.all()}
    existing = {(r.position_id, r.competency_id): r for r in PositionRequirement.objects.all()}
    rows = unique_rows(data, cell_key("position", "framework", "version", "competency"), "competency", report)
    changes = []
    for row in rows:
        position = positions.get(row.get("position"))
        competency = _requirement_refs(row, position, state, data, report)
        key = _fw_key(row)
        if competency is None or position is None or key is None or row.bad:
            continue
        level = row.get("required_level")
        current = existing.get((position.pk, competency.pk)) if competency.pk else None
        if current is not None and (current.required_level, current.framework_id) == (level, competency.framework_id):
            changes.append(Change(row.number, REQUIREMENTS, SAME))
            continue
        if not _may_change(state, key):
            data.error(report, row.number, "framework", competencies.REFUSAL)
            continue
        write = partial(_write_requirement, state, key, row.get("competency"), position, level)
        changes.append(Change(row.number, REQUIREMENTS, UPDATE if current else CREATE, write))
    return changes


def _requirement_refs(
    row: Row, position: JobPosition | None, state: _State, data: SheetRows, report: ImportReport
) -> Competency | None:
    key = _fw_key(row)
    competency = state.competencies.get((key, row.get("competency"))) if key else None
    if position is None:
        data.error(report, row.number, "position", f"Không tìm thấy vị trí việc làm có mã «{row.get('position')}».")
    if key is not None and key not in state.frameworks and key not in state.framework_rows:
        data.error(report, row.number, "framework", f"Không tìm thấy khung «{key[0]}» phiên bản {key[1]}.")
        return None
    if key is not None and competency is None:
        message = f"Khung «{key[0]}» phiên bản {key[1]} không có năng lực mã «{row.get('competency')}»."
        data.error(report, row.number, "competency", message)
    return competency if position is not None else None


def _write_requirement(state: _State, key: FwKey, code: str, position: JobPosition, level: int) -> None:
    competencies.require_editor(state.user)
    competency = state.competencies[(key, code)]
    if not competency.pk:  # only in the file so far: written by the competencies sheet
        competency = Competency.objects.get(framework__code=key[0], framework__version=key[1], code=code)
    PositionRequirement.objects.update_or_create(
        position=position,
        competency=competency,
        defaults={"framework_id": competency.framework_id, "required_level": level},
    )


# --- export ---------------------------------------------------------------------------------
def export(user: Any) -> dict[str, Iterable[dict[str, Any]]]:
    frameworks = access.scoped(CompetencyFramework.objects.all(), user)
    return {COMPETENCIES: _competency_rows(frameworks), REQUIREMENTS: _requirement_rows(frameworks)}


def _competency_rows(frameworks: Any) -> Iterator[dict[str, Any]]:
    competencies = (
        Competency.objects.filter(framework__in=frameworks)
        .select_related("framework")
        .prefetch_related("levels")
        .order_by("framework__code", "framework__version", "code")
    )
    for competency in competencies:
        fw = competency.framework
        row = {"framework": fw.code, "version": fw.version, "framework_name": fw.name}
        row |= {"effective_from": fw.effective_from, "is_active": fw.is_active}
        row |= {"code": competency.code, "name": competency.name, "kind": competency.kind}
        row |= {f"level_{lv.level}": lv.description for lv in competency.levels.all()}
        yield row


def _requirement_rows(frameworks: Any) -> Iterator[dict[str, Any]]:
    rows = (
        PositionRequirement.objects.filter(competency__framework__in=frameworks)
        .order_by("competency__framework__code", "competency__framework__version", "position__code", "competency__code")
        .values_list(
            "competency__framework__code",
            "competency__framework__version",
            "position__code",
            "competency__code",
            "required_level",
        )
    )
    keys = ("framework", "version", "position", "competency", "required_level")
    for values in rows:
        yield dict(zip(keys, values, strict=True))
