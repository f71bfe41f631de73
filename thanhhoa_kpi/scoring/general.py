"""General criteria, at most ``general_max`` (30) points (SPEC 5.4).

ND 335/2025/NĐ-CP Điều 12 khoản 2: three groups (political quality, ethics, discipline;
professional competence and service; innovation and daring), scored by the reviewer,
whose score is final. The template (groups, their maxima, sub-criteria, step 0.5) is
rule-set data. ND 233/2026/NĐ-CP Điều 12 khoản 5 lets a public service unit's own
Quy chế split the 30 points differently: with ``unit_may_split_general`` each group may
take any share of the total, only the total is capped.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .errors import INVALID_INPUT, ScoringInputError
from .params import RuleParams
from .reader import ZERO, join


@dataclass(frozen=True)
class GeneralInput:
    """Either one score per template group (``groups``) or the total (``points``)."""

    groups: tuple[Decimal, ...] | None = None
    points: Decimal | None = None


@dataclass(frozen=True)
class GeneralScore:
    """The general score and the group scores it came from (empty for ``points``)."""

    score: Decimal
    groups: tuple[Decimal, ...]


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


def _group_errors(groups: tuple[Decimal, ...], params: RuleParams) -> list[tuple[str, str]]:
    template = params.general_groups
    if len(groups) != len(template):
        return [("general.groups", f"Phải có đúng {len(template)} nhóm tiêu chí.")]
    errors: list[tuple[str, str]] = []
    for index, (value, group) in enumerate(zip(groups, template, strict=True)):
        high = params.general_max if params.unit_may_split_general else group.max_points
        if value < ZERO or value > high:
            errors.append((join("general.groups", index), f"Phải trong khoảng 0 đến {_fmt(high)}."))
        elif value % params.general_step != ZERO:
            errors.append((join("general.groups", index), f"Phải chấm theo bước {_fmt(params.general_step)} điểm."))
    if not errors and sum(groups, ZERO) > params.general_max:
        errors.append(("general.groups", f"Tổng điểm các nhóm không được vượt {_fmt(params.general_max)}."))
    return errors


def _points_errors(points: Decimal, params: RuleParams) -> list[tuple[str, str]]:
    """The total, like each group, lies in range and on the rule set's step (0.5)."""
    if points < ZERO or points > params.general_max:
        return [("general.points", f"Phải trong khoảng 0 đến {_fmt(params.general_max)}.")]
    if points % params.general_step != ZERO:
        return [("general.points", f"Phải chấm theo bước {_fmt(params.general_step)} điểm.")]
    return []


def general_errors(general: GeneralInput, params: RuleParams) -> list[tuple[str, str]]:
    """Range and step rules of the general criteria, as ``(field, message)`` pairs."""
    if general.groups is not None and general.points is None:
        return _group_errors(general.groups, params)
    if general.points is not None and general.groups is None:
        return _points_errors(general.points, params)
    return [("general", 'Cần đúng một trong hai trường "groups" hoặc "points".')]


def general_score(general: GeneralInput, params: RuleParams) -> GeneralScore:
    """The reviewer's general score (ND 335/2025/NĐ-CP Điều 12 khoản 2), validated."""
    errors = general_errors(general, params)
    if errors:
        raise ScoringInputError(INVALID_INPUT, errors)
    return checked_general_score(general)


def checked_general_score(general: GeneralInput) -> GeneralScore:
    """The general score of an input :func:`general_errors` found nothing wrong with."""
    if general.groups is not None:
        return GeneralScore(score=sum(general.groups, ZERO), groups=general.groups)
    return GeneralScore(score=general.points or ZERO, groups=())
