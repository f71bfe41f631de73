"""Desk pages for Excel import and export.

Upload (kind + file) → the check report (every error by row and column; nothing written)
→ confirm → the job page, whose progress bar polls a small JSON status view. Export
pages give one download per kind, of the caller's scope, in the import layout, and each
year's published classifications in the national CBCCVC database's keys (Excel or CSV).
Only HR admins and system admins import; everyone may export what they see.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from unfold.admin import ModelAdmin
from unfold.decorators import action
from unfold.widgets import UnfoldAdminFileFieldWidget, UnfoldAdminSelectWidget

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.appraisals import selectors as appraisal_selectors
from thanhhoa_kpi.appraisals.choices import PeriodKind
from thanhhoa_kpi.core.errors import DomainError, NotFound
from thanhhoa_kpi.desk.navigation import HR, item
from thanhhoa_kpi.transfer import classifications, services, workbook
from thanhhoa_kpi.transfer.models import ImportJob, ImportStatus
from thanhhoa_kpi.transfer.specs import SPECS, kind_choices

POLL_MS = 1500
DIFFERENCE_HEADERS = ("Loại", "Dòng", "Mã CBCCVC", "Họ và tên", "Nội dung", "Hiện có", "Trong tệp")


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="Loại dữ liệu", choices=kind_choices(), widget=UnfoldAdminSelectWidget)
    file = forms.FileField(
        label="Tệp Excel (.xlsx) hoặc CSV",
        allow_empty_file=True,
        widget=UnfoldAdminFileFieldWidget(attrs={"accept": f".xlsx,.csv,{workbook.XLSX_MIME},text/csv"}),
        help_text="Dòng 1 là tiêu đề cột như trong tệp mẫu; ngày ghi dd/mm/yyyy. Tệp CSV (UTF-8) chỉ nhận "
        "với loại «CSDL CBCCVC quốc gia».",
    )


class ImportJobAdmin(ModelAdmin):
    list_display = ["kind", "original_name", "status_badge", "progress", "total_rows", "created_by", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["original_name", "created_by__username"]
    list_select_related = ["created_by"]
    actions_list = ["go_upload", "go_export"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return services.import_jobs_visible(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # jobs come from the upload page

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        finished = obj is None or obj.finished or obj.status == ImportStatus.PENDING
        return finished and super().has_delete_permission(request, obj)

    def has_upload_permission(self, request: HttpRequest) -> bool:
        return access.can_write_master(request.user)

    @admin.display(description="Trạng thái", ordering="status")
    def status_badge(self, obj: ImportJob) -> str:
        return services.import_job_progress(obj)["status_label"]

    @admin.display(description="Tiến độ")
    def progress(self, obj: ImportJob) -> str:
        state = services.import_job_progress(obj)
        return format_html("{}/{} ({}%)", state["processed_rows"], state["total_rows"], state["percent"])

    @action(description="Nhập từ Excel", icon="upload_file", permissions=["upload"], url_path="go-upload")
    def go_upload(self, request: HttpRequest) -> HttpResponse:
        return redirect("admin:transfer_importjob_upload")

    @action(description="Xuất Excel", icon="download", url_path="go-export")
    def go_export(self, request: HttpRequest) -> HttpResponse:
        return redirect("admin:transfer_importjob_export")

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        custom = [
            path("upload/", wrap(self.upload_view), name="transfer_importjob_upload"),
            path("export/", wrap(self.export_view), name="transfer_importjob_export"),
            path(
                "export/classifications/<str:fmt>/",
                wrap(self.classifications_view),
                name="transfer_importjob_classifications",
            ),
            path("export/<str:kind>/", wrap(self.export_file_view), name="transfer_importjob_export_file"),
            path("template/<str:kind>/", wrap(self.template_view), name="transfer_importjob_template"),
            path("<int:pk>/report/", wrap(self.report_view), name="transfer_importjob_report"),
            path("<int:pk>/confirm/", wrap(require_POST(self.confirm_view)), name="transfer_importjob_confirm"),
            path("<int:pk>/status/", wrap(self.status_view), name="transfer_importjob_status"),
        ]
        return custom + super().get_urls()

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        """The detail of a job is its report page (errors table, progress, confirm)."""
        return redirect("admin:transfer_importjob_report", pk=object_id)

    # --- pages ---------------------------------------------------------------------------------
    def _render(self, request: HttpRequest, template: str, title: str, **context: Any) -> TemplateResponse:
        request.current_app = self.admin_site.name
        # ``model_admin`` rather than ``opts``: unfold's header then ends with this page's title.
        base = {**self.admin_site.each_context(request), "title": title, "model_admin": self}
        return TemplateResponse(request, f"transfer/{template}", {**base, **context})

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not access.can_write_master(request.user):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read(workbook.max_bytes() + 1)
            try:
                job = services.import_job_create(
                    kind=form.cleaned_data["kind"], content=content, filename=upload.name, user=request.user
                )
            except DomainError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                return redirect("admin:transfer_importjob_report", pk=job.pk)
        templates = [(spec, reverse("admin:transfer_importjob_template", args=[spec.kind])) for spec in SPECS.values()]
        limit_mb = workbook.max_bytes() // (1024 * 1024)
        title = "Nhập dữ liệu từ Excel"
        return self._render(request, "upload.html", title, form=form, templates=templates, limit_mb=limit_mb)

    def report_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = self._job(request, pk)
        state = services.import_job_progress(job)
        return self._render(
            request,
            "report.html",
            f"Lượt nhập: {job.get_kind_display()}",
            job=job,
            state=state,
            can_confirm=job.status == ImportStatus.PENDING and job.created_by_id == request.user.pk,
            status_url=reverse("admin:transfer_importjob_status", args=[job.pk]),
            poll_ms=POLL_MS,
            difference_headers=DIFFERENCE_HEADERS,
        )

    def confirm_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = self._job(request, pk)
        try:
            job = services.import_job_confirm(job=job, user=request.user)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
        else:
            if job.status == ImportStatus.DONE:
                self.message_user(request, f"Đã nhập xong {job.total_rows} dòng.", level=messages.SUCCESS)
        return redirect("admin:transfer_importjob_report", pk=pk)

    def status_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        state = services.import_job_progress(self._job(request, pk))
        state["created_at"] = state["created_at"].isoformat() if state["created_at"] else None
        state["finished_at"] = state["finished_at"].isoformat() if state["finished_at"] else None
        return JsonResponse(state)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        kinds = [(spec, reverse("admin:transfer_importjob_export_file", args=[spec.kind])) for spec in SPECS.values()]
        periods = appraisal_selectors.period_list(user=request.user).filter(kind=PeriodKind.YEAR)
        years = sorted(set(periods.values_list("year", flat=True)), reverse=True)
        links = {
            fmt: reverse("admin:transfer_importjob_classifications", args=[fmt]) for fmt in classifications.FORMATS
        }
        yearly = [(year, {fmt: f"{url}?year={year}" for fmt, url in links.items()}) for year in years]
        return self._render(request, "export.html", "Xuất dữ liệu ra Excel", kinds=kinds, yearly=yearly)

    def classifications_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        """The year's published classifications in the national keys (``?year=``, default this year)."""
        raw = request.GET.get("year", "")
        year = int(raw) if raw.isdigit() else timezone.localdate().year
        try:
            content, mime, filename = classifications.classifications_export(user=request.user, year=year, fmt=fmt)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return redirect("admin:transfer_importjob_export")
        response = HttpResponse(content, content_type=mime)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def export_file_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        if kind not in SPECS:
            raise Http404
        return _xlsx(services.export_rows(kind=kind, user=request.user), services.export_filename(kind))

    def template_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        if kind not in SPECS:
            raise Http404
        return _xlsx(services.export_template(kind=kind), f"mau-{kind}.xlsx")

    def _job(self, request: HttpRequest, pk: int) -> ImportJob:
        try:
            return services.import_job_get(user=request.user, pk=pk)
        except NotFound:
            raise Http404 from None


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=workbook.XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


NAVIGATION = [
    (
        85,
        "Nhập, xuất dữ liệu",
        [
            item(
                "Nhập từ Excel",
                "upload_file",
                "",
                "transfer.add_importjob",
                who=[HR],
                url="admin:transfer_importjob_upload",
            ),
            item("Các lượt nhập", "history", "transfer_importjob", "transfer.add_importjob", who=[HR]),
            item(
                "Xuất Excel", "download", "", "transfer.view_importjob", who=[HR], url="admin:transfer_importjob_export"
            ),
        ],
    )
]


def register(site: Any) -> None:
    site.register(ImportJob, ImportJobAdmin)
