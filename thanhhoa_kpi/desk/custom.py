"""Custom fields in desk forms and lists (SPEC 7): one mixin for every host ModelAdmin.

``class OfficialAdmin(CustomFieldsAdminMixin, ScopedAdmin): custom_doctype = "official"``

- the form gets one field per active definition (in a «Thông tin bổ sung» fieldset), built
  from the type table and checked by ``custom_values_validate`` in ``clean()``, so a bad
  value is shown on its field and nothing is saved;
- ``show_in_list`` fields become list columns, ``show_in_filters`` fields list filters;
- overrides of built-in fields change their label, help and required flag, or hide them.
Definitions are read on each request: a new field shows up without a restart.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.files.storage import default_storage
from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import HttpRequest
from unfold import widgets as uw

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.customfields import selectors, services
from thanhhoa_kpi.customfields.models import FieldDefinition
from thanhhoa_kpi.customfields.types import FIELD_TYPES, help_html
from thanhhoa_kpi.desk.numbers import DecimalInput

FIELDSET_TITLE = "Thông tin bổ sung"
PREFIX = "custom__"
WIDGETS = {
    "text": uw.UnfoldAdminTextInputWidget,
    "long_text": uw.UnfoldAdminTextareaWidget,
    "integer": uw.UnfoldAdminIntegerFieldWidget,
    "decimal": DecimalInput,
    "date": uw.UnfoldAdminSingleDateWidget,
    "select": uw.UnfoldAdminSelectWidget,
    "checkbox": uw.UnfoldBooleanSwitchWidget,
    "link_unit": uw.UnfoldAdminSelectWidget,
    "link_official": uw.UnfoldAdminTextInputWidget,
    "attachment": uw.UnfoldAdminFileFieldWidget,
}
LINK_MODELS = {"link_unit": ("organization.OrgUnit", "name"), "link_official": ("organization.Official", "full_name")}


class StoredFile:
    """A stored attachment as the initial value of a file input (shows its link)."""

    def __init__(self, path: str):
        self.path_in_storage = self.name = path

    @property
    def url(self) -> str:
        return default_storage.url(self.path_in_storage)

    def __str__(self) -> str:
        return self.path_in_storage.rsplit("/", 1)[-1]


def initial_value(definition: FieldDefinition, stored: Any) -> Any:
    if definition.field_type == "attachment":
        return StoredFile(stored)
    if definition.field_type == "link_official":
        from thanhhoa_kpi.organization.models import Official

        return Official.objects.filter(pk=stored).values_list("code", flat=True).first() or stored
    return FIELD_TYPES[definition.field_type].from_json(stored)


def display(definition: FieldDefinition, stored: Any) -> str:
    if stored is None:
        return "-"
    if definition.field_type == "attachment":
        return str(StoredFile(stored))
    return services.display_text(FIELD_TYPES[definition.field_type].from_json(stored)) or "-"


class CustomValuesForm(forms.ModelForm):
    """Mixed into the admin's form: fills, checks and stores ``instance.custom``."""

    custom_doctype = ""
    custom_defs: list[FieldDefinition] = []
    custom_overrides: dict[str, Any] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = getattr(self.instance, "custom", None) or {}
        for definition in self.custom_defs:
            name = PREFIX + definition.key
            if name not in self.fields:
                continue
            if definition.key in stored:
                self.initial[name] = initial_value(definition, stored[definition.key])
            elif self.instance.pk is None and definition.default is not None:
                self.initial[name] = initial_value(definition, definition.default)
        for field_name, override in self.custom_overrides.items():
            field = self.fields.get(field_name)
            if field is not None:
                field.label = override.label or field.label
                # Escaped: unfold prints help text with |safe (stored values included).
                field.help_text = help_html(override.help_text) if override.help_text else field.help_text
                field.required = field.required or bool(override.required)

    def _value(self, definition: FieldDefinition, value: Any) -> Any:
        if definition.field_type != "attachment":
            return value
        if value is False or value is None:  # cleared, or never given
            return None
        if isinstance(value, StoredFile):
            return value.path_in_storage
        return services.custom_attachment_store(doctype=self.custom_doctype, key=definition.key, upload=value)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        values = {}
        for definition in self.custom_defs:
            name = PREFIX + definition.key
            if name in self.fields and name not in self._errors:
                try:
                    values[definition.key] = self._value(definition, cleaned.get(name))
                except ValidationFailed as exc:  # an attachment the store refused
                    self.add_error(name, exc.message)
        if not any(PREFIX + d.key in self.fields for d in self.custom_defs):
            return cleaned  # read-only view: nothing to write
        try:
            self.instance.custom = services.custom_values_validate(
                doctype=self.custom_doctype, values=values, instance=self.instance
            )
        except ValidationFailed as exc:
            for error in exc.errors:
                name = PREFIX + error.field.removeprefix("custom.")
                if name not in self._errors:  # a field that failed its own check already says why
                    self.add_error(name if name in self.fields else None, error.message)
        return cleaned


def custom_form_fields(
    doctype: str, request: HttpRequest, *, host: Any = None
) -> dict[str, tuple[FieldDefinition, forms.Field]]:
    """Form fields (by form name) for a hand-made desk form of ``doctype``, attachments aside.

    Pages that are not a ModelAdmin form (e.g. the fast work-log entry) add these so a
    field an HR admin marks required can still be filled in there. Only the fields applying
    to ``host`` (by default: the units the user works in) are added.
    """
    host = host if host is not None else selectors.own_units_reach(request.user)
    return {
        PREFIX + d.key: (d, _form_field(d, request))
        for d in selectors.definitions(doctype, host=host)
        if d.field_type != "attachment"
    }


def _form_field(definition: FieldDefinition, request: HttpRequest) -> forms.Field:
    field = FIELD_TYPES[definition.field_type].form_field(definition)
    field.widget = WIDGETS[definition.field_type]()
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = access.scoped(field.queryset, request.user)
    elif isinstance(field, forms.ChoiceField):
        field.choices = field.choices  # hand the choices to the new widget
    return field


def _presence_lookups(definition: FieldDefinition, request: HttpRequest) -> list[tuple[str, str]]:
    if definition.field_type == "select":
        return [(o, o) for o in definition.options]
    if definition.field_type == "checkbox":
        return [("true", "Có"), ("false", "Không")]
    if definition.field_type == "link_unit":
        from thanhhoa_kpi.organization.models import OrgUnit

        units = access.scoped(OrgUnit.objects.all(), request.user).only("id", "name")[:300]
        return [(str(u.pk), u.name) for u in units]
    return [("__set", "Đã nhập"), ("__blank", "Chưa nhập")]


def custom_list_filter(definition: FieldDefinition) -> type[admin.SimpleListFilter]:
    """A list filter on one custom field: its options, Có/Không, units, or set/blank."""

    def lookups(self: Any, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return _presence_lookups(definition, request)

    def queryset(self: Any, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        if value == "__set":
            return queryset.filter(custom__has_key=definition.key)
        if value == "__blank":
            return queryset.exclude(custom__has_key=definition.key)
        # the JSON value as text: "Văn hóa", "true"/"false", "12" (a unit's id)
        return queryset.alias(_cf=selectors.key_text(definition.key)).filter(_cf=value)

    attrs = {"title": definition.label, "parameter_name": f"cf_{definition.key}", "lookups": lookups,
             "queryset": queryset}  # fmt: skip
    return type(f"CustomFilter_{definition.key}", (admin.SimpleListFilter,), attrs)


def custom_list_column(definition: FieldDefinition) -> Any:
    annotation = f"cf_{definition.key}_name"

    def column(obj: Any) -> str:
        if definition.field_type in LINK_MODELS:
            return getattr(obj, annotation, None) or "-"
        return display(definition, (obj.custom or {}).get(definition.key))

    column.__name__ = PREFIX + definition.key
    return admin.display(description=definition.label, ordering=selectors.key_text(definition.key))(column)


def _strip(fieldsets: Any, drop: set[str]) -> list[Any]:
    out = []
    for name, options in fieldsets:
        fields = []
        for entry in options.get("fields", []):
            if isinstance(entry, list | tuple):
                kept = [f for f in entry if f not in drop and not str(f).startswith(PREFIX)]
                if kept:
                    fields.append(tuple(kept))
            elif entry not in drop and not str(entry).startswith(PREFIX):
                fields.append(entry)
        if fields:
            out.append((name, {**options, "fields": fields}))
    return out


class CustomFieldsAdminMixin:
    """Adds the custom fields of ``custom_doctype`` to a ModelAdmin (see the module docstring)."""

    custom_doctype = ""

    def _custom(self, request: HttpRequest, obj: Any = "list") -> tuple[list[FieldDefinition], dict[str, Any]]:
        """Fields of one record's form (``obj``; ``None`` when adding: province-wide only), or
        of the list (``"list"``: those that may apply to a record the user sees)."""
        memo = getattr(request, "_custom_fields", None)
        if memo is None:
            memo = {}
            request._custom_fields = memo  # type: ignore[attr-defined]
        slot = (self.custom_doctype, obj if isinstance(obj, str) else getattr(obj, "pk", None))
        if slot not in memo:
            if obj == "list":
                defs = selectors.definitions_for_user(self.custom_doctype, request.user)
            else:
                defs = selectors.definitions(self.custom_doctype, host=obj)
            memo[slot] = (defs, selectors.overrides(self.custom_doctype))
        return memo[slot]

    def _hidden(self, request: HttpRequest) -> set[str]:
        return {name for name, o in self._custom(request)[1].items() if o.hidden}

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        base = super().get_exclude(request, obj)  # type: ignore[misc]
        return [*(base or []), "custom", *sorted(self._hidden(request))]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        defs, overrides = self._custom(request, obj)
        editable = not (change and not self.has_change_permission(request, obj))  # type: ignore[attr-defined]
        attrs: dict[str, Any] = {"custom_doctype": self.custom_doctype, "custom_defs": defs,
                                 "custom_overrides": overrides}  # fmt: skip
        if editable:
            attrs.update({PREFIX + d.key: _form_field(d, request) for d in defs})
        base = kwargs.get("form") or self.form  # type: ignore[attr-defined]
        kwargs["form"] = type(base.__name__, (CustomValuesForm, base), attrs)
        return super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = _strip(super().get_fieldsets(request, obj), self._hidden(request) | {"custom"})  # type: ignore[misc]
        defs = self._custom(request, obj)[0]
        if defs:
            fieldsets.append((FIELDSET_TITLE, {"fields": [PREFIX + d.key for d in defs]}))
        return fieldsets

    def get_list_display(self, request: HttpRequest) -> Any:
        base = list(super().get_list_display(request))  # type: ignore[misc]
        return base + [custom_list_column(d) for d in self._custom(request)[0] if d.show_in_list]

    def get_list_filter(self, request: HttpRequest) -> Any:
        base = list(super().get_list_filter(request))  # type: ignore[misc]
        return base + [custom_list_filter(d) for d in self._custom(request)[0] if d.show_in_filters]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)  # type: ignore[misc]
        from django.apps import apps

        for d in self._custom(request)[0]:
            if d.show_in_list and d.field_type in LINK_MODELS:
                model_path, name_field = LINK_MODELS[d.field_type]
                target = Cast(KeyTextTransform(d.key, OuterRef("custom")), BigIntegerField())
                names = apps.get_model(model_path)._default_manager.filter(pk=target).order_by().values(name_field)
                qs = qs.annotate(**{f"cf_{d.key}_name": Subquery(names[:1])})
        return qs

    def __getattr__(self, name: str) -> Any:
        """Read-only display of ``custom__<key>`` (forms shown to people who may not edit)."""
        if not name.startswith(PREFIX):
            raise AttributeError(name)
        key = name[len(PREFIX) :]
        definition = FieldDefinition.objects.filter(doctype=self.custom_doctype, key=key).first()
        if definition is None:
            raise AttributeError(name)

        def value(obj: Any) -> str:
            return display(definition, (getattr(obj, "custom", None) or {}).get(key))

        value.short_description = definition.label  # type: ignore[attr-defined]
        return value
