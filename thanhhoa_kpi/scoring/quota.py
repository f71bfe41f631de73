"""The excellence quota per unit and per similar-task group (SPEC 5.6).

ND 335/2025/NĐ-CP Điều 20 khoản 5: the number rated "Hoàn thành xuất sắc" may not exceed
20 % of those rated "Hoàn thành tốt" in the same unit and group of officials with
similar tasks; up to 25 % when the organisation is itself rated excellent (the ceiling
written in ND 233/2026/NĐ-CP Điều 12 khoản 6 điểm b, applied to ND 335 by analogy).

Decisions, all rule-set data or documented here: rounding is down; the default reading
counts "tốt" after the demotions (E ≤ floor(rate × (G + C − E))), the alternative before
them (E ≤ floor(rate × (G + C))); candidates are those classified excellent (total at
or above the threshold, no disqualifier, and any QĐ 366 condition met); they are ranked
by rounded total, then rounded task score, then the head's recorded decision rank
(1 = first; none = after those ranked), then input order. The kept are the first E;
the others become "Hoàn thành tốt" with the computation as the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import explain
from .classify import ClassificationOutcome, classify, exceeded_share_errors
from .codes import Classification, Disqualifier, QuotaReading
from .errors import INVALID_INPUT, ScoringInputError
from .params import RuleParams
from .reader import ZERO, join
from .rounding import round_half_up


@dataclass(frozen=True)
class QuotaEntry:
    """One official of the unit with their reported (annual) total and task score."""

    id: str
    group: str
    total: Decimal
    task_score: Decimal
    disqualifiers: tuple[Disqualifier, ...] = ()
    decision_rank: int | None = None
    exceeded_share: Decimal | None = None


@dataclass(frozen=True)
class GroupQuota:
    """C candidates, G at "tốt", the limit E kept, and the computation in Vietnamese."""

    group: str
    candidates: int
    good: int
    limit: int
    rate: Decimal
    explanation: str


@dataclass(frozen=True)
class QuotaDecision:
    """The final level of one official; ``demoted`` only for the quota itself."""

    id: str
    classification: Classification
    demoted: bool
    reason: str | None


@dataclass(frozen=True)
class QuotaOutcome:
    """Groups in order of first appearance; one decision per entry, in input order."""

    groups: tuple[GroupQuota, ...]
    results: tuple[QuotaDecision, ...]


def entry_errors(entry: QuotaEntry, params: RuleParams, path: str) -> list[tuple[str, str]]:
    """Range rules of one entry: totals within the rule set's scale, rank from 1."""
    errors: list[tuple[str, str]] = []
    if not ZERO <= entry.total <= params.total_max:
        errors.append((join(path, "total"), f"Phải trong khoảng 0 đến {explain.num(params.total_max)}."))
    if not ZERO <= entry.task_score <= params.task_max:
        errors.append((join(path, "task_score"), f"Phải trong khoảng 0 đến {explain.num(params.task_max)}."))
    elif entry.task_score > entry.total:
        errors.append((join(path, "task_score"), "Không được lớn hơn tổng điểm (total)."))
    if entry.decision_rank is not None and entry.decision_rank < 1:
        errors.append((join(path, "decision_rank"), "Phải là số nguyên từ 1 trở lên."))
    errors.extend(exceeded_share_errors(entry.exceeded_share, join(path, "exceeded_share")))
    return errors


def quota_errors(entries: Sequence[QuotaEntry], params: RuleParams) -> list[tuple[str, str]]:
    """Every bad field of every entry, and ids used twice."""
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        path = join("officials", index)
        if entry.id in seen:
            errors.append((join(path, "id"), f'Mã "{entry.id}" bị trùng.'))
        seen.add(entry.id)
        errors.extend(entry_errors(entry, params, path))
    return errors


def quota_rate(params: RuleParams, unit_excellent: bool) -> Decimal:
    """20 %, or the exception rate (25 %) when the unit is rated excellent."""
    return params.quota_exception_rate if unit_excellent else params.quota_rate


def quota_limit(candidates: int, good: int, rate: Decimal, reading: QuotaReading) -> int:
    """The largest E ≤ C allowed by the reading (SPEC 5.6).

    C = 8, G = 22, 20 %: FINAL_GOOD gives 5 (5 ≤ floor(0.2 × 25)), the other reading 6.
    """
    if reading is QuotaReading.GOOD_PLUS_CANDIDATES:
        return min(candidates, math.floor(rate * (good + candidates)))
    kept = candidates
    # The right-hand side grows as E shrinks, so the first E that fits is the largest;
    # E = 0 always fits, which ends the loop.
    while kept > math.floor(rate * (good + candidates - kept)):
        kept -= 1
    return kept


def _reason(outcome: ClassificationOutcome, entry: QuotaEntry) -> str | None:
    """Why the level differs from the score band (disqualifier, QĐ 366 condition)."""
    if outcome.classification is outcome.by_score and not entry.disqualifiers:
        return None
    return " ".join(outcome.reasons[1:])


def _rank_key(indexed: tuple[int, QuotaEntry], places: int) -> tuple[Decimal, Decimal, bool, int, int]:
    index, entry = indexed
    rank = entry.decision_rank
    return (
        -round_half_up(entry.total, places),
        -round_half_up(entry.task_score, places),
        rank is None,
        rank or 0,
        index,
    )


def _apply_group(
    group: str, members: Sequence[tuple[int, QuotaEntry, Classification]], params: RuleParams, unit_excellent: bool
) -> tuple[GroupQuota, list[tuple[int, QuotaDecision]]]:
    """The group's limit and the demotions it forces, as ``(input index, decision)``."""
    places = params.rounding_places
    candidates = sorted(
        ((index, entry) for index, entry, level in members if level is Classification.HOAN_THANH_XUAT_SAC),
        key=lambda member: _rank_key(member, places),
    )
    good = sum(1 for _, _, level in members if level is Classification.HOAN_THANH_TOT)
    rate = quota_rate(params, unit_excellent)
    limit = quota_limit(len(candidates), good, rate, params.quota_reading)
    # A small group's allowance (rule-set parameter edge_cases, ND 233 Điều 7 by analogy).
    allowance = min(len(candidates), params.edge_cases.small_group_allowance(len(members)))
    small = len(members) if allowance > limit else 0
    limit = max(limit, allowance)
    reading, citation = params.quota_reading, params.citations.quota
    figures = explain.QuotaFigures(
        group, len(candidates), good, limit, rate, reading, unit_excellent, citation,
        small_group=small, small_group_below=params.edge_cases.small_group_below if small else 0,
    )  # fmt: skip
    demoted = [
        (index, QuotaDecision(entry.id, Classification.HOAN_THANH_TOT, True, explain.quota_reason(figures, rank)))
        for rank, (index, entry) in enumerate(candidates[limit:], start=limit + 1)
    ]
    quota = GroupQuota(group, len(candidates), good, limit, rate, explain.quota_formula(figures))
    return quota, demoted


def apply_quota(entries: Sequence[QuotaEntry], params: RuleParams, *, unit_excellent: bool = False) -> QuotaOutcome:
    """Classify each entry, then cap the excellent ones per group (ND 335 Điều 20 khoản 5).

    Raises ``ScoringInputError`` (``INVALID_INPUT``) for bad entries; ids are echoed,
    not interpreted.
    """
    errors = quota_errors(entries, params)
    if errors:
        raise ScoringInputError(INVALID_INPUT, errors)
    outcomes = [
        classify(entry.total, params, disqualifiers=entry.disqualifiers, exceeded_share=entry.exceeded_share)
        for entry in entries
    ]
    decisions = [
        QuotaDecision(entry.id, outcome.classification, False, _reason(outcome, entry))
        for entry, outcome in zip(entries, outcomes, strict=True)
    ]
    grouped: dict[str, list[tuple[int, QuotaEntry, Classification]]] = {}
    for index, (entry, outcome) in enumerate(zip(entries, outcomes, strict=True)):
        grouped.setdefault(entry.group, []).append((index, entry, outcome.classification))
    groups = []
    for group, members in grouped.items():
        quota, demoted = _apply_group(group, members, params, unit_excellent)
        groups.append(quota)
        for index, decision in demoted:
            decisions[index] = decision
    return QuotaOutcome(groups=tuple(groups), results=tuple(decisions))
