"""Desk pages for task catalogues: catalogues, items, approval, versions, Excel import/export.

Approval is the CATALOGUE workflow: the catalogue page shows the workflow panel (the
actions open to the user, with a comment box) and its history tab; catalogues awaiting
a user also appear in their inbox ("Hộp việc cần xử lý") with bulk actions.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from unfold.admin import ModelAdmin
from unfold.decorators import action
from unfold.widgets import UnfoldAdminFileFieldWidget

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.catalogue import imports, selectors, services
from thanhhoa_kpi.catalogue.excel import ITEM_COLUMNS, write_catalogue
from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueImport, CatalogueItem
from thanhhoa_kpi.core.errors import DomainError
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.confirm import confirm_first
from thanhhoa_kpi.desk.custom import CustomFieldsAdminMixin
from thanhhoa_kpi.desk.navigation import HR, item
from thanhhoa_kpi.desk.pages.workflow import StateFilter, TransitionLogInline, WorkflowAdminMixin


class ManagedForm(forms.ModelForm):
    """Refuses, as a form error, an owner the user does not manage."""

    request: HttpRequest

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "owner_unit" in self.fields and not selectors.unit_can_manage(
            user=self.request.user, unit=data.get("owner_unit"), bloc=data.get("owner_bloc") or ""
        ):
            raise forms.ValidationError("Bạn không quản lý đơn vị (hoặc khối) sở hữu danh mục này.")
        return data


class CatalogueAdmin(WorkflowAdminMixin, ScopedAdmin):
    form = ManagedForm
    list_display = ["code", "name", "version", "owner", "state_label", "status", "effective_from", "effective_to",
                    "item_count"]  # fmt: skip
    list_filter = [StateFilter, "status", "owner_bloc", "owner_unit__bloc", "effective_from"]
    search_fields = ["code", "name", "owner_unit__name", "owner_unit__code"]
    autocomplete_fields = ["owner_unit"]
    list_select_related = ["owner_unit", "workflow"]
    readonly_fields = ["state_label", "status", "created_by", "approved_by", "approved_at", "items_link"]
    fieldsets = [
        (None, {"fields": ["code", "version", "name", "owner_unit", "owner_bloc"]}),
        ("Hiệu lực và sản phẩm chuẩn", {"fields": ["effective_from", "effective_to", "standard_product",
                                                    "standard_minutes"]}),
        ("Phê duyệt", {"fields": ["state_label", "status", "created_by", "approved_by", "approved_at",
                                  "items_link"]}),
    ]  # fmt: skip
    inlines = [TransitionLogInline]
    actions_detail = ["new_version", "export_xlsx"]
    actions_list = ["import_xlsx"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(item_total=Count("items"))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request
        return form

    @admin.display(description="Bước phê duyệt", ordering="state")
    def state_label(self, obj: Catalogue) -> str:
        return obj.workflow_state_label() if obj.workflow_id else "—"

    @admin.display(description="Chủ sở hữu")
    def owner(self, obj: Catalogue) -> str:
        return obj.owner_label

    @admin.display(description="Số đầu công việc", ordering="item_total")
    def item_count(self, obj: Catalogue) -> int:
        return getattr(obj, "item_total", 0)

    @admin.display(description="Đầu công việc")
    def items_link(self, obj: Catalogue) -> str:
        if not obj.pk:
            return "—"
        url = reverse("admin:catalogue_catalogueitem_changelist") + f"?catalogue__id__exact={obj.pk}"
        return format_html('<a class="text-primary-600" href="{}">Xem {} đầu công việc</a>', url, obj.items.count())

    def has_change_permission(self, request: HttpRequest, obj: Catalogue | None = None) -> bool:
        if not super(ScopedAdmin, self).has_change_permission(request, obj):
            return False
        return obj is None or (obj.is_editable and selectors.catalogue_can_manage(user=request.user, catalogue=obj))

    def has_delete_permission(self, request: HttpRequest, obj: Catalogue | None = None) -> bool:
        if not super(ScopedAdmin, self).has_delete_permission(request, obj):
            return False
        return obj is None or services.may_delete(user=request.user, catalogue=obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Deleting goes one by one through the service: only drafts never submitted may go.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_new_version_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm("catalogue.add_catalogue")

    def save_model(self, request: HttpRequest, obj: Catalogue, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data.get(name) for name in services.CATALOGUE_FIELDS if name in form.cleaned_data}
        if change:
            services.catalogue_update(catalogue=obj, user=request.user, **fields)
        else:
            created = services.catalogue_create(user=request.user, **fields)
            obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: Catalogue) -> None:
        services.catalogue_delete(catalogue=obj, user=request.user)

    def _change_url(self, pk: Any) -> str:
        return reverse("admin:catalogue_catalogue_change", args=[pk])

    @action(description="Tạo phiên bản mới", icon="content_copy", permissions=["new_version"], url_path="new-version")
    def new_version(self, request: HttpRequest, object_id: Any) -> HttpResponse:
        catalogue = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not selectors.catalogue_can_manage(user=request.user, catalogue=catalogue):
            # Ask only those who may do it; the service checks again when it acts.
            self.message_user(request, "Bạn không quản lý danh mục của đơn vị này.", messages.WARNING)
            return HttpResponseRedirect(self._change_url(object_id))

        def act() -> HttpResponse:
            try:
                copy = services.catalogue_new_version(catalogue=catalogue, user=request.user)
            except DomainError as error:
                self.report_domain_error(request, error)
                return HttpResponseRedirect(self._change_url(object_id))
            count = copy.items.count()
            self.message_user(request, f"Đã tạo bản nháp {copy} với {count} đầu công việc.", messages.SUCCESS)
            return HttpResponseRedirect(self._change_url(copy.pk))

        return confirm_first(
            request, self, title=f"Phiên bản mới của {catalogue}", confirm_label="Tạo bản nháp",
            question=f"Tạo bản nháp phiên bản mới của {catalogue}, chép mọi đầu công việc?",
            back_url=self._change_url(object_id), act=act,
        )  # fmt: skip

    @action(description="Xuất Excel", icon="download", permissions=["view"], url_path="export")
    def export_xlsx(self, request: HttpRequest, object_id: Any) -> HttpResponse:
        catalogue = get_object_or_404(self.get_queryset(request), pk=object_id)
        response = HttpResponse(
            write_catalogue(catalogue), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{catalogue.code}_v{catalogue.version}.xlsx"'
        return response

    @action(description="Nhập từ Excel", icon="upload_file", permissions=["add"], url_path="import-link")
    def import_xlsx(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:catalogue_import"))

    def get_custom_urls(self) -> tuple:
        return (
            ("import/", "catalogue_import", import_view),
            ("import/<int:pk>/", "catalogue_import_progress", import_progress_view),
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Tệp Excel (.xlsx)",
        widget=UnfoldAdminFileFieldWidget(attrs={"accept": ".xlsx", "id": "id_catalogue_file"}),
        help_text="Hai trang tính: “Danh mục” (thông tin danh mục) và “Đầu công việc” (mỗi dòng một công việc). "
        "Mọi dòng được kiểm tra trước; có lỗi thì không ghi dòng nào.",
    )


def _own_imports(request: HttpRequest) -> QuerySet[CatalogueImport]:
    rows = CatalogueImport.objects.select_related("catalogue", "created_by")
    return rows if access.scope_for(request.user).everything else rows.filter(created_by=request.user)


def import_view(request: HttpRequest, model_admin: CatalogueAdmin) -> HttpResponse:
    if not request.user.has_perm("catalogue.add_catalogue"):
        return HttpResponseRedirect(reverse("admin:index"))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = imports.catalogue_import_start(user=request.user, upload=form.cleaned_data["file"])
            return HttpResponseRedirect(reverse("admin:catalogue_import_progress", args=[record.pk]))
        except DomainError as error:
            model_admin.report_domain_error(request, error)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Nhập danh mục từ Excel",
        "form": form,
        "columns": [label for _key, label, _limit in ITEM_COLUMNS],
        "recent": _own_imports(request)[:10],
        "opts": Catalogue._meta,
    }
    return render(request, "catalogue/import.html", context)


def import_progress_view(request: HttpRequest, pk: int, model_admin: CatalogueAdmin) -> HttpResponse:
    record = get_object_or_404(_own_imports(request), pk=pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Nhập danh mục: {record.original_name}",
        "record": record,
        "opts": Catalogue._meta,
        "now": timezone.now(),
    }
    return render(request, "catalogue/import_progress.html", context)


class CatalogueItemForm(forms.ModelForm):
    request: HttpRequest

    def clean_catalogue(self) -> Catalogue:
        catalogue = self.cleaned_data["catalogue"]
        if not catalogue.is_editable or not selectors.catalogue_can_manage(user=self.request.user, catalogue=catalogue):
            raise forms.ValidationError(
                "Chỉ thêm, sửa đầu công việc trong danh mục đang ở bước «Nháp» (chưa gửi duyệt) do bạn quản lý."
            )
        return catalogue


class CatalogueItemAdmin(CustomFieldsAdminMixin, ScopedAdmin):
    custom_doctype = "catalogue_item"
    form = CatalogueItemForm
    list_display = ["code", "task", "field", "unit_of_measure", "complexity_group", "coefficient", "catalogue"]
    list_filter = ["catalogue__status", "complexity_group", "catalogue", "field"]
    search_fields = ["code", "task", "field", "detailed_work", "output_product", "catalogue__code"]
    autocomplete_fields = ["positions"]
    list_select_related = ["catalogue"]
    fieldsets = [
        (None, {"fields": ["catalogue", "code", "field", "task", "detailed_work", "output_product"]}),
        ("Quy đổi", {"fields": ["unit_of_measure", "complexity_group", "coefficient", "standard_minutes"]}),
        ("Áp dụng", {"fields": ["positions"]}),
    ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request
        return form

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "catalogue":
            manageable = selectors.catalogue_list_manageable(user=request.user)
            kwargs["queryset"] = manageable.filter(selectors.editable_catalogue_q())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: CatalogueItem | None = None) -> bool:
        if not super(ScopedAdmin, self).has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return obj.catalogue.is_editable and selectors.catalogue_can_manage(user=request.user, catalogue=obj.catalogue)

    def has_delete_permission(self, request: HttpRequest, obj: CatalogueItem | None = None) -> bool:
        return self.has_change_permission(request, obj) and super(ScopedAdmin, self).has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: CatalogueItem, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.catalogue_item_save(
            catalogue=data["catalogue"],
            user=request.user,
            item=obj if change else None,
            positions=data.get("positions"),
            **{name: data[name] for name in services.ITEM_FIELDS if name in data and name != "custom"},
            custom=obj.custom,  # checked by the custom fields form (CustomValuesForm.clean)
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CatalogueItem) -> None:
        services.catalogue_item_delete(item=obj, user=request.user)


class CatalogueImportAdmin(ModelAdmin):
    list_display = ["original_name", "status", "progress", "catalogue", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["original_name", "message"]
    readonly_fields = ["original_name", "status", "total_rows", "processed_rows", "message", "catalogue",
                       "created_by", "started_at", "finished_at", "errors"]  # fmt: skip
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return _own_imports(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Tiến độ")
    def progress(self, obj: CatalogueImport) -> str:
        url = reverse("admin:catalogue_import_progress", args=[obj.pk])
        return format_html('<a class="text-primary-600" href="{}">{}% ({}/{})</a>', url, obj.percent,
                           obj.processed_rows, obj.total_rows)  # fmt: skip


NAVIGATION = [
    (
        40,
        "Danh mục đầu công việc",
        [
            item("Danh mục", "menu_book", "catalogue_catalogue", "catalogue.view_catalogue", who=[HR]),
            item("Đầu công việc", "list_alt", "catalogue_catalogueitem", "catalogue.view_catalogueitem", who=[HR]),
            item(
                "Nhập danh mục từ Excel",
                "upload_file",
                "",
                "catalogue.add_catalogue",
                who=[HR],
                url="admin:catalogue_import",
            ),
            item(
                "Lịch sử nhập Excel", "history", "catalogue_catalogueimport", "catalogue.view_catalogueimport", who=[HR]
            ),
        ],
    )
]


def register(site: Any) -> None:
    site.register(Catalogue, CatalogueAdmin)
    site.register(CatalogueItem, CatalogueItemAdmin)
    site.register(CatalogueImport, CatalogueImportAdmin)
