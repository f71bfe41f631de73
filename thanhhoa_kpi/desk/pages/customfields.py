"""Desk pages of custom fields (SPEC 7): HR admins define, reorder and retire fields, and
override the label, help, required and hidden flags of built-in fields.

Writes go through :mod:`thanhhoa_kpi.customfields.services`; the forms call the same
checks first so that every error shows on its field and nothing is half-saved.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from unfold.decorators import action
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextareaWidget, UnfoldAdminTextInputWidget

from thanhhoa_kpi.core.errors import DomainError, FieldError, ValidationFailed
from thanhhoa_kpi.customfields import services
from thanhhoa_kpi.customfields.models import DOCTYPE_CHOICES, BuiltinOverride, FieldDefinition
from thanhhoa_kpi.customfields.types import plain_text_errors
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.navigation import item

FORM_NAMES = {"options": "options_text", "default": "default_text"}
MODEL_FIELDS = [
    "doctype", "key", "label", "field_type", "required", "help_text", "order", "show_in_list", "show_in_filters",
    "active",
]  # fmt: skip


def _show_errors(form: forms.Form, errors: list[FieldError]) -> None:
    for error in errors:
        name = FORM_NAMES.get(error.field, error.field)
        form.add_error(name if name in form.fields else None, error.message)


class FieldDefinitionForm(forms.ModelForm):
    options_text = forms.CharField(
        label="Các lựa chọn",
        required=False,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 5}),
        help_text="Chỉ với kiểu «Lựa chọn»: mỗi dòng một lựa chọn.",
    )
    default_text = forms.CharField(
        label="Giá trị mặc định",
        required=False,
        widget=UnfoldAdminTextInputWidget,
        help_text="Ngày ghi dd/mm/yyyy; Có/Không cho kiểu Có/Không; đơn vị, cán bộ ghi theo mã.",
    )

    class Meta:
        model = FieldDefinition
        fields = MODEL_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].help_text = "Để trống: đặt cuối danh sách."
        if self.instance.pk:
            for name in ("doctype", "key", "field_type"):
                self.fields[name].disabled = True
            self.fields["options_text"].initial = "\n".join(self.instance.options or [])
            default = self.instance.default
            self.fields["default_text"].initial = "" if default is None else str(default)

    def definition_values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in MODEL_FIELDS}
        data["options"] = [line.strip() for line in (self.cleaned_data.get("options_text") or "").splitlines()]
        data["default"] = self.cleaned_data.get("default_text") or None
        data["help_text"] = data["help_text"] or ""
        if data.get("order") is None:
            data.pop("order", None)
        return data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        values = self.definition_values()
        candidate = FieldDefinition(pk=self.instance.pk, **{k: v for k, v in values.items() if v is not None})
        candidate.default = values["default"]
        try:
            services.field_definition_check(candidate, creating=self.instance.pk is None)
        except ValidationFailed as exc:
            _show_errors(self, exc.errors)
        return cleaned


class FieldDefinitionAdmin(ScopedAdmin):
    form = FieldDefinitionForm
    list_display = ["label", "key", "doctype", "field_type", "required", "show_in_list", "show_in_filters", "order",
                    "active"]  # fmt: skip
    list_filter = ["doctype", "field_type", "active", "required", "show_in_list", "show_in_filters"]
    list_editable = ["order"]
    search_fields = ["key", "label", "help_text"]
    ordering = ["doctype", "order", "id"]
    actions = ["retire", "reactivate"]
    fieldsets = [
        (None, {"fields": ["doctype", "key", "label", "field_type", "options_text", "default_text", "help_text"]}),
        ("Hiển thị", {"fields": ["required", "order", "show_in_list", "show_in_filters", "active"]}),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # retire instead: old values and history keep their meaning

    def save_model(self, request: HttpRequest, obj: FieldDefinition, form: Any, change: bool) -> None:
        values = form.definition_values() if hasattr(form, "definition_values") else {"order": obj.order}
        try:
            if change:
                fixed = {"doctype", "key", "field_type"}
                saved = services.field_definition_update(
                    definition=obj, **{k: v for k, v in values.items() if k not in fixed}
                )
            else:
                saved = services.field_definition_create(**{k: v for k, v in values.items() if k != "active"})
        except DomainError as exc:
            self.report_domain_error(request, exc)
            return
        obj.pk, obj.order = saved.pk, saved.order

    @action(description="Ngừng sử dụng các trường đã chọn", permissions=["change"])
    def retire(self, request: HttpRequest, queryset: QuerySet) -> None:
        for definition in queryset:
            services.field_definition_retire(definition=definition)
        self.message_user(request, f"Đã ngừng sử dụng {queryset.count()} trường.", level=messages.SUCCESS)

    @action(description="Dùng lại các trường đã chọn", permissions=["change"])
    def reactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        for definition in queryset:
            services.field_definition_update(definition=definition, active=True)
        self.message_user(request, f"Đã dùng lại {queryset.count()} trường.", level=messages.SUCCESS)


class BuiltinOverrideForm(forms.ModelForm):
    field_name = forms.CharField(
        label="Trường có sẵn",
        widget=UnfoldAdminTextInputWidget,
        help_text="Tên kỹ thuật của trường, ví dụ: email, phone.",
    )

    class Meta:
        model = BuiltinOverride
        fields = ["doctype", "field_name", "label", "help_text", "required", "hidden"]
        widgets = {"doctype": UnfoldAdminSelectWidget(choices=DOCTYPE_CHOICES)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hint = "; ".join(
            f"{label}: " + ", ".join(name for name, _ in choices)
            for code, label in DOCTYPE_CHOICES
            if (choices := services.builtin_field_choices(code))
        )
        self.fields["field_name"].help_text = f"Tên kỹ thuật của trường. {hint}."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.builtin_override_check(
                doctype=cleaned["doctype"], field_name=cleaned["field_name"], required=cleaned.get("required"),
                hidden=bool(cleaned.get("hidden")),
            )  # fmt: skip
        except ValidationFailed as exc:
            _show_errors(self, exc.errors)
        for name, message in plain_text_errors(label=cleaned.get("label"), help_text=cleaned.get("help_text")):
            self.add_error(name, message)
        return cleaned


class BuiltinOverrideAdmin(ScopedAdmin):
    form = BuiltinOverrideForm
    list_display = ["doctype", "field_name", "label", "required", "hidden"]
    list_filter = ["doctype", "hidden", "required"]
    search_fields = ["field_name", "label", "help_text"]

    def save_model(self, request: HttpRequest, obj: BuiltinOverride, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.builtin_override_set(
            doctype=data["doctype"], field_name=data["field_name"], label=data.get("label") or "",
            help_text=data.get("help_text") or "", required=data.get("required"), hidden=bool(data.get("hidden")),
        )  # fmt: skip
        obj.pk = saved.pk


NAVIGATION = [
    (
        88,
        "Tùy biến",
        [
            item(
                "Trường tùy biến", "dynamic_form", "customfields_fielddefinition", "customfields.view_fielddefinition"
            ),
            item(
                "Tùy chỉnh trường có sẵn", "tune", "customfields_builtinoverride", "customfields.view_builtinoverride"
            ),
        ],
    )
]


def register(site: Any) -> None:
    site.register(FieldDefinition, FieldDefinitionAdmin)
    site.register(BuiltinOverride, BuiltinOverrideAdmin)
