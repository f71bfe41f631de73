"""Fixture loaders of rule sets and of the demo appraisals (see :mod:`thanhhoa_kpi.core.seeding`)."""

from __future__ import annotations

from typing import Any

from thanhhoa_kpi.appraisals.models import RuleSet
from thanhhoa_kpi.core.seeding import register_loader


@register_loader("rule_sets.json", priority=5)
def load_rule_sets(rows: list[dict[str, Any]]) -> int:
    for row in rows:
        RuleSet.objects.update_or_create(
            code=row["code"],
            version=row.get("version", 1),
            defaults={
                "name": row["name"],
                "legal_basis": row.get("legal_basis", ""),
                "params": row["params"],
                "is_current": True,
            },
        )
    return len(rows)


@register_loader("appraisals.yaml", priority=70)
def load_demo_appraisals(rows: list[dict[str, Any]]) -> int:
    """Demo periods and appraisals (demo set only), in file order: unit appraisals first."""
    from thanhhoa_kpi.appraisals import demo

    count = 0
    for row in rows:
        if "unit_appraisal" in row:
            count += demo.load_unit_appraisal(row["unit_appraisal"])
        else:
            count += demo.load_period(row)
    return count
