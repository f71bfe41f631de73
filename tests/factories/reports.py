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


def builtin_report_data(cast: Any) -> tuple[Any, Any, Any]:
    """Work-log lines in two departments and two published appraisals of this month:
    (cast, the appraisal period, the work cast)."""
    from tests.factories.appraisals import appraisal_of, opened, prepare_appraisals, scored
    from tests.factories.worklogs import log, work_cast

    prepare_appraisals()
    ensure_report_roles()
    work = work_cast(cast)
    log(cast.official, work.culture, minutes=120)
    log(cast.colleague, work.sport, minutes=60)
    log(cast.outsider, work.foreign, minutes=30)
    period = opened(cast)
    scored(appraisal_of(cast.official, period), "92", "66", state="PUBLISHED")
    scored(appraisal_of(cast.outsider, period), "80", "58", state="PUBLISHED")
    return cast, period, work


def make_field(key: str, field_type: str, doctype: str = "official", **extra: Any) -> FieldDefinition:
    extra.setdefault("label", key.replace("_", " ").capitalize())
    extra.setdefault("by", SYSTEM)  # set up by the test itself, as a fixture would
    return services.field_definition_create(doctype=doctype, key=key, field_type=field_type, **extra)


def set_custom(obj: Any, **values: Any) -> Any:
    doctype = "official" if obj._meta.model_name == "official" else "position"
    obj.custom = services.custom_values_validate(doctype=doctype, values=values, instance=obj)
    obj.save(update_fields=["custom"])
    return obj
