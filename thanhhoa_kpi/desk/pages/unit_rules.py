"""Desk pages of a public service unit's own scoring rules (issue 14, item 3).

The form shows one box per general-criteria group of the rule set in force (its maximum
for this unit) and the reduced value of d, đ and e, each with the frame's limits in its
help text; saving goes through :func:`thanhhoa_kpi.appraisals.unit_rules.unit_rules_save`,
which checks the frame and names the box that is wrong. The workflow panel above the form
submits the draft and lets the bloc authority return or approve it; once approved the page
is read-only and shows whether the rules are in force or were replaced.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from unfold.widgets import UnfoldAdminSelectWidget

from thanhhoa_kpi.appraisals.models import UnitRules
from thanhhoa_kpi.appraisals.rulesets import rule_sets_current
from thanhhoa_kpi.appraisals.unit_rules import default_rule_set_code, unit_rules_save
from thanhhoa_kpi.core.errors import FieldError, ValidationFailed
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.navigation import AUTHORITY, HR, item
from thanhhoa_kpi.desk.numbers import DECIMAL_INPUTS, DecimalInput
from thanhhoa_kpi.desk.pages.appraisals import may_edit_unit_document
from thanhhoa_kpi.desk.pages.workflow import StateFilter, TransitionLogInline, WorkflowAdminMixin
from thanhhoa_kpi.desk.service_forms import ServiceForm, adopt, with_request
from thanhhoa_kpi.formats.numbers import decimal_text
from thanhhoa_kpi.scoring import RuleParams

PREFIX = "weight_"


def _rule_sets(request: HttpRequest) -> dict[str, RuleParams]:
    """The current rule sets, read and parsed once per request (the field list and the form both need them)."""
    sets: dict[str, RuleParams] | None = getattr(request, "_kpi_rule_sets", None)
    if sets is None:
        sets = rule_sets_current()
        request._kpi_rule_sets = sets  # type: ignore[attr-defined]
    return sets


def _framed_rule_sets(sets: dict[str, RuleParams]) -> list[tuple[str, str]]:
    """``(code, "code — name")`` of every rule set whose version in force frames a unit's own rules."""
    return [
        (code, f"{code} — {params.rule_set.name}" if params.rule_set else code)
        for code, params in sorted(sets.items())
        if params.unit_rules is not None
    ]


def _code(obj: UnitRules | None) -> str:
    return (obj.rule_set_code if obj is not None and obj.pk else None) or default_rule_set_code()


def _weight_fields(obj: UnitRules | None, params: RuleParams | None) -> dict[str, forms.Field]:
    """One decimal box per general-criteria group of ``params``' frame, named ``weight_<code>``."""
    if params is None or params.unit_rules is None:
        return {}
    weights = (obj.weights if obj is not None else None) or {}
    least = decimal_text(params.unit_rules.group_min)
    return {
        PREFIX + group.code: forms.DecimalField(
            label=f"Nhóm {group.code}: {group.name} — điểm tối đa",
            help_text=f"Khung: từ {least} điểm; bộ quy tắc: {decimal_text(group.max_points)}; tổng các nhóm "
            f"{decimal_text(params.general_max)}.",
            initial=weights.get(group.code, group.max_points),
            localize=True,
            widget=DecimalInput,
            max_digits=5,
            decimal_places=2,
        )  # fmt: skip
        for group in params.general_groups
    }


class UnitRulesForm(ServiceForm):
    class Meta:
        model = UnitRules
        fields = ["unit", "rule_set_code", "reference", "reduced", "notes"]

    #: The current rule sets, parsed once per request by the admin's ``get_form``.
    rule_sets: ClassVar[dict[str, RuleParams]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = _code(self.instance)
        params = self.rule_sets.get(current)
        field = self.fields.get("reduced")
        if field is not None and params is not None and params.unit_rules is not None:
            frame = params.unit_rules
            field.help_text = (
                f"Khung: từ {decimal_text(frame.reduced_min)} đến {decimal_text(frame.reduced_max)} %; "
                f"bộ quy tắc: {decimal_text(params.unit_criterion_reduced)} %. {frame.citation}."
            )
            if self.instance.pk is None:
                field.initial = params.unit_criterion_reduced  # a new draft starts from the rule set's value
        code_field = self.fields.get("rule_set_code")
        if code_field is not None:
            # A list of the rule sets whose version in force has a frame, not a free text box:
            # the service refuses any other code (UNKNOWN_RULE_SET, or no frame), this spares the typing.
            choices = _framed_rule_sets(self.rule_sets)
            if current not in dict(choices):
                choices.insert(0, (current, current))
            self.fields["rule_set_code"] = forms.ChoiceField(
                label=code_field.label, choices=choices, initial=current, widget=UnfoldAdminSelectWidget,
                help_text="Chỉ các bộ quy tắc có khung cho quy chế của đơn vị.",
            )  # fmt: skip

    def call(self, data: dict[str, Any]) -> Model:
        weights = {name[len(PREFIX) :]: str(value) for name, value in data.items() if name.startswith(PREFIX)}
        try:
            return unit_rules_save(
                user=self.request.user, unit=data["unit"], reference=data.get("reference", ""), weights=weights,
                reduced=data.get("reduced"), rule_set_code=data.get("rule_set_code"),
                notes=data.get("notes", ""), row=self.instance if self.instance.pk else None,
            )  # fmt: skip
        except ValidationFailed as error:
            # The service names a group «weights.<code>»: its box here is «weight_<code>».
            error.errors = [FieldError(_box(problem.field), problem.message) for problem in error.errors]
            raise


def _box(field: str) -> str:
    return PREFIX + field.split(".", 1)[1] if field.startswith("weights.") else field


class UnitRulesAdmin(WorkflowAdminMixin, ScopedAdmin):
    """A unit's own rules: entered as a draft, approved by the bloc authority (the panel above)."""

    form = UnitRulesForm
    formfield_overrides = DECIMAL_INPUTS
    list_display = ["unit", "reference", "rule_set_code", "weights_text", "reduced", "in_force", "state_label"]
    list_filter = [StateFilter, "in_force", "rule_set_code", "unit__bloc"]
    search_fields = ["unit__name", "unit__code", "reference"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "workflow"]
    readonly_fields = ["weights_text", "state_label", "in_force", "approved_at", "superseded_at", "recorded_by"]
    inlines = [TransitionLogInline]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return list(self.inlines) if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        editable = obj is None or self.has_change_permission(request, obj)
        weights = list(_weight_fields(obj, _rule_sets(request).get(_code(obj)))) if editable else []
        entry = ["unit", "rule_set_code", "reference", *weights, "reduced", "notes"]
        if obj is None:
            return entry
        if not weights:
            entry.insert(3, "weights_text")
        return [*entry, "state_label", "in_force", "approved_at", "superseded_at", "recorded_by"]

    @admin.display(description="Điểm tối đa các nhóm tiêu chí chung")
    def weights_text(self, obj: UnitRules) -> str:
        return "; ".join(f"nhóm {code}: {decimal_text(Decimal(str(value)))}" for code, value in obj.weights.items())

    @admin.display(description="Trạng thái", ordering="state")
    def state_label(self, obj: UnitRules) -> str:
        return obj.workflow_state_label()

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        sets = _rule_sets(request)
        fields = {"rule_sets": sets, **_weight_fields(obj, sets.get(_code(obj)))}
        kwargs["form"] = type("UnitRulesForm", (UnitRulesForm,), fields)
        return with_request(request, super().get_form(request, obj, change, **kwargs))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_edit_unit_document(request, obj, "appraisals.change_unitrules")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the history of a unit's rules is kept; a draft is returned or replaced

    def save_model(self, request: HttpRequest, obj: UnitRules, form: Any, change: bool) -> None:
        adopt(obj, form)


NAVIGATION = [
    (
        3,
        "Đánh giá, xếp loại",
        [
            item(
                "Quy chế đánh giá của đơn vị",
                "tune",
                "appraisals_unitrules",
                "appraisals.view_unitrules",
                who=[HR, AUTHORITY],
                rank=16,
            )
        ],
    ),
]


def register(site: Any) -> None:
    site.register(UnitRules, UnitRulesAdmin)
