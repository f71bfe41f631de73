"""Desk pages for rule sets: parameters edited as data, each save a new version."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.http import HttpRequest

from thanhhoa_kpi.appraisals import rulesets
from thanhhoa_kpi.appraisals.models import RuleSet
from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.navigation import item


class RuleSetForm(forms.ModelForm):
    params = forms.JSONField(
        label="Tham số",
        widget=forms.Textarea(attrs={"rows": 30, "style": "font-family: monospace"}),
        encoder=None,
        help_text="Mọi con số của quy tắc chấm điểm (SPEC 5). Lưu sẽ tạo phiên bản mới; phiếu đã chấm giữ tham số cũ.",
    )

    class Meta:
        model = RuleSet
        fields = ["code", "name", "legal_basis", "params"]

    def prepare_value(self, value: Any) -> Any:
        return json.dumps(value, ensure_ascii=False, indent=2)

    def clean_params(self) -> Any:
        params = self.cleaned_data["params"]
        try:
            rulesets.rule_set_validate(params)
        except ValidationFailed as exc:
            raise forms.ValidationError([f"{e.field}: {e.message}" for e in exc.errors]) from exc
        return params


class RuleSetAdmin(ScopedAdmin):
    form = RuleSetForm
    list_display = ["code", "version", "name", "legal_basis", "is_current", "updated_at"]
    list_filter = ["code", "is_current"]
    search_fields = ["code", "name", "legal_basis"]
    readonly_fields = ["version", "is_current"]

    def save_model(self, request: HttpRequest, obj: RuleSet, form: Any, change: bool) -> None:
        saved = rulesets.rule_set_save(
            code=form.cleaned_data["code"],
            name=form.cleaned_data["name"],
            legal_basis=form.cleaned_data.get("legal_basis", ""),
            params=form.cleaned_data["params"],
        )
        obj.pk, obj.version = saved.pk, saved.version

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # versions are history; a rule set is retired by a new version, never deleted


NAVIGATION = [
    (
        50,
        "Chấm điểm và xếp loại",
        [item("Bộ quy tắc chấm điểm", "rule_settings", "appraisals_ruleset", "appraisals.view_ruleset")],
    )
]


def register(site: Any) -> None:
    site.register(RuleSet, RuleSetAdmin)
