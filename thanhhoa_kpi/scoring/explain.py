"""Vietnamese explanation lines: every deduction, exemption, cap and formula, with numbers.

An official, a reviewer and an approver must be able to redo the computation by hand
from these lines (SPEC 5.6 "approvers see the computation"). Numbers are written the
Vietnamese way (decimal comma, dot for thousands) and rounded half-up to the rule set's
places; trailing zeros are dropped ("54,5", "38").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .codes import CLASSIFICATION_LABELS, DISQUALIFIER_LABELS, Classification, Disqualifier, QuotaReading, Role
from .leader import TaskScore, UnitCriteria
from .legal import BandCondition
from .params import PERCENT, RuleParams
from .rounding import exact, round_half_up
from .tasks import Deduction, ItemResult, Ratio, Ratios, TaskShares, TaskSums
from .unit_rules import applied_line

# Places used for a figure printed "as it is" (an input such as a coefficient, or a
# count): inputs are short decimals, so this never cuts a digit anybody typed.
_AS_IS_PLACES = 10
# How many places beyond the rule set's a step may show so that its printed figures
# give its printed result (see :func:`shown_places`).
_EXTRA_PLACES = 6


def num(value: Decimal | Fraction, places: int | None = None) -> str:
    """``value`` in Vietnamese notation; rounded half-up first when ``places`` is given."""
    value = round_half_up(value, _AS_IS_PLACES if places is None else places)
    text = format(value.normalize(), ",f")
    # Python groups with "," and separates decimals with "."; Vietnamese swaps them.
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def pct(value: Decimal) -> str:
    """A rate (0.25) as a percentage ("25%")."""
    return f"{num(value * PERCENT)}%"


def shown_places(places: int, rebuild: Callable[[int], Fraction | None], result: Fraction) -> int | None:
    """The fewest places, from the rule set's, at which a printed step adds up.

    ``rebuild(p)`` redoes the step's arithmetic from its operands rounded to ``p``
    places, as a reader would from the printed line; the printed result is always the
    exact result rounded to ``places``. "67,38% × 70 / 100 = 47,16" would not add up (a
    reader gets 47,17), so such a line shows the operand with more places instead.
    ``None`` when no such places exist (operands like 12,0833… that always round down
    towards a result exactly on a half-unit). ``rebuild(p)`` returns ``None`` when the step
    cannot be redone at ``p`` places (a divisor that prints as 0): a larger ``p`` is tried.
    """
    target = round_half_up(result, places)
    for candidate in range(places, places + _EXTRA_PLACES):
        rebuilt = rebuild(candidate)
        if rebuilt is not None and round_half_up(rebuilt, places) == target:
            return candidate
    return None


def _most(found: int | None, places: int) -> int:
    return places + _EXTRA_PLACES if found is None else found


def shown(value: Fraction, places: int) -> Fraction:
    """``value`` as a line prints it at ``places``: exact, then rounded half-up."""
    return exact(round_half_up(value, places))


def label(classification: Classification) -> str:
    return CLASSIFICATION_LABELS[classification]


def cite(citation: str) -> str:
    """ " (NĐ … Điều …)" after a rule, or nothing for a rule set that cites nothing."""
    return f" ({citation})" if citation else ""


def rule_set_line(params: RuleParams) -> str:
    """The first line of every explanation: which rule set and version scored it, for whom."""
    ref = params.rule_set
    who = f"người được đánh giá: {params.subject}"
    if ref is None:
        return f"Bộ quy tắc chấm điểm: tham số đã chép vào phiếu (không rõ mã, phiên bản); {who}."
    return f"Bộ quy tắc chấm điểm {ref.code} phiên bản {ref.version}: {ref.name}; {who}."


_KIND_WORDS = {
    "quality": ("lỗi chất lượng", "mỗi lỗi", "chất lượng"),
    "progress": ("lần chậm tiến độ", "mỗi lần chậm", "tiến độ"),
}


def deduction_lines(result: ItemResult, kind: str, params: RuleParams) -> list[str]:
    """Lines for one item and one kind: exemption, deduction, cap (ND 335 Điều 14 khoản 2)."""
    deduction: Deduction = result.quality if kind == "quality" else result.progress
    event_word, each_word, points_word = _KIND_WORDS[kind]
    item = result.item
    lines = []
    if deduction.exempt:
        lines.append(
            f"{item.code}: miễn trừ {deduction.exempt} {event_word} do nguyên nhân khách quan "
            "được cấp có thẩm quyền xác nhận, không trừ điểm."
        )
    if deduction.non_exempt:
        lead = f"{deduction.non_exempt} {event_word}, "
        if deduction.non_exempt > 1:
            lead += f"{each_word} "
        k = num(item.coefficient)
        converted = num(deduction.converted, params.rounding_places)
        lines.append(
            f"{item.code}: {lead}trừ {pct(params.deduction_per_event)} của 1 sản phẩm (hệ số {k}); "
            f"điểm {points_word} quy đổi = {k} × ({num(item.completed)} − "
            f"{num(params.deduction_per_event)} × {num(deduction.counted)}) = {converted}."
        )
    if deduction.capped:
        lines.append(
            f"{item.code}: mỗi sản phẩm bị trừ tối đa {params.max_deductions_per_unit} lần "
            f"({num(item.completed)} sản phẩm hoàn thành → tối đa {num(deduction.counted)} lần được tính); "
            f"điểm {points_word} quy đổi không âm."
        )
    return lines


def _sum_line(title: str, terms: Sequence[str], total: Fraction, places: int) -> str:
    result = num(total, places)
    joined = " + ".join(terms)
    # "= 9,5 = 9,5" says nothing twice: show the terms only when they add information.
    if joined in ("", result):
        return f"{title} = {result}."
    return f"{title} = {joined} = {result}."


def sums_lines(sums: TaskSums, params: RuleParams) -> list[str]:
    """The converted sums with their terms (SPEC 5.1)."""
    places = params.rounding_places
    items = sums.items
    lines = []
    for result in items:
        lines.extend(deduction_lines(result, "quality", params))
        lines.extend(deduction_lines(result, "progress", params))
    assigned = [f"{num(r.item.coefficient)} × {num(r.item.assigned)}" for r in items]
    completed = [f"{num(r.item.coefficient)} × {num(r.item.completed)}" for r in items]
    quality = _terms([r.quality.converted for r in items], sums.quality, places)
    progress = _terms([r.progress.converted for r in items], sums.progress, places)
    lines.append(_sum_line("Khối lượng được giao quy đổi (Σ hệ số × số lượng)", assigned, sums.assigned, places))
    lines.append(_sum_line("Khối lượng hoàn thành quy đổi", completed, sums.completed, places))
    lines.append(_sum_line("Khối lượng đạt chất lượng quy đổi", quality, sums.quality, places))
    lines.append(_sum_line("Khối lượng đạt tiến độ quy đổi", progress, sums.progress, places))
    return lines


def _terms(values: Sequence[Fraction], total: Fraction, places: int) -> list[str]:
    """The terms of a sum, with enough places that they add up to the printed total."""
    found = shown_places(places, lambda p: sum((shown(value, p) for value in values), Fraction(0)), total)
    return [num(value, _most(found, places)) for value in values]


def no_assigned_work_line() -> str:
    return (
        "Cảnh báo cho thủ trưởng đơn vị: kỳ này không có công việc được giao (khối lượng được giao "
        "quy đổi = 0) nên không đánh giá được kết quả thực hiện nhiệm vụ và không xếp loại; "
        "đề nghị giao việc cho người này."
    )


def _ratio_line(name: str, amount: Fraction, ratio: Ratio, sums: TaskSums, places: int) -> str:
    assigned = sums.assigned

    def rebuild(p: int) -> Fraction | None:
        # Work assigned worth less than half a unit of p places (0,04 × 0,1 = 0,004) prints as 0 there.
        divisor = shown(assigned, p)
        return shown(amount, p) / divisor * 100 if divisor else None

    at = _most(shown_places(places, rebuild, ratio.raw), places)
    line = f"{name} = {num(amount, at)} / {num(assigned, at)} × 100 = {num(ratio.raw, places)}%"
    if ratio.capped:
        line += f", vượt trần nên lấy {num(ratio.value, places)}%"
    return line + "."


def ratio_lines(sums: TaskSums, ratios: Ratios, params: RuleParams) -> list[str]:
    """a, b, c with their fractions and any cap (ND 335 Điều 14 khoản 2)."""
    places = params.rounding_places
    return [
        _ratio_line("a (số lượng)", sums.completed, ratios.a, sums, places),
        _ratio_line("b (chất lượng)", sums.quality, ratios.b, sums, places),
        _ratio_line("c (tiến độ)", sums.progress, ratios.c, sums, places),
    ]


_UNIT_REASONS = (
    ("d", "có {subject} thuộc phạm vi quản lý không hoàn thành nhiệm vụ"),
    ("đ", "có hạn chế, chậm trễ kéo dài trong tổ chức thực hiện nhiệm vụ"),
    ("e", "có mâu thuẫn, mất đoàn kết nội bộ kéo dài"),
)


def unit_lines(unit: UnitCriteria, params: RuleParams) -> list[str]:
    """Why d, đ or e is below full (ND 335 Điều 15 khoản 3, ND 233 Điều 11 khoản 3)."""
    citation = cite(params.citations.leader_criteria)
    return [
        f"{name} = {num(value)}%: {reason.format(subject=params.subject)}{citation}."
        for (name, reason), value in zip(_UNIT_REASONS, unit.values(), strict=True)
        if value != params.unit_criterion_full
    ]


def task_lines(task: TaskScore, role: Role, params: RuleParams) -> list[str]:
    """Task percent and task score formulas (ND 335 Điều 14, Điều 15)."""
    places = params.rounding_places
    names = "a + b + c" if role is Role.STAFF else "a + b + c + d + đ + e"
    components = task.components
    count = len(components)
    found = shown_places(places, lambda p: sum((shown(v, p) for v in components), Fraction(0)) / count, task.percent)
    values = " + ".join(num(value, _most(found, places)) for value in components)
    # Terms that cannot add up when rounded (12,0833… × 3 on a half-unit) are followed by
    # their exact sum, from which the percent follows.
    total = "" if found is not None else f" = {num(task.percent * count, places + _EXTRA_PLACES)} / {count}"
    scale = exact(params.task_max) / 100
    percent_at = _most(shown_places(places, lambda p: shown(task.percent, p) * scale, task.score), places)
    return [
        f"Tỷ lệ % kết quả thực hiện nhiệm vụ = ({names}) / {count} = ({values}) / {count}{total} "
        f"= {num(task.percent, places)}%.",
        f"Điểm kết quả thực hiện nhiệm vụ = {num(task.percent, percent_at)}% × {num(params.task_max)} / 100 "
        f"= {num(task.score, places)} (tối đa {num(params.task_max)}).",
    ]


def unit_rules_lines(params: RuleParams) -> list[str]:
    """The unit's own approved rules the copy carries (ND 233 Điều 12 khoản 5), if any."""
    line = applied_line(params)
    return [line] if line else []


def general_line(score: Decimal, groups: Sequence[Decimal], params: RuleParams) -> str:
    """The general score (ND 335 Điều 12 khoản 2)."""
    places = params.rounding_places
    terms = " + ".join(num(value) for value in groups)
    middle = f"{terms} = " if groups else ""
    citation = params.citations.general
    limit = f"tối đa {num(params.general_max)}" + (f"; {citation}" if citation else "")
    return f"Điểm tiêu chí chung = {middle}{num(score, places)} ({limit})."


def total_line(general: Decimal, task: Fraction, total: Fraction, places: int) -> str:
    """General + task score; the task score shows the places that make the sum add up."""
    at = _most(shown_places(places, lambda p: shown(exact(general), p) + shown(task, p), total), places)
    return f"Tổng điểm = {num(general, at)} + {num(task, at)} = {num(total, places)}."


def band_line(band: Classification, total: Decimal, params: RuleParams) -> str:
    """Which band of ND 335 Điều 20 the rounded total falls in."""
    t = num(total)
    bounds = {
        Classification.HOAN_THANH_XUAT_SAC: f"{t} ≥ {num(params.threshold_excellent)}",
        Classification.HOAN_THANH_TOT: f"{num(params.threshold_good)} ≤ {t} < {num(params.threshold_excellent)}",
        Classification.HOAN_THANH: f"{num(params.threshold_pass)} ≤ {t} < {num(params.threshold_good)}",
        Classification.KHONG_HOAN_THANH: f"{t} < {num(params.threshold_pass)}",
    }
    citation = params.citations.classification
    where = f"; {citation}" if citation else ""
    return f"Xếp loại theo điểm: {label(band)} ({bounds[band]}{where})."


def _disqualifier_citation(code: Disqualifier, params: RuleParams) -> str:
    citations = params.citations
    return {
        Disqualifier.DEGRADATION: citations.degradation,
        Disqualifier.DISCIPLINE: citations.discipline,
        Disqualifier.UNIT_CORRUPTION: citations.unit_corruption,
        Disqualifier.UNIT_CORRUPTION_REPORTED: citations.unit_corruption,
    }[code]


def mitigated_line(code: Disqualifier, params: RuleParams) -> str:
    """A reported case the rule set does not hold against the leader (ND 233)."""
    return (
        f"Có căn cứ: {DISQUALIFIER_LABELS[code]}; được xem xét giảm nhẹ, không bắt buộc xếp không hoàn thành"
        f"{cite(params.corruption_reported.citation)}."
    )


def disqualifier_lines(disqualifiers: Sequence[Disqualifier], total: Decimal, params: RuleParams) -> list[str]:
    """ND 335 Điều 20 khoản 4, ND 233 Điều 12 khoản 4: one line per fact, then the result."""
    lines = [
        f"Căn cứ xếp loại không hoàn thành: {DISQUALIFIER_LABELS[code]}{cite(_disqualifier_citation(code, params))}."
        for code in disqualifiers
    ]
    lines.append(f"Xếp loại: {label(Classification.KHONG_HOAN_THANH)}, không xét theo tổng điểm {num(total)}.")
    return lines


def exceeded_share_line(share: Decimal | None, required: Decimal, params: RuleParams) -> str:
    """QĐ 366-QĐ/TW Điều 11: excellent also needs a confirmed share of tasks exceeded."""
    found = "chưa được xác nhận" if share is None else f"được xác nhận {pct(share)}"
    return (
        f"Đủ điểm xuất sắc nhưng tỷ lệ nhiệm vụ vượt mức {found}, dưới mức yêu cầu {pct(required)}"
        f"{cite(params.citations.band_conditions)}: xếp loại tối đa {label(Classification.HOAN_THANH_TOT)}."
    )


def _share(value: Fraction | Decimal) -> str:
    return f"{num(exact(value) * 100, 2)}%"


def condition_line(
    level: Classification, condition: BandCondition, shares: TaskShares, lower: Classification, params: RuleParams
) -> str:
    """QĐ 366-QĐ/TW Điều 11: the score reaches ``level`` but its other conditions do not."""
    quality = ""
    if condition.max_failed_share is not None:
        quality = f", {_share(shares.failed)} chưa bảo đảm chất lượng (tối đa {_share(condition.max_failed_share)})"
    return (
        f"Điểm đạt mức {label(level)} nhưng chưa đủ điều kiện kèm theo: đã hoàn thành {_share(shares.done)} "
        f"khối lượng được giao (yêu cầu từ {_share(condition.min_done_share)}), {_share(shares.delayed)} chậm "
        f"tiến độ (tối đa {_share(condition.max_delayed_share)}){quality}{cite(params.citations.band_conditions)}: "
        f"xếp loại thấp hơn, {label(lower)}."
    )


def period_work_line(shares: TaskShares, exceeded: Decimal | None, params: RuleParams) -> str:
    """QĐ 366-QĐ/TW Điều 11 on a quarter or a year: its conditions read the whole period's work."""
    found = "chưa được xác nhận" if exceeded is None else _share(exceeded)
    return (
        f"Công việc cả kỳ: đã hoàn thành {_share(shares.done)} khối lượng được giao, {_share(shares.delayed)} "
        f"chậm tiến độ; tỷ lệ nhiệm vụ vượt mức {found} (bình quân các kỳ theo khối lượng được giao quy đổi)"
        f"{cite(params.citations.band_conditions)}."
    )


def final_line(classification: Classification) -> str:
    return f"Xếp loại: {label(classification)}."


@dataclass(frozen=True)
class QuotaFigures:
    """The numbers of one group's quota computation (SPEC 5.6)."""

    group: str
    candidates: int
    good: int
    limit: int
    rate: Decimal
    reading: QuotaReading
    exception: bool
    citation: str
    # Members of a group small enough for the rule set's allowance (0: none applied).
    small_group: int = 0
    small_group_below: int = 0


def quota_formula(figures: QuotaFigures) -> str:
    """The quota computation of SPEC 5.6, as the approver sees it."""
    c, g, rate = figures.candidates, figures.good, pct(figures.rate)
    if figures.reading is QuotaReading.FINAL_GOOD:
        formula, basis = f"floor({rate} × ({g} + {c} − E))", "số hoàn thành tốt sau khi điều chỉnh"
    else:
        formula, basis = f"floor({rate} × ({g} + {c}))", "số hoàn thành tốt trở lên trước khi điều chỉnh"
    extra = "; tỷ lệ ngoại lệ vì đơn vị được xếp loại hoàn thành xuất sắc" if figures.exception else ""
    small = ""
    if figures.small_group:
        small = (
            f" Nhóm chỉ có {figures.small_group} người (dưới {figures.small_group_below}): theo bộ quy tắc, "
            f"nhóm nhỏ được tối đa 1 người xuất sắc khi tỷ lệ không cho người nào."
        )
    return (
        f'Nhóm "{figures.group}": {c} người đủ điểm xuất sắc, {g} người hoàn thành tốt; '
        f"số xuất sắc tối đa là E lớn nhất với E ≤ {formula} ({basis}{extra}): E = {figures.limit}.{small}"
    )


def quota_reason(figures: QuotaFigures, rank: int) -> str:
    """Why one candidate was moved down to HOAN_THANH_TOT (ND 335 Điều 20 khoản 5, ND 233 Điều 12 khoản 6)."""
    return (
        f"Xếp thứ {rank}/{figures.candidates} trong số người đủ điểm xuất sắc, vượt số lượng tối đa "
        f"{figures.limit}. {quota_formula(figures)} Chuyển xuống {label(Classification.HOAN_THANH_TOT)}"
        f"{cite(figures.citation)}."
    )


def head_cap_reason(head: Classification, unit: Classification, params: RuleParams) -> str:
    """Why a head was capped at the unit's level (ND 233/2026/NĐ-CP Điều 12 khoản 7)."""
    return (
        f"Người đứng đầu không được xếp loại cao hơn đơn vị (đơn vị: {label(unit)}): "
        f"hạ từ {label(head)} xuống {label(unit)}{cite(params.citations.head_not_above_unit)}."
    )


def rollup_mean_line(totals: Sequence[tuple[Decimal, int]], mean: Decimal, months: int, places: int) -> str:
    """The mean of the worked periods, weighted by their worked months."""
    if all(weight == 1 for _, weight in totals):
        terms = " + ".join(num(total) for total, _ in totals)
    else:
        terms = " + ".join(f"{num(total)} × {weight}" for total, weight in totals)
    return f"Điểm bình quân = ({terms}) / {months} = {num(mean, places)} ({months} tháng thực tế làm việc)."


def excluded_line(excluded: int) -> str:
    return f"Không tính {excluded} kỳ nghỉ trọn kỳ hoặc không được giao việc."


def not_classified_line(months: int, minimum: int, citation: str) -> str:
    """Fewer worked months than the rule set's minimum (ND 233/2026/NĐ-CP Điều 14 khoản 1)."""
    return (
        f"Không xếp loại: thời gian thực tế làm việc {months} tháng, dưới mức tối thiểu {minimum} tháng"
        f"{cite(citation)}."
    )
