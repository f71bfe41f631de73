"""A public service unit's own rules inside its rule set's frame (ND 233/2026/NĐ-CP Điều 12 khoản 5).

The frame (``params.unit_rules``) says what a unit may set: each general-criteria group
keeps at least ``group_min`` points and the groups add up to ``general_max``; the reduced
value of d, đ and e lies in ``reduced_min``..``reduced_max`` and below the full value.
Applied rules give a copy of the rule set whose groups (and sub-criteria, scaled in whole
steps) carry the unit's maxima, and the explanation cites them.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.unit.scoring.conftest import D, params, raw_rule_sets
from thanhhoa_kpi.scoring import GeneralInput, PeriodInput, Role, ScoringInputError, parse_params, score_period
from thanhhoa_kpi.scoring.unit_rules import applied_line, apply_unit_rules, apportion, unit_rules_errors

WEIGHTS = {"1": D(12), "2": D(8), "3": D(10)}
LABEL = {"unit": "Trường THPT Hàm Rồng", "reference": "QĐ 12/QĐ-THPT", "approved_on": "01/12/2026"}


def _raw(code: str = "ND233") -> dict:
    return next(entry for entry in raw_rule_sets() if entry["code"] == code)["params"]


def _applied():
    return parse_params(apply_unit_rules(_raw(), params("ND233"), WEIGHTS, D(75), LABEL))


def test_nd233_has_a_frame_and_nd335_has_none():
    frame = params("ND233").unit_rules
    assert frame is not None and (frame.group_min, frame.reduced_min, frame.reduced_max) == (5, 50, 90)
    assert "Điều 12 khoản 5" in frame.citation
    assert params("ND335").unit_rules is None and params("QD366").unit_rules is None


def test_rules_inside_the_frame_have_no_errors():
    assert unit_rules_errors(params("ND233"), WEIGHTS, D(75)) == []
    assert unit_rules_errors(params("ND233"), WEIGHTS, D(50)) == []  # the frame's bounds are included
    assert unit_rules_errors(params("ND233"), {"1": D(5), "2": D(5), "3": D(20)}, D(90)) == []


@pytest.mark.parametrize(
    ("weights", "reduced", "field"),
    [
        ({"1": D(12), "2": D(8), "3": D(12)}, D(75), "weights"),  # 32 ≠ 30
        ({"1": D(21), "2": D(4), "3": D(5)}, D(75), "weights.2"),  # below group_min
        ({"1": D(31), "2": D(5), "3": D(5)}, D(75), "weights.1"),  # above general_max
        ({"1": D("12.25"), "2": D("7.75"), "3": D(10)}, D(75), "weights.1"),  # off the step
        ({"1": D(12), "2": D(8)}, D(75), "weights.3"),  # missing
        ({"1": D(10), "2": D(10), "3": D(10), "x": D(1)}, D(75), "weights.x"),  # unknown
        (WEIGHTS, D(49), "reduced"),
        (WEIGHTS, D(91), "reduced"),
    ],
)
def test_rules_outside_the_frame_name_the_field(weights, reduced, field):
    assert field in [name for name, _message in unit_rules_errors(params("ND233"), weights, reduced)]


def test_a_reduced_value_must_stay_below_the_full_value_even_when_the_frame_allows_it():
    frame = replace(params("ND233").unit_rules, reduced_max=D(100))
    errors = unit_rules_errors(params("ND233", unit_rules=frame), WEIGHTS, D(100))
    assert errors == [("reduced", "Phải nhỏ hơn mức đạt 100 %.")]


def test_a_rule_set_without_a_frame_takes_no_unit_rules():
    assert [name for name, _ in unit_rules_errors(params("ND335"), WEIGHTS, D(75))] == ["rule_set_code"]


def test_a_group_with_sub_criteria_needs_a_step_for_each():
    """ND 233's group 1 has ten sub-criteria: fewer than ten half points cannot hold them."""
    frame = replace(params("ND233").unit_rules, group_min=D("0.5"))
    weights = {"1": D(4), "2": D(13), "3": D(13)}
    errors = unit_rules_errors(params("ND233", unit_rules=frame), weights, D(75))
    assert errors == [("weights.1", "Nhóm «" + params("ND233").general_groups[0].name + "» phải từ 5 đến 30 điểm.")]


def test_apportion_keeps_the_shares_in_whole_steps_and_adds_up():
    assert apportion([D(1)] * 10, D(12), D("0.5")) == (D("1.5"),) * 4 + (D(1),) * 6
    assert apportion([D("2.5")] * 4, D(8), D("0.5")) == (D(2),) * 4
    assert apportion([D(4), D(3), D(3)], D(7), D("0.5")) == (D(3), D(2), D(2))


def test_apportion_gives_every_entry_at_least_one_step():
    """A tiny share is raised to one step and the largest entry gives the step back."""
    result = apportion([D(9), D("0.5"), D("0.5")], D(3), D("0.5"))
    assert result == (D(2), D("0.5"), D("0.5")) and sum(result) == 3


def test_applied_rules_give_a_valid_copy_with_the_units_maxima():
    applied = _applied()
    assert [group.max_points for group in applied.general_groups] == [12, 8, 10]
    for group in applied.general_groups:
        assert sum(sub.max_points for sub in group.sub_criteria) == group.max_points
    assert applied.unit_criterion_reduced == 75 and applied.unit_criterion_full == 100
    assert applied.unit_may_split_general is False  # the unit fixed the split
    assert applied.unit_rules_applied is not None and applied.unit_rules_applied.reference == LABEL["reference"]
    assert _raw()["general_groups"][0]["max"] == 10  # the rule set itself is untouched


def test_a_group_without_sub_criteria_takes_the_weight_alone():
    raw = _raw()
    raw["general_groups"][2].pop("sub_criteria")
    base = parse_params(raw)
    copy = apply_unit_rules(raw, base, WEIGHTS, D(75), LABEL)
    assert copy["general_groups"][2] == {**raw["general_groups"][2], "max": 10}
    assert parse_params(copy).general_groups[1].max_points == 8


def test_the_unit_maxima_bind_the_reviewers_groups():
    applied = _applied()
    data = PeriodInput(Role.STAFF, (), GeneralInput(groups=(D(12), D(9), D(9))), None)
    with pytest.raises(ScoringInputError) as refused:
        score_period(data, applied)
    assert ("general.groups[1]", "Phải trong khoảng 0 đến 8.") in refused.value.errors


def test_the_explanation_cites_the_units_rules():
    applied = _applied()
    data = PeriodInput(Role.STAFF, (), GeneralInput(groups=(D(12), D(8), D(10))), None)
    result = score_period(data, applied)
    line = applied_line(applied)
    assert line in result.explanation
    assert line.startswith("Áp dụng quy chế đánh giá của Trường THPT Hàm Rồng (QĐ 12/QĐ-THPT, được phê duyệt")
    assert "nhóm 1 tối đa 12, nhóm 2 tối đa 8, nhóm 3 tối đa 10" in line and line.endswith("= 75%.")
    assert "Điều 12 khoản 5" in line
    assert applied_line(params("ND233")) == ""  # no unit's rules: no line
    without_frame = replace(applied, unit_rules=None)
    assert "(NĐ" not in applied_line(without_frame) and applied_line(without_frame).endswith("= 75%.")


def test_a_frame_with_its_bounds_reversed_is_refused():
    raw = _raw()
    raw["unit_rules"] = {**raw["unit_rules"], "reduced_min": 80, "reduced_max": 60}
    with pytest.raises(ScoringInputError) as refused:
        parse_params(raw)
    assert ("unit_rules.reduced_min", "Không được lớn hơn reduced_max.") in refused.value.errors


def test_the_copy_keeps_the_numbers_json_can_store():
    copy = apply_unit_rules(_raw(), params("ND233"), {"1": D("12.5"), "2": D("7.5"), "3": D(10)}, D(75), LABEL)
    assert copy["general_groups"][0]["max"] == 12.5 and isinstance(copy["general_groups"][2]["max"], int)
    assert Decimal(str(copy["general_groups"][1]["max"])) == D("7.5")
