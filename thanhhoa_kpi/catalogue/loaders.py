"""Fixture loader of catalogues (``catalogues.yaml``, see :mod:`thanhhoa_kpi.core.seeding`).

Upserts by natural key: a catalogue by ``(code, version)``, an item by its code within
the catalogue. Fixture catalogues are loaded as approved (``status`` may say otherwise).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueItem, CatalogueStatus
from thanhhoa_kpi.core.seeding import register_loader
from thanhhoa_kpi.organization.models import JobPosition, OrgUnit

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
    catalogue, _ = Catalogue.objects.update_or_create(
        code=row["code"],
        version=int(row.get("version", 1)),
        defaults={
            "name": row["name"],
            "owner_unit": unit,
            "owner_bloc": "" if unit else row["bloc"],
            "effective_from": _date(row["effective_from"]),
            "effective_to": _date(row.get("effective_to")),
            "standard_product": row.get("standard_product", ""),
            "standard_minutes": row.get("standard_minutes"),
            "status": row.get("status", CatalogueStatus.APPROVED),
        },
    )
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
