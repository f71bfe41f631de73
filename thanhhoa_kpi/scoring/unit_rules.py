"""A public service unit's own scoring rules inside its rule set's frame (issue 14, item 3).

ND 233/2026/NĐ-CP Điều 12 khoản 5 leaves to each public service unit's Quy chế how the
30 points of the general criteria split between the groups; the unit may also set the
value d, đ and e take when a leader's unit falls short, within the limits the rule set
allows (ND 335's text knows only 100 % or 50 %; domain.md, open question 6). The bloc
authority approves the unit's rules (:mod:`thanhhoa_kpi.appraisals.unit_rules`); this
module only checks them against the frame and applies them to a copy of the rule set.

The frame is ``params.unit_rules`` (optional; a rule set without it lets no unit set its
own rules):

- ``group_min``: the fewest points any group may keep (a unit cannot drop a group the
  decree requires);
- ``reduced_min`` and ``reduced_max``: the range of the reduced value of d, đ and e (the
  full value stays the rule set's);
- ``citation``: the article the explanation cites.

Applied rules are recorded in the copy as ``params.unit_rules_applied`` (the unit, the
reference of its Quy chế, the approval date), which the explanation's first lines cite.
The groups' sub-criteria keep their shares of the group: their maxima are scaled to the
new group maximum in whole steps (:func:`apportion`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from .params import GeneralGroup, RuleParams
from .reader import ZERO
from .unit_rules_frame import APPLIED_KEYS, UnitRulesFrame


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


def _group_errors(
    groups: Sequence[GeneralGroup],
    weights: Mapping[str, Decimal],
    frame: UnitRulesFrame,
    general_max: Decimal,
    step: Decimal,
) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    codes = [group.code for group in groups]
    for code in weights:
        if code not in codes:
            errors.append((f"weights.{code}", f"Bộ quy tắc không có nhóm tiêu chí «{code}»."))
    for group in groups:
        field = f"weights.{group.code}"
        value = weights.get(group.code)
        least = max(frame.group_min, step * len(group.sub_criteria))
        if value is None:
            errors.append((field, f"Chưa nhập điểm tối đa của nhóm «{group.name}»."))
        elif value < least or value > general_max:
            errors.append((field, f"Nhóm «{group.name}» phải từ {_fmt(least)} đến {_fmt(general_max)} điểm."))
        elif value % step != ZERO:
            errors.append((field, f"Phải là bội số của bước chấm {_fmt(step)} điểm."))
    if not errors and sum(weights.values(), ZERO) != general_max:
        total = sum(weights.values(), ZERO)
        errors.append(("weights", f"Tổng điểm các nhóm phải bằng {_fmt(general_max)} (đang là {_fmt(total)})."))
    return errors


def unit_rules_errors(params: RuleParams, weights: Mapping[str, Decimal], reduced: Decimal) -> list[tuple[str, str]]:
    """What is wrong with a unit's rules in the frame of ``params`` (a :class:`~.params.RuleParams`),
    as ``(field, message)`` pairs naming ``weights.<group code>`` or ``reduced``."""
    frame = params.unit_rules
    if frame is None:
        return [("rule_set_code", "Bộ quy tắc này không cho đơn vị tự quy định điểm tiêu chí chung và d, đ, e.")]
    errors = _group_errors(params.general_groups, weights, frame, params.general_max, params.general_step)
    if not frame.reduced_min <= reduced <= frame.reduced_max:
        bounds = f"từ {_fmt(frame.reduced_min)} đến {_fmt(frame.reduced_max)}"
        errors.append(("reduced", f"Phải {bounds} (%) theo khung của bộ quy tắc."))
    elif reduced >= params.unit_criterion_full:
        errors.append(("reduced", f"Phải nhỏ hơn mức đạt {_fmt(params.unit_criterion_full)} %."))
    return errors


def apportion(maxima: Sequence[Decimal], total: Decimal, step: Decimal) -> tuple[Decimal, ...]:
    """``maxima`` scaled to add up to ``total``, each a whole number of ``step``s and at least one.

    Each takes its share rounded down to the step; the steps left go one each to the
    largest remainders (the first on a tie). ``total`` is a multiple of ``step`` of at
    least one step per entry (:func:`unit_rules_errors` checks it).
    """
    whole = sum(maxima, ZERO)
    shares = [value * total / whole for value in maxima]
    result = [max(step, (share / step).to_integral_value(ROUND_FLOOR) * step) for share in shares]
    while sum(result, ZERO) > total:
        above = [index for index in range(len(result)) if result[index] > step]
        largest = max(above, key=lambda index: (result[index] - shares[index], -index))
        result[largest] -= step
    order = sorted(range(len(result)), key=lambda index: (-(shares[index] - result[index]), index))
    left = int((total - sum(result, ZERO)) / step)
    for index in order[:left]:
        result[index] += step
    return tuple(result)


def json_number(value: Decimal) -> int | float:
    """A decimal as JSON stores it: a whole number as an int, else a float (halves are exact)."""
    return int(value) if value == value.to_integral_value() else float(value)


def apply_unit_rules(
    raw: Mapping[str, Any],
    params: RuleParams,
    weights: Mapping[str, Decimal],
    reduced: Decimal,
    applied: Mapping[str, str],
) -> dict[str, Any]:
    """A copy of the rule set's ``raw`` params (parsed as ``params``) with a unit's approved rules.

    Each group takes the unit's maximum and its sub-criteria their scaled shares; the
    groups are fixed by the unit, so ``unit_may_split_general`` is off; d, đ and e fall
    to the unit's ``reduced`` value. ``applied`` (unit, reference, approval date) is
    recorded for the explanation. The rules must have passed :func:`unit_rules_errors`.
    """
    result = copy.deepcopy(dict(raw))
    step = params.general_step
    for entry, group in zip(result["general_groups"], params.general_groups, strict=True):
        weight = weights[group.code]
        entry["max"] = json_number(weight)
        if group.sub_criteria:
            scaled = apportion([sub.max_points for sub in group.sub_criteria], weight, step)
            for sub_entry, value in zip(entry["sub_criteria"], scaled, strict=True):
                sub_entry["max"] = json_number(value)
    result["unit_may_split_general"] = False
    result["unit_criteria_values"] = {**result["unit_criteria_values"], "reduced": json_number(reduced)}
    result["unit_rules_applied"] = {key: applied[key] for key in APPLIED_KEYS}
    return result


def applied_line(params: RuleParams) -> str:
    """The explanation's line for a copy that carries a unit's rules; "" for one that does not."""
    applied = params.unit_rules_applied
    if applied is None:
        return ""
    groups = ", ".join(f"nhóm {group.code} tối đa {_fmt(group.max_points)}" for group in params.general_groups)
    frame = params.unit_rules
    citation = f" ({frame.citation})" if frame is not None and frame.citation else ""
    return (
        f"Áp dụng quy chế đánh giá của {applied.unit} ({applied.reference}, được phê duyệt ngày "
        f"{applied.approved_on}){citation}: {groups}; d, đ, e khi không đạt = "
        f"{_fmt(params.unit_criterion_reduced)}%."
    )
