"""The classification list of a quarter or a year: roll-ups of the published months (SPEC 5.5).

For a period without appraisals of its own (a year, or a quarter of a bloc that monitors
monthly), each official's level is the engine's roll-up
(:func:`thanhhoa_kpi.scoring.rollup`) of their PUBLISHED monitoring appraisals (months,
or quarters weighing their months) inside the period, whatever unit or bloc they were
in then (ND 335 Điều 21, ND 233 Điều 15 khoản 1 điểm a: the new unit classifies on the
average of the monthly or quarterly results the old unit sends). Decisions:

- a month fully covered by leave (:class:`LeavePeriod`) is left out of the mean
  (FULL_LEAVE) and passed on with the kinds of leave covering it, so that the engine
  counts sick and maternity months towards the six-month minimum (ND 233 Điều 14
  khoản 2; rule-set parameter ``min_months_leave_kinds``);
- a month whose appraisal has no assigned work is a month worked, left out of the mean
  only (NO_ASSIGNED_WORK, weighing its months); a month with no published appraisal is
  counted as missing and shown, never guessed;
- a month covered by two published appraisals (a transfer between blocs that monitor
  monthly and quarterly) is counted once, in the appraisal covering fewer months;
- a rule set whose ``edge_cases.transfer_months`` is THIS_BLOC keeps only the months
  monitored in the classifying bloc (:mod:`thanhhoa_kpi.scoring.edge_cases`);
- the disqualifiers recorded in any of those appraisals apply to the roll-up;
- the parameters are those copied into the official's latest published appraisal;
- the quota is applied per group (the latest appraisal's group) to the rolled-up means,
  ranked with the mean task score (the same weighted mean, by the engine), then the head
  cap, as for a single period (:mod:`thanhhoa_kpi.appraisals.quota`);
- a rule set with conditions on the work (QĐ 366-QĐ/TW Điều 11: "tốt" needs 100 % of the
  tasks on time, "hoàn thành" 100 % done with at most 20 % delayed, "xuất sắc" 30 %
  exceeded) is checked against the whole period's work: the reviewed work of the months
  the official's published appraisals stand for, added up per catalogue item as a month
  is (:func:`thanhhoa_kpi.appraisals.batch.month_work`), and the share exceeded that the
  reviewers confirmed, weighted by each appraisal's converted assigned work
  (:func:`thanhhoa_kpi.scoring.exceeded_share_over`). Without this a QĐ 366 year would be
  classified on its mean alone, and never "xuất sắc" (no share confirmed for the year).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.appraisals import quota, states
from thanhhoa_kpi.appraisals.batch import Scope, deduction_of, month_work
from thanhhoa_kpi.appraisals.choices import PeriodKind, ScoreStatus, classification_label
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod
from thanhhoa_kpi.organization.models import LeavePeriod, Official, OrgUnit
from thanhhoa_kpi.scoring import (
    Disqualifier,
    GroupQuota,
    QuotaEntry,
    RollupPeriod,
    RuleParams,
    TaskShares,
    TransferMonths,
    apply_quota,
    exceeded_share_over,
    parse_params,
    rollup,
    summed_shares,
)
from thanhhoa_kpi.scoring import (
    PeriodKind as RollupKind,
)
from thanhhoa_kpi.worklogs.models import WorkPeriod

Month = tuple[int, int]


@dataclass
class ClassificationRow:
    official: Official
    appraisal: Appraisal | None = None  # the period's own appraisal, or the latest rolled up
    months_worked: int = 0
    months_excluded: int = 0
    months_missing: int = 0
    mean: Decimal | None = None
    task_mean: Decimal | None = None
    by_score: str = ""
    after_quota: str = ""
    final: str = ""
    quota_reason: str = ""
    head_cap_reason: str = ""
    disqualifiers: tuple[Disqualifier, ...] = ()
    explanation: list[str] = field(default_factory=list)

    @property
    def classified(self) -> bool:
        return bool(self.by_score)

    @property
    def by_score_label(self) -> str:
        return classification_label(self.by_score)

    @property
    def final_label(self) -> str:
        return classification_label(self.final)


@dataclass(frozen=True)
class ClassificationGroup:
    quota_unit: OrgUnit
    code: str
    label: str
    unit_excellent: bool
    figures: GroupQuota | None


def _month_span(month: Month) -> tuple[date, date]:
    first = date(month[0], month[1], 1)
    following = date(month[0] + month[1] // 12, month[1] % 12 + 1, 1)
    return first, following - timedelta(days=1)


def full_leave_months(leaves: list[tuple[date, date, str]], months: list[Month]) -> dict[Month, tuple[str, ...]]:
    """Months every day of which falls in some leave (overlapping leaves are joined).

    Each is given with the kinds of the leaves that cover it, sorted.
    """
    found = {}
    for month in months:
        first, last = _month_span(month)
        day, kinds = first, set()
        for start, end, kind in sorted(leaves):
            if start <= day <= end:
                day = end + timedelta(days=1)
                kinds.add(kind)
            if day > last:
                found[month] = tuple(sorted(kinds))
                break
    return found


def _covered(appraisal: Appraisal) -> list[Month]:
    return appraisal.period.months()


def _own_months(appraisals: list[Appraisal], leave: Mapping[Month, object]) -> list[list[Month]]:
    """The months each appraisal stands for: not on leave, and each month once only."""
    claimed: set[Month] = set()
    owned: dict[int, list[Month]] = {}
    for index in sorted(range(len(appraisals)), key=lambda i: len(_covered(appraisals[i]))):
        owned[index] = [month for month in _covered(appraisals[index]) if month not in leave and month not in claimed]
        claimed.update(owned[index])
    return [owned[index] for index in range(len(appraisals))]


def _piece(appraisal: Appraisal, worked: list[Month]) -> RollupPeriod | None:
    if not worked:
        return None
    if appraisal.score_status != ScoreStatus.OK or appraisal.total is None:
        return RollupPeriod(total=None, kind=RollupKind.NO_ASSIGNED_WORK, months=len(worked))
    return RollupPeriod(total=appraisal.total, months=len(worked))


def _reads_work(params: RuleParams) -> bool:
    """Whether the rule set's levels need the period's work beside the mean (QĐ 366 Điều 11)."""
    return bool(params.band_conditions) or params.excellent_requires_exceeded_share is not None


def _exceeded_share(appraisals: list[Appraisal], own: list[RollupPeriod | None]) -> Decimal | None:
    """The confirmed shares exceeded of the appraisals that stand for worked months, weighted by their work."""
    parts = [(appraisal.exceeded_share, appraisal.assigned_converted or Decimal(0))
             for appraisal, piece in zip(appraisals, own, strict=True)
             if piece is not None and piece.kind is RollupKind.WORKED]  # fmt: skip
    return exceeded_share_over(parts)


def _roll(
    row: ClassificationRow,
    appraisals: list[Appraisal],
    leave: dict[Month, tuple[str, ...]],
    period: AppraisalPeriod,
    shares: TaskShares | None = None,
) -> None:
    months = period.months()
    covered = {month for appraisal in appraisals for month in _covered(appraisal)}
    owned = _own_months(appraisals, leave)
    own = [_piece(appraisal, worked) for appraisal, worked in zip(appraisals, owned, strict=True)]
    away = [RollupPeriod(None, RollupKind.FULL_LEAVE, leave=leave[month]) for month in months if month in leave]
    pieces = [piece for piece in own if piece is not None] + away
    params = parse_params(appraisals[-1].rule_params) if appraisals else None
    row.months_missing = len([month for month in months if month not in covered and month not in leave])
    if params is None:
        row.explanation = ["Chưa có phiếu đánh giá nào được công khai trong kỳ."]
        return
    codes = sorted({row.code for appraisal in appraisals for row in appraisal.disqualifiers.all()})
    row.disqualifiers = tuple(Disqualifier(code) for code in codes)
    exceeded = _exceeded_share(appraisals, own) if _reads_work(params) else None
    result = rollup(
        pieces, params, annual=period.kind == PeriodKind.YEAR, disqualifiers=row.disqualifiers,
        exceeded_share=exceeded, shares=shares,
    )  # fmt: skip
    row.months_worked, row.mean = result.worked_months, result.mean
    row.months_excluded = len([piece for piece in pieces if piece.kind is not RollupKind.WORKED])
    row.by_score = row.after_quota = row.final = result.classification.value if result.classification else ""
    row.explanation = list(result.explanation)
    tasks = [RollupPeriod(total=a.task_score, months=p.months) for a, p in zip(appraisals, own, strict=True)
             if p is not None and p.kind is RollupKind.WORKED and a.task_score is not None]  # fmt: skip
    if row.classified and tasks:
        row.task_mean = rollup(tasks, params, annual=False).mean


def _monitoring(period: AppraisalPeriod, officials: list[int]) -> dict[int, list[Appraisal]]:
    rows = (
        Appraisal.objects.filter(
            states.tagged_q(states.PUBLISHED),
            official_id__in=officials,
            period__kind__in=[PeriodKind.MONTH, PeriodKind.QUARTER],
            period__start_date__gte=period.start_date,
            period__end_date__lte=period.end_date,
        )  # fmt: skip
        .exclude(period=period)
        .select_related("period", "unit")
        .prefetch_related("disqualifiers")
        .order_by("period__start_date", "pk")
    )
    found: dict[int, list[Appraisal]] = defaultdict(list)
    for appraisal in rows:
        found[appraisal.official_id].append(appraisal)
    return found


def _population(period: AppraisalPeriod, unit: OrgUnit | None, user: Any) -> tuple[list[Official], set[int]]:
    """Officials published in the unit during the period, or posted there now (the whole bloc without a unit).

    Also the ids of those posted there now.
    """
    where = Q(unit__path__startswith=unit.path) if unit is not None else Q(unit__bloc=period.bloc)
    in_unit = Appraisal.objects.filter(
        where, states.tagged_q(states.PUBLISHED), period__bloc=period.bloc, period__start_date__gte=period.start_date,
        period__end_date__lte=period.end_date,
    ).values("official_id")  # fmt: skip
    posted = set(access.current_assignments().filter(where).values_list("official_id", flat=True))
    officials = Official.objects.filter(pk__in=in_unit) | Official.objects.filter(pk__in=posted)
    return list(access.scoped(officials.distinct(), user).order_by("full_name", "code")), posted


def _moved_to_another_bloc(official: Official, appraisals: list[Appraisal], posted: set[int], bloc: str) -> bool:
    """Left the bloc during the period: the new unit classifies the year (ND 335 Điều 21; ND 233 Điều 15)."""
    return official.pk not in posted and bool(appraisals) and appraisals[-1].period.bloc != bloc


def _counted(appraisals: list[Appraisal], bloc: str) -> list[Appraisal]:
    """The appraisals whose months enter the mean: all of them (ND 335 Điều 21), or only
    the classifying bloc's where the rule set's ``edge_cases.transfer_months`` says
    THIS_BLOC (the other bloc's months then show as months without a result)."""
    if not appraisals:
        return appraisals
    edge = parse_params(appraisals[-1].rule_params).edge_cases
    if edge.transfer_months is TransferMonths.THIS_BLOC:
        return [appraisal for appraisal in appraisals if appraisal.period.bloc == bloc]
    return appraisals


def _apply_group(rows: list[ClassificationRow], period: AppraisalPeriod, key: quota.GroupKey) -> ClassificationGroup:
    latest = rows[0].appraisal
    assert latest is not None
    source = quota.excellence_source(latest.quota_unit, period.year)
    excellent = source is not None and source.is_excellent
    scored = [row for row in rows if row.classified]
    params: RuleParams = parse_params(latest.rule_params)
    entries = [
        QuotaEntry(id=str(index), group=latest.quota_group_label or key[1], total=row.mean or Decimal(0),
                   task_score=min(row.task_mean or Decimal(0), row.mean or Decimal(0)),
                   disqualifiers=row.disqualifiers)
        for index, row in enumerate(scored)
    ]  # fmt: skip
    outcome = apply_quota(entries, params, unit_excellent=excellent) if entries else None
    for row, decision in zip(scored, outcome.results if outcome else (), strict=True):
        if decision.demoted:
            row.after_quota = row.final = decision.classification.value
            row.quota_reason = decision.reason or ""
        _cap(row, period)
    figures = outcome.groups[0] if outcome and outcome.groups else None
    return ClassificationGroup(latest.quota_unit, key[1], latest.quota_group_label or key[1], excellent, figures)


def _cap(row: ClassificationRow, period: AppraisalPeriod) -> None:
    if row.appraisal is None or not row.after_quota:
        return
    final, reason, _unit = quota.head_cap(row.appraisal, row.after_quota, period.year)
    if reason:
        row.final, row.head_cap_reason = final, reason


Staying = list[tuple[Official, list[Appraisal], dict[Month, tuple[str, ...]]]]


def _period_shares(staying: Staying) -> dict[int, TaskShares | None]:
    """The shares of the whole period's work, for the officials whose rule set has conditions on it.

    The months are those the official's published appraisals stand for (not on leave);
    officials with the same months are added up together, in one range of ids.
    """
    wanted: dict[tuple[Month, ...], list[tuple[int, RuleParams]]] = defaultdict(list)
    for official, appraisals, leave in staying:
        params = parse_params(appraisals[-1].rule_params) if appraisals else None
        if params is not None and params.band_conditions:
            months = sorted({month for owned in _own_months(appraisals, leave) for month in owned})
            wanted[tuple(months)].append((official.pk, params))
    found: dict[int, TaskShares | None] = {}
    for months, members in wanted.items():
        ids = [pk for pk, _params in members]
        years = WorkPeriod.objects.filter(year__in={year for year, _month in months})
        work_periods = [pk for pk, year, month in years.values_list("pk", "year", "month") if (year, month) in months]
        # One entry per way of deducting: the sums differ only by the rule set's 25 % and cap.
        rules = {str(deduction_of(params)): params for _pk, params in members}
        work = month_work(work_periods, Scope(min(ids), max(ids)), rules)
        for pk, params in members:
            summed = work.get(pk, {}).get(deduction_of(params))
            found[pk] = summed_shares(summed) if summed is not None else None
    return found


def rolled_up(
    period: AppraisalPeriod, unit: OrgUnit | None, user: Any
) -> tuple[list[ClassificationRow], list[ClassificationGroup]]:
    """The roll-up rows of ``unit``'s officials (scoped to ``user``) and the quota per group."""
    officials, posted = _population(period, unit, user)
    found = _monitoring(period, [official.pk for official in officials])
    leaves: dict[int, list[tuple[date, date, str]]] = defaultdict(list)
    for official_id, start, end, kind in LeavePeriod.objects.filter(
        official_id__in=[o.pk for o in officials], start_date__lte=period.end_date, end_date__gte=period.start_date
    ).values_list("official_id", "start_date", "end_date", "kind"):
        leaves[official_id].append((start, end, kind))
    staying = [
        (
            official,
            _counted(found.get(official.pk, []), period.bloc),
            full_leave_months(leaves[official.pk], period.months()),
        )
        for official in officials
        if not _moved_to_another_bloc(official, found.get(official.pk, []), posted, period.bloc)
    ]
    shares = _period_shares(staying)
    rows, grouped = [], defaultdict(list)
    for official, appraisals, leave in staying:
        row = ClassificationRow(official=official, appraisal=appraisals[-1] if appraisals else None)
        _roll(row, appraisals, leave, period, shares.get(official.pk))
        rows.append(row)
        if row.appraisal is not None:
            grouped[quota.key_of(row.appraisal)].append(row)
    groups = [_apply_group(members, period, key) for key, members in sorted(grouped.items())]
    return rows, groups
