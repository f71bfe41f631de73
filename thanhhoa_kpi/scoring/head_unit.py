"""A unit head may not be rated above the unit (SPEC 5.7).

ND 233/2026/NĐ-CP Điều 12 khoản 7 writes it for heads of public service units; for
ND 335 it is applied by analogy (the rule-set switch ``head_not_above_unit``, default
on, turns it off where the province decides otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import explain
from .codes import RANK, Classification
from .params import RuleParams


@dataclass(frozen=True)
class HeadCap:
    """The head's final level, whether it was lowered, and why."""

    classification: Classification
    capped: bool
    reason: str | None


def cap_head_by_unit(head: Classification, unit: Classification, params: RuleParams) -> HeadCap:
    """Lower ``head`` to ``unit`` when it is higher and the rule set says so."""
    if params.head_not_above_unit and RANK[head] > RANK[unit]:
        return HeadCap(classification=unit, capped=True, reason=explain.head_cap_reason(head, unit, params))
    return HeadCap(classification=head, capped=False, reason=None)
