"""Fixture loader of catalogues (``catalogues.yaml``, see :mod:`thanhhoa_kpi.core.seeding`).

Upserts by natural key: a catalogue by ``(code, version)``, an item by its code within
the catalogue.

Seeded catalogues are pre-approved by the province: a new one is put on the current
CATALOGUE workflow and, unless its row says ``status: DRAFT``, straight into PUBLISHED
with ``status`` APPROVED, without walking the chain (nobody's approval is recorded, only
the time). A catalogue already in force is never taken out of force by a re-run, and a
draft already moving through the workflow keeps its state. The workflow definitions
(``workflows.json``, priority 5) are loaded before this file (priority 40).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from thanhhoa_kpi.catalogue.approval import published_state
from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueItem, CatalogueStatus
from thanhhoa_kpi.core.seeding import register_loader
from thanhhoa_kpi.organization.models import JobPosition, OrgUnit
from thanhhoa_kpi.workflow.services import workflow_start_fields

ITEM_TEXT = ("field", "task", "detailed_work", "output_product", "unit_of_measure")


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@register_loader("catalogues.yaml", priority=40)
def load_catalogues(rows: list[dict[str, Any]]) -> int:
    positions = dict(JobPosition.objects.values_list("code", "pk"))
    count = 0
    for row in rows:
        catalogue = _upsert_catalogue(row)
        for spec in row.get("items", []):
            _upsert_item(catalogue, spec, positions)
            count += 1
    return count


def _upsert_catalogue(row: dict[str, Any]) -> Catalogue:
    owner = row.get("owner")
    unit = OrgUnit.objects.get(code=owner) if owner else None
    code, version = row["code"], int(row.get("version", 1))
    catalogue = Catalogue.objects.filter(code=code, version=version).first()
    if catalogue is None:
        fields = workflow_start_fields(definition_code=Catalogue.workflow_code, doctype=Catalogue.workflow_doctype)
        catalogue = Catalogue(code=code, version=version, **fields)
    values = {
        "name": row["name"],
        "owner_unit": unit,
        "owner_bloc": "" if unit else row["bloc"],
        "effective_from": _date(row["effective_from"]),
        "effective_to": _date(row.get("effective_to")),
        "standard_product": row.get("standard_product", ""),
        "standard_minutes": row.get("standard_minutes"),
    }
    for name, value in values.items():
        setattr(catalogue, name, value)
    if row.get("status", CatalogueStatus.APPROVED) == CatalogueStatus.APPROVED and catalogue.is_draft:
        # Pre-approved by the province: in force without walking the chain.
        catalogue.status, catalogue.state = CatalogueStatus.APPROVED, published_state(catalogue)
        catalogue.state_changed_at = catalogue.approved_at = timezone.now()
    catalogue.save()
    return catalogue


def _upsert_item(catalogue: Catalogue, spec: dict[str, Any], positions: dict[str, int]) -> None:
    coefficient = Decimal(str(spec["coefficient"]))
    if coefficient <= 0:
        raise ValueError(f"catalogues: hệ số của {catalogue.code}/{spec['code']} phải lớn hơn 0")
    item, _ = CatalogueItem.objects.update_or_create(
        catalogue=catalogue,
        code=spec["code"],
        defaults={
            **{key: spec.get(key) or "" for key in ITEM_TEXT},
            "complexity_group": int(spec.get("complexity_group", 1)),
            "coefficient": coefficient,
            "standard_minutes": spec.get("standard_minutes"),
        },
    )
    codes = spec.get("positions") or []
    unknown = [code for code in codes if code not in positions]
    if unknown:
        raise ValueError(f"catalogues: {catalogue.code}/{spec['code']}: không có vị trí {', '.join(unknown)}")
    item.positions.set([positions[code] for code in codes])
