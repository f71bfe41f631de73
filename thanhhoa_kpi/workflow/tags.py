"""Filters by state tags: which documents stand in a state their own definition tags so.

Definitions edited in the desk name their states freely; the rest of the app asks for a
tag (``published``, ``approved``…). Each document keeps the definition version it started
with, so the filter is built per version: ``(workflow = v, state in v's tagged states)``
or'ed together, one query over the document type's definitions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from thanhhoa_kpi.workflow.engine import states_tagged
from thanhhoa_kpi.workflow.models import WorkflowDefinition


def tagged_q(doctype: str, *tags: str, prefix: str = "") -> Q:
    """Documents of ``doctype`` (reached through ``prefix``, e.g. ``assessment__``) in a state
    their definition tags with any of ``tags``; matches nothing when no state carries them."""
    # pk IS NULL matches no row, without the EmptyResultSet an empty ``pk__in`` raises.
    found = Q(**{f"{prefix}pk__isnull": True})
    for definition in WorkflowDefinition.objects.filter(doctype=doctype):
        codes = set().union(*(states_tagged(definition.parsed(), tag) for tag in tags))
        if codes:
            found |= Q(**{f"{prefix}workflow_id": definition.pk, f"{prefix}state__in": sorted(codes)})
    return found


def has_tag(document: Any, tag: str) -> bool:
    """Whether ``document`` now stands in a state its own definition tags ``tag``."""
    return document.state in states_tagged(document.workflow.parsed(), tag)
