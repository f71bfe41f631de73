"""Custom fields and reports on top of the shared cast (tests of issue 6)."""

from __future__ import annotations

from typing import Any

from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.customfields import services
from thanhhoa_kpi.customfields.models import FieldDefinition


def ensure_report_roles() -> None:
    """The permissions of roles.reports.yaml (the cast loads roles.yaml only)."""
    from thanhhoa_kpi.accounts.loaders import load_roles

    load_roles(read_file(FIXTURES_DIR / "base" / "roles.reports.yaml"))


def make_field(key: str, field_type: str, doctype: str = "official", **extra: Any) -> FieldDefinition:
    extra.setdefault("label", key.replace("_", " ").capitalize())
    extra.setdefault("by", SYSTEM)  # set up by the test itself, as a fixture would
    return services.field_definition_create(doctype=doctype, key=key, field_type=field_type, **extra)


def set_custom(obj: Any, **values: Any) -> Any:
    doctype = "official" if obj._meta.model_name == "official" else "position"
    obj.custom = services.custom_values_validate(doctype=doctype, values=values, instance=obj)
    obj.save(update_fields=["custom"])
    return obj
