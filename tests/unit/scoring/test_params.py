"""Rule-set parameters: the fixture file parses, and every kind of bad value is named."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from thanhhoa_kpi.scoring import (
    INVALID_RULE_SET,
    QuotaReading,
    QuotaScope,
    ScoringInputError,
    parse_params,
    parse_rule_sets,
)
from thanhhoa_kpi.scoring.params import OPTIONAL_PARAM_KEYS, PARAM_KEYS

from .conftest import D, raw_rule_sets, rule_sets


def _raw_params(code: str = "ND335") -> dict[str, Any]:
    entry = next(entry for entry in raw_rule_sets() if entry["code"] == code)
    return copy.deepcopy(entry["params"])  # type: ignore[arg-type]


def _fields(mutate: Callable[[dict[str, Any]], object]) -> dict[str, str]:
    data = _raw_params()
    mutate(data)
    with pytest.raises(ScoringInputError) as caught:
        parse_params(data)
    assert caught.value.code == INVALID_RULE_SET
    return dict(caught.value.errors)


def test_the_fixture_holds_the_three_rule_sets_in_order() -> None:
    assert list(rule_sets()) == ["ND335", "ND233", "QD366"]
    assert [entry["legal_basis"] for entry in raw_rule_sets()] == [
        "Nghị định 335/2025/NĐ-CP",
        "Nghị định 233/2026/NĐ-CP",
        "Quy định 366-QĐ/TW",
    ]


def test_nd335_numbers() -> None:
    p = rule_sets()["ND335"].params
    assert (p.general_max, p.task_max, p.general_step) == (D(30), D(70), D("0.5"))
    assert [g.max_points for g in p.general_groups] == [D(10), D(10), D(10)]
    assert [len(g.sub_criteria) for g in p.general_groups] == [2, 4, 4]
    assert (p.deduction_per_event, p.max_deductions_per_unit, p.ratio_cap) == (D("0.25"), 4, D(100))
    assert p.unit_criteria_allowed == (D(100), D(50))
    assert (p.threshold_excellent, p.threshold_good, p.threshold_pass) == (D(90), D(70), D(50))
    assert (p.quota_rate, p.quota_exception_rate, p.quota_reading) == (D("0.2"), D("0.25"), QuotaReading.FINAL_GOOD)
    assert (p.min_worked_months, p.classification_deadline_day, p.classification_deadline_month) == (6, 15, 12)
    assert (p.rounding_places, p.head_not_above_unit) == (2, True)
    assert p.excellent_requires_exceeded_share is None
    assert p.unit_may_split_general is False


def test_the_variants_differ_only_where_their_texts_differ() -> None:
    nd335, nd233, qd366 = (rule_sets()[code].params for code in ("ND335", "ND233", "QD366"))
    assert nd233.unit_may_split_general and not qd366.unit_may_split_general
    assert qd366.excellent_requires_exceeded_share == D("0.3")
    assert nd233.excellent_requires_exceeded_share is None
    assert nd335.total_max == nd233.total_max == qd366.total_max == D(100)


def test_numbers_may_be_given_as_strings() -> None:
    data = _raw_params()
    data["deduction_per_event"] = "0.25"
    assert parse_params(data).deduction_per_event == D("0.25")


def test_a_deadline_on_29_february_is_a_real_day() -> None:
    data = _raw_params()
    data["classification_deadline"] = {"day": 29, "month": 2}
    assert parse_params(data).classification_deadline_day == 29


def test_not_an_object() -> None:
    with pytest.raises(ScoringInputError) as caught:
        parse_params([1, 2])
    assert caught.value.errors == (("$", "Phải là một đối tượng JSON ({...})."),)


def test_unknown_and_missing_keys_are_both_named() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["bonus_points"] = 5
        del data["quota_rate"]
        del data["thresholds"]

    fields = _fields(mutate)
    assert set(fields) == {"bonus_points", "quota_rate", "thresholds"}
    assert fields["quota_rate"] == "Thiếu trường bắt buộc."


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("general_max", 0, "general_max"),
        ("general_max", "ba mươi", "general_max"),
        ("task_max", True, "task_max"),
        ("general_step", -0.5, "general_step"),
        ("deduction_per_event", 1.5, "deduction_per_event"),
        ("max_deductions_per_unit", 0, "max_deductions_per_unit"),
        ("max_deductions_per_unit", 2.5, "max_deductions_per_unit"),
        ("ratio_cap", 120, "ratio_cap"),
        ("unit_criteria_values", {"full": 100}, "unit_criteria_values.reduced"),
        ("unit_criteria_values", [100, 50], "unit_criteria_values"),
        ("thresholds", {"HOAN_THANH_XUAT_SAC": 90, "HOAN_THANH_TOT": 70, "HOAN_THANH": None}, "thresholds.HOAN_THANH"),
        ("excellent_requires_exceeded_share", 30, "excellent_requires_exceeded_share"),
        ("quota_rate", 1.2, "quota_rate"),
        ("quota_reading", "GOOD", "quota_reading"),
        ("min_worked_months", 13, "min_worked_months"),
        ("classification_deadline", {"day": 32, "month": 12}, "classification_deadline.day"),
        ("classification_deadline", {"day": 1, "month": 0}, "classification_deadline.month"),
        ("rounding_places", 7, "rounding_places"),
        ("head_not_above_unit", "yes", "head_not_above_unit"),
        ("unit_may_split_general", 1, "unit_may_split_general"),
        ("general_groups", {}, "general_groups"),
        ("general_groups", [], "general_groups"),
    ],
)
def test_bad_values_name_their_field(key: str, value: object, field: str) -> None:
    fields = _fields(lambda data: data.__setitem__(key, value))
    assert field in fields


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("thresholds", {"HOAN_THANH_XUAT_SAC": 70, "HOAN_THANH_TOT": 90, "HOAN_THANH": 50}, "thresholds"),
        ("thresholds", {"HOAN_THANH_XUAT_SAC": 101, "HOAN_THANH_TOT": 70, "HOAN_THANH": 50}, "thresholds"),
        ("unit_criteria_values", {"full": 50, "reduced": 50}, "unit_criteria_values"),
        ("quota_exception_rate", 0.1, "quota_exception_rate"),
        ("classification_deadline", {"day": 30, "month": 2}, "classification_deadline"),
        ("general_max", 40, "general_groups"),
    ],
)
def test_cross_field_rules(key: str, value: object, field: str) -> None:
    fields = _fields(lambda data: data.__setitem__(key, value))
    assert list(fields) == [field]


def test_cross_field_rules_wait_for_clean_fields() -> None:
    # A broken threshold must not also produce "thresholds are not increasing".
    fields = _fields(lambda data: data["thresholds"].__setitem__("HOAN_THANH", "x"))
    assert list(fields) == ["thresholds.HOAN_THANH"]


def test_group_template_errors() -> None:
    def mutate(data: dict[str, Any]) -> None:
        groups = data["general_groups"]
        groups[0]["max"] = "10.3"
        groups[1]["sub_criteria"][0]["max"] = 5
        groups[2]["sub_criteria"] = "none"
        groups.append("fourth")

    fields = _fields(mutate)
    assert fields == {
        "general_groups[0].max": "Phải là bội số của general_step.",
        "general_groups[0].sub_criteria": "Tổng điểm tối đa của các tiêu chí con phải bằng max của nhóm.",
        "general_groups[1].sub_criteria": "Tổng điểm tối đa của các tiêu chí con phải bằng max của nhóm.",
        "general_groups[2].sub_criteria": "Phải là một danh sách ([...]).",
        "general_groups[3]": "Phải là một đối tượng JSON ({...}).",
    }


def test_sub_criterion_errors_and_groups_without_sub_criteria() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["general_groups"][0]["sub_criteria"][1] = {"code": "1.2", "name": "", "max": "4.7", "extra": 1}
        del data["general_groups"][1]["sub_criteria"]
        data["general_groups"][2]["code"] = 3

    fields = _fields(mutate)
    assert set(fields) == {
        "general_groups[0].sub_criteria[1].extra",
        "general_groups[0].sub_criteria[1].name",
        "general_groups[0].sub_criteria[1].max",
        "general_groups[2].code",
    }


def test_group_step_is_not_checked_against_a_broken_step() -> None:
    fields = _fields(lambda data: data.__setitem__("general_step", "zero"))
    assert list(fields) == ["general_step"]


def test_group_sum_is_not_checked_against_a_broken_maximum() -> None:
    fields = _fields(lambda data: data.__setitem__("general_max", None))
    assert list(fields) == ["general_max"]


def test_rule_set_list_errors() -> None:
    data: list[Any] = raw_rule_sets()
    data[1]["code"] = "ND335"
    data[2]["version"] = 0
    del data[2]["params"]
    data.append("QD999")
    with pytest.raises(ScoringInputError) as caught:
        parse_rule_sets(data)
    assert dict(caught.value.errors) == {
        "[1].code": 'Mã bộ quy tắc "ND335" bị trùng.',
        "[2].version": "Không được nhỏ hơn 1.",
        "[2].params": "Thiếu trường bắt buộc.",
        "[3]": "Phải là một đối tượng JSON ({...}).",
    }


def test_rule_set_file_must_be_a_list() -> None:
    with pytest.raises(ScoringInputError) as caught:
        parse_rule_sets({"code": "ND335"})
    assert caught.value.errors == (("$", "Phải là một danh sách ([...])."),)


def test_param_keys_are_exactly_those_of_the_fixture() -> None:
    for entry in raw_rule_sets():
        keys = list(entry["params"])  # type: ignore[call-overload]
        assert [key for key in keys if key not in OPTIONAL_PARAM_KEYS] == list(PARAM_KEYS)
        # The shipped sets spell every default out, except two keys whose absence is a value:
        # no frame for a unit's own rules (ND335, QD366), and "not a unit's copy".
        assert set(OPTIONAL_PARAM_KEYS) - {"unit_rules", "unit_rules_applied"} <= set(keys)


def test_entries_without_a_valid_code_are_not_called_duplicates() -> None:
    data: list[Any] = raw_rule_sets()
    data[0]["code"] = ""
    data[1]["code"] = None
    with pytest.raises(ScoringInputError) as caught:
        parse_rule_sets(data)
    assert [field for field, _ in caught.value.errors] == ["[0].code", "[1].code"]


def test_the_quota_counts_per_agency_and_binds_the_year_unless_the_rule_set_says_otherwise() -> None:
    """SPEC 5.6 (decided 2026-12): per agency, binding the annual classification."""
    data = _raw_params()
    for key in ("quota_scope", "quota_binding_kinds"):
        data.pop(key)
    defaults = parse_params(data)
    assert (defaults.quota_scope, defaults.quota_binding_kinds) == (QuotaScope.AGENCY, ("YEAR",))
    data.update(quota_scope="UNIT", quota_binding_kinds=["MONTH", "YEAR"])
    chosen = parse_params(data)
    assert (chosen.quota_scope, chosen.quota_binding_kinds) == (QuotaScope.UNIT, ("MONTH", "YEAR"))


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("quota_scope", "PHONG", "quota_scope"),
        ("quota_binding_kinds", ["WEEK"], "quota_binding_kinds[0]"),
        ("quota_binding_kinds", ["YEAR", "YEAR"], "quota_binding_kinds[1]"),
        ("quota_binding_kinds", ["MONTH"], "quota_binding_kinds"),
        ("quota_binding_kinds", "YEAR", "quota_binding_kinds"),
    ],
)
def test_bad_quota_scope_and_binding_name_their_field(key: str, value: object, field: str) -> None:
    assert field in _fields(lambda data: data.update({key: value}))
