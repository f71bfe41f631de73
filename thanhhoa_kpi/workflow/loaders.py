"""Fixture loader of workflow definitions (see :mod:`thanhhoa_kpi.core.seeding`)."""

from __future__ import annotations

from typing import Any

from thanhhoa_kpi.core.seeding import register_loader
from thanhhoa_kpi.workflow.models import WorkflowDefinition


@register_loader("workflows.json", priority=5)
def load_workflows(rows: list[dict[str, Any]]) -> int:
    for row in rows:
        definition = {k: row[k] for k in ("states", "transitions")}
        WorkflowDefinition.objects.update_or_create(
            code=row["code"],
            version=row.get("version", 1),
            defaults={"name": row["name"], "doctype": row["doctype"], "definition": definition, "is_current": True},
        )
    return len(rows)
