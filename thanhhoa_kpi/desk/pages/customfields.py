"""Desk pages of custom fields (SPEC 7): HR admins define, reorder and retire fields, and
override the label, help, required and hidden flags of built-in fields.

Writes go through :mod:`thanhhoa_kpi.customfields.services`; the forms call the same
checks first so that every error shows on its field and nothing is half-saved.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from unfold.decorators import action
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextareaWidget, UnfoldAdminTextInputWidget

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.errors import DomainError, FieldError, ValidationFailed
from thanhhoa_kpi.customfields import services
from thanhhoa_kpi.customfields.models import DOCTYPE_CHOICES, BuiltinOverride, FieldDefinition
from thanhhoa_kpi.customfields.types import plain_text_errors
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.navigation import HR, PROVINCE, item
from thanhhoa_kpi.organization.models import OrgUnit

FORM_NAMES = {"options": "options_text", "default": "default_text"}
MODEL_FIELDS = [
    "doctype", "key", "label", "field_type", "required", "help_text", "order", "show_in_list", "show_in_filters",
    "active", "owner_unit", "owner_bloc",
]  # fmt: skip
OWNER_FIELDS = ("owner_unit", "owner_bloc")


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

    request_user: Any = None  # set by the admin's get_form

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A read-only view (someone who may only look) builds this form without the model's
        # fields: only the form's own remain, so every model field is looked up with care.
        if "order" in self.fields:
            self.fields["order"].required = False
            self.fields["order"].help_text = "Để trống: đặt cuối danh sách."
        if self.instance.pk:
            for name in ("doctype", "key", "field_type", *OWNER_FIELDS):
                if name in self.fields:
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
            services.field_definition_check(candidate, creating=self.instance.pk is None, by=self.request_user)
        except ValidationFailed as exc:
            _show_errors(self, exc.errors)
        return cleaned


class FieldDefinitionAdmin(ScopedAdmin):
    form = FieldDefinitionForm
    list_display = ["label", "key", "doctype", "owner_label", "field_type", "required", "show_in_list",
                    "show_in_filters", "order", "active"]  # fmt: skip
    list_filter = ["doctype", "owner_bloc", "field_type", "active", "required", "show_in_list", "show_in_filters"]
    list_select_related = ["owner_unit"]
    list_editable = ["order"]
    search_fields = ["key", "label", "help_text"]
    ordering = ["doctype", "order", "id"]
    actions = ["retire", "reactivate"]
    fieldsets = [
        (None, {"fields": ["doctype", "key", "label", "field_type", "options_text", "default_text", "help_text"]}),
        ("Phạm vi áp dụng", {"fields": list(OWNER_FIELDS)}),
        ("Hiển thị", {"fields": ["required", "order", "show_in_list", "show_in_filters", "active"]}),
    ]
    # What people who may only look see: the model's own fields (the form-only
    # ``options_text`` / ``default_text`` do not exist without the form).
    readonly_fieldsets = [
        (None, {"fields": ["doctype", "key", "label", "field_type", "options", "default", "help_text"]}),
        ("Phạm vi áp dụng", {"fields": list(OWNER_FIELDS)}),
        ("Hiển thị", {"fields": ["required", "order", "show_in_list", "show_in_filters", "active"]}),
    ]

    @admin.display(description="Phạm vi áp dụng")
    def owner_label(self, obj: FieldDefinition) -> str:
        return obj.owner_label

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> Any:
        editable = self.has_change_permission(request, obj) if obj is not None else self.has_add_permission(request)
        return self.fieldsets if editable else self.readonly_fieldsets

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"request_user": request.user})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "owner_unit" and field is not None and not access.is_province_admin(request.user):
            # A ward's HR admin owns fields for units of their own subtree only.
            field.queryset = field.queryset.filter(access.manageable_unit_q(access.scope_for(request.user)))
        return field

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A ward's HR admin may only own fields of their subtree: start the form there."""
        initial = super().get_changeform_initial_data(request)
        if "owner_unit" not in initial and not access.is_province_admin(request.user):
            paths = access.scope_for(request.user).hr_unit_paths
            unit = OrgUnit.objects.filter(path__in=paths).order_by("depth", "path").first() if paths else None
            if unit is not None:
                initial["owner_unit"] = unit.pk
        return initial

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and access.can_write_master(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # retire instead: old values and history keep their meaning

    def save_model(self, request: HttpRequest, obj: FieldDefinition, form: Any, change: bool) -> None:
        values = form.definition_values() if hasattr(form, "definition_values") else {"order": obj.order}
        try:
            if change:
                fixed = {"doctype", "key", "field_type", *OWNER_FIELDS}
                saved = services.field_definition_update(
                    by=request.user, definition=obj, **{k: v for k, v in values.items() if k not in fixed}
                )
            else:
                saved = services.field_definition_create(
                    by=request.user, **{k: v for k, v in values.items() if k != "active"}
                )
        except DomainError as exc:
            self.report_domain_error(request, exc)
            return
        obj.pk, obj.order = saved.pk, saved.order

    def _each(self, request: HttpRequest, queryset: QuerySet, active: bool) -> int:
        done = 0
        for definition in access.writable(queryset, request.user):
            try:
                services.field_definition_update(by=request.user, definition=definition, active=active)
                done += 1
            except DomainError as exc:
                self.report_domain_error(request, exc)
        return done

    @action(description="Ngừng sử dụng các trường đã chọn", permissions=["change"])
    def retire(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = self._each(request, queryset, active=False)
        self.message_user(request, f"Đã ngừng sử dụng {done} trường.", level=messages.SUCCESS)

    @action(description="Dùng lại các trường đã chọn", permissions=["change"])
    def reactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = self._each(request, queryset, active=True)
        self.message_user(request, f"Đã dùng lại {done} trường.", level=messages.SUCCESS)


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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and access.is_province_admin(request.user)

    def save_model(self, request: HttpRequest, obj: BuiltinOverride, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            saved = services.builtin_override_set(
                by=request.user, doctype=data["doctype"], field_name=data["field_name"], label=data.get("label") or "",
                help_text=data.get("help_text") or "", required=data.get("required"), hidden=bool(data.get("hidden")),
            )  # fmt: skip
        except DomainError as exc:
            self.report_domain_error(request, exc)
            return
        obj.pk = saved.pk


NAVIGATION = [
    (
        88,
        "Tùy biến",
        [
            item(
                "Trường tùy biến",
                "dynamic_form",
                "customfields_fielddefinition",
                "customfields.view_fielddefinition",
                who=[HR],
            ),
            item(
                "Tùy chỉnh trường có sẵn",
                "tune",
                "customfields_builtinoverride",
                "customfields.view_builtinoverride",
                who=[PROVINCE],
            ),
        ],
    )
]


def register(site: Any) -> None:
    site.register(FieldDefinition, FieldDefinitionAdmin)
    site.register(BuiltinOverride, BuiltinOverrideAdmin)
