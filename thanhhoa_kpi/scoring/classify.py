"""Classification of a rounded total, disqualifiers and the QĐ 366 condition (SPEC 5.5).

ND 335/2025/NĐ-CP Điều 20: "Hoàn thành xuất sắc" from 90, "Hoàn thành tốt" from 70,
"Hoàn thành" from 50, otherwise "Không hoàn thành"; khoản 4 forces "Không hoàn thành"
for degradation (điểm b), discipline from reprimand up (điểm c) and, for leaders only,
corruption or waste in the unit they directly manage (điểm d). ND 233/2026/NĐ-CP
Điều 12 has the same bands. QĐ 366-QĐ/TW Điều 11 adds, for "xuất sắc", a confirmed share
of tasks exceeded (≥ 30 %): without it the level stops at "Hoàn thành tốt"; and conditions
on the work itself for each level (``band_conditions``: "tốt" needs 100 % of tasks done
on time and to quality, "hoàn thành" 100 % done with at most 20 % delayed). Where the
score band and the conditions disagree the result is the lower level, stepping down
until a level's conditions are met ("Không hoàn thành" has none), each step explained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from . import explain
from .codes import LEADER_ONLY_DISQUALIFIERS, Classification, Disqualifier, Role
from .legal import BandCondition
from .params import RuleParams
from .reader import ONE, ZERO, join
from .rounding import exact, round_half_up
from .tasks import TaskShares

_LOWER = {
    Classification.HOAN_THANH_XUAT_SAC: Classification.HOAN_THANH_TOT,
    Classification.HOAN_THANH_TOT: Classification.HOAN_THANH,
    Classification.HOAN_THANH: Classification.KHONG_HOAN_THANH,
}


@dataclass(frozen=True)
class ClassificationOutcome:
    """The level given, the level the score alone gives, and the reasons, in Vietnamese."""

    classification: Classification
    by_score: Classification
    total: Decimal
    reasons: tuple[str, ...]


def band(total: Decimal, params: RuleParams) -> Classification:
    """The level of ND 335 Điều 20 khoản 1–3 for a total (already rounded)."""
    if total >= params.threshold_excellent:
        return Classification.HOAN_THANH_XUAT_SAC
    if total >= params.threshold_good:
        return Classification.HOAN_THANH_TOT
    if total >= params.threshold_pass:
        return Classification.HOAN_THANH
    return Classification.KHONG_HOAN_THANH


def disqualifier_errors(
    disqualifiers: Sequence[Disqualifier], role: Role, path: str = "disqualifiers"
) -> list[tuple[str, str]]:
    """UNIT_CORRUPTION is a leaders' rule (ND 335 Điều 20 khoản 4 điểm d): refuse it for staff."""
    if role is Role.LEADER:
        return []
    return [
        (join(path, index), "Chỉ áp dụng đối với người giữ chức vụ lãnh đạo, quản lý.")
        for index, code in enumerate(disqualifiers)
        if code in LEADER_ONLY_DISQUALIFIERS
    ]


def exceeded_share_errors(share: Decimal | None, path: str = "exceeded_share") -> list[tuple[str, str]]:
    """The share of tasks exceeded is a fraction between 0 and 1."""
    if share is None or ZERO <= share <= ONE:
        return []
    return [(path, "Phải trong khoảng 0 đến 1 (ví dụ 0.3 là 30%).")]


def _short_of_share(share: Decimal | None, required: Decimal) -> bool:
    return share is None or share < required


def _meets(condition: BandCondition, shares: TaskShares) -> bool:
    quality = condition.max_failed_share is None or shares.failed <= exact(condition.max_failed_share)
    return (
        quality
        and shares.done >= exact(condition.min_done_share)
        and shares.delayed <= exact(condition.max_delayed_share)
    )


def _apply_conditions(
    level: Classification, shares: TaskShares | None, params: RuleParams, reasons: list[str] | None
) -> Classification:
    """Step down while the level's conditions (QĐ 366-QĐ/TW Điều 11) are not met.

    Each step is explained in ``reasons``, unless it is ``None`` (no explanation wanted).
    """
    if shares is None:
        return level
    condition = params.condition(level)
    while condition is not None and not _meets(condition, shares):
        lower = _LOWER[level]
        if reasons is not None:
            reasons.append(explain.condition_line(level, condition, shares, lower, params))
        level, condition = lower, params.condition(lower)
    return level


def classify(
    total: Decimal | Fraction,
    params: RuleParams,
    *,
    disqualifiers: Sequence[Disqualifier] = (),
    exceeded_share: Decimal | None = None,
    shares: TaskShares | None = None,
    explained: bool = True,
) -> ClassificationOutcome:
    """Classify ``total`` (exact) after rounding it once to the rule set's places.

    Disqualifiers win over any score (ND 335 Điều 20 khoản 4); the QĐ 366 condition
    caps "xuất sắc" at "tốt" when the rule set requires a share of tasks exceeded and
    the reviewer did not confirm enough (``exceeded_share`` is ignored otherwise);
    then the rule set's band conditions are checked against ``shares`` (the work of the
    period; without it, as for a yearly mean, they are not checked here). Without
    ``explained`` the same level comes with no reasons (scoring in bulk).
    """
    rounded = round_half_up(total, params.rounding_places)
    by_score = band(rounded, params)
    mitigated = [code for code in disqualifiers if _mitigated(code, params)]
    disqualifiers = [code for code in disqualifiers if not _mitigated(code, params)]
    if not explained:
        return ClassificationOutcome(
            classification=_level(by_score, disqualifiers, exceeded_share, shares, params, None),
            by_score=by_score,
            total=rounded,
            reasons=(),
        )
    if disqualifiers:
        return ClassificationOutcome(
            classification=Classification.KHONG_HOAN_THANH,
            by_score=by_score,
            total=rounded,
            reasons=(
                explain.band_line(by_score, rounded, params),
                *explain.disqualifier_lines(disqualifiers, rounded, params),
            ),
        )
    reasons = [explain.band_line(by_score, rounded, params)]
    reasons.extend(explain.mitigated_line(code, params) for code in mitigated)
    result = _level(by_score, (), exceeded_share, shares, params, reasons)
    reasons.append(explain.final_line(result))
    return ClassificationOutcome(classification=result, by_score=by_score, total=rounded, reasons=tuple(reasons))


def _mitigated(code: Disqualifier, params: RuleParams) -> bool:
    """A reported case of corruption under a rule set that spares the leader (ND 233)."""
    return code is Disqualifier.UNIT_CORRUPTION_REPORTED and params.corruption_reported.mitigates


def _level(
    by_score: Classification,
    disqualifiers: Sequence[Disqualifier],
    exceeded_share: Decimal | None,
    shares: TaskShares | None,
    params: RuleParams,
    reasons: list[str] | None,
) -> Classification:
    """The level after disqualifiers, the share exceeded and the band conditions, each step in ``reasons``."""
    if disqualifiers:
        return Classification.KHONG_HOAN_THANH
    result = by_score
    required = params.excellent_requires_exceeded_share
    excellent = by_score is Classification.HOAN_THANH_XUAT_SAC
    if excellent and required is not None and _short_of_share(exceeded_share, required):
        result = Classification.HOAN_THANH_TOT
        if reasons is not None:
            reasons.append(explain.exceeded_share_line(exceeded_share, required, params))
    return _apply_conditions(result, shares, params, reasons)
