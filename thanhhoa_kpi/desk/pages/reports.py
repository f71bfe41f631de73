"""Desk pages of reports (SPEC 6): the report builder, saved reports, built-in reports and
email schedules.

Builder: pick a document type → columns, filters, group-by, aggregates, sort, chart →
«Chạy» shows the table and an inline SVG chart (no JavaScript) → «Lưu» with sharing.
Every run uses the viewer's scope; exports are XLSX, CSV and PDF.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from unfold.decorators import action
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextareaWidget

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.errors import DomainError, NotFound, ValidationFailed
from thanhhoa_kpi.dashboards.charts import chart_pair
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.navigation import AUTHORITY, EVERYONE, HR, LEAD, VIEWER, item
from thanhhoa_kpi.desk.report_builder import BuilderForm, initial_from
from thanhhoa_kpi.formats.numbers import count_text
from thanhhoa_kpi.reports import exports, schedules, services
from thanhhoa_kpi.reports.builtin import BUILTINS, builtin_run
from thanhhoa_kpi.reports.builtin_params import param_fields
from thanhhoa_kpi.reports.engine import ReportResult
from thanhhoa_kpi.reports.models import ReportSchedule, SavedReport
from thanhhoa_kpi.reports.registry import SOURCES

PAGE_ROWS = 50
BUILTIN = "Báo cáo có sẵn"  # the built-in reports' page, menu entry and header
PAGE_PARAM = "page"
SCHEDULE_FIELDS = ["frequency", "weekday", "day_of_month", "hour", "format", "active"]


def result_context(result: ReportResult, request: HttpRequest | None = None) -> dict[str, Any]:
    """One page of a result's table (``?page=``, :data:`PAGE_ROWS` rows) and its chart.

    The page says which rows it shows out of how many ("Hiển thị 1–50 / 2.009 dòng") and
    links the other pages with the same filters; the exports always hold every row. Without
    ``request`` (the builder's preview, a POST) only the first page is shown.
    """
    page = Paginator(result.rows, PAGE_ROWS).get_page(request.GET.get(PAGE_PARAM) if request else 1)
    rows = [[exports.cell_text(v) for v in row] for row in page.object_list]
    chart = result.chart_data
    drawn = chart_pair(chart["type"], chart["labels"], chart["values"], title=chart["y_label"]) if chart else {}
    shown = f"{count_text(page.start_index())}–{count_text(page.end_index())}" if page.object_list else "0"
    pages = {"summary": f"Hiển thị {shown} / {count_text(page.paginator.count)} dòng", "number": page.number,
             "count": page.paginator.num_pages, "previous": None, "next": None, "preview": request is None}  # fmt: skip
    if request is not None:
        pages["previous"] = _page_link(request, page.previous_page_number()) if page.has_previous() else None
        pages["next"] = _page_link(request, page.next_page_number()) if page.has_next() else None
    table = {"headers": [c.label for c in result.columns], "rows": rows}
    return {"result": result, "table": table, "chart_svg": drawn.get("svg"), "phone_chart_svg": drawn.get("phone_svg"),
            "pages": pages}  # fmt: skip


def _page_link(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query[PAGE_PARAM] = str(number)
    return f"?{query.urlencode()}"


def _filters_only(request: HttpRequest) -> str:
    """The query string without the page: an export holds every row whatever page is shown."""
    query = request.GET.copy()
    query.pop(PAGE_PARAM, None)
    return query.urlencode()


def download(result: ReportResult, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404
    content, mime, extension = exports.export(result, fmt)
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(result.title, extension)}"'
    return response


class DoctypeFilter(admin.SimpleListFilter):
    title = "Loại dữ liệu"
    parameter_name = "doctype"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(code, source.label) for code, source in SOURCES.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(doctype=self.value()) if self.value() else queryset


class MineFilter(admin.SimpleListFilter):
    title = "Nguồn"
    parameter_name = "mine"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("1", "Của tôi"), ("0", "Được chia sẻ")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "1":
            return queryset.filter(owner_id=request.user.pk)
        if self.value() == "0":
            return queryset.exclude(owner_id=request.user.pk)
        return queryset


class SavedReportAdmin(ScopedAdmin):
    list_display = ["name", "doctype_label", "owner", "updated_at", "open_link"]
    list_filter = [DoctypeFilter, MineFilter]
    search_fields = ["name"]
    list_select_related = ["owner"]
    actions_list = ["go_builder", "go_builtin"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return services.reports_visible(request.user).select_related("owner")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed = request.user.has_perm("reports.change_savedreport")
        return allowed and (obj is None or services.can_edit_report(request.user, obj))  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed = request.user.has_perm("reports.delete_savedreport")
        return allowed and (obj is None or services.can_edit_report(request.user, obj))  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: SavedReport) -> None:
        services.saved_report_delete(report=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        """The bulk action deletes only the caller's own reports; shared ones stay."""
        skipped = 0
        for report in queryset:
            if services.can_edit_report(request.user, report):
                services.saved_report_delete(report=report, user=request.user)
            else:
                skipped += 1
        if skipped:
            self.message_user(request, f"Bỏ qua {skipped} báo cáo của người khác.", level=messages.WARNING)

    @admin.display(description="Loại dữ liệu", ordering="doctype")
    def doctype_label(self, obj: SavedReport) -> str:
        source = SOURCES.get(obj.doctype)
        return source.label if source else obj.doctype

    @admin.display(description="")
    def open_link(self, obj: SavedReport) -> str:
        return format_html(
            '<a class="text-primary-600" href="{}">Chạy báo cáo</a>', reverse("admin:reports_run", args=[obj.pk])
        )

    @action(description="Tạo báo cáo", icon="add_chart", url_path="go-builder", permissions=["add"])
    def go_builder(self, request: HttpRequest) -> HttpResponse:
        return redirect("admin:reports_builder")

    @action(description=BUILTIN, icon="summarize", url_path="go-builtin")
    def go_builtin(self, request: HttpRequest) -> HttpResponse:
        return redirect("admin:reports_builtin")

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("builder/", wrap(self.builder_view), name="reports_builder"),
            path("<int:pk>/builder/", wrap(self.builder_view), name="reports_edit"),
            path("<int:pk>/run/", wrap(self.run_view), name="reports_run"),
            path("<int:pk>/export/<str:fmt>/", wrap(self.export_view), name="reports_export"),
            path("builtin/", wrap(self.builtin_list_view), name="reports_builtin"),
            path("builtin/<str:code>/", wrap(self.builtin_view), name="reports_builtin_run"),
            path("builtin/<str:code>/export/<str:fmt>/", wrap(self.builtin_export_view), name="reports_builtin_export"),
        ] + super().get_urls()

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        return redirect("admin:reports_builder")

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        return redirect("admin:reports_run", pk=object_id)

    # --- pages ------------------------------------------------------------------------------------
    def _render(
        self, request: HttpRequest, template: str, title: str, *, saved: bool = True, **context: Any
    ) -> TemplateResponse:
        """A reports page. unfold heads a page "app › model" from its ``opts``: a saved report's
        pages carry the saved reports' ones; the built-in reports (``saved=False``) are not saved
        reports and are headed by their title alone."""
        request.current_app = self.admin_site.name
        base = {**self.admin_site.each_context(request), "title": title}
        if saved:
            base["opts"] = self.model._meta
        return TemplateResponse(request, f"reports/{template}", {**base, **context})

    def _report(self, request: HttpRequest, pk: int) -> SavedReport:
        try:
            return services.report_get(user=request.user, pk=pk)
        except NotFound:
            raise Http404 from None

    def builder_view(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        if not request.user.has_perm("reports.add_savedreport"):
            raise PermissionDenied
        report = self._report(request, pk) if pk else None
        if report is not None and not services.can_edit_report(request.user, report):
            raise PermissionDenied
        code = request.POST.get("doctype") or request.GET.get("doctype") or (report.doctype if report else "official")
        source = SOURCES.get(code) or SOURCES["official"]
        initial = initial_from(report) if report and report.doctype == source.code else {"doctype": source.code}
        fields = source.all_fields(request.user)
        form = BuilderForm(request.POST or None, fields=fields, user=request.user, initial=initial)
        context: dict[str, Any] = {"form": form, "report": report, "source": source, "sources": SOURCES}
        if request.method == "POST" and form.is_valid():
            saved = self._build(request, form, report, context)
            if saved is not None:
                return redirect("admin:reports_run", pk=saved.pk)
        title = f"Sửa báo cáo: {report.name}" if report else "Trình tạo báo cáo"
        return self._render(request, "builder.html", title, **context)

    def _build(self, request: HttpRequest, form: BuilderForm, report: SavedReport | None, context: dict) -> Any:
        definition = form.definition()
        try:
            if "_save" not in request.POST:
                context.update(result_context(services.report_preview(definition=definition, user=request.user)))
                return None
            sharing = {
                "shared_roles": form.cleaned_data["shared_roles"],
                "shared_units": form.cleaned_data["shared_units"],
            }
            if report is None:
                saved = services.saved_report_create(
                    owner=request.user, name=form.cleaned_data["name"], definition=definition, **sharing
                )
            else:
                saved = services.saved_report_update(
                    report=report, user=request.user, name=form.cleaned_data["name"], definition=definition, **sharing
                )
        except ValidationFailed as exc:
            form.show_errors(exc.errors)
            return None
        self.message_user(request, f"Đã lưu báo cáo «{saved.name}».", level=messages.SUCCESS)
        return saved

    def run_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = self._report(request, pk)
        context: dict[str, Any] = {"report": report, "can_edit": services.can_edit_report(request.user, report)}
        try:
            context.update(result_context(services.report_run(report=report, user=request.user), request))
        except DomainError as exc:
            self.report_domain_error(request, exc)
        context["exports"] = [(f.upper(), reverse("admin:reports_export", args=[pk, f])) for f in exports.FORMATS]
        context["schedule_url"] = reverse("admin:reports_reportschedule_add") + f"?report={pk}"
        return self._render(request, "run.html", report.name, **context)

    def export_view(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        report = self._report(request, pk)
        return download(services.report_run(report=report, user=request.user), fmt)

    def builtin_list_view(self, request: HttpRequest) -> HttpResponse:
        reports = [(r, reverse("admin:reports_builtin_run", args=[r.code])) for r in BUILTINS.values()]
        return self._render(request, "builtin_list.html", BUILTIN, saved=False, builtins=reports)

    def _builtin(self, request: HttpRequest, code: str) -> ReportResult:
        if code not in BUILTINS:
            raise Http404
        params = request.GET.dict()
        params.pop(PAGE_PARAM, None)
        return builtin_run(code=code, user=request.user, params=params)

    def builtin_view(self, request: HttpRequest, code: str) -> HttpResponse:
        """The report with its filter bar; the exports carry the same query string."""
        result = self._builtin(request, code)
        query = _filters_only(request)
        links = [(f.upper(), reverse("admin:reports_builtin_export", args=[code, f]) + (f"?{query}" if query else ""))
                 for f in exports.FORMATS]  # fmt: skip
        pickers = param_fields(BUILTINS[code], request.user, request.GET.dict())
        context = {**result_context(result, request), "builtin": BUILTINS[code], "exports": links, "pickers": pickers}
        context["builtin_list"] = (BUILTIN, reverse("admin:reports_builtin"))
        return self._render(request, "builtin_run.html", BUILTINS[code].title, saved=False, **context)

    def builtin_export_view(self, request: HttpRequest, code: str, fmt: str) -> HttpResponse:
        return download(self._builtin(request, code), fmt)


class ScheduleForm(forms.ModelForm):
    recipients_text = forms.CharField(
        label="Người nhận", widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        help_text="Địa chỉ thư điện tử, mỗi dòng một địa chỉ (hoặc cách nhau bằng dấu phẩy).",
    )  # fmt: skip

    class Meta:
        model = ReportSchedule
        fields = ["report", "frequency", "weekday", "day_of_month", "hour", "format", "active"]
        widgets = {"report": UnfoldAdminSelectWidget}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The read-only page (a system admin looking at someone's schedule) has no fields.
        if "report" in self.fields:
            self.fields["report"].queryset = services.reports_visible(user)
        if self.instance.pk and "recipients_text" in self.fields:
            self.fields["recipients_text"].initial = "\n".join(self.instance.recipients)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        candidate = ReportSchedule(**{k: cleaned.get(k) for k in SCHEDULE_FIELDS})
        candidate.recipients = schedules.parse_recipients(cleaned.get("recipients_text"))
        try:
            schedules.report_schedule_check(candidate)
        except ValidationFailed as exc:
            for error in exc.errors:
                name = "recipients_text" if error.field == "recipients" else error.field
                self.add_error(name if name in self.fields else None, error.message)
        return cleaned


class ReportScheduleAdmin(ScopedAdmin):
    form = ScheduleForm
    list_display = ["report", "frequency", "weekday", "day_of_month", "hour", "format", "active", "last_sent_at"]
    list_filter = ["frequency", "format", "active"]
    search_fields = ["report__name", "recipients"]
    list_select_related = ["report"]
    readonly_fields = ["last_sent_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = ReportSchedule.objects.select_related("report", "owner")
        scope = access.scope_for(request.user)
        return qs if scope.is_system_admin else qs.filter(owner_id=request.user.pk)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed = request.user.has_perm("reports.change_reportschedule")
        return allowed and (obj is None or obj.owner_id == request.user.pk)  # type: ignore[attr-defined]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_change_permission(request, obj) and request.user.has_perm("reports.delete_reportschedule")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)

        class WithUser(form):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, user=request.user, **kw)

        return WithUser

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {**super().get_changeform_initial_data(request), "report": request.GET.get("report")}

    def save_model(self, request: HttpRequest, obj: ReportSchedule, form: Any, change: bool) -> None:
        data = {k: form.cleaned_data.get(k) for k in SCHEDULE_FIELDS}
        data["recipients"] = form.cleaned_data["recipients_text"]
        if change:
            saved = schedules.report_schedule_update(schedule=obj, user=request.user, **data)
        else:
            saved = schedules.report_schedule_create(report=form.cleaned_data["report"], owner=request.user, **data)
        obj.pk = saved.pk


NAVIGATION = [
    (
        4,
        "Báo cáo",
        [
            item(
                BUILTIN,
                "summarize",
                "",
                "reports.view_savedreport",
                who=EVERYONE,
                url="admin:reports_builtin",
                rank=10,
            ),
            item(
                "Trình tạo báo cáo",
                "add_chart",
                "",
                "reports.add_savedreport",
                who=[LEAD, AUTHORITY, HR, VIEWER],
                url="admin:reports_builder",
                rank=30,
            ),
            item(
                "Báo cáo đã lưu",
                "query_stats",
                "reports_savedreport",
                "reports.view_savedreport",
                who=EVERYONE,
                rank=40,
            ),
            item(
                "Lịch gửi báo cáo",
                "schedule_send",
                "reports_reportschedule",
                "reports.view_reportschedule",
                who=[LEAD, AUTHORITY, HR, VIEWER],
                rank=50,
            ),
        ],
    )
]


def register(site: Any) -> None:
    site.register(SavedReport, SavedReportAdmin)
    site.register(ReportSchedule, ReportScheduleAdmin)
