"""Fixture loaders of the org model (see :mod:`thanhhoa_kpi.core.seeding`)."""

from __future__ import annotations

from typing import Any

from thanhhoa_kpi.core.seeding import register_loader
from thanhhoa_kpi.organization.models import BlocAuthority, JobPosition, OrgUnit, SimilarTaskGroup

UNIT_FIELDS = ("name", "short_name", "bloc", "level", "kind", "active_from", "active_to")
POSITION_FIELDS = ("name", "group", "bloc", "professional_level", "duties", "output_products", "working_conditions")


@register_loader("org_units.yaml", priority=10)
def load_units(rows: list[dict[str, Any]]) -> int:
    pending = list(rows)
    loaded = 0
    # Parents first, whatever the order in the file (or across files of several sets).
    while pending:
        progressed = []
        for row in pending:
            parent_code = row.get("parent")
            parent = OrgUnit.objects.filter(code=parent_code).first() if parent_code else None
            if parent_code and parent is None:
                continue
            _upsert_unit(row, parent)
            progressed.append(row)
            loaded += 1
        if not progressed:
            missing = sorted({str(r.get("parent")) for r in pending})
            raise ValueError(f"org_units: không tìm thấy đơn vị cấp trên {', '.join(missing)}")
        pending = [r for r in pending if r not in progressed]
    return loaded


def _upsert_unit(row: dict[str, Any], parent: OrgUnit | None) -> None:
    values = {f: row.get(f) or ("" if f == "short_name" else None) for f in UNIT_FIELDS}
    unit = OrgUnit.objects.filter(code=row["code"]).first()
    if unit is None:
        node = OrgUnit(code=row["code"], **values)
        if parent is None:
            OrgUnit.objects.add_root(instance=node)
        else:
            OrgUnit.objects.add_child(parent, instance=node)
        return
    for key, value in values.items():
        setattr(unit, key, value)
    unit.save()
    current_parent = OrgUnit.objects.get_parent(unit)
    if parent is not None and (current_parent is None or current_parent.pk != parent.pk):
        OrgUnit.objects.move(unit, parent, "last-child")


@register_loader("bloc_authorities.yaml", priority=20)
def load_authorities(rows: list[dict[str, Any]]) -> int:
    for row in rows:
        BlocAuthority.objects.update_or_create(
            bloc=row["bloc"], defaults={"unit": OrgUnit.objects.get(code=row["unit"])}
        )
    return len(rows)


@register_loader("similar_task_groups.yaml", priority=20)
def load_groups(rows: list[dict[str, Any]]) -> int:
    for row in rows:
        SimilarTaskGroup.objects.update_or_create(
            unit=OrgUnit.objects.get(code=row["unit"]), code=row["code"], defaults={"name": row["name"]}
        )
    return len(rows)


@register_loader("positions.yaml", priority=10)
def load_positions(rows: list[dict[str, Any]]) -> int:
    for row in rows:
        defaults = {f: row.get(f) if f == "professional_level" else (row.get(f) or "") for f in POSITION_FIELDS}
        JobPosition.objects.update_or_create(code=row["code"], defaults=defaults)
    return len(rows)
