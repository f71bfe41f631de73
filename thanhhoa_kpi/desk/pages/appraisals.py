"""Desk pages of scoring and classification: rule sets, periods, appraisals, the authority's
quota-and-publish page, classification lists and unit appraisals.

Every write calls an appraisals service; a refusal becomes a desk message (or a form
error) in one place. Rows come through the scoped access door (``ScopedAdmin``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import AutocompleteSelectFilter, RelatedDropdownFilter
from unfold.decorators import action
from unfold.overrides import FORMFIELD_OVERRIDES_INLINE
from unfold.widgets import UnfoldAdminSelectWidget

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.appraisals import agency, rights, rulesets, selectors, services
from thanhhoa_kpi.appraisals.models import (
    Appraisal,
    AppraisalCriterion,
    AppraisalDisqualifier,
    AppraisalPeriod,
    RuleSet,
    UnitAppraisal,
)
from thanhhoa_kpi.core.errors import DomainError, ValidationFailed
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.confirm import ask, confirm_first
from thanhhoa_kpi.desk.custom import PREFIX as CUSTOM_PREFIX
from thanhhoa_kpi.desk.custom import CustomFieldsAdminMixin
from thanhhoa_kpi.desk.navigation import AUTHORITY, LEAD, MINE, PROVINCE, VIEWER, item
from thanhhoa_kpi.desk.numbers import DECIMAL_INPUTS
from thanhhoa_kpi.desk.pages.workflow import GovernedVersionAdmin, StateFilter, TransitionLogInline, WorkflowAdminMixin
from thanhhoa_kpi.desk.pdf_downloads import AppraisalPdfMixin, unit_summary_pdf_view
from thanhhoa_kpi.desk.service_forms import ServiceForm, adopt, form_errors, with_request
from thanhhoa_kpi.formats.numbers import decimal_text
from thanhhoa_kpi.organization.choices import Bloc
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.workflow import services as workflow_services
from thanhhoa_kpi.workflow.engine import is_editable

_form_errors = form_errors
_with_request = with_request
_adopt = adopt


# ----------------------------------------------------------------------------- rule sets


class RuleSetForm(ServiceForm):
    """Saving proposes the next version (:func:`rulesets.rule_set_save`, province admins only)."""

    params = forms.JSONField(
        label="Tham số",
        widget=forms.Textarea(attrs={"rows": 30, "style": "font-family: monospace"}),
        encoder=None,
        help_text="Mọi con số của quy tắc chấm điểm (SPEC 5). Lưu sẽ gửi đề xuất phiên bản mới, chỉ có hiệu lực "
        "khi một quản trị cấp tỉnh khác phê duyệt; phiếu đã chấm giữ tham số cũ.",
    )

    class Meta:
        model = RuleSet
        fields = ["code", "name", "legal_basis", "params"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "code" in self.fields:  # no fields on a read-only page
            self.fields["code"].disabled = True  # a change is the next version of the same code

    def prepare_value(self, value: Any) -> Any:
        return json.dumps(value, ensure_ascii=False, indent=2)

    def clean_params(self) -> Any:
        params = self.cleaned_data["params"]
        try:
            rulesets.rule_set_validate(params)
        except ValidationFailed as exc:
            raise forms.ValidationError([f"{e.field}: {e.message}" for e in exc.errors]) from exc
        return params

    def call(self, data: dict[str, Any]) -> Model:
        return rulesets.rule_set_save(
            user=self.request.user, code=data["code"], name=data["name"], legal_basis=data.get("legal_basis", ""),
            params=data["params"],
        )  # fmt: skip


class RuleSetAdmin(GovernedVersionAdmin, ScopedAdmin):
    form = RuleSetForm
    list_display = ["code", "version", "name", "legal_basis", "status", "is_current", "updated_at"]
    list_filter = ["code", "status", "is_current"]
    search_fields = ["code", "name", "legal_basis"]
    readonly_fields = ["version", "status", "is_current", "proposal", "changes"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return _with_request(request, super().get_form(request, obj, change, **kwargs))

    def save_model(self, request: HttpRequest, obj: RuleSet, form: Any, change: bool) -> None:
        # The form's clean already proposed the version (rulesets.rule_set_save).
        self.adopt_proposal(request, obj, form.saved)


# ------------------------------------------------------------------------------- periods

PERIOD_EDITABLE = ["self_assessment_deadline", "unit_review_deadline", "approval_deadline", "rule_set_code"]
PERIOD_FIELDS = ["kind", "bloc", "year", "number", "start_date", "end_date", *PERIOD_EDITABLE]


class PeriodForm(ServiceForm):
    class Meta:
        model = AppraisalPeriod
        fields = PERIOD_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("start_date", "end_date"):
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].help_text = "Để trống: ngày đầu, ngày cuối của tháng, quý hoặc năm."

    def call(self, data: dict[str, Any]) -> Model:
        if self.instance.pk:
            changes = {name: data.get(name) for name in PERIOD_EDITABLE if name in self.changed_data}
            return services.period_update(user=self.request.user, period=self.instance, **changes)
        values = {name: data.get(name) for name in PERIOD_FIELDS}
        return services.period_create(user=self.request.user, **values)


class AppraisalPeriodAdmin(ScopedAdmin):
    form = PeriodForm
    list_display = ["period_name", "bloc", "kind", "status", "progress", "self_assessment_deadline",
                    "approval_deadline", "appraisal_link"]  # fmt: skip
    list_filter = ["bloc", "kind", "status", "year"]
    search_fields = ["year", "rule_set_code"]
    readonly_fields = ["status", "opening_status", "opening_total", "opening_done", "opening_created", "opening_error"]
    actions_detail = ["open_period", "close_period", "reopen_period", "home_affairs_link", "classification_link"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return _with_request(request, super().get_form(request, obj, change, **kwargs))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = ["kind", "bloc", "year", "number", "start_date", "end_date"] if obj else []
        return [*fixed, *self.readonly_fields]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = request.user.has_perm("appraisals.change_appraisalperiod")
        return allowed and (obj is None or rights.may_manage_periods(request.user, obj.bloc))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj) and (obj is None or not obj.appraisals.exists())

    def save_model(self, request: HttpRequest, obj: AppraisalPeriod, form: Any, change: bool) -> None:
        _adopt(obj, form)

    def delete_model(self, request: HttpRequest, obj: AppraisalPeriod) -> None:
        services.period_delete(user=request.user, period=obj)

    @admin.display(description="Kỳ đánh giá", ordering="start_date")
    def period_name(self, obj: AppraisalPeriod) -> str:
        return obj.label

    @admin.display(description="Tạo phiếu")
    def progress(self, obj: AppraisalPeriod) -> SafeString:
        url = reverse("admin:appraisals_period_progress", args=[obj.pk])
        return format_html("<a class='text-primary-600' href='{}'>{} ({}%)</a>", url,
                           obj.get_opening_status_display(), obj.opening_percent)  # fmt: skip

    @admin.display(description="Phiếu đánh giá")
    def appraisal_link(self, obj: AppraisalPeriod) -> SafeString:
        url = reverse("admin:appraisals_appraisal_changelist") + f"?period__id__exact={obj.pk}"
        return format_html("<a class='text-primary-600' href='{}'>Xem phiếu</a>", url)

    def has_open_period_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm("appraisals.open_appraisalperiod")

    def has_publish_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm("appraisals.publish_appraisal")

    def _period_action(
        self, request: HttpRequest, object_id: Any, *, service: Any, done: str, question: str, label: str,
        detail: str = "", after: str = "admin:appraisals_appraisalperiod_change", reason_label: str = "",
    ) -> HttpResponse:  # fmt: skip
        """Ask (GET), then run ``service`` (POST); only those the service lets act are asked.
        With ``reason_label`` the question asks for a reason, passed to the service."""
        period = get_object_or_404(self.get_queryset(request), pk=object_id)
        back = reverse("admin:appraisals_appraisalperiod_change", args=[object_id])
        if not rights.may_manage_periods(request.user, period.bloc):
            self.message_user(request, "Chỉ cơ quan tổ chức cán bộ của khối mở, khóa kỳ này.", messages.WARNING)
            return HttpResponseRedirect(back)

        def act() -> HttpResponse:
            extra = {"reason": request.POST.get("reason", "")} if reason_label else {}
            try:
                service(user=request.user, period=period, **extra)
            except DomainError as error:
                self.report_domain_error(request, error)
                return HttpResponseRedirect(back)
            self.message_user(request, done, messages.SUCCESS)
            return HttpResponseRedirect(reverse(after, args=[object_id]))

        asked = question.format(period=period, count=period.appraisals.count())
        return confirm_first(request, self, title=f"{label} {period}", question=asked, detail=detail,
                             confirm_label=label, back_url=back, act=act, reason_label=reason_label)  # fmt: skip

    @action(description="Mở kỳ, tạo phiếu", icon="play_circle", permissions=["open_period"], url_path="open")
    def open_period(self, request: HttpRequest, object_id: Any) -> HttpResponse:
        return self._period_action(
            request, object_id, service=services.period_open, done="Đã mở kỳ; đang tạo phiếu đánh giá.",
            label="Mở kỳ", question="Mở kỳ {period} và tạo phiếu đánh giá cho mọi người?",
            detail="Việc tạo phiếu chạy nền; bạn sẽ thấy tiến độ ngay sau khi xác nhận.",
            after="admin:appraisals_period_progress",
        )  # fmt: skip

    @action(description="Khóa kỳ", icon="lock", permissions=["open_period"], url_path="close")
    def close_period(self, request: HttpRequest, object_id: Any) -> HttpResponse:
        return self._period_action(
            request, object_id, service=services.period_close, done="Đã khóa kỳ đánh giá.", label="Khóa kỳ",
            question="Khóa kỳ {period}? Sau khi khóa, {count} phiếu đánh giá của kỳ không sửa được nữa.",
            detail="Chỉ mở khóa lại được bằng «Mở khóa kỳ», có ghi lý do.",
        )  # fmt: skip

    @action(description="Mở khóa kỳ", icon="lock_open", permissions=["open_period"], url_path="reopen")
    def reopen_period(self, request: HttpRequest, object_id: Any) -> HttpResponse:
        return self._period_action(
            request, object_id, service=services.period_reopen, done="Đã mở khóa kỳ đánh giá.", label="Mở khóa kỳ",
            question="Mở khóa kỳ {period}? Phiếu của kỳ sẽ sửa được trở lại.",
            reason_label="Lý do mở khóa (bắt buộc, lưu vào lịch sử của kỳ)",
        )  # fmt: skip

    @action(description="Xét tỷ lệ, công khai", icon="verified", permissions=["publish"], url_path="home-affairs")
    def home_affairs_link(self, request: HttpRequest, object_id: Any) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:appraisals_home_affairs") + f"?period={object_id}")

    @action(description="Danh sách xếp loại", icon="format_list_numbered", url_path="classification-list")
    def classification_link(self, request: HttpRequest, object_id: Any) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:appraisals_classification") + f"?period={object_id}")

    def get_custom_urls(self) -> tuple:
        return (
            ("<int:pk>/progress/", "appraisals_period_progress", period_progress_view),
            ("<int:pk>/progress.json", "appraisals_period_progress_json", period_progress_json),
            ("home-affairs/", "appraisals_home_affairs", home_affairs_view),
            ("classification/", "appraisals_classification", classification_view),
            ("unit-summary.pdf", "appraisals_unit_summary_pdf", unit_summary_pdf_view),
        )


def _page(request: HttpRequest, model_admin: Any, template: str, title: str, **context: Any) -> HttpResponse:
    context = {**model_admin.admin_site.each_context(request), "title": title, "opts": AppraisalPeriod._meta,
               **context}  # fmt: skip
    return render(request, f"appraisals/{template}", context)


def period_progress_view(request: HttpRequest, pk: int, model_admin: Any) -> HttpResponse:
    period = get_object_or_404(selectors.period_list(user=request.user), pk=pk)
    return _page(request, model_admin, "period_progress.html", f"Mở kỳ {period}", period=period,
                 progress=services.period_progress(period),
                 status_url=reverse("admin:appraisals_period_progress_json", args=[pk]))  # fmt: skip


def period_progress_json(request: HttpRequest, pk: int, model_admin: Any) -> HttpResponse:
    period = get_object_or_404(selectors.period_list(user=request.user), pk=pk)
    return JsonResponse(services.period_progress(period))


def _chosen(request: HttpRequest, rows: QuerySet, name: str) -> Any:
    value = request.GET.get(name) or request.POST.get(name)
    return rows.filter(pk=value).first() if value and str(value).isdigit() else None


def _publish_question(request: HttpRequest, model_admin: Any, view: Any, back: str) -> HttpResponse:
    """What «Công khai» will do, to how many appraisals: asked before the POST that publishes."""
    count, demoted = len(view.batch), view.demoted
    how = "áp dụng tỷ lệ xuất sắc và xếp loại đơn vị, rồi công khai" if view.binding else "công khai theo điểm"
    question = f"Công khai {count} phiếu đánh giá của {view.unit.name}, kỳ {view.period}? Hệ thống sẽ {how}."
    detail = "Phiếu đã công khai không trở lại bước phê duyệt."
    if view.binding and demoted:
        names = ", ".join(member.appraisal.official.full_name for member in demoted)
        detail = (
            f"{len(demoted)} người bị hạ từ «Hoàn thành xuất sắc» xuống «Hoàn thành tốt» theo tỷ lệ: {names}. {detail}"
        )
    return ask(
        request, model_admin, title="Xác nhận công khai", question=question, detail=detail, confirm_label="Công khai",
        back_url=back, items=[f"{row.official.full_name} — {row.unit.name}" for row in view.batch],
        hidden=[("period", view.period.pk), ("unit", view.unit.pk)],
    )  # fmt: skip


def home_affairs_view(request: HttpRequest, model_admin: Any) -> HttpResponse:
    """The authority's page: per period and unit, the quota computation, heads vs unit, «Công khai».

    «Công khai» first shows (GET, ``confirm=1``) how many appraisals it will publish and who
    is lowered; the question's POST publishes.
    """
    if not request.user.has_perm("appraisals.publish_appraisal"):
        return HttpResponseRedirect(reverse("admin:index"))
    periods = selectors.period_list(user=request.user).exclude(kind="YEAR")
    period = _chosen(request, periods, "period")
    units = selectors.units_for(user=request.user, period=period) if period else OrgUnit.objects.none()
    unit = _chosen(request, units, "unit")
    page_url = reverse("admin:appraisals_home_affairs")
    if period and unit:
        page_url += f"?period={period.pk}&unit={unit.pk}"
    if request.method == "POST" and period and unit:
        try:
            outcome = services.period_publish_unit(period=period, unit=unit, user=request.user)
            published, demoted, capped = len(outcome.published), len(outcome.demoted), len(outcome.capped)
            note = f"hạ mức theo tỷ lệ {demoted}, theo xếp loại đơn vị {capped}"
            messages.success(request, f"Đã công khai {published} phiếu; {note}.")
            for warning in outcome.warnings:
                messages.warning(request, warning)
        except DomainError as error:
            model_admin.report_domain_error(request, error)
        return HttpResponseRedirect(page_url)
    view = selectors.quota_view(period=period, unit=unit, user=request.user) if period and unit else None
    if view is not None and view.can_publish and request.GET.get("confirm") == "1":
        return _publish_question(request, model_admin, view, page_url)
    return _page(request, model_admin, "home_affairs.html", "Xét tỷ lệ xuất sắc và công khai", periods=periods,
                 period=period, units=units, unit=unit, view=view)  # fmt: skip


def classification_view(request: HttpRequest, model_admin: Any) -> HttpResponse:
    periods = selectors.period_list(user=request.user)
    period = _chosen(request, periods, "period")
    units = access.scoped(OrgUnit.objects.filter(bloc=period.bloc), request.user) if period else OrgUnit.objects.none()
    unit = _chosen(request, units, "unit")
    found = selectors.classification_list(period=period, unit=unit, user=request.user) if period else None
    return _page(request, model_admin, "classification_list.html", "Danh sách xếp loại", periods=periods,
                 period=period, units=units, unit=unit, found=found)  # fmt: skip


# ---------------------------------------------------------------------------- appraisals


class KnownToTheForm:
    """An inline whose bound formset the appraisal form saves (through the services) while validating."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        base = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]

        def __init__(formset: Any, *args: Any, **options: Any) -> None:
            base.__init__(formset, *args, **options)
            request.__dict__.setdefault("_appraisal_formsets", {})[formset.prefix] = formset

        return type(base.__name__, (base,), {"__init__": __init__})


class CriterionInline(KnownToTheForm, TabularInline):
    model = AppraisalCriterion
    extra = 0
    can_delete = False
    verbose_name_plural = "Tiêu chí chung (tự chấm / người đánh giá chấm)"
    fields = ["code", "name", "max_points", "self_score", "reviewer_score", "comment"]
    formfield_overrides = {**FORMFIELD_OVERRIDES_INLINE, **DECIMAL_INPUTS}  # scores typed "4,5"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        editable = _editable(request, obj)
        return [name for name in self.fields if name not in editable]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DisqualifierInline(KnownToTheForm, TabularInline):
    model = AppraisalDisqualifier
    extra = 0
    verbose_name_plural = "Trường hợp không hoàn thành nhiệm vụ (có căn cứ)"
    fields = ["code", "evidence", "attachment", "decided_on", "counted_year", "recorded_by", "recorded_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["recorded_by", "recorded_at"]

    def _may(self, request: HttpRequest, obj: Any) -> bool:
        return obj is not None and "disqualifiers" in _editable(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)


def _editable(request: HttpRequest, obj: Appraisal | None) -> set[str]:
    """What the user may change on this appraisal now, computed once per request and row."""
    cache = request.__dict__.setdefault("_appraisal_editable", {})
    if obj is not None and obj.pk not in cache:
        cache[obj.pk] = rights.editable_parts(request.user, obj)
    return cache.get(getattr(obj, "pk", None), set())


WORKFLOW_ACTION, WORKFLOW_COMMENT, WORKFLOW_STATE = "_workflow_action", "_workflow_comment", "_workflow_state"
# The form's first submit button (appraisals/appraisal_panel.html), so Enter saves and never sends.
ENTER_SAVES = "_enter_saves"


class AppraisalForm(forms.ModelForm):
    """The appraisal page's form: validating it saves it through the services, then runs the
    workflow button that was pressed, in one savepoint.

    So «Gửi» or «Duyệt» never throws away what was typed (an unsaved reviewer score must not
    be replaced by the self score on approval), the services check rights and values, and
    a refusal of either step moves nothing: the page comes back with every value as typed
    and each error at its input (:func:`_show_refusal`).
    """

    request: HttpRequest
    transition: Any = None

    def _post_clean(self) -> None:
        # Runs after clean() (custom fields included); the model form neither builds nor
        # validates the instance itself, the services do.
        formsets = [fs for fs in self.request.__dict__.get("_appraisal_formsets", {}).values() if fs.is_bound]
        if self.errors or not all([formset.is_valid() for formset in formsets]):
            return
        post = self.request.POST
        try:
            with transaction.atomic():
                _save_through_services(self.request, self.instance, self, formsets)
                if post.get(WORKFLOW_ACTION):
                    self.transition = workflow_services.workflow_transition(
                        document=self.instance, action=post[WORKFLOW_ACTION], user=self.request.user,
                        comment=post.get(WORKFLOW_COMMENT, ""), expected_state=post.get(WORKFLOW_STATE) or None,
                    )  # fmt: skip
        except _Shown as shown:
            self.add_error(None, shown.error.message)
        except DomainError as error:
            _show_refusal(self, formsets, error)


class AppraisalAdmin(AppraisalPdfMixin, CustomFieldsAdminMixin, WorkflowAdminMixin, ScopedAdmin):
    custom_doctype = "appraisal"
    form = AppraisalForm
    change_form_outer_before_template = "appraisals/appraisal_panel.html"
    list_display = ["official", "period_label", "unit", "state_label", "total", "classification_display",
                    "score_status"]  # fmt: skip
    list_filter = [("period", RelatedDropdownFilter), ("unit", AutocompleteSelectFilter), StateFilter,
                   "final_classification", "proposed_classification", "leadership_role", "score_status"]  # fmt: skip
    search_fields = ["official__full_name", "official__code", "unit__name"]
    list_select_related = ["official", "unit", "period", "workflow"]
    inlines = [CriterionInline, DisqualifierInline, TransitionLogInline]
    actions = ["rescore"]
    # Machine copies kept on the row but not read in its history: the rule set's parameters
    # (named by «Bộ quy tắc» and its version), the per-item figures (told in words by «Diễn
    # giải cách tính») and the quota group's code (its name is «Tên nhóm xét tỷ lệ»).
    history_hidden_fields = ("rule_params", "scored_items", "quota_group")
    fieldsets = [
        (None, {"fields": ["official", "period", "unit", "position", "leadership_role", "quota_group_label",
                           "rule_set_display"]}),
        ("Kết quả", {"fields": ["score_status", "score_table", "proposed_classification", "final_classification",
                                "quota_reason", "head_cap_reason", "explanation_list"]}),
        ("Lãnh đạo, quản lý: d, đ, e", {"fields": ["unit_d", "unit_dd", "unit_e", "unit_criteria_reason"]}),
        ("Nhận xét và xét tỷ lệ", {"fields": ["self_comment", "reviewer_comment", "decision_rank", "exceeded_share"]}),
    ]  # fmt: skip

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        leader = obj is not None and obj.is_leader
        fieldsets = super().get_fieldsets(request, obj)
        return [fieldset for fieldset in fieldsets if leader or "unit_d" not in fieldset[1]["fields"]]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        names = [name for _title, options in self.fieldsets for name in options["fields"]]
        editable = _editable(request, obj)
        return [name for name in names if name not in editable]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return _with_request(request, super().get_form(request, obj, change, **kwargs))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        # The comment typed above the buttons comes back with the rest when the save is refused.
        extra_context = {**(extra_context or {}), "workflow_comment": request.POST.get(WORKFLOW_COMMENT, "")}
        return super().change_view(request, object_id, form_url, extra_context)

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in ("unit_dd", "unit_e"):
            kwargs["widget"] = forms.Select(choices=[("", "Mặc định (100)"), ("100", "100"), ("50", "50")])
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Kỳ", ordering="period__start_date")
    def period_label(self, obj: Appraisal) -> str:
        return obj.period.label

    @admin.display(description="Trạng thái", ordering="state")
    def state_label(self, obj: Appraisal) -> str:
        return obj.workflow_state_label()

    @admin.display(description="Xếp loại")
    def classification_display(self, obj: Appraisal) -> str:
        return obj.classification_label

    @admin.display(description="Bộ quy tắc đã áp dụng")
    def rule_set_display(self, obj: Appraisal) -> str:
        return f"{obj.rule_set_code} phiên bản {obj.rule_set_version}"

    @admin.display(description="Điểm")
    def score_table(self, obj: Appraisal) -> SafeString:
        rows = [("a — Số lượng (%)", obj.a), ("b — Chất lượng (%)", obj.b), ("c — Tiến độ (%)", obj.c),
                ("Tỷ lệ hoàn thành nhiệm vụ (%)", obj.task_percent), ("Điểm nhiệm vụ (≤ 70)", obj.task_score),
                ("Điểm tiêu chí chung (≤ 30)", obj.general_score), ("Tổng điểm", obj.total)]  # fmt: skip
        shown = ((label, "—" if value is None else decimal_text(value)) for label, value in rows)
        cells = format_html_join("", "<tr><td class='pr-4 py-1'>{}</td><td class='font-semibold'>{}</td></tr>", shown)
        return format_html("<table id='appraisal-scores'>{}</table>{}", cells, _scored_at_note(obj))

    @admin.display(description="Diễn giải cách tính")
    def explanation_list(self, obj: Appraisal) -> SafeString:
        lines = format_html_join("", "<li>{}</li>", ((line,) for line in obj.explanation or []))
        return format_html("<ul class='list-disc ml-4' id='appraisal-explanation'>{}</ul>", lines)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not request.user.has_perm("appraisals.change_appraisal"):
            return False
        return obj is None or bool(_editable(request, obj))

    @admin.action(description="Tính lại điểm các phiếu đã chọn")
    def rescore(self, request: HttpRequest, queryset: QuerySet) -> None:
        done, refused = 0, 0
        for appraisal in queryset:
            if not _editable(request, appraisal):
                refused += 1
                continue
            try:
                services.appraisal_score(appraisal=appraisal, user=request.user)
            except DomainError:
                refused += 1
                continue
            done += 1
        self.message_user(request, f"Đã tính lại {done} phiếu; bỏ qua {refused} phiếu bạn không được sửa.")

    def save_model(self, request: HttpRequest, obj: Appraisal, form: Any, change: bool) -> None:
        # The form saved through the services while validating (AppraisalForm._post_clean).
        request._appraisal_transition = form.transition  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Lines and disqualifiers went through the services; the formsets save nothing."""
        for formset in formsets:  # what the admin's change message reads
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def response_change(self, request: HttpRequest, obj: Appraisal) -> HttpResponse:
        log = getattr(request, "_appraisal_transition", None)
        if log is None:
            if ENTER_SAVES in request.POST:  # Enter in a field: save and stay, as «Lưu và tiếp tục sửa»
                request.POST = request.POST.copy()
                request.POST["_continue"] = "1"
            return super().response_change(request, obj)
        self.message_user(request, f"Đã lưu phiếu và thực hiện «{log.action_label}».", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:appraisals_appraisal_change", args=[obj.pk]))


def _scored_at_note(obj: Appraisal) -> SafeString:
    """When the figures were computed, so a reader knows how current they are."""
    if obj.scored_at is None:
        return format_html("<p class='text-sm mt-2' id='appraisal-scored-at'>{}</p>", "Phiếu chưa được tính điểm.")
    when = date_format(timezone.localtime(obj.scored_at), "H:i d/m/Y")
    return format_html(
        "<p class='text-sm mt-2' id='appraisal-scored-at'>Điểm tính lúc <strong>{}</strong>; {}</p>", when,
        "tính lại mỗi khi lưu phiếu và khi các dòng công việc của kỳ được duyệt.",
    )  # fmt: skip


class _Shown(Exception):
    """A refusal already shown on the inline row it concerns (it rolls the savepoint back)."""

    def __init__(self, error: DomainError):
        super().__init__(error.message)
        self.error = error


LINE_PATH = re.compile(r"lines\[(\d+)\](?:\.(\w+))?")
# The services' field names that are named otherwise on the form.
FORM_NAMES = {"dd": "unit_dd", "e": "unit_e", "reason": "unit_criteria_reason"}


def _show_refusal(form: AppraisalForm, formsets: list[Any], error: DomainError) -> None:
    """Each FieldError next to its input: ``lines[i].score`` at the criterion row it came from,
    the others on their field; the error's own sentence on top. Messages only, never paths."""
    score = "self_score" if rights.is_subject(form.request.user, form.instance) else "reviewer_score"
    sent = [line["code"] for line in _line_changes(formsets, score)]
    rows = {row.instance.code: row for fs in formsets if fs.model is AppraisalCriterion for row in fs.forms}
    for problem in error.errors:
        found = LINE_PATH.fullmatch(problem.field)
        if found and int(found[1]) < len(sent):
            row = rows[sent[int(found[1])]]
            name = {"score": score, "comment": "comment"}.get(found[2] or "")
            row.add_error(name if name in row.fields else None, problem.message)
            continue
        name = FORM_NAMES.get(problem.field, problem.field)
        if name.startswith("custom."):
            name = CUSTOM_PREFIX + name.removeprefix("custom.")
        form.add_error(name if name in form.fields else None, problem.message)
    form.add_error(None, error.message)


def _line_changes(formsets: list[Any], field: str) -> list[dict[str, Any]]:
    lines = []
    for formset in formsets:
        if formset.model is not AppraisalCriterion:
            continue
        for form in formset.forms:
            if field in form.changed_data or "comment" in form.changed_data:
                line = {
                    "code": form.instance.code,
                    "score": form.cleaned_data.get(field, getattr(form.instance, field)),
                }
                if "comment" in form.changed_data:
                    line["comment"] = form.cleaned_data.get("comment", "")
                lines.append(line)
    return lines


def _save_through_services(request: HttpRequest, obj: Appraisal, form: Any, formsets: list[Any]) -> None:
    user, changed, data = request.user, set(form.changed_data), form.cleaned_data
    if rights.is_subject(user, obj):
        lines = _line_changes(formsets, "self_score")
        if lines or "self_comment" in changed:
            comment = data.get("self_comment") if "self_comment" in changed else None
            services.appraisal_self_assess(appraisal=obj, user=user, lines=lines, comment=comment)
    elif rights.is_reviewer(user, obj):
        lines = _line_changes(formsets, "reviewer_score")
        if lines or "reviewer_comment" in changed:
            comment = data.get("reviewer_comment") if "reviewer_comment" in changed else None
            services.appraisal_review_general(appraisal=obj, user=user, lines=lines, comment=comment)
        if changed & rights.LEADER_PARTS:
            reason = data.get("unit_criteria_reason", "")
            services.appraisal_set_unit_criteria(
                appraisal=obj, user=user, dd=data.get("unit_dd"), e=data.get("unit_e"), reason=reason
            )
        if changed & {"decision_rank", "exceeded_share"}:
            rank, share = data.get("decision_rank"), data.get("exceeded_share")
            services.appraisal_set_ranking(appraisal=obj, user=user, decision_rank=rank, exceeded_share=share)
    if (obj.custom or {}) != (Appraisal.objects.values_list("custom", flat=True).get(pk=obj.pk) or {}):
        services.appraisal_set_custom(appraisal=obj, user=user, values=obj.custom)
    _save_disqualifiers(request, obj, formsets)


def _save_disqualifiers(request: HttpRequest, obj: Appraisal, formsets: list[Any]) -> None:
    for formset in formsets:
        if formset.model is not AppraisalDisqualifier:
            continue
        for form in formset.deleted_forms:
            if form.instance.pk:
                services.appraisal_remove_disqualifier(disqualifier=form.instance, user=request.user)
        for form in formset.extra_forms:
            if form.has_changed() and form not in formset.deleted_forms:
                data = form.cleaned_data
                try:
                    services.appraisal_record_disqualifier(
                        appraisal=obj, user=request.user, code=data.get("code", ""),
                        evidence=data.get("evidence", ""), attachment=data.get("attachment"),
                        decided_on=data.get("decided_on"), counted_year=data.get("counted_year"),
                    )  # fmt: skip
                except DomainError as error:
                    _form_errors(form, error)  # on the row that was refused
                    raise _Shown(error) from error


# ----------------------------------------------------------------------- unit appraisals


def may_edit_unit_document(request: HttpRequest, obj: Any, perm: str) -> bool:
    """A unit's document (its appraisal, its own rules) changes only in an editable state of its
    workflow, by who manages the unit (:func:`rights.may_manage_unit_appraisal`)."""
    if not request.user.has_perm(perm):
        return False
    if obj is None:
        return True
    return rights.may_manage_unit_appraisal(request.user, obj.unit) and is_editable(obj.workflow.parsed(), obj.state)


class UnitAppraisalForm(ServiceForm):
    class Meta:
        model = UnitAppraisal
        fields = ["unit", "year", "general_score", "task_score", "classification", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("classification")  # absent on the read-only page of a reader
        if field is not None:
            field.required = False
            field.help_text = "Để trống: theo điểm. Chỉ được xếp thấp hơn mức theo điểm, có căn cứ."

    def call(self, data: dict[str, Any]) -> Model:
        return services.unit_appraisal_save(
            user=self.request.user, unit=data["unit"], year=data["year"], general_score=data["general_score"],
            task_score=data["task_score"], classification=data.get("classification") or None,
            notes=data.get("notes", ""),
        )  # fmt: skip


class UnitAppraisalAdmin(WorkflowAdminMixin, ScopedAdmin):
    """Agency appraisals: entered as the agency's draft, scored from data when submitted,
    approved and published by the bloc's authority (:mod:`thanhhoa_kpi.appraisals.agency`)."""

    form = UnitAppraisalForm
    list_display = ["unit", "year", "total", "score_classification", "classification", "state_label"]
    list_filter = ["year", StateFilter, "classification", "unit__bloc"]
    search_fields = ["unit__name", "unit__code"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "workflow"]
    readonly_fields = ["total", "score_classification", "recorded_by", "state_label", "deadline", "figures",
                       "explanation_lines",
                       "quota_reason", "quota_outstanding"]  # fmt: skip
    inlines = [TransitionLogInline]
    actions_list = ["quota_link"]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return list(self.inlines) if obj is not None else []  # the history exists once the appraisal does

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        entry = ["unit", "year", "general_score", "task_score", "classification", "notes"]
        if obj is None:
            return [(None, {"fields": entry})]
        return [
            (None, {"fields": [*entry, "state_label", "deadline", "recorded_by"]}),
            ("Kết quả tính từ số liệu", {"fields": ["total", "score_classification", "figures", "explanation_lines",
                                                    "quota_reason", "quota_outstanding"]}),
        ]  # fmt: skip

    @admin.display(description="Trạng thái", ordering="state")
    def state_label(self, obj: UnitAppraisal) -> str:
        return obj.workflow_state_label()

    @admin.display(description="Số liệu của năm")
    def figures(self, obj: UnitAppraisal) -> str:
        if obj.scored_at is None:
            return "Chưa tính: số liệu được tính khi đơn vị gửi thẩm định."
        return (
            f"{obj.months_counted} phiếu của cán bộ; kết quả nhiệm vụ bình quân {decimal_text(obj.task_percent)}%; "
            f"khối lượng giao {decimal_text(obj.planned_converted)}, hoàn thành {decimal_text(obj.done_converted)}, "
            f"đúng tiến độ {decimal_text(obj.on_time_converted)}, "
            f"đạt chất lượng {decimal_text(obj.quality_converted)}, "
            f"vượt kế hoạch {decimal_text(obj.exceeded_converted)} (quy đổi)."
        )

    @admin.display(description="Diễn giải cách tính")
    def explanation_lines(self, obj: UnitAppraisal) -> SafeString:
        return format_html_join("", "<p>{}</p>", ((line,) for line in obj.explanation or []))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return _with_request(request, super().get_form(request, obj, change, **kwargs))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_edit_unit_document(request, obj, "appraisals.change_unitappraisal")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_edit_unit_document(request, obj, "appraisals.delete_unitappraisal")

    def save_model(self, request: HttpRequest, obj: UnitAppraisal, form: Any, change: bool) -> None:
        _adopt(obj, form)

    def delete_model(self, request: HttpRequest, obj: UnitAppraisal) -> None:
        services.unit_appraisal_delete(user=request.user, unit_appraisal=obj)

    def has_quota_permission(self, request: HttpRequest) -> bool:
        return bool(access.scope_for(request.user).authority_blocs)

    @action(description="Áp dụng tỷ lệ xuất sắc", icon="percent", permissions=["quota"], url_path="quota-link")
    def quota_link(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:appraisals_unitappraisal_quota"))

    def get_custom_urls(self) -> tuple:
        return (("quota/", "appraisals_unitappraisal_quota", agency_quota_view),)


class AgencyQuotaForm(forms.Form):
    bloc = forms.ChoiceField(label="Khối", widget=UnfoldAdminSelectWidget)
    year = forms.TypedChoiceField(label="Năm", coerce=int, widget=UnfoldAdminSelectWidget)
    outstanding = forms.CharField(
        label="Trường hợp nổi trội (không bắt buộc)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Ghi lý do để áp dụng tỷ lệ ngoại lệ (25%); để trống: tỷ lệ thường (20%).",
    )  # fmt: skip

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Bloc.choices)
        self.fields["bloc"].choices = [(b, labels.get(b, b)) for b in sorted(access.scope_for(user).authority_blocs)]
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(year, str(year)) for year in range(this_year, this_year - 4, -1)]


def agency_quota_view(request: HttpRequest, model_admin: UnitAppraisalAdmin) -> HttpResponse:
    """«Áp dụng tỷ lệ xuất sắc» of the agencies: the bloc and year, a preview, then confirm."""
    if not model_admin.has_quota_permission(request):
        model_admin.message_user(
            request, "Chỉ cơ quan tổ chức cán bộ của khối được áp dụng tỷ lệ xuất sắc.", messages.WARNING
        )
        return HttpResponseRedirect(reverse("admin:appraisals_unitappraisal_changelist"))
    data = request.POST if request.method == "POST" else (request.GET if "bloc" in request.GET else None)
    form = AgencyQuotaForm(data, user=request.user)
    preview: list[dict[str, Any]] = []
    formula = ""
    if form.is_bound and form.is_valid():
        bloc, year = form.cleaned_data["bloc"], form.cleaned_data["year"]
        if request.method == "POST" and "confirm" in request.POST:
            try:
                lowered = agency.unit_appraisals_apply_quota(
                    user=request.user, bloc=bloc, year=year, outstanding_reason=form.cleaned_data["outstanding"]
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                model_admin.message_user(
                    request, f"Đã áp dụng tỷ lệ xuất sắc cho khối, năm {year}: {lowered} cơ quan, đơn vị hạ mức.",
                    messages.SUCCESS,
                )  # fmt: skip
                return HttpResponseRedirect(
                    reverse("admin:appraisals_unitappraisal_changelist") + f"?year={year}&unit__bloc={bloc}"
                )
        rows = list(agency.approved_scope(bloc, year).select_related("unit"))
        for row in rows:
            row.quota_outstanding = form.cleaned_data["outstanding"]
        outcome, decisions = agency.quota_of_rows(rows)
        formula = outcome.explanation if outcome else "Chưa có cơ quan, đơn vị nào đã được phê duyệt trong năm."
        labels = dict(UnitAppraisal._meta.get_field("classification").choices or [])
        preview = [
            {"unit": row.unit.name, "total": decimal_text(row.total), "now": labels.get(row.classification, ""),
             "after": labels.get(decisions[row.pk][0], ""), "reason": decisions[row.pk][1]}
            for row in rows
        ]  # fmt: skip
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Áp dụng tỷ lệ xuất sắc của các cơ quan, đơn vị",
        "form": form,
        "preview": preview,
        "formula": formula,
        "opts": UnitAppraisal._meta,
    }
    return render(request, "appraisals/agency_quota.html", context)


NAVIGATION = [
    (
        1,
        "Việc của tôi",
        [
            item(
                "Phiếu đánh giá của tôi",
                "assignment_turned_in",
                "appraisals_appraisal",
                "appraisals.view_appraisal",
                who=[MINE],
                own="official",
                rank=20,
            ),
        ],
    ),
    (
        3,
        "Đánh giá, xếp loại",
        [
            item(
                "Kỳ đánh giá",
                "event_note",
                "appraisals_appraisalperiod",
                "appraisals.view_appraisalperiod",
                who=[AUTHORITY],
                rank=10,
            ),
            item(
                "Phiếu đánh giá",
                "assignment_turned_in",
                "appraisals_appraisal",
                "appraisals.view_appraisal",
                who=[LEAD, AUTHORITY],
                rank=11,
            ),
            item(
                "Đánh giá đơn vị",
                "apartment",
                "appraisals_unitappraisal",
                "appraisals.view_unitappraisal",
                who=[LEAD, AUTHORITY],
                rank=12,
            ),
            item(
                "Xét tỷ lệ và công khai",
                "verified",
                "",
                "appraisals.publish_appraisal",
                who=[AUTHORITY],
                url="admin:appraisals_home_affairs",
                rank=13,
            ),
            item(
                "Danh sách xếp loại",
                "format_list_numbered",
                "",
                "appraisals.view_appraisal",
                who=[AUTHORITY, VIEWER],
                url="admin:appraisals_classification",
                rank=14,
            ),
        ],
    ),
    (
        86,
        "Cấu hình",
        [
            item(
                "Bộ quy tắc chấm điểm",
                "rule_settings",
                "appraisals_ruleset",
                "appraisals.view_ruleset",
                who=[PROVINCE],
                rank=30,
            )
        ],
    ),
]


def register(site: Any) -> None:
    site.register(RuleSet, RuleSetAdmin)
    site.register(AppraisalPeriod, AppraisalPeriodAdmin)
    site.register(Appraisal, AppraisalAdmin)
    site.register(UnitAppraisal, UnitAppraisalAdmin)
