"""The report builder's form: a report definition as plain desk widgets (no JavaScript).

The form turns into the JSON definition of :mod:`thanhhoa_kpi.reports.definition` and
back; the definition's errors (``filters[1].value``...) land on the matching widgets.

A filter on a choice field (a state, a level, a bloc) is picked from a dropdown of its
Vietnamese labels whose values are the stored codes (``"<field>=<code>"``): grouped by
field while the row's field is not chosen yet, that field's labels only once it is.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from unfold import widgets as uw

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.accounts.roles import Role
from thanhhoa_kpi.core.errors import FieldError
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.reports.definition import AGGREGATES, CHART_TYPES, OPS
from thanhhoa_kpi.reports.models import SavedReport
from thanhhoa_kpi.reports.registry import SourceField, source_choices

FILTER_ROWS = 4
AGGREGATE_ROWS = 3
BLANK = [("", "---------")]


def _select(choices: list[tuple[str, str]], label: str, required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(choices=choices, label=label, required=required, widget=uw.UnfoldAdminSelectWidget)


def _choice_options(fields: dict[str, SourceField], picked: str) -> list[Any]:
    """The «Chọn giá trị» options: ``picked``'s labels when it is a choice field, else every
    choice field's, grouped under its label."""
    choice = {name: f for name, f in fields.items() if f.kind == "choice" and f.choices}
    if picked in choice:
        return BLANK + [(f"{picked}={code}", label) for code, label in choice[picked].choices.items()]
    return BLANK + [
        (f.label, [(f"{name}={code}", label) for code, label in f.choices.items()]) for name, f in choice.items()
    ]


def aggregate_keys(fields: dict[str, SourceField]) -> list[tuple[str, str]]:
    keys = [("count", "Số lượng")]
    for name, field in fields.items():
        if field.kind == "number":
            keys += [(f"{fn}:{name}", f"{AGGREGATES[fn]} {field.label}") for fn in ("sum", "avg", "min", "max")]
    return keys


class BuilderForm(forms.Form):
    name = forms.CharField(label="Tên báo cáo", required=False, max_length=200, widget=uw.UnfoldAdminTextInputWidget)
    doctype = forms.ChoiceField(label="Loại dữ liệu", widget=forms.HiddenInput)
    columns = forms.MultipleChoiceField(label="Cột hiển thị", required=False, widget=forms.CheckboxSelectMultiple)
    group_by = forms.MultipleChoiceField(
        label="Nhóm theo", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Khi nhóm, báo cáo đếm (và tính tổng hợp) theo từng nhóm; các cột hiển thị không dùng.",
    )  # fmt: skip
    sort_desc = forms.BooleanField(label="Giảm dần", required=False, widget=uw.UnfoldBooleanWidget)
    shared_roles = forms.MultipleChoiceField(
        label="Chia sẻ với vai trò", required=False, choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    shared_units = forms.ModelMultipleChoiceField(
        label="Chia sẻ với đơn vị",
        required=False,
        queryset=OrgUnit.objects.none(),
        widget=uw.UnfoldAdminSelectMultipleWidget,
        help_text="Người làm việc ở đơn vị đó (và đơn vị cấp dưới) xem được.",
    )

    def __init__(self, *args: Any, fields: dict[str, SourceField], user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_choices = [(name, f.label) for name, f in fields.items()]
        self.fields["doctype"].choices = source_choices()
        self.fields["columns"].choices = field_choices
        self.fields["group_by"].choices = field_choices
        ops = [(code, label) for code, label in OPS.items()]
        for i in range(FILTER_ROWS):
            self.fields[f"filter_field_{i}"] = _select(BLANK + field_choices, "Trường")
            self.fields[f"filter_op_{i}"] = _select(ops, "Điều kiện")
            self.fields[f"filter_value_{i}"] = forms.CharField(
                label="Giá trị", required=False, widget=uw.UnfoldAdminTextInputWidget(attrs={"placeholder": "a; b"})
            )
            picked = str((self.data if self.is_bound else self.initial).get(f"filter_field_{i}") or "")
            self.fields[f"filter_choice_{i}"] = _select(_choice_options(fields, picked), "Chọn giá trị")
            self._choice_initial(i, fields.get(picked))
        for i in range(AGGREGATE_ROWS):
            self.fields[f"agg_fn_{i}"] = _select(BLANK + list(AGGREGATES.items()), "Phép tính")
            self.fields[f"agg_field_{i}"] = _select(BLANK + field_choices, "Của trường")
        keys = aggregate_keys(fields)
        self.fields["sort_field"] = _select(BLANK + field_choices + keys, "Sắp xếp theo")
        self.fields["chart_type"] = _select(BLANK + list(CHART_TYPES.items()), "Biểu đồ")
        self.fields["chart_y"] = _select(BLANK + keys + field_choices, "Giá trị của biểu đồ")
        self.fields["shared_units"].queryset = access.scoped(OrgUnit.objects.all(), user)

    def _choice_initial(self, i: int, field: SourceField | None) -> None:
        """A saved filter on a choice field shows its code selected in the dropdown."""
        value = self.initial.get(f"filter_value_{i}")
        if self.is_bound or field is None or field.kind != "choice" or value not in field.choices:
            return
        self.initial[f"filter_choice_{i}"] = f"{field.name}={value}"
        self.initial[f"filter_value_{i}"] = ""

    @property
    def filter_rows(self) -> list[list[forms.BoundField]]:
        parts = ("field", "op", "choice", "value")
        return [[self[f"filter_{part}_{i}"] for part in parts] for i in range(FILTER_ROWS)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for i in range(FILTER_ROWS):
            choice = cleaned.get(f"filter_choice_{i}") or ""
            if choice and choice.split("=", 1)[0] != cleaned.get(f"filter_field_{i}"):
                self.add_error(f"filter_choice_{i}", "Giá trị đã chọn thuộc một trường khác trường của bộ lọc này.")
        return cleaned

    def _filter_value(self, i: int) -> Any:
        """The dropdown's code when one is chosen (added to the typed ones for «thuộc danh sách»)."""
        data = self.cleaned_data
        text, choice = data.get(f"filter_value_{i}") or "", data.get(f"filter_choice_{i}") or ""
        if not choice:
            return text
        code = choice.split("=", 1)[1]
        if data.get(f"filter_op_{i}") == "in":
            return [code, *[part.strip() for part in text.replace(";", ",").split(",") if part.strip()]]
        return code

    @property
    def aggregate_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"agg_{part}_{i}"] for part in ("fn", "field")] for i in range(AGGREGATE_ROWS)]

    def definition(self) -> dict[str, Any]:
        data = self.cleaned_data
        filters = [
            {"field": data[f"filter_field_{i}"], "op": data[f"filter_op_{i}"], "value": self._filter_value(i)}
            for i in range(FILTER_ROWS)
            if data.get(f"filter_field_{i}")
        ]
        aggregates = [
            {"fn": data[f"agg_fn_{i}"], **({"field": data[f"agg_field_{i}"]} if data.get(f"agg_field_{i}") else {})}
            for i in range(AGGREGATE_ROWS)
            if data.get(f"agg_fn_{i}")
        ]
        chart = {"type": data["chart_type"], "y": data.get("chart_y") or ""} if data.get("chart_type") else {}
        sort = [{"field": data["sort_field"], "desc": bool(data.get("sort_desc"))}] if data.get("sort_field") else []
        return {
            "doctype": data["doctype"], "columns": data.get("columns") or [], "group_by": data.get("group_by") or [],
            "filters": filters, "aggregates": aggregates, "sort": sort, "chart": chart,
        }  # fmt: skip

    def show_errors(self, errors: list[FieldError]) -> None:
        for error in errors:
            name = _form_name(error.field)
            self.add_error(name if name in self.fields else None, error.message)


def _form_name(path: str) -> str:
    match = re.fullmatch(r"(filters|aggregates)\[(\d+)\]\.(\w+)", path)
    if match:
        part, index, attr = match.groups()
        return f"filter_{attr}_{index}" if part == "filters" else f"agg_{attr}_{index}"
    simple = {"sort": "sort_field", "chart.type": "chart_type", "chart.y": "chart_y",
              "shared_with.roles": "shared_roles", "shared_with.units": "shared_units"}  # fmt: skip
    head = re.sub(r"\[\d+\].*$", "", path)
    return simple.get(path) or simple.get(head) or head


def initial_from(report: SavedReport) -> dict[str, Any]:
    """The form's initial data for a saved report."""
    initial: dict[str, Any] = {
        "name": report.name, "doctype": report.doctype, "columns": report.columns, "group_by": report.group_by,
        "shared_roles": report.shared_with_roles, "shared_units": list(report.shared_with_units.all()),
    }  # fmt: skip
    for i, flt in enumerate(report.filters[:FILTER_ROWS]):
        value = flt.get("value")
        text = "; ".join(map(str, value)) if isinstance(value, list) else ("" if value is None else str(value))
        initial.update({f"filter_field_{i}": flt["field"], f"filter_op_{i}": flt["op"], f"filter_value_{i}": text})
    for i, agg in enumerate(report.aggregates[:AGGREGATE_ROWS]):
        initial.update({f"agg_fn_{i}": agg["fn"], f"agg_field_{i}": agg.get("field", "")})
    if report.sort:
        initial.update({"sort_field": report.sort[0]["field"], "sort_desc": report.sort[0].get("desc", False)})
    if report.chart:
        initial.update({"chart_type": report.chart.get("type", ""), "chart_y": report.chart.get("y", "")})
    return initial
