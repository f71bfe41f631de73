"""Desk pages for the org model: units, groups, positions, officials, assignments, leave.

Writes go through :mod:`thanhhoa_kpi.organization.services`, which check the acting user
against the row as stored and as it will be (a unit, posting or position cannot be moved
out of the admin's scope, nobody edits their own posting). Forms run the same checks on
the new values first, so a refusal lands on the form rather than as an error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils.html import format_html
from unfold.admin import TabularInline
from unfold.views import BaseAutocompleteView

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.errors import DomainError
from thanhhoa_kpi.core.search import folded_lookups
from thanhhoa_kpi.desk.autocomplete import AutocompleteField
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.custom import CustomFieldsAdminMixin
from thanhhoa_kpi.desk.navigation import HR, PROVINCE, item
from thanhhoa_kpi.desk.service_forms import ServiceForm, adopt, form_errors, with_request
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

Check = Callable[[Any, Any], None]


def checked_form(form_class: type, request: HttpRequest, check: Check) -> type:
    """``form_class`` whose validation also asks the service whether the user may store the new values."""

    def _post_clean(self: Any) -> None:
        form_class._post_clean(self)
        if self.errors:
            return
        try:
            check(request.user, self.instance)
        except DomainError as error:
            form_errors(self, error)

    return type(form_class.__name__, (form_class,), {"_post_clean": _post_clean})


PARENT_URL = "admin:organization_orgunit_parents"
PARENT_SEARCH = ("code", "name", "short_name")


def unit_label(unit: OrgUnit) -> str:
    """A unit as a picker shows it: many wards have a «Phòng Văn hóa - Xã hội», the code tells them apart."""
    return f"{unit.name} ({unit.code})"


def parent_choices(user: Any) -> QuerySet[OrgUnit]:
    """The units ``user`` may put a unit under: those they manage."""
    return access.writable(OrgUnit.objects.all(), user)


class ParentAutocompleteView(BaseAutocompleteView):
    """The parent picker of the unit form, found by typing a code or a name (accents and case ignored).

    A province has thousands of units: the form no longer lists them all in one ``<select>``
    (which also made the page wider than a phone when one name was long).
    """

    model = OrgUnit

    def get_queryset(self) -> QuerySet[OrgUnit]:
        units = parent_choices(self.request.user).order_by("path")
        lookups = folded_lookups(OrgUnit, PARENT_SEARCH)
        for word in self.request.GET.get("term", "").split():
            match = Q()
            for lookup in lookups:
                match |= Q(**{lookup: word})
            units = units.filter(match)
        return units

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        self.object_list = self.get_queryset()
        context = self.get_context_data()
        results = [{"id": str(unit.pk), "text": unit_label(unit)} for unit in context["object_list"]]
        return JsonResponse({"results": results, "pagination": {"more": context["page_obj"].has_next()}})


class ParentField(AutocompleteField):
    def label_from_instance(self, obj: Any) -> str:
        return unit_label(obj)


class OrgUnitForm(ServiceForm):
    parent = ParentField(
        PARENT_URL,
        queryset=OrgUnit.objects.none(),
        required=False,
        label="Đơn vị cấp trên (gõ để tìm)",
        help_text="Để trống nếu là đơn vị gốc.",
    )

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "short_name", "bloc", "level", "kind", "active_from", "active_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = OrgUnit.objects.get_parent(self.instance) if self.instance.pk else None
        # Only units the user manages can become a parent (the current one stays selectable).
        keep = Q(pk=current.pk) if current is not None else Q(pk__in=[])
        writable = parent_choices(self.request.user).values("pk")
        self.fields["parent"].queryset = OrgUnit.objects.filter(Q(pk__in=writable) | keep)
        self.fields["parent"].initial = current

    def call(self, data: dict[str, Any]) -> OrgUnit:
        user, parent = self.request.user, data.get("parent")
        fields = {name: data.get(name) for name in services.UNIT_FIELDS if name in self.fields}
        with transaction.atomic():  # the update and the move together, or neither
            if not self.instance.pk:
                return services.org_unit_create(by=user, parent=parent, **fields)
            unit = services.org_unit_update(by=user, unit=self.instance, **fields)
            if parent != OrgUnit.objects.get_parent(unit):
                unit = services.org_unit_move(by=user, unit=unit, new_parent=parent)
            return unit


class OrgUnitAdmin(ScopedAdmin):
    form = OrgUnitForm
    list_display = ["indented_name", "code", "bloc", "level", "kind", "active_to"]
    list_filter = ["bloc", "level", "kind"]
    search_fields = ["code", "name", "short_name"]
    ordering = ["path"]

    @admin.display(description="Tên đơn vị", ordering="path")
    def indented_name(self, obj: OrgUnit) -> str:
        return format_html('<span style="padding-left:{}rem">{}</span>', (obj.depth - 1) * 1.25, obj.name)

    def get_urls(self) -> list[Any]:
        parents = self.admin_site.admin_view(ParentAutocompleteView.as_view())
        return [path("parents/", parents, name=PARENT_URL.split(":")[1]), *super().get_urls()]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return with_request(request, super().get_form(request, obj, change=change, **kwargs))

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        adopt(obj, form)  # saved by the services in the form's validation


class WritableChoicesMixin:
    """Foreign keys offer (and accept) only rows the user may change, not all they may read."""

    writable_fields: tuple[str, ...] = ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if db_field.name in self.writable_fields and field is not None:
            field.queryset = access.writable(field.queryset, request.user)
        return field


def _check_group(user: Any, group: SimilarTaskGroup) -> None:
    services.require_master_writer(user)
    if group.unit_id:
        services.require_unit(user, group.unit)


class SimilarTaskGroupAdmin(WritableChoicesMixin, ScopedAdmin):
    list_display = ["name", "code", "unit"]
    list_filter = ["code"]
    search_fields = ["name", "code", "unit__name"]
    autocomplete_fields = ["unit"]
    writable_fields = ("unit",)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return checked_form(super().get_form(request, obj, change=change, **kwargs), request, _check_group)


class BlocAuthorityAdmin(ScopedAdmin):
    """Who approves for each bloc: province-wide, so province admins only (``access.province_only``)."""

    list_display = ["bloc", "unit"]
    list_filter = ["bloc"]
    search_fields = ["unit__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and access.is_province_admin(request.user)


def _check_position(user: Any, position: JobPosition) -> None:
    services.require_position(user, position.bloc)


class JobPositionAdmin(CustomFieldsAdminMixin, ScopedAdmin):
    custom_doctype = "position"
    list_display = ["code", "name", "group", "bloc", "professional_level"]
    list_filter = ["group", "bloc"]
    search_fields = ["code", "name", "duties"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        scope = access.scope_for(request.user)
        may = access.is_province_admin(request.user) or (bool(scope.hr_blocs) and not scope.read_only)
        return super().has_add_permission(request) and may

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return checked_form(super().get_form(request, obj, change=change, **kwargs), request, _check_position)

    def save_model(self, request: HttpRequest, obj: JobPosition, form: Any, change: bool) -> None:
        values = {name: getattr(obj, name) for name in services.POSITION_FIELDS}
        saved = services.position_save(by=request.user, position=obj if change else None, **values)
        obj.pk = saved.pk


class AssignmentFormSet(BaseInlineFormSet):
    """Each new, changed or removed posting is checked by the service before anything is saved."""

    request: HttpRequest

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if not form.has_changed() or form.errors:
                continue
            deleting = self.can_delete and self._should_delete_form(form)
            if deleting and not form.instance.pk:
                continue
            form.instance.official = self.instance
            try:
                services.assignment_check(by=self.request.user, assignment=form.instance)
            except DomainError as error:
                form_errors(form, error)


class AssignmentInline(TabularInline):
    """Postings of an official; at least one, so a new official lands inside someone's scope."""

    model = OfficialAssignment
    formset = AssignmentFormSet
    extra = 0
    min_num = 1
    validate_min = True
    fields = ["unit", "position", "leadership_role", "fields_in_charge", "task_group", "start_date", "end_date"]
    verbose_name_plural = "Quá trình công tác"

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        return with_request(request, super().get_formset(request, obj, **kwargs))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in {"unit", "task_group"} and field is not None:
            field.queryset = access.writable(field.queryset, request.user)
        return field


def save_assignments(request: HttpRequest, formset: Any) -> None:
    """The postings of an inline formset, through the services (removals first)."""
    instances = formset.save(commit=False)
    for row in formset.deleted_objects:
        services.assignment_delete(by=request.user, assignment=row)
    for row in instances:
        services.assignment_save(by=request.user, assignment=row)


def _check_leave(user: Any, leave: LeavePeriod) -> None:
    if leave.official_id:
        services.require_official(user, leave.official)


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


def _check_official(user: Any, official: Official) -> None:
    """The record is the user's to change, and its account link is not changed by its owner or to themself."""
    services.require_official(user, official)
    stored = Official(
        pk=official.pk, user_id=Official.objects.filter(pk=official.pk).values_list("user_id", flat=True).first()
    )
    if official.user_id != stored.user_id:
        if official.pk:
            services.require_not_self(user, stored)
        services.require_account_link(user, stored, official.user_id)


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

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return checked_form(super().get_form(request, obj, change=change, **kwargs), request, _check_official)

    def save_model(self, request: HttpRequest, obj: Official, form: Any, change: bool) -> None:
        values = {name: getattr(obj, name) for name in services.OFFICIAL_FIELDS}
        if change:
            services.official_update(by=request.user, official=obj, **values)
        else:
            obj.pk = services.official_create(by=request.user, **values).pk

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is OfficialAssignment:
            save_assignments(request, formset)
            return
        if formset.model is LeavePeriod:
            _check_official(request.user, form.instance)
        super().save_formset(request, form, formset, change)


def _check_assignment(user: Any, assignment: OfficialAssignment) -> None:
    services.assignment_check(by=user, assignment=assignment)


class OfficialAssignmentAdmin(WritableChoicesMixin, ScopedAdmin):
    list_display = ["official", "unit", "position", "leadership_role", "start_date", "end_date"]
    list_filter = ["leadership_role", "unit__bloc"]
    search_fields = ["official__full_name", "official__code", "unit__name", "position__name"]
    autocomplete_fields = ["official", "unit", "position", "task_group"]
    date_hierarchy = "start_date"
    list_select_related = ["official", "unit", "position"]
    writable_fields = ("official", "unit", "task_group")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return checked_form(super().get_form(request, obj, change=change, **kwargs), request, _check_assignment)

    def save_model(self, request: HttpRequest, obj: OfficialAssignment, form: Any, change: bool) -> None:
        services.assignment_save(by=request.user, assignment=obj)

    def delete_model(self, request: HttpRequest, obj: OfficialAssignment) -> None:
        services.assignment_delete(by=request.user, assignment=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for row in queryset:
            services.assignment_delete(by=request.user, assignment=row)


class LeavePeriodAdmin(WritableChoicesMixin, ScopedAdmin):
    list_display = ["official", "kind", "start_date", "end_date"]
    list_filter = ["kind"]
    search_fields = ["official__full_name", "official__code"]
    autocomplete_fields = ["official"]
    list_select_related = ["official"]
    writable_fields = ("official",)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return checked_form(super().get_form(request, obj, change=change, **kwargs), request, _check_leave)


NAVIGATION = [
    (
        10,
        "Tổ chức bộ máy",
        [
            item("Đơn vị", "account_tree", "organization_orgunit", "organization.view_orgunit", who=[HR]),
            item(
                "Nhóm nhiệm vụ tương đồng",
                "groups",
                "organization_similartaskgroup",
                "organization.view_similartaskgroup",
                who=[HR],
            ),
            item(
                "Cơ quan phê duyệt của khối",
                "verified",
                "organization_blocauthority",
                "organization.view_blocauthority",
                who=[PROVINCE],
            ),
        ],
    ),
    (
        20,
        "Cán bộ, công chức, viên chức",
        [
            item("Hồ sơ cán bộ", "badge", "organization_official", "organization.view_official", who=[HR]),
            item(
                "Quá trình công tác",
                "work_history",
                "organization_officialassignment",
                "organization.view_officialassignment",
                who=[HR],
            ),
            item(
                "Thời gian nghỉ", "beach_access", "organization_leaveperiod", "organization.view_leaveperiod", who=[HR]
            ),
        ],
    ),
    (
        30,
        "Vị trí việc làm và năng lực",
        [
            item(
                "Vị trí việc làm",
                "work",
                "organization_jobposition",
                "organization.view_jobposition",
                who=[HR],
                rank=10,
            )
        ],
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
