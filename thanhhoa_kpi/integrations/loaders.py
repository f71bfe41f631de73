"""Fixture loader of sending systems and matching rules (``integrations.yaml``, demo set).

A row is either ``source: {code, name, kind, secret}`` or ``rule: {source, key, catalogue,
item, minutes}``; both are upserted by natural key (a source's code; a rule's source, key
and item). A source's secret is set only when the source is created, so seeding again never
undoes a rotation made in the desk.
"""

from __future__ import annotations

from typing import Any

from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.core.seeding import register_loader
from thanhhoa_kpi.integrations.models import IntegrationSource, MatchingRule, match_key


def _source(row: dict[str, Any]) -> None:
    source, created = IntegrationSource.objects.update_or_create(
        code=row["code"], defaults={"name": row["name"], "kind": row["kind"]}
    )
    if created and row.get("secret"):
        source.secret = row["secret"]
        source.save(update_fields=["secret"])


def _rule(row: dict[str, Any]) -> None:
    item = CatalogueItem.objects.filter(catalogue__code=row["catalogue"], code=row["item"]).order_by(
        "-catalogue__version"
    ).first()  # fmt: skip
    if item is None:
        raise ValueError(f"integrations.yaml: không có đầu công việc {row['catalogue']}/{row['item']}")
    MatchingRule.objects.update_or_create(
        source=IntegrationSource.objects.get(code=row["source"]), key=match_key(row["key"]), catalogue_item=item,
        defaults={"minutes": int(row.get("minutes", 30)), "note": row.get("note", ""), "active": True},
    )  # fmt: skip


@register_loader("integrations.yaml", priority=65)
def load_integrations(rows: list[dict[str, Any]]) -> int:
    for row in rows:
        if "source" in row and isinstance(row["source"], dict):
            _source(row["source"])
        elif "rule" in row:
            _rule(row["rule"])
        else:
            raise ValueError(f"integrations.yaml: dòng không hiểu được: {row}")
    return len(rows)
