"""Desk pages for work: my week's log, quick entry, review, my score, hours, assigning work.

The lists (periods, assignments, log lines) are read-only admin lists with filters,
search and history; every write goes through the pages below, which call the services
and turn a domain error into form errors next to the fields it names.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Q, QuerySet, Sum, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from unfold.decorators import action
from unfold.views import BaseAutocompleteView
from unfold.widgets import (
    INPUT_CLASSES,
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminFileFieldWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.appraisals.live import live_score
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.catalogue.selectors import item_search, items_usable_by
from thanhhoa_kpi.competencies.selectors import own_gaps
from thanhhoa_kpi.core.errors import DomainError
from thanhhoa_kpi.desk.autocomplete import AutocompleteField
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.confirm import confirm_selected
from thanhhoa_kpi.desk.custom import CustomFieldsAdminMixin, custom_form_fields, initial_value
from thanhhoa_kpi.desk.navigation import ADMIN, AUTHORITY, LEAD, MINE, VIEWER, item
from thanhhoa_kpi.desk.numbers import DecimalInput
from thanhhoa_kpi.organization.models import LeavePeriod, OrgUnit
from thanhhoa_kpi.worklogs import assignments as assign_services
from thanhhoa_kpi.worklogs import plausibility, rights, selectors, services
from thanhhoa_kpi.worklogs.models import Assignment, Origin, PeriodStatus, WorkLogLine, WorkPeriod

ITEM_URL = "admin:worklogs_item_autocomplete"


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": " ".join(INPUT_CLASSES)})


def _form_errors(form: forms.Form, error: DomainError) -> None:
    """The one place where a domain error becomes form errors (by field when named)."""
    if not error.errors:
        form.add_error(None, error.message)
    for problem in error.errors:
        name = problem.field.replace("custom.", "custom__", 1)  # custom.<key> → the form's custom__<key>
        form.add_error(name if name in form.fields else None, problem.message)


def _no_official(request: HttpRequest) -> HttpResponse:
    """Personal pages need an official record: say so on the desk home instead of a 404."""
    messages.info(request, "Tài khoản của bạn chưa gắn với hồ sơ cán bộ nên không có nhật ký hay điểm cá nhân.")
    return HttpResponseRedirect(reverse("admin:index"))


def _page(request: HttpRequest, model_admin: Any, template: str, title: str, **context: Any) -> HttpResponse:
    context = {**model_admin.admin_site.each_context(request), "title": title, **context}
    return render(request, f"worklogs/{template}", context)


# ------------------------------------------------------------------ forms


class LineForm(forms.Form):
    date = forms.DateField(label="Ngày", widget=_date_input())
    assignment = forms.ModelChoiceField(
        Assignment.objects.none(), label="Việc được giao", required=False, widget=UnfoldAdminSelectWidget,
        help_text="Chọn việc được giao, hoặc chọn một đầu công việc trong danh mục bên dưới.",
    )  # fmt: skip
    catalogue_item = AutocompleteField(
        ITEM_URL, queryset=CatalogueItem.objects.all(), label="Đầu công việc (gõ để tìm)", required=False
    )
    quantity = forms.DecimalField(label="Số lượng", widget=DecimalInput, localize=True, decimal_places=2)
    minutes = forms.IntegerField(label="Thời gian (phút)", required=False, widget=UnfoldAdminIntegerFieldWidget)
    description = forms.CharField(label="Nội dung", required=False, widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}))
    evidence = forms.FileField(label="Tệp minh chứng", required=False, widget=UnfoldAdminFileFieldWidget,
                               help_text="PDF, DOCX, XLSX, JPG, PNG; tối đa 10 MB.")  # fmt: skip
    document_number = forms.CharField(label="Số văn bản / hồ sơ", required=False, widget=UnfoldAdminTextInputWidget)

    def __init__(
        self, *args: Any, official_id: int | None = None, request: Any = None, line: WorkLogLine | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        """``line``: the line being edited (its own fields and stored values), else a new one."""
        super().__init__(*args, **kwargs)
        self.custom_defs = custom_form_fields("worklog", request, host=line) if request is not None else {}
        stored = line.custom if line is not None else {}
        for name, (definition, field) in self.custom_defs.items():
            self.fields[name] = field
            if definition.key in stored:
                self.initial.setdefault(name, initial_value(definition, stored[definition.key]))
            elif line is None and definition.default is not None:
                self.initial.setdefault(name, definition.default)
        self.fields["assignment"].queryset = (
            Assignment.objects.filter(assignee_id=official_id, period__status=PeriodStatus.OPEN)
            .select_related("catalogue_item", "period", "assignee")  # each choice's label names all three
            .order_by("-period__year", "-period__month", "catalogue_item__code")
        )

    @property
    def custom_bound_fields(self) -> list[Any]:
        return [self[name] for name in self.custom_defs]

    def values(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.custom_defs}
        if self.custom_defs:
            data["custom"] = {d.key: self.cleaned_data.get(name) for name, (d, _f) in self.custom_defs.items()}
        data["minutes"] = data.get("minutes") or 0
        if not data.get("evidence"):
            data.pop("evidence", None)
        return data


class SelfRegisterForm(forms.Form):
    catalogue_item = AutocompleteField(ITEM_URL, queryset=CatalogueItem.objects.all(), label="Đầu công việc tự đăng ký")
    quantity = forms.DecimalField(label="Số lượng", widget=DecimalInput, localize=True, decimal_places=2)
    deadline = forms.DateField(label="Hạn hoàn thành", required=False, widget=_date_input())


class ReviewForm(forms.Form):
    accepted_quantity = forms.DecimalField(label="Số lượng được chấp nhận", widget=DecimalInput, localize=True)
    quality_failures = forms.IntegerField(label="Số lỗi chất lượng", initial=0, widget=UnfoldAdminIntegerFieldWidget)
    delays = forms.IntegerField(label="Số lần chậm tiến độ", initial=0, widget=UnfoldAdminIntegerFieldWidget)
    exempt_quality_failures = forms.IntegerField(label="Lỗi chất lượng được miễn trừ", initial=0,
                                                 widget=UnfoldAdminIntegerFieldWidget)  # fmt: skip
    exempt_delays = forms.IntegerField(label="Chậm tiến độ được miễn trừ", initial=0,
                                       widget=UnfoldAdminIntegerFieldWidget)  # fmt: skip
    exemption_reason = forms.CharField(label="Lý do miễn trừ (nguyên nhân khách quan)", required=False,
                                       widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}))  # fmt: skip
    exemption_confirmed_by = forms.CharField(label="Người xác nhận miễn trừ", required=False,
                                             widget=UnfoldAdminTextInputWidget)  # fmt: skip
    exemption_attachment = forms.FileField(label="Tệp minh chứng miễn trừ", required=False,
                                           widget=UnfoldAdminFileFieldWidget)  # fmt: skip
    comment = forms.CharField(label="Nhận xét", required=False, widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}))


class AssignForm(forms.Form):
    catalogue_item = AutocompleteField(
        ITEM_URL, queryset=CatalogueItem.objects.all(), label="Đầu công việc (gõ để tìm)"
    )
    assignees = forms.ModelMultipleChoiceField(
        queryset=None, label="Người thực hiện", widget=UnfoldAdminCheckboxSelectMultipleWidget
    )
    quantity = forms.DecimalField(label="Số lượng giao", widget=DecimalInput, localize=True, decimal_places=2)
    period = forms.ModelChoiceField(WorkPeriod.objects.filter(status=PeriodStatus.OPEN), label="Kỳ (tháng)",
                                    widget=UnfoldAdminSelectWidget)  # fmt: skip
    deadline = forms.DateField(label="Hạn hoàn thành", required=False, widget=_date_input())
    origin = forms.ChoiceField(label="Nguồn giao việc", choices=[(Origin.PLAN, Origin.PLAN.label),
                               (Origin.AD_HOC, Origin.AD_HOC.label)], widget=UnfoldAdminSelectWidget)  # fmt: skip
    note = forms.CharField(label="Ghi chú", required=False, widget=UnfoldAdminTextInputWidget)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignees"].queryset = rights.directed_officials(user).order_by("full_name")


# ------------------------------------------------------------------ views


class ItemAutocompleteView(BaseAutocompleteView):
    """Items the caller may log or assign today, found by typing (code, task, field)."""

    model = CatalogueItem

    def get_queryset(self) -> QuerySet[CatalogueItem]:
        official = rights.official_of(self.request.user)
        if official is None:
            return CatalogueItem.objects.none()
        items = items_usable_by(official=official, on=timezone.localdate()).order_by("code")
        return item_search(items, self.request.GET.get("term", ""))


def _monday(request: HttpRequest) -> date:
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


def _week_post(request: HttpRequest, form: LineForm) -> bool:
    """Handle one POST of the week page; True when it succeeded."""
    user, what = request.user, request.POST.get("action", "create")
    try:
        if what == "copy":
            line = get_object_or_404(selectors.worklog_list_own(user=user), pk=request.POST.get("line"))
            copy = services.worklog_copy(line=line, user=user)
            messages.success(request, f"Đã sao chép dòng sang ngày {copy.date:%d/%m/%Y}.")
        elif what == "register":
            register = SelfRegisterForm(request.POST, prefix="reg")
            if not register.is_valid():
                messages.error(request, "Tự đăng ký: " + "; ".join(e for es in register.errors.values() for e in es))
                return False
            assign_services.assignment_create(
                user=user, assignee=rights.official_of(user), origin=Origin.SELF_REGISTERED,
                period=selectors.current_period(), **register.cleaned_data,
            )  # fmt: skip
            messages.success(request, "Đã tự đăng ký công việc; việc được tính khi lãnh đạo phụ trách duyệt.")
        elif form.is_valid():
            services.worklog_create(user=user, **form.values())
            messages.success(request, "Đã ghi dòng nhật ký.")
        else:
            return False
    except DomainError as error:
        _form_errors(form, error)
        messages.error(request, error.message)
        return False
    return True


def my_week_view(request: HttpRequest, model_admin: Any) -> HttpResponse:
    official = rights.official_of(request.user)
    if official is None:
        return _no_official(request)
    monday = _monday(request)
    creating = request.method == "POST" and request.POST.get("action", "create") == "create"
    form = LineForm(request.POST if creating else None, request.FILES if creating else None, official_id=official.pk,
                    initial={"date": timezone.localdate()}, request=request)  # fmt: skip
    if request.method == "POST" and _week_post(request, form):
        return HttpResponseRedirect(f"{request.path}?week={monday.isoformat()}")
    days = selectors.worklog_week(user=request.user, monday=monday)
    today = timezone.localdate()
    leaves = LeavePeriod.objects.filter(official=official, end_date__gte=today - timedelta(days=31))
    return _page(
        request, model_admin, "my_week.html", "Nhật ký của tôi",
        form=form, register_form=SelfRegisterForm(prefix="reg"), media=form.media,
        days=[(day, lines, sum(line.minutes for line in lines)) for day, lines in days],
        week_minutes=sum(line.minutes for _day, lines in days for line in lines),
        monday=monday, sunday=monday + timedelta(days=6),
        previous_week=monday - timedelta(days=7), next_week=monday + timedelta(days=7),
        today=today, assignments=_assignment_progress(official.pk), leaves=leaves,
    )  # fmt: skip


def quick_entry_view(request: HttpRequest, model_admin: Any) -> HttpResponse:
    """One line at a time, made for a phone: the entry form, then what was logged today."""
    official = rights.official_of(request.user)
    if official is None:
        return _no_official(request)
    today = timezone.localdate()
    posted = request.method == "POST"
    form = LineForm(request.POST if posted else None, request.FILES if posted else None, official_id=official.pk,
                    initial={"date": today}, request=request)  # fmt: skip
    if posted and _week_post(request, form):
        return HttpResponseRedirect(request.path)
    lines = list(
        selectors.worklog_list_own(user=request.user).filter(date=today).select_related("catalogue_item").order_by("pk")
    )
    return _page(
        request, model_admin, "quick_entry.html", "Ghi nhanh nhật ký", form=form, media=form.media, today=today,
        lines=lines, today_minutes=sum(line.minutes for line in lines),
    )  # fmt: skip


def _assignment_progress(official_id: int) -> list[tuple[Assignment, Any]]:
    rows = (
        Assignment.objects.filter(assignee_id=official_id, period__status=PeriodStatus.OPEN)
        .select_related("catalogue_item", "period")
        .annotate(logged=Sum("lines__quantity"))
        .order_by("-period__year", "-period__month", "catalogue_item__code")
    )
    return [(row, row.logged or 0) for row in rows]


def line_edit_view(request: HttpRequest, pk: int, model_admin: Any) -> HttpResponse:
    line = get_object_or_404(selectors.worklog_list_own(user=request.user), pk=pk)
    if request.method in ("GET", "HEAD") and (line.is_reviewed or not line.period.is_open):
        # What the service would refuse on saving (services._lock_own_draft), said before typing.
        why = "đã được duyệt" if line.is_reviewed else f"thuộc {line.period} đã khóa"
        messages.info(request, f"Dòng nhật ký này {why}, không sửa hoặc xóa được nữa.")
        return HttpResponseRedirect(reverse("admin:worklogs_review_line", args=[line.pk]))
    initial = {key: getattr(line, key) for key in ("date", "assignment", "catalogue_item", "quantity", "minutes",
                                                    "description", "document_number")}  # fmt: skip
    form = LineForm(request.POST or None, request.FILES or None, official_id=line.official_id, initial=initial,
                    request=request, line=line)  # fmt: skip
    back = reverse("admin:worklogs_my_week") + f"?week={line.date - timedelta(days=line.date.weekday())}"
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                services.worklog_delete(line=line, user=request.user)
                messages.success(request, "Đã xóa dòng nhật ký.")
                return HttpResponseRedirect(back)
            if form.is_valid():
                services.worklog_update(line=line, user=request.user, **form.values())
                messages.success(request, "Đã lưu dòng nhật ký.")
                return HttpResponseRedirect(back)
        except DomainError as error:
            _form_errors(form, error)
    return _page(request, model_admin, "line_edit.html", "Sửa dòng nhật ký", form=form, line=line, back=back,
                 media=form.media)  # fmt: skip


def review_queue_view(request: HttpRequest, model_admin: Any) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve_assignment":
                row = get_object_or_404(selectors.assignment_list(user=user), pk=request.POST.get("assignment"))
                assign_services.assignment_approve(assignment=row, user=user)
                messages.success(request, f"Đã duyệt việc tự đăng ký: {row}.")
            else:
                ids = request.POST.getlist("line")
                lines = list(selectors.worklog_list(user=user).filter(pk__in=ids))
                if not lines:
                    messages.warning(request, "Chưa chọn dòng nào.")
                else:
                    done = services.worklog_review_bulk(lines=lines, reviewer=user)
                    messages.success(request, f"Đã chấp nhận toàn bộ {len(done)} dòng nhật ký.")
        except DomainError as error:
            model_admin.report_domain_error(request, error)
        return HttpResponseRedirect(request.path)
    lines = list(selectors.worklog_awaiting_review(user=user).select_related("catalogue_item", "official")[:500])
    _with_flags(lines)
    pending = selectors.assignment_awaiting_approval(user=user)
    return _page(request, model_admin, "review_queue.html", "Duyệt nhật ký công việc", lines=lines,
                 pending=pending[:200])  # fmt: skip


def _with_flags(lines: list[WorkLogLine]) -> None:
    """Each line's plausibility flags (``line.flags``): questions for the reviewer, never a deduction."""
    found = plausibility.flags_for(WorkLogLine.objects.filter(pk__in=[line.pk for line in lines])) if lines else {}
    for line in lines:
        line.flags = found.get(line.pk, [])


def _may_review(user: Any, line: WorkLogLine) -> bool:
    return WorkLogLine.objects.filter(pk=line.pk).filter(rights.reviewable_lines_q(user)).exists()


def review_line_view(request: HttpRequest, pk: int, model_admin: Any) -> HttpResponse:
    line = get_object_or_404(selectors.worklog_list(user=request.user), pk=pk)
    if request.method not in ("GET", "HEAD") and not _may_review(request.user, line):
        # Everyone who sees the line may read its review; only its reviewers post one.
        raise PermissionDenied("Bạn không phải người duyệt dòng nhật ký này.")
    initial = {"accepted_quantity": line.accepted_quantity if line.is_reviewed else line.quantity}
    for key in ("quality_failures", "delays", "exempt_quality_failures", "exempt_delays", "exemption_reason",
                "exemption_confirmed_by"):  # fmt: skip
        initial[key] = getattr(line, key)
    form = ReviewForm(request.POST or None, request.FILES or None, initial={**initial, "comment": line.review_comment})
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items() if k != "exemption_attachment" or v}
            services.worklog_review(line=line, reviewer=request.user, **data)
            messages.success(request, "Đã ghi kết quả duyệt.")
            return HttpResponseRedirect(reverse("admin:worklogs_review"))
        except DomainError as error:
            _form_errors(form, error)
            messages.error(request, error.message)
    own = line.official.user_id == request.user.pk
    may_direct = not own and rights.can_direct(request.user, line.official, line.catalogue_item.field)
    can_review = may_direct and line.period.is_open  # a closed month is reviewed no more (the service refuses)
    if can_review:
        _with_flags([line])
    return _page(request, model_admin, "review_line.html", "Duyệt dòng nhật ký", form=form, line=line,
                 can_review=can_review or request.method == "POST",
                 closed=not line.period.is_open)  # fmt: skip


def _period_from(request: HttpRequest) -> WorkPeriod:
    period_id = request.GET.get("period")
    if period_id and period_id.isdigit():
        return get_object_or_404(WorkPeriod, pk=period_id)
    return selectors.current_period()


def my_score_view(request: HttpRequest, model_admin: Any) -> HttpResponse:
    official = rights.official_of(request.user)
    if official is None:
        return _no_official(request)
    period = _period_from(request)
    try:
        score = live_score(official=official, period=period)
    except DomainError as error:
        model_admin.report_domain_error(request, error)
        score = None
    # The official's own competency gaps stand beside their results (issue 14, item 4).
    return _page(request, model_admin, "my_score.html", "Điểm của tôi", score=score, period=period,
                 periods=WorkPeriod.objects.all()[:24], competency_gaps=own_gaps(user=request.user))  # fmt: skip


def hours_view(request: HttpRequest, model_admin: Any) -> HttpResponse:
    period = _period_from(request)
    units = access.scoped(OrgUnit.objects.all(), request.user).only("id", "name", "path")[:500]
    unit = None
    if (request.GET.get("unit") or "").isdigit():
        unit = access.scoped(OrgUnit.objects.all(), request.user).filter(pk=request.GET["unit"]).first()
    return _page(
        request, model_admin, "hours.html", "Tổng hợp giờ làm việc", period=period, unit=unit, units=units,
        periods=WorkPeriod.objects.all()[:24],
        by_unit=selectors.hours_by_unit(user=request.user, period=period, unit=unit),
        by_official=selectors.hours_by_official(user=request.user, period=period, unit=unit),
    )  # fmt: skip


def assign_view(request: HttpRequest, model_admin: Any) -> HttpResponse:
    user = request.user
    if not user.has_perm("worklogs.add_assignment"):
        # HR admins and the leadership viewer assign no work (officials self-register here).
        raise PermissionDenied("Bạn không có quyền giao việc.")
    initial = {"period": selectors.current_period(), "origin": Origin.PLAN}
    form = AssignForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "copy_month":
                target = selectors.current_period()
                source = WorkPeriod.objects.filter(pk__lt=target.pk).order_by("-year", "-month").first()
                source = source or target
                result = assign_services.assignment_copy_month(user=user, source=source, target=target)
                messages.success(request, f"Đã chép {len(result.created)} việc từ {source} sang {target}.")
                for note in result.skipped[:20]:
                    messages.warning(request, note)
                return HttpResponseRedirect(request.path)
            if form.is_valid():
                data = form.cleaned_data
                created = assign_services.assignment_bulk_create(
                    user=user, catalogue_item=data["catalogue_item"], assignees=list(data["assignees"]),
                    quantity=data["quantity"], period=data["period"], deadline=data["deadline"],
                    origin=data["origin"], note=data["note"],
                )  # fmt: skip
                messages.success(request, f"Đã giao việc cho {len(created)} người.")
                return HttpResponseRedirect(reverse("admin:worklogs_assignment_changelist"))
        except DomainError as error:
            _form_errors(form, error)
            messages.error(request, error.message)
    return _page(request, model_admin, "assign.html", "Giao việc", form=form, media=form.media)


# ------------------------------------------------------------------ lists


class ReadOnlyPage:
    """A model page that only reads: rows are written and removed through the services (the
    personal pages, the assign page, opening a month), never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WorkPeriodAdmin(ReadOnlyPage, ScopedAdmin):
    list_display = ["__str__", "year", "month", "status", "closed_by", "closed_at"]
    list_filter = ["status", "year"]
    search_fields = ["year"]
    actions = ["close_periods", "reopen_periods"]

    def _set(self, request: HttpRequest, queryset: QuerySet, status: str, reason: str = "") -> None:
        try:
            for period in queryset.order_by("pk"):
                services.work_period_set_status(period=period, user=request.user, status=status, reason=reason)
            self.message_user(request, "Đã cập nhật trạng thái kỳ.", messages.SUCCESS)
        except DomainError as error:
            self.report_domain_error(request, error)

    def has_lock_permission(self, request: HttpRequest) -> bool:
        # Offered to whom the service lets act; the service checks again when it acts.
        return access.scope_for(request.user).is_system_admin

    @admin.action(description="Khóa các kỳ đã chọn", permissions=["lock"])
    def close_periods(self, request: HttpRequest, queryset: QuerySet) -> Any:
        return confirm_selected(
            request, self, queryset, title="Khóa kỳ công việc", confirm_label="Khóa kỳ",
            question="Khóa {count} kỳ công việc dưới đây? Sau khi khóa, không ai ghi, sửa hay duyệt được nhật ký "
            "của các tháng này cho đến khi quản trị hệ thống mở khóa (có ghi lý do).",
            act=lambda: self._set(request, queryset, PeriodStatus.CLOSED),
        )  # fmt: skip

    @admin.action(description="Mở khóa các kỳ đã chọn (ghi lý do)", permissions=["lock"])
    def reopen_periods(self, request: HttpRequest, queryset: QuerySet) -> Any:
        return confirm_selected(
            request, self, queryset, title="Mở khóa kỳ công việc", confirm_label="Mở khóa",
            question="Mở khóa {count} kỳ công việc dưới đây? Nhật ký của các tháng này sẽ ghi, sửa và duyệt lại được.",
            reason_label="Lý do mở khóa (bắt buộc, lưu vào lịch sử của kỳ)",
            act=lambda: self._set(request, queryset, PeriodStatus.OPEN, request.POST.get("reason", "")),
        )  # fmt: skip


class AssignmentAdmin(ReadOnlyPage, ScopedAdmin):
    list_display = ["period", "assignee", "catalogue_item", "quantity", "coefficient", "deadline", "origin",
                    "approved"]  # fmt: skip
    list_filter = ["period", "origin", "approved", "catalogue_item__field"]
    search_fields = ["assignee__full_name", "assignee__code", "catalogue_item__code", "catalogue_item__task", "note"]
    list_select_related = ["period", "assignee", "catalogue_item"]
    actions = ["approve_selected"]
    actions_list = ["assign_link"]

    @admin.action(description="Duyệt các việc tự đăng ký đã chọn", permissions=["assign"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            for row in queryset.filter(approved=False).order_by("pk"):
                assign_services.assignment_approve(assignment=row, user=request.user)
            self.message_user(request, "Đã duyệt các việc đã chọn.", messages.SUCCESS)
        except DomainError as error:
            self.report_domain_error(request, error)

    def has_assign_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        """Who assigns work and approves self-registered work: the unit's leaders (the
        services check each assignee); an official is not offered either."""
        return request.user.has_perm("worklogs.review_worklogline")

    @action(description="Giao việc", icon="assignment_add", permissions=["assign"], url_path="assign")
    def assign_link(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:worklogs_assign"))


class WorkLogLineAdmin(ReadOnlyPage, CustomFieldsAdminMixin, ScopedAdmin):
    custom_doctype = "worklog"
    list_display = ["date", "official", "item_code", "quantity", "minutes", "status", "accepted_quantity",
                    "reviewed_by", "links"]  # fmt: skip
    list_filter = ["status", "period", "catalogue_item__field", "unit__bloc", "date"]
    search_fields = ["official__full_name", "official__code", "catalogue_item__code", "catalogue_item__task",
                     "description", "document_number"]  # fmt: skip
    list_select_related = ["official", "catalogue_item", "reviewed_by"]
    date_hierarchy = "date"
    actions = ["accept_selected"]

    @admin.display(description="Đầu công việc", ordering="catalogue_item__code")
    def item_code(self, obj: WorkLogLine) -> str:
        return f"{obj.catalogue_item.code} — {obj.catalogue_item.task}"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        """Each row knows whether it is the reader's own and whether the reader reviews it,
        so that «Thao tác» offers only what opens: «Sửa» on one's own draft lines of an open
        month (a line is edited by its official), «Duyệt» where the reader is a reviewer (never their own) and
        the month is open."""
        official_id = access.scope_for(request.user).official_id
        reviewable = rights.reviewable_lines_q(request.user) & Q(period__status=PeriodStatus.OPEN)
        return (
            super()
            .get_queryset(request)
            .annotate(
                desk_own=Case(
                    When(official_id=official_id, period__status=PeriodStatus.OPEN, then=Value(True)),
                    default=Value(False),
                ),  # fmt: skip
                desk_reviewer=Case(When(reviewable, then=Value(True)), default=Value(False)),
            )
        )

    @admin.display(description="Thao tác")
    def links(self, obj: WorkLogLine) -> str:
        review = reverse("admin:worklogs_review_line", args=[obj.pk])
        if obj.is_reviewed:
            return format_html('<a class="text-primary-600" href="{}">Xem duyệt</a>', review)
        links = []
        if getattr(obj, "desk_own", False):
            links.append(format_html('<a class="text-primary-600" href="{}">Sửa</a>',
                                     reverse("admin:worklogs_line_edit", args=[obj.pk])))  # fmt: skip
        if getattr(obj, "desk_reviewer", False):
            links.append(format_html('<a class="text-primary-600" href="{}">Duyệt</a>', review))
        if not links:
            links.append(format_html('<a class="text-primary-600" href="{}">Xem</a>', review))
        return format_html_join(" · ", "{}", ((link,) for link in links))

    @admin.action(description="Chấp nhận toàn bộ các dòng đã chọn", permissions=["review"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            done = services.worklog_review_bulk(lines=list(queryset.filter(status="DRAFT")), reviewer=request.user)
            self.message_user(request, f"Đã chấp nhận {len(done)} dòng.", messages.SUCCESS)
        except DomainError as error:
            self.report_domain_error(request, error)

    def has_review_permission(self, request: HttpRequest) -> bool:
        """Who is offered «Chấp nhận…»: the unit's leaders (the service checks each line)."""
        return request.user.has_perm("worklogs.review_worklogline")

    def get_custom_urls(self) -> tuple:
        return (
            ("my-week/", "worklogs_my_week", my_week_view),
            ("quick/", "worklogs_quick_entry", quick_entry_view),
            ("line/<int:pk>/edit/", "worklogs_line_edit", line_edit_view),
            ("review/", "worklogs_review", review_queue_view),
            ("review/<int:pk>/", "worklogs_review_line", review_line_view),
            ("my-score/", "worklogs_my_score", my_score_view),
            ("hours/", "worklogs_hours", hours_view),
            ("assign/", "worklogs_assign", assign_view),
            ("items/autocomplete/", ITEM_URL.split(":")[1], ItemAutocompleteView.as_view()),
        )


NAVIGATION = [
    (
        1,
        "Việc của tôi",
        [
            item(
                "Nhật ký của tôi",
                "edit_calendar",
                "",
                "worklogs.add_worklogline",
                who=[MINE],
                url="admin:worklogs_my_week",
                rank=10,
            ),
            item(
                "Ghi nhanh nhật ký",
                "add_task",
                "",
                "worklogs.add_worklogline",
                who=[MINE],
                url="admin:worklogs_quick_entry",
                rank=11,
            ),
            item(
                "Điểm của tôi",
                "insights",
                "",
                "worklogs.view_worklogline",
                who=[MINE],
                url="admin:worklogs_my_score",
                rank=12,
            ),
            item(
                "Việc được giao cho tôi",
                "assignment",
                "worklogs_assignment",
                "worklogs.view_assignment",
                who=[MINE],
                own="assignee",
                rank=13,
            ),
        ],
    ),
    (
        2,
        "Giao việc và duyệt",
        [
            item(
                "Duyệt nhật ký",
                "fact_check",
                "",
                "worklogs.review_worklogline",
                who=[LEAD],
                url="admin:worklogs_review",
                rank=10,
            ),
            item(
                "Giao việc",
                "assignment_add",
                "",
                "worklogs.review_worklogline",
                who=[LEAD],
                url="admin:worklogs_assign",
                rank=11,
            ),
            item(
                "Việc giao trong đơn vị",
                "assignment",
                "worklogs_assignment",
                "worklogs.view_assignment",
                who=[LEAD],
                rank=12,
            ),
            item(
                "Nhật ký của đơn vị", "list", "worklogs_worklogline", "worklogs.view_worklogline", who=[LEAD], rank=13
            ),
        ],
    ),
    (
        4,
        "Báo cáo",
        [
            item(
                "Tổng hợp giờ làm việc",
                "schedule",
                "",
                "worklogs.view_worklogline",
                who=[LEAD, AUTHORITY, VIEWER],
                url="admin:worklogs_hours",
                rank=20,
            ),
        ],
    ),
    (
        90,
        "Quản trị",
        [
            item(
                "Kỳ công việc",
                "calendar_month",
                "worklogs_workperiod",
                "worklogs.view_workperiod",
                who=[ADMIN],
                rank=40,
            )
        ],
    ),
]


def register(site: Any) -> None:
    site.register(WorkPeriod, WorkPeriodAdmin)
    site.register(Assignment, AssignmentAdmin)
    site.register(WorkLogLine, WorkLogLineAdmin)
