"""Reads of custom field definitions: one indexed query per document type and call.

Definitions are read per request (no restart after a change). The rows are few per
document type, so no cross-request cache is kept: a stale cache would let a retired field
be written, and invalidating it correctly in every process is not worth one small query.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, ExpressionWrapper
from django.db.models.fields.json import KeyTextTransform

from thanhhoa_kpi.customfields.models import BuiltinOverride, FieldDefinition


def definitions(doctype: str, *, include_retired: bool = False) -> list[FieldDefinition]:
    qs = FieldDefinition.objects.filter(doctype=doctype)
    if not include_retired:
        qs = qs.filter(active=True)
    return list(qs.order_by("order", "id"))


def overrides(doctype: str) -> dict[str, BuiltinOverride]:
    return {o.field_name: o for o in BuiltinOverride.objects.filter(doctype=doctype)}


def custom_output(defs: list[FieldDefinition], stored: dict[str, Any] | None) -> dict[str, Any]:
    """The ``custom`` object shown to clients: every active key, ``None`` when blank."""
    stored = stored or {}
    return {d.key: stored.get(d.key) for d in defs}


def key_text(key: str, source: Any = "custom") -> ExpressionWrapper:
    """A custom value as plain text in SQL ("Văn hóa", "12", "true"), for filters and groups.

    Bare ``KeyTextTransform`` keeps the JSON lookups, whose ``exact`` on MariaDB compares
    with ``JSON_EXTRACT('<value>', '$')`` and never matches a plain string; wrapping it
    as a CharField gives ordinary text comparisons.
    """
    return ExpressionWrapper(KeyTextTransform(key, source), output_field=CharField())
