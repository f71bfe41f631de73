"""Fixture loaders of rule sets and of the demo appraisals (see :mod:`thanhhoa_kpi.core.seeding`).

Loading is a system action: a shipped rule set goes in force directly, without the
second-person approval a desk change needs, unless a newer version was put in force
since (a pending proposal neither blocks it nor is touched).
"""

from __future__ import annotations

from typing import Any

from thanhhoa_kpi.appraisals.models import RuleSet
from thanhhoa_kpi.core.seeding import register_loader
from thanhhoa_kpi.workflow.governance import put_in_force_directly
from thanhhoa_kpi.workflow.models import VersionStatus


@register_loader("rule_sets.json", priority=5)
def load_rule_sets(rows: list[dict[str, Any]]) -> int:
    for row in rows:
        version = row.get("version", 1)
        saved, _created = RuleSet.objects.update_or_create(
            code=row["code"],
            version=version,
            defaults={"name": row["name"], "legal_basis": row.get("legal_basis", ""), "params": row["params"]},
            create_defaults={
                "name": row["name"], "legal_basis": row.get("legal_basis", ""), "params": row["params"],
                "is_current": False, "status": VersionStatus.RETIRED,
            },
        )  # fmt: skip
        were = (VersionStatus.IN_FORCE, VersionStatus.RETIRED)
        newer = RuleSet.objects.filter(code=row["code"], version__gt=version, status__in=were).exists()
        if not newer and not saved.is_current:
            put_in_force_directly(saved)
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
