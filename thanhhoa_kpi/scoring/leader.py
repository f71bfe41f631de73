"""Task percent and task score, with the leader criteria d, đ, e (SPEC 5.3).

ND 335/2025/NĐ-CP Điều 14 (staff): task percent = (a + b + c) / 3.
ND 335/2025/NĐ-CP Điều 15 khoản 3 (heads and deputies): task percent =
(a + b + c + d + đ + e) / 6, where d is the unit's results (full when everyone
managed reaches at least "Hoàn thành nhiệm vụ"), đ the organising of the unit's work
and e keeping the unit united; each is either the full or the reduced value (100 / 50).
Task score = task percent × task_max / 100 (Điều 12: at most 70 points).

The percent and the score are exact fractions: the division by 3 or 6 is never cut
at a decimal precision, so a score that is exactly on a half-cent rounds as it should.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .codes import RANK, Classification, Role
from .errors import INVALID_INPUT, ScoringInputError
from .params import PERCENT, RuleParams
from .rounding import constant
from .tasks import Ratios

UNIT_KEYS = ("d", "dd", "e")


@dataclass(frozen=True)
class UnitCriteria:
    """d, đ, e of a leader, in percent; ``dd`` spells đ in ASCII."""

    d: Decimal
    dd: Decimal
    e: Decimal

    def values(self) -> tuple[Decimal, Decimal, Decimal]:
        return (self.d, self.dd, self.e)


@dataclass(frozen=True)
class TaskScore:
    """The components averaged, the task percent and the task score, exact."""

    components: tuple[Fraction, ...]
    percent: Fraction
    score: Fraction


def unit_criteria_errors(unit: UnitCriteria, params: RuleParams, path: str = "unit") -> list[tuple[str, str]]:
    """d, đ and e may only take the rule set's full or reduced value."""
    allowed = params.unit_criteria_allowed
    text = " hoặc ".join(format(value.normalize(), "f") for value in allowed)
    return [
        (f"{path}.{key}", f"Chỉ nhận giá trị {text}.")
        for key, value in zip(UNIT_KEYS, unit.values(), strict=True)
        if value not in allowed
    ]


def task_score(ratios: Ratios, role: Role, unit: UnitCriteria | None, params: RuleParams) -> TaskScore:
    """Average the components of the role and scale to ``task_max``.

    ND 335/2025/NĐ-CP Điều 14 (staff) and Điều 15 (leaders). A leader without d/đ/e, or
    with a value outside the rule set's two values, is refused (``INVALID_INPUT``).
    """
    components = [ratios.a.value, ratios.b.value, ratios.c.value]
    if role is Role.LEADER:
        if unit is None:
            raise ScoringInputError(INVALID_INPUT, [("unit", "Bắt buộc đối với lãnh đạo, quản lý (d, dd, e).")])
        errors = unit_criteria_errors(unit, params)
        if errors:
            raise ScoringInputError(INVALID_INPUT, errors)
        components.extend(constant(value) for value in unit.values())
    percent = sum(components[1:], components[0]) / len(components)
    score = percent * constant(params.task_max) / constant(PERCENT)
    return TaskScore(components=tuple(components), percent=percent, score=score)


def unit_result_criterion(subordinates: Iterable[Classification | None], params: RuleParams) -> Decimal:
    """d for a head or deputy, from the classifications of the people they manage.

    ND 335/2025/NĐ-CP Điều 15 khoản 3: full when every official managed is at least
    "Hoàn thành nhiệm vụ", reduced when any is "Không hoàn thành nhiệm vụ". Officials
    not classified in the period (``None``: no assigned work, leave) do not count,
    and a leader managing nobody keeps the full value.
    """
    floor = RANK[Classification.HOAN_THANH]
    failing = any(result is not None and RANK[result] < floor for result in subordinates)
    return params.unit_criterion_reduced if failing else params.unit_criterion_full
