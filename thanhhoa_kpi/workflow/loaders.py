"""Fixture loader of workflow definitions (see :mod:`thanhhoa_kpi.core.seeding`).

Idempotent and safe to re-run over a live database: a version documents already use is
never rewritten (change the fixture's ``version`` to ship a change), and a newer version
put in force through the desk stays the current one. Loading is a system action: the
shipped version goes in force directly, without the second-person approval the desk
requires (a pending proposal neither blocks it nor is touched).
"""

from __future__ import annotations

from typing import Any

from thanhhoa_kpi.core.seeding import register_loader
from thanhhoa_kpi.workflow.engine import parse_definition
from thanhhoa_kpi.workflow.governance import put_in_force_directly
from thanhhoa_kpi.workflow.hosts import definition_in_use
from thanhhoa_kpi.workflow.models import VersionStatus, WorkflowDefinition

# Versions that were the rule once: only these outrank a shipped one.
WERE_IN_FORCE = (VersionStatus.IN_FORCE, VersionStatus.RETIRED)


def _load_one(row: dict[str, Any]) -> None:
    version = row.get("version", 1)
    # Shape only: guards are registered by the apps that own them, which the seed may
    # load in any order; the desk validates fully when a definition is edited.
    parse_definition({**row, "version": version})
    body = {key: row[key] for key in ("states", "transitions")}
    fields = {"name": row["name"], "doctype": row["doctype"], "definition": body}
    existing = WorkflowDefinition.objects.filter(code=row["code"], version=version).first()
    if existing is None:
        existing = WorkflowDefinition.objects.create(
            code=row["code"], version=version, is_current=False, status=VersionStatus.RETIRED, **fields
        )
    elif any(getattr(existing, k) != v for k, v in fields.items()) and not definition_in_use(existing):
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save()
    newer = WorkflowDefinition.objects.filter(code=row["code"], version__gt=version, status__in=WERE_IN_FORCE)
    if not newer.exists() and not existing.is_current:
        put_in_force_directly(existing)


@register_loader("workflows.json", priority=5)
def load_workflows(rows: list[dict[str, Any]]) -> int:
    for row in rows:
        _load_one(row)
    return len(rows)
