"""The document types the report builder can query, and the fields of each.

A source names its model, its Vietnamese label and its fields; each field is
``(label_vi, kind, lookup[, choices])`` where ``kind`` is ``text|number|date|choice|fk``,
``choices`` pairs of (stored code, Vietnamese label) or a callable returning them (read on
every use, for labels that live in the database such as workflow states), and ``lookup``
is a lookup path (``"category"``, ``"unit__name"``) or a callable returning a query
expression (for "the official's current unit" and such). Custom fields of the source's
document type are added on every read as ``custom.<key>``.

Rows always come from ``access.scoped(model.objects, user)``. Other apps register their
sources in ``AppConfig.ready()``::

    from thanhhoa_kpi.reports.registry import register_report_source
    register_report_source("worklog", WorkLogLine, "Nhật ký công việc", {
        "date": ("Ngày", "date", "date"),
        "official": ("Cán bộ", "fk", "official__full_name"),
        "minutes": ("Số phút", "number", "minutes"),
    }, custom_doctype="worklog")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models
from django.db.models import BigIntegerField, DateField, DecimalField, F, OuterRef, QuerySet, Subquery
from django.db.models.expressions import Combinable
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from thanhhoa_kpi.accounts import access

KINDS = ("text", "number", "date", "choice", "fk")
Lookup = str | Callable[[], Combinable]


@dataclass(frozen=True)
class SourceField:
    name: str
    label: str
    kind: str
    lookup: Lookup
    choices: dict[str, str] = field(default_factory=dict)
    choices_from: Callable[[], Any] | None = None  # read by ReportSource.all_fields

    def expression(self) -> Any:
        return F(self.lookup) if isinstance(self.lookup, str) else self.lookup()

    def display(self, value: Any) -> Any:
        """A stored value as people read it (a choice's label; other values unchanged)."""
        if self.kind == "choice" and value is not None:
            return self.choices.get(str(value), value)
        return value


@dataclass(frozen=True)
class ReportSource:
    code: str
    model: type[models.Model]
    label: str
    fields: dict[str, SourceField]
    custom_doctype: str | None = None

    def queryset(self, user: Any) -> QuerySet:
        return access.scoped(self.model._default_manager.all(), user)

    def all_fields(self, user: Any = None) -> dict[str, SourceField]:
        """Built-in fields, then the active custom fields (read now: no restart): those that
        may apply to a record the user sees, or every one without a user."""
        out = {
            name: replace(f, choices=dict(f.choices_from())) if f.choices_from else f for name, f in self.fields.items()
        }
        if self.custom_doctype:
            from thanhhoa_kpi.customfields import selectors

            defs = (
                selectors.definitions_for_user(self.custom_doctype, user)
                if user is not None
                else selectors.definitions(self.custom_doctype, host=selectors.ALL_HOSTS)
            )
            for definition in defs:
                if definition.field_type != "attachment":
                    custom = custom_source_field(definition)
                    out[custom.name] = custom
        return out


SOURCES: dict[str, ReportSource] = {}


def _choices_of(model: type[models.Model], lookup: Lookup) -> dict[str, str]:
    if not isinstance(lookup, str):
        return {}
    target: Any = model
    model_field: Any = None
    for part in lookup.split("__"):
        model_field = target._meta.get_field(part)
        target = model_field.related_model or target
    return {str(k): str(v) for k, v in (model_field.flatchoices or [])}


def register_report_source(
    code: str,
    model: type[models.Model],
    label_vi: str,
    fields: dict[str, tuple[Any, ...]],
    *,
    custom_doctype: str | None = None,
) -> ReportSource:
    built: dict[str, SourceField] = {}
    for name, spec in fields.items():
        label, kind, lookup, *rest = spec
        if kind not in KINDS:
            raise ValueError(f"{code}.{name}: kiểu «{kind}» không hỗ trợ")
        dynamic = rest[0] if rest and callable(rest[0]) else None
        choices = dict(rest[0]) if rest and not dynamic else (_choices_of(model, lookup) if kind == "choice" else {})
        built[name] = SourceField(name, label, kind, lookup, choices, dynamic)
    source = ReportSource(code, model, label_vi, built, custom_doctype)
    SOURCES[code] = source
    return source


def source_choices() -> list[tuple[str, str]]:
    return [(code, source.label) for code, source in SOURCES.items()]


# --- custom fields as report fields ----------------------------------------------------------
def _link_name(model_path: str, name_field: str, key: str) -> Callable[[], Combinable]:
    def build() -> Combinable:
        from django.apps import apps

        model = apps.get_model(model_path)
        target = Cast(KeyTextTransform(key, OuterRef("custom")), BigIntegerField())
        return Subquery(model._default_manager.filter(pk=target).order_by().values(name_field)[:1])

    return build


def _custom_expression(field_type: str, key: str) -> Lookup:
    from thanhhoa_kpi.customfields.selectors import key_text

    text = lambda: key_text(key)  # noqa: E731
    builders: dict[str, Lookup] = {
        "integer": lambda: Cast(text(), BigIntegerField()),
        "decimal": lambda: Cast(text(), DecimalField(max_digits=30, decimal_places=6)),
        "date": lambda: Cast(text(), DateField()),
        "link_unit": _link_name("organization.OrgUnit", "name", key),
        "link_official": _link_name("organization.Official", "full_name", key),
    }
    return builders.get(field_type, text)


def custom_source_field(definition: Any) -> SourceField:
    from thanhhoa_kpi.customfields.types import FIELD_TYPES

    kind = FIELD_TYPES[definition.field_type].kind
    choices: dict[str, str] = {}
    if definition.field_type == "select":
        choices = {o: o for o in definition.options}
    elif definition.field_type == "checkbox":
        choices = {"true": "Có", "false": "Không"}
    lookup = _custom_expression(definition.field_type, definition.key)
    return SourceField(f"custom.{definition.key}", definition.label, kind, lookup, choices)
