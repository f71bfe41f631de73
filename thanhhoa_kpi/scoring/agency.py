"""The agency's own appraisal (đánh giá cơ quan, tổ chức, đơn vị) and its excellence quota.

ND 335/2025/NĐ-CP Điều 20 and, for public service units, ND 233/2026/NĐ-CP Điều 7 score an
agency each year on the same 100 points as a person (general criteria 30, task results
70) and give it one of the four levels, each with conditions besides the score band:

- «Hoàn thành xuất sắc»: the band, every planned task done on time and to quality, a share
  of the work beyond the plan (ND 233 Điều 7 khoản 1: 30 %), no unit under it rated «không
  hoàn thành»;
- «Hoàn thành tốt»: the band, every planned task done on time and to quality;
- «Hoàn thành»: the band, every planned task done, at most 20 % of them late;
- «Không hoàn thành»: below the band, or less than 70 % of the planned tasks done.

Where the band and the conditions disagree the competent level gives the fitting lower
level (ND 233 Điều 7 khoản 5); this module takes the highest level whose conditions hold
and says why each higher one does not. The quota (ND 233 Điều 7 khoản 7): the agencies
rated «xuất sắc» within the recognising authority's scope may not exceed 20 % of those
rated «tốt» (25 % in outstanding cases the authority records), and where fewer than five
agencies are appraised together at most one.

Every number is rule-set data: ``params.agency`` (optional; every key optional, absent →
the defaults below, which are the decrees' numbers). The task figures are what the system
holds (see :mod:`thanhhoa_kpi.appraisals.agency`): the task result (0–100 %) is the mean of
the agency's officials' task results over the year, and the shares come from the converted
work planned, done, done on time, done to quality and done beyond the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from . import explain
from .agency_rules import AgencyRules
from .classify import band
from .codes import Classification
from .errors import INVALID_INPUT, ScoringInputError
from .params import RuleParams
from .quota import quota_limit
from .reader import ZERO, join
from .rounding import round_half_up

HUNDRED = Decimal(100)


# ----------------------------------------------------------------------------- one agency


@dataclass(frozen=True)
class AgencyFigures:
    """What the agency did in the year.

    ``task_percent`` is the task result (0–100); the volumes are converted work: planned
    (assigned), done, done on time, done to quality (each at most ``done``), and done
    beyond the plan. ``failing_units`` names the units under it rated «không hoàn thành».
    """

    general_score: Decimal
    task_percent: Decimal
    planned: Decimal
    done: Decimal
    on_time: Decimal
    quality: Decimal
    exceeded: Decimal = ZERO
    failing_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgencyShares:
    done: Fraction
    on_time: Fraction
    quality: Fraction
    delayed: Fraction
    exceeded: Fraction


@dataclass(frozen=True)
class AgencyOutcome:
    task_score: Decimal
    total: Decimal
    by_score: Classification
    classification: Classification
    shares: AgencyShares
    reasons: tuple[str, ...]
    explanation: tuple[str, ...]


def agency_errors(figures: AgencyFigures, params: RuleParams) -> list[tuple[str, str]]:
    """Every bad field, named as the service names them."""
    errors: list[tuple[str, str]] = []
    if not ZERO <= figures.general_score <= params.general_max:
        errors.append(("general_score", f"Phải trong khoảng 0 đến {explain.num(params.general_max)}."))
    if not ZERO <= figures.task_percent <= HUNDRED:
        errors.append(("task_percent", "Phải trong khoảng 0 đến 100."))
    for name in ("planned", "done", "on_time", "quality", "exceeded"):
        if getattr(figures, name) < ZERO:
            errors.append((name, "Không được âm."))
    for name in ("on_time", "quality"):
        if getattr(figures, name) > figures.done:
            errors.append((name, "Không được lớn hơn khối lượng đã hoàn thành (done)."))
    return errors


def shares_of(figures: AgencyFigures) -> AgencyShares:
    """Shares of the planned work (exact); nothing planned leaves nothing short."""
    if figures.planned == ZERO:
        return AgencyShares(Fraction(1), Fraction(1), Fraction(1), Fraction(0), Fraction(0))
    planned = Fraction(figures.planned)

    def part(value: Decimal) -> Fraction:
        return min(Fraction(value) / planned, Fraction(1))

    done = part(figures.done)
    on_time = part(figures.on_time)
    return AgencyShares(
        done=done, on_time=on_time, quality=part(figures.quality), delayed=max(done - on_time, Fraction(0)),
        exceeded=Fraction(figures.exceeded) / planned,
    )  # fmt: skip


def _pct(value: Fraction) -> str:
    return f"{explain.num(value * 100, 2)}%"


def _shortfalls(level: Classification, shares: AgencyShares, figures: AgencyFigures, rules: AgencyRules) -> list[str]:
    """Why ``level``'s conditions do not hold (empty: they hold)."""
    found: list[str] = []
    if level in (Classification.HOAN_THANH_XUAT_SAC, Classification.HOAN_THANH_TOT):
        if shares.on_time < 1:
            found.append(f"chỉ {_pct(shares.on_time)} khối lượng được giao hoàn thành đúng tiến độ (yêu cầu 100%)")
        if shares.quality < 1:
            found.append(f"chỉ {_pct(shares.quality)} khối lượng được giao đạt chất lượng (yêu cầu 100%)")
    if level is Classification.HOAN_THANH_XUAT_SAC:
        if shares.exceeded < Fraction(rules.excellent_exceeded_share):
            found.append(
                f"khối lượng vượt kế hoạch {_pct(shares.exceeded)} "
                f"(yêu cầu từ {explain.pct(rules.excellent_exceeded_share)})"
            )
        if figures.failing_units:
            found.append("có đơn vị trực thuộc không hoàn thành nhiệm vụ: " + ", ".join(figures.failing_units))
    if level is Classification.HOAN_THANH:
        if shares.done < 1:
            found.append(f"chỉ hoàn thành {_pct(shares.done)} khối lượng được giao (yêu cầu 100%)")
        if shares.delayed > Fraction(rules.pass_max_delayed_share):
            found.append(
                f"{_pct(shares.delayed)} khối lượng hoàn thành chậm tiến độ "
                f"(tối đa {explain.pct(rules.pass_max_delayed_share)})"
            )
    return found


_LEVELS = (
    Classification.HOAN_THANH_XUAT_SAC,
    Classification.HOAN_THANH_TOT,
    Classification.HOAN_THANH,
    Classification.KHONG_HOAN_THANH,
)


def score_agency(figures: AgencyFigures, params: RuleParams) -> AgencyOutcome:
    """The agency's task score, total and level, with the reasons and the explanation.

    Raises ``ScoringInputError`` (``INVALID_INPUT``) naming every bad field.
    """
    rules = params.agency
    errors = agency_errors(figures, params)
    if errors:
        raise ScoringInputError(INVALID_INPUT, errors)
    places = params.rounding_places
    exact_task = Fraction(params.task_max) * Fraction(figures.task_percent) / 100
    task_score = round_half_up(exact_task, places)
    total = round_half_up(Fraction(figures.general_score) + exact_task, places)
    by_score = band(total, params)
    shares = shares_of(figures)
    reasons: list[str] = []
    start = _LEVELS.index(by_score)
    if shares.done < Fraction(rules.fail_below_done_share):
        start = _LEVELS.index(Classification.KHONG_HOAN_THANH)
        reasons.append(
            f"Chỉ hoàn thành {_pct(shares.done)} khối lượng được giao, dưới "
            f"{explain.pct(rules.fail_below_done_share)}: «{explain.label(Classification.KHONG_HOAN_THANH)}»."
        )
    # The highest level at or below the band whose conditions hold; «không hoàn thành» has none.
    level = Classification.KHONG_HOAN_THANH
    for candidate in _LEVELS[start:-1]:
        missing = _shortfalls(candidate, shares, figures, rules)
        if not missing:
            level = candidate
            break
        reasons.append(f"Chưa đủ điều kiện «{explain.label(candidate)}»: " + "; ".join(missing) + ".")
    lines = (
        f"Điểm tiêu chí chung: {explain.num(figures.general_score)}/{explain.num(params.general_max)}.",
        f"Kết quả thực hiện nhiệm vụ: {explain.num(params.task_max)} × {explain.num(figures.task_percent, places)}%"
        f" = {explain.num(task_score)} điểm.",
        f"Tổng điểm: {explain.num(figures.general_score)} + {explain.num(task_score)} = {explain.num(total)}"
        f" → theo điểm «{explain.label(by_score)}».",
        f"Khối lượng được giao: hoàn thành {_pct(shares.done)}, đúng tiến độ {_pct(shares.on_time)}, "
        f"đạt chất lượng {_pct(shares.quality)}, chậm {_pct(shares.delayed)}, vượt kế hoạch {_pct(shares.exceeded)}.",
        *reasons,
        f"Xếp loại: «{explain.label(level)}»{explain.cite(rules.citation)}.",
    )
    return AgencyOutcome(task_score, total, by_score, level, shares, tuple(reasons), lines)


# ---------------------------------------------------------------------------- the quota


@dataclass(frozen=True)
class AgencyQuotaEntry:
    id: str
    total: Decimal
    task_score: Decimal
    classification: Classification


@dataclass(frozen=True)
class AgencyQuotaOutcome:
    candidates: int
    good: int
    limit: int
    rate: Decimal
    explanation: str
    results: tuple[tuple[str, Classification, str], ...]  # (id, level, reason when demoted)


def agency_quota(
    entries: Sequence[AgencyQuotaEntry], params: RuleParams, *, outstanding: bool = False
) -> AgencyQuotaOutcome:
    """Cap the agencies rated «xuất sắc» within one authority's scope (ND 233 Điều 7 khoản 7).

    E ≤ floor(rate × G) where G counts the agencies at «tốt» after the demotions (the rule
    set's quota reading, as for people); fewer than ``small_scope_below`` agencies → at
    most ``small_scope_most``. Candidates are ranked by total, then task score, then input
    order; those past the limit become «tốt» with the computation as the reason.
    """
    rules = params.agency
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if entry.id in seen:
            path = join(join("agencies", index), "id")
            raise ScoringInputError(INVALID_INPUT, [(path, f'Mã "{entry.id}" bị trùng.')])
        seen.add(entry.id)
    rate = rules.quota_exception_rate if outstanding else rules.quota_rate
    indexed = list(enumerate(entries))
    candidates = sorted(
        (pair for pair in indexed if pair[1].classification is Classification.HOAN_THANH_XUAT_SAC),
        key=lambda pair: (-pair[1].total, -pair[1].task_score, pair[0]),
    )
    good = sum(1 for entry in entries if entry.classification is Classification.HOAN_THANH_TOT)
    small = len(entries) < rules.small_scope_below
    if small:
        limit = min(len(candidates), rules.small_scope_most)
        formula = (
            f"{len(entries)} cơ quan, đơn vị được đánh giá (dưới {rules.small_scope_below}): "
            f"tối đa {rules.small_scope_most} «{explain.label(Classification.HOAN_THANH_XUAT_SAC)}»"
        )
    else:
        limit = quota_limit(len(candidates), good, rate, params.quota_reading)
        formula = (
            f"{len(candidates)} đề nghị «{explain.label(Classification.HOAN_THANH_XUAT_SAC)}», {good} "
            f"«{explain.label(Classification.HOAN_THANH_TOT)}», tỷ lệ {explain.pct(rate)}"
            f"{' (trường hợp nổi trội)' if outstanding else ''}: giữ tối đa {limit}"
        )
    formula += f"{explain.cite(rules.citation)}."
    demoted = {
        index: f"Vượt tỷ lệ xuất sắc của các cơ quan, đơn vị (xếp thứ {rank}): {formula}"
        for rank, (index, _entry) in enumerate(candidates[limit:], start=limit + 1)
    }
    results = tuple(
        (entry.id, Classification.HOAN_THANH_TOT, demoted[index])
        if index in demoted
        else (entry.id, entry.classification, "")
        for index, entry in indexed
    )
    return AgencyQuotaOutcome(len(candidates), good, limit, rate, formula, results)
