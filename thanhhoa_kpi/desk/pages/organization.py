"""Desk pages for the org model: units, groups, positions, officials, assignments, leave."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from unfold.admin import TabularInline

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.custom import CustomFieldsAdminMixin
from thanhhoa_kpi.desk.navigation import item
from thanhhoa_kpi.organization import services
from thanhhoa_kpi.organization.models import (
    BlocAuthority,
    JobPosition,
    LeavePeriod,
    Official,
    OfficialAssignment,
    OrgUnit,
    SimilarTaskGroup,
)


class OrgUnitForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        queryset=OrgUnit.objects.all(), required=False, label="Đơn vị cấp trên", help_text="Để trống nếu là đơn vị gốc."
    )

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "short_name", "bloc", "level", "kind", "active_from", "active_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].initial = OrgUnit.objects.get_parent(self.instance)


class OrgUnitAdmin(ScopedAdmin):
    form = OrgUnitForm
    list_display = ["indented_name", "code", "bloc", "level", "kind", "active_to"]
    list_filter = ["bloc", "level", "kind"]
    search_fields = ["code", "name", "short_name"]
    ordering = ["path"]

    @admin.display(description="Tên đơn vị", ordering="path")
    def indented_name(self, obj: OrgUnit) -> str:
        return format_html('<span style="padding-left:{}rem">{}</span>', (obj.depth - 1) * 1.25, obj.name)

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        parent = form.cleaned_data.get("parent")
        if not change:
            fields = {f: form.cleaned_data[f] for f in OrgUnitForm.Meta.fields}
            created = services.org_unit_create(parent=parent, **fields)
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth
            return
        obj.save()
        if parent != OrgUnit.objects.get_parent(obj):
            services.org_unit_move(unit=obj, new_parent=parent)


class SimilarTaskGroupAdmin(ScopedAdmin):
    list_display = ["name", "code", "unit"]
    list_filter = ["code"]
    search_fields = ["name", "code", "unit__name"]
    autocomplete_fields = ["unit"]


class BlocAuthorityAdmin(ScopedAdmin):
    list_display = ["bloc", "unit"]
    list_filter = ["bloc"]
    search_fields = ["unit__name"]


class JobPositionAdmin(CustomFieldsAdminMixin, ScopedAdmin):
    custom_doctype = "position"
    list_display = ["code", "name", "group", "bloc", "professional_level"]
    list_filter = ["group", "bloc"]
    search_fields = ["code", "name", "duties"]


class AssignmentInline(TabularInline):
    """Postings of an official; at least one, so a new official lands inside someone's scope."""

    model = OfficialAssignment
    extra = 0
    min_num = 1
    validate_min = True
    fields = ["unit", "position", "leadership_role", "fields_in_charge", "task_group", "start_date", "end_date"]
    verbose_name_plural = "Quá trình công tác"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in {"unit", "task_group"} and field is not None:
            field.queryset = access.writable(field.queryset, request.user)
        return field


class LeaveInline(TabularInline):
    model = LeavePeriod
    extra = 0
    fields = ["kind", "start_date", "end_date", "note"]
    tab = True


class CurrentUnitFilter(admin.SimpleListFilter):
    title = "Đơn vị hiện tại"
    parameter_name = "unit"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        units = access.scoped(OrgUnit.objects.all(), request.user).only("id", "name")[:300]
        return [(str(u.pk), u.name) for u in units]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value():
            ids = access.current_assignments().filter(unit_id=self.value()).values("official_id")
            return queryset.filter(pk__in=ids)
        return queryset


class OfficialAdmin(CustomFieldsAdminMixin, ScopedAdmin):
    custom_doctype = "official"
    list_display = ["full_name", "code", "category", "gender", "birth_date", "email"]
    list_filter = ["category", "gender", CurrentUnitFilter]
    search_fields = ["full_name", "code", "email", "phone"]
    inlines = [AssignmentInline, LeaveInline]
    fieldsets = [
        (None, {"fields": ["code", "full_name", "birth_date", "gender", "category"]}),
        ("Liên hệ", {"fields": ["email", "phone"]}),
        ("Tài khoản và chấm điểm", {"fields": ["user", "rule_set_code"]}),
    ]
    autocomplete_fields = ["user"]


class OfficialAssignmentAdmin(ScopedAdmin):
    list_display = ["official", "unit", "position", "leadership_role", "start_date", "end_date"]
    list_filter = ["leadership_role", "unit__bloc"]
    search_fields = ["official__full_name", "official__code", "unit__name", "position__name"]
    autocomplete_fields = ["official", "unit", "position", "task_group"]
    date_hierarchy = "start_date"
    list_select_related = ["official", "unit", "position"]


class LeavePeriodAdmin(ScopedAdmin):
    list_display = ["official", "kind", "start_date", "end_date"]
    list_filter = ["kind"]
    search_fields = ["official__full_name", "official__code"]
    autocomplete_fields = ["official"]
    list_select_related = ["official"]


NAVIGATION = [
    (
        10,
        "Tổ chức bộ máy",
        [
            item("Đơn vị", "account_tree", "organization_orgunit", "organization.view_orgunit"),
            item(
                "Nhóm nhiệm vụ tương đồng",
                "groups",
                "organization_similartaskgroup",
                "organization.view_similartaskgroup",
            ),
            item(
                "Cơ quan phê duyệt của khối",
                "verified",
                "organization_blocauthority",
                "organization.view_blocauthority",
            ),
        ],
    ),
    (
        20,
        "Cán bộ, công chức, viên chức",
        [
            item("Hồ sơ cán bộ", "badge", "organization_official", "organization.view_official"),
            item(
                "Quá trình công tác",
                "work_history",
                "organization_officialassignment",
                "organization.view_officialassignment",
            ),
            item("Thời gian nghỉ", "beach_access", "organization_leaveperiod", "organization.view_leaveperiod"),
        ],
    ),
    (
        30,
        "Vị trí việc làm và năng lực",
        [item("Vị trí việc làm", "work", "organization_jobposition", "organization.view_jobposition")],
    ),
]


def register(site: Any) -> None:
    site.register(OrgUnit, OrgUnitAdmin)
    site.register(SimilarTaskGroup, SimilarTaskGroupAdmin)
    site.register(BlocAuthority, BlocAuthorityAdmin)
    site.register(JobPosition, JobPositionAdmin)
    site.register(Official, OfficialAdmin)
    site.register(OfficialAssignment, OfficialAssignmentAdmin)
    site.register(LeavePeriod, LeavePeriodAdmin)
