"""Desk pages of the yearly competency assessment: the list, the assessment page, opening.

The assessment page is built like the appraisal page: the official rates themself and the
reviewer rates each competency in the lines table, and the workflow buttons belong to the
same form (``appraisals/appraisal_panel.html``), so «Gửi» or «Duyệt» first saves what was
typed through the services, then moves the assessment; a refusal of either moves nothing
and shows each error at its line. Opening («Mở đánh giá năng lực») calls
:func:`thanhhoa_kpi.competencies.assessments.competency_assessment_open`.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import AutocompleteSelectFilter, RelatedDropdownFilter
from unfold.decorators import action
from unfold.widgets import UnfoldAdminDateWidget, UnfoldAdminSelectWidget

from thanhhoa_kpi.competencies import assessments, rights
from thanhhoa_kpi.competencies.models import CompetencyAssessment, CompetencyAssessmentLine
from thanhhoa_kpi.core.errors import DomainError
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.navigation import AUTHORITY, HR, LEAD, MINE, VIEWER, item
from thanhhoa_kpi.desk.pages.appraisals import ENTER_SAVES, WORKFLOW_ACTION, WORKFLOW_COMMENT, WORKFLOW_STATE
from thanhhoa_kpi.desk.pages.appraisals import KnownToTheForm as FormsetsKnownToTheForm
from thanhhoa_kpi.desk.pages.workflow import StateFilter, TransitionLogInline, WorkflowAdminMixin
from thanhhoa_kpi.workflow import services as workflow_services

LEVEL_CHOICES = [("", "—"), *((str(level), f"Cấp {level}") for level in range(1, 6))]
PART_FIELDS = {rights.SELF: ("self_level", "self_comment"), rights.REVIEW: ("reviewer_level", "reviewer_comment")}
COMMENT_FIELD = {rights.SELF: "self_comment", rights.REVIEW: "reviewer_comment"}
# Where a service names a line: lines[i].level (the i-th line sent) or lines.<code>.<field>.
SENT_LINE = re.compile(r"lines\[(\d+)\](?:\.(\w+))?")
CODED_LINE = re.compile(r"lines\.([^.]+)\.(\w+)")


def _editable(request: HttpRequest, obj: CompetencyAssessment | None) -> set[str]:
    """What the user may rate on this assessment now, computed once per request and row."""
    cache = request.__dict__.setdefault("_competency_editable", {})
    if obj is not None and obj.pk not in cache:
        cache[obj.pk] = rights.editable_parts(request.user, obj)
    return cache.get(getattr(obj, "pk", None), set())


class LineInline(FormsetsKnownToTheForm, TabularInline):
    model = CompetencyAssessmentLine
    extra = 0
    can_delete = False
    verbose_name_plural = "Năng lực theo vị trí việc làm (tự đánh giá / người đánh giá)"
    fields = ["competency", "required_level", "self_level", "self_comment", "reviewer_level", "reviewer_comment",
              "gap_display"]  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("competency")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        editable = {name for part in _editable(request, obj) for name in PART_FIELDS[part]}
        return [name for name in self.fields if name not in editable]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in ("self_level", "reviewer_level"):
            return forms.TypedChoiceField(
                label=db_field.verbose_name, choices=LEVEL_CHOICES, coerce=int, empty_value=None, required=False,
                widget=UnfoldAdminSelectWidget,
            )  # fmt: skip
        if db_field.name in ("self_comment", "reviewer_comment"):
            kwargs["widget"] = forms.Textarea(attrs={"rows": 1})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Khoảng cách")
    def gap_display(self, obj: CompetencyAssessmentLine) -> str:
        gap = obj.gap
        if gap is None:
            return "—"
        return "Đạt" if gap == 0 else f"Thiếu {gap} cấp độ"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _line_changes(formsets: list[Any], part: str) -> list[dict[str, Any]]:
    level_field, comment_field = PART_FIELDS[part]
    lines = []
    for formset in formsets:
        if formset.model is not CompetencyAssessmentLine:
            continue
        for form in formset.forms:
            changed = set(form.changed_data) & {level_field, comment_field}
            if changed:
                line = {"competency": form.instance.competency.code, "level": form.cleaned_data.get(level_field)}
                if comment_field in changed:
                    line["comment"] = form.cleaned_data.get(comment_field, "")
                lines.append(line)
    return lines


def _show_refusal(form: AssessmentForm, formsets: list[Any], part: str, error: DomainError) -> None:
    """Each FieldError at the line it names, the others on the form; the error's sentence on top."""
    level_field = PART_FIELDS[part][0]
    sent = [line["competency"] for line in _line_changes(formsets, part)]
    rows = {row.instance.competency.code: row for fs in formsets if fs.model is CompetencyAssessmentLine
            for row in fs.forms}  # fmt: skip
    for problem in error.errors:
        by_index, by_code = SENT_LINE.fullmatch(problem.field), CODED_LINE.fullmatch(problem.field)
        code = sent[int(by_index[1])] if by_index and int(by_index[1]) < len(sent) else by_code and by_code[1]
        row = rows.get(code) if code else None
        if row is not None:
            row.add_error(level_field if level_field in row.fields else None, problem.message)
        else:
            form.add_error(problem.field if problem.field in form.fields else None, problem.message)
    form.add_error(None, error.message)


class AssessmentForm(forms.ModelForm):
    """Validating the form saves the levels through the services, then takes the workflow
    button that was pressed, in one savepoint (see the module's docstring)."""

    request: HttpRequest
    transition: Any = None

    def _post_clean(self) -> None:
        formsets = [fs for fs in self.request.__dict__.get("_appraisal_formsets", {}).values() if fs.is_bound]
        if self.errors or not all([formset.is_valid() for formset in formsets]):
            return
        parts = _editable(self.request, self.instance)
        part = next(iter(parts), None)
        post = self.request.POST
        try:
            with transaction.atomic():
                if part is not None:
                    self._save(part, formsets)
                if post.get(WORKFLOW_ACTION):
                    self.transition = workflow_services.workflow_transition(
                        document=self.instance, action=post[WORKFLOW_ACTION], user=self.request.user,
                        comment=post.get(WORKFLOW_COMMENT, ""), expected_state=post.get(WORKFLOW_STATE) or None,
                    )  # fmt: skip
        except DomainError as error:
            _show_refusal(self, formsets, part or rights.SELF, error)

    def _save(self, part: str, formsets: list[Any]) -> None:
        lines = _line_changes(formsets, part)
        comment_field = COMMENT_FIELD[part]
        comment = self.cleaned_data.get(comment_field) if comment_field in self.changed_data else None
        if not lines and comment is None:
            return
        service = (
            assessments.competency_assessment_self_assess
            if part == rights.SELF
            else assessments.competency_assessment_review
        )
        service(assessment=self.instance, user=self.request.user, lines=lines, comment=comment)


class CompetencyAssessmentAdmin(WorkflowAdminMixin, ScopedAdmin):
    form = AssessmentForm
    change_form_outer_before_template = "appraisals/appraisal_panel.html"
    list_display = ["official", "year", "unit", "position", "state_label", "approved_at"]
    list_filter = ["year", StateFilter, ("unit", AutocompleteSelectFilter), ("position", RelatedDropdownFilter),
                   "unit__bloc"]  # fmt: skip
    search_fields = ["official__full_name", "official__code", "unit__name", "position__name"]
    list_select_related = ["official", "unit", "position", "workflow"]
    inlines = [LineInline, TransitionLogInline]
    actions_list = ["open_link"]
    fieldsets = [
        (None, {"fields": ["official", "year", "unit", "position", "deadline", "state_label"]}),
        ("Nhận xét", {"fields": ["self_comment", "reviewer_comment"]}),
        ("Duyệt", {"fields": ["reviewer", "approved_at", "opened_by"]}),
    ]

    @admin.display(description="Trạng thái", ordering="state")
    def state_label(self, obj: CompetencyAssessment) -> str:
        return obj.workflow_state_label()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        names = [name for _title, options in self.fieldsets for name in options["fields"]]
        editable = {COMMENT_FIELD[part] for part in _editable(request, obj)}
        return [name for name in names if name not in editable]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        # The comment typed above the buttons comes back with the rest when the save is refused.
        extra_context = {**(extra_context or {}), "workflow_comment": request.POST.get(WORKFLOW_COMMENT, "")}
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # assessments come from opening a unit's year («Mở đánh giá năng lực»)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not request.user.has_perm("competencies.change_competencyassessment"):
            return False
        return obj is None or bool(_editable(request, obj))

    def save_model(self, request: HttpRequest, obj: CompetencyAssessment, form: Any, change: bool) -> None:
        # The form saved through the services while validating (AssessmentForm._post_clean).
        request._competency_transition = form.transition  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        for formset in formsets:  # the lines went through the services; what the change message reads
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def response_change(self, request: HttpRequest, obj: CompetencyAssessment) -> HttpResponse:
        log = getattr(request, "_competency_transition", None)
        if log is None:
            if ENTER_SAVES in request.POST:  # Enter in a field: save and stay
                request.POST = request.POST.copy()
                request.POST["_continue"] = "1"
            return super().response_change(request, obj)
        self.message_user(request, f"Đã lưu phiếu và thực hiện «{log.action_label}».", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:competencies_competencyassessment_change", args=[obj.pk]))

    def has_open_permission(self, request: HttpRequest) -> bool:
        return rights.openable_units(request.user).exists()

    @action(description="Mở đánh giá năng lực", icon="playlist_add", permissions=["open"], url_path="open-link")
    def open_link(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:competencies_assessment_open"))

    def get_custom_urls(self) -> tuple:
        return (("open/", "competencies_assessment_open", open_view),)


class OpenForm(forms.Form):
    year = forms.TypedChoiceField(label="Năm đánh giá", coerce=int, widget=UnfoldAdminSelectWidget)
    unit = forms.ModelChoiceField(
        label="Đơn vị", queryset=None, widget=UnfoldAdminSelectWidget,
        help_text="Mở cho mọi cán bộ đang công tác tại đơn vị này và các đơn vị trực thuộc.",
    )  # fmt: skip
    deadline = forms.DateField(
        label="Hạn hoàn thành", required=False, widget=UnfoldAdminDateWidget,
        help_text="Không bắt buộc; dùng để nhắc việc và đánh dấu quá hạn trong hộp việc.",
    )  # fmt: skip

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(year, str(year)) for year in range(this_year, this_year - 5, -1)]
        self.fields["year"].initial = this_year
        self.fields["unit"].queryset = rights.openable_units(user).order_by("path")


def open_view(request: HttpRequest, model_admin: CompetencyAssessmentAdmin) -> HttpResponse:
    """«Mở đánh giá năng lực»: a year and a unit; the service creates the missing assessments."""
    if not rights.openable_units(request.user).exists():
        refusal = "Chỉ quản trị nhân sự, cơ quan tổ chức cán bộ của khối được mở đánh giá năng lực."
        model_admin.message_user(request, refusal, messages.WARNING)
        return HttpResponseRedirect(reverse("admin:competencies_competencyassessment_changelist"))
    form = OpenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = assessments.competency_assessment_open(
                user=request.user, year=data["year"], unit=data["unit"], deadline=data.get("deadline")
            )
        except DomainError as error:
            for problem in error.errors:
                form.add_error(problem.field if problem.field in form.fields else None, problem.message)
            form.add_error(None, error.message)
        else:
            note = f"Đã mở {outcome.created} phiếu đánh giá năng lực năm {data['year']} cho {data['unit'].name}"
            note += f"; {outcome.existing} người đã có phiếu năm này." if outcome.existing else "."
            model_admin.message_user(request, note, messages.SUCCESS)
            if outcome.without_requirements:
                names = ", ".join(outcome.without_requirements)
                model_admin.message_user(
                    request, f"Vị trí chưa có yêu cầu năng lực nên chưa mở phiếu: {names}.", messages.WARNING
                )
            url = reverse("admin:competencies_competencyassessment_changelist") + f"?year={data['year']}"
            return HttpResponseRedirect(url)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Mở đánh giá năng lực",
        "form": form,
        "opts": CompetencyAssessment._meta,
    }
    return render(request, "competencies/open.html", context)


NAVIGATION = [
    (
        1,
        "Việc của tôi",
        [
            item(
                "Đánh giá năng lực của tôi",
                "psychology_alt",
                "competencies_competencyassessment",
                "competencies.view_competencyassessment",
                who=[MINE],
                own="official",
                rank=21,
            ),
        ],
    ),
    (
        3,
        "Đánh giá, xếp loại",
        [
            item(
                "Đánh giá năng lực",
                "fact_check",
                "competencies_competencyassessment",
                "competencies.view_competencyassessment",
                who=[LEAD, AUTHORITY, HR, VIEWER],
                rank=15,
            ),
        ],
    ),
]


def register(site: Any) -> None:
    site.register(CompetencyAssessment, CompetencyAssessmentAdmin)
