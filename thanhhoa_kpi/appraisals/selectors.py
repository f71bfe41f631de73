"""Reads of the appraisals app, always through the scoped access door (SPEC 2).

The desk, the API and the reports call these. Report hooks (plain data, no HTTP):

- :func:`unit_summary` — counts by state and level, average total, one row per person
  (the "bảng tổng hợp đánh giá" of a unit for a period);
- :func:`unit_summary_form_context` and :func:`appraisal_form_context` — the contexts of
  :func:`thanhhoa_kpi.reports.pdf.unit_summary_pdf` and ``appraisal_form_pdf``;
- :func:`classification_list` — the (annual) classification list with the quota check;
- :func:`quota_view` — the authority's view of the quota and head-versus-unit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Q, QuerySet

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.appraisals import agency, quota, rights, rollups, states
from thanhhoa_kpi.appraisals.choices import (
    ClassificationChoices,
    PeriodKind,
    classification_label,
)
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod, UnitAppraisal
from thanhhoa_kpi.customfields.services import custom_display
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.scoring import parse_params

LIST_RELATED = ("official", "unit", "period", "workflow", "position")


def appraisal_list(
    *, user: Any, period: Any = None, unit: OrgUnit | None = None, state: str | None = None,
    classification: str | None = None,
) -> QuerySet[Appraisal]:  # fmt: skip
    """Appraisals the user may read; ``unit`` includes its sub-units."""
    rows = access.scoped(Appraisal.objects.select_related(*LIST_RELATED), user)
    if period is not None:
        rows = rows.filter(period=period)
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    if state:
        rows = rows.filter(state=state)
    if classification:
        rows = rows.filter(
            Q(final_classification=classification) | Q(final_classification="", proposed_classification=classification)
        )
    return rows


def appraisals_of_month(rows: QuerySet[Appraisal], *, year: int, month: int) -> QuerySet[Appraisal]:
    """The appraisals of the month periods (every bloc) of ``year``/``month``."""
    return rows.filter(period__kind=PeriodKind.MONTH, period__year=year, period__number=month)


def appraisal_get(*, user: Any, pk: Any) -> Appraisal:
    """One appraisal in the user's scope (404 otherwise)."""
    return access.access_object(user, Appraisal, pk)


def my_appraisals(*, user: Any) -> QuerySet[Appraisal]:
    official_id = access.scope_for(user).official_id
    if official_id is None:
        return Appraisal.objects.none()
    return appraisal_list(user=user).filter(official_id=official_id)


def period_list(*, user: Any, bloc: str | None = None) -> QuerySet[AppraisalPeriod]:
    rows = access.scoped(AppraisalPeriod.objects.all(), user)
    return rows.filter(bloc=bloc) if bloc else rows


def units_for(*, user: Any, period: AppraisalPeriod) -> QuerySet[OrgUnit]:
    """Units of the period's bloc the user may read that hold appraisals of the period."""
    ids = access.scoped(Appraisal.objects.filter(period=period), user).values("unit_id")
    roots = OrgUnit.objects.filter(pk__in=ids)
    step = OrgUnit.steplen
    paths = {path[:end] for path in roots.values_list("path", flat=True) for end in range(step, len(path) + 1, step)}
    units = OrgUnit.objects.filter(path__in=paths, bloc=period.bloc)
    return access.scoped(units, user)


# ------------------------------------------------------------------------ quota view


@dataclass
class QuotaView:
    period: AppraisalPeriod
    unit: OrgUnit
    groups: list[quota.GroupDecision]
    batch: list[Appraisal]
    heads: list[tuple[Appraisal, UnitAppraisal | None, quota.MemberDecision | None]]
    can_publish: bool
    blocking: list[str] = field(default_factory=list)
    # False for a month or quarter the rule set does not bind: the quota is a preview.
    binding: bool = True

    @property
    def demoted(self) -> list[quota.MemberDecision]:
        return [m for g in self.groups for m in g.members if m.demoted and states.awaits_approval(m.appraisal)]

    @property
    def waiting(self) -> int:
        return sum(len(group.waiting) for group in self.groups)


def quota_view(*, period: AppraisalPeriod, unit: OrgUnit, user: Any) -> QuotaView:
    """Per group of the unit: C, G, the limit E, the ranking, who would be demoted; and heads vs unit."""
    rows = list(appraisal_list(user=user, period=period, unit=unit))
    groups = list(quota.decide_groups(period, rows).values())
    decisions = {member.appraisal.pk: member for group in groups for member in group.members}
    heads = [
        (
            row,
            UnitAppraisal.objects.filter(agency.decided_q(), unit_id=row.unit_id, year=period.year).first(),
            decisions.get(row.pk),
        )  # fmt: skip
        for row in rows
        if row.leadership_role == "HEAD"
    ]
    batch = [row for row in rows if states.awaits_approval(row) and row.official.user_id != user.pk]
    blocking = [
        f"Nhóm «{group.label}»: {member.appraisal.official.full_name} đã công khai nhưng nay vượt tỷ lệ."
        for group in groups
        for member in group.conflicts
    ]
    if not batch:
        blocking.append("Không có phiếu nào đang chờ công khai.")
    allowed = rights.is_bloc_authority(user, period.bloc)
    binding = any(quota.binding(row) for row in batch) if batch else True
    if not binding:  # a conflict with an earlier publication only matters where the quota binds
        blocking = [reason for reason in blocking if reason.startswith("Không có phiếu")]
    return QuotaView(period, unit, groups, batch, heads, allowed and not blocking, blocking, binding)


# ----------------------------------------------------------------- classification list


@dataclass
class ClassificationList:
    period: AppraisalPeriod
    unit: OrgUnit | None
    rows: list[rollups.ClassificationRow]
    groups: list[rollups.ClassificationGroup]
    rolled_up: bool
    deadline: date | None = None

    def counts(self) -> dict[str, int]:
        found = Counter(row.final for row in self.rows if row.final)
        return {code: found.get(code, 0) for code in ClassificationChoices.values}

    def labelled_counts(self) -> list[tuple[str, int]]:
        return [(classification_label(code), count) for code, count in self.counts().items()]


def _own_rows(period: AppraisalPeriod, unit: OrgUnit | None, user: Any) -> ClassificationList:
    appraisals = list(appraisal_list(user=user, period=period, unit=unit))
    decided = quota.decide_groups(period, appraisals)
    members = {member.appraisal.pk: member for group in decided.values() for member in group.members}
    rows = []
    for appraisal in appraisals:
        member = members.get(appraisal.pk)
        final = appraisal.final_classification if states.is_published(appraisal) else (member.final if member else "")
        rows.append(
            rollups.ClassificationRow(
                official=appraisal.official,
                appraisal=appraisal,
                mean=appraisal.total,
                task_mean=appraisal.task_score,
                by_score=appraisal.proposed_classification,
                after_quota=member.after_quota if member else "",
                final=final,
                quota_reason=member.quota_reason if member else appraisal.quota_reason,
                head_cap_reason=member.head_cap_reason if member else appraisal.head_cap_reason,
                explanation=list(appraisal.explanation or []),
            )  # fmt: skip
        )
    groups = [
        rollups.ClassificationGroup(g.quota_unit, g.code, g.label, g.unit_excellent, None) for g in decided.values()
    ]
    return ClassificationList(period, unit, rows, groups, rolled_up=False)


def classification_list(*, period: AppraisalPeriod, unit: OrgUnit | None, user: Any) -> ClassificationList:
    """The classification list of ``unit`` for ``period``, with the quota check.

    A period with appraisals of its own lists them (level by score, after the quota and
    the head cap); a year, or a quarter without its own appraisals, rolls up the
    published months (:mod:`thanhhoa_kpi.appraisals.rollups`). Without ``unit``: the
    whole bloc, as far as the user's scope reaches.
    """
    if period.kind == PeriodKind.MONTH or period.appraisals.exists():
        return _own_rows(period, unit, user)
    rows, groups = rollups.rolled_up(period, unit, user)
    deadline = None
    sample = next((row.appraisal for row in rows if row.appraisal is not None), None)
    if sample is not None and period.kind == PeriodKind.YEAR:
        params = parse_params(sample.rule_params)
        deadline = date(period.year, params.classification_deadline_month, params.classification_deadline_day)
    return ClassificationList(period, unit, rows, groups, rolled_up=True, deadline=deadline)


# --------------------------------------------------------------------- report hooks


def summary_row(appraisal: Appraisal) -> dict[str, Any]:
    return {
        "id": appraisal.pk,
        "official_code": appraisal.official.code,
        "full_name": appraisal.official.full_name,
        "unit": appraisal.unit.name,
        "position": appraisal.position.name if appraisal.position_id else "",
        "leadership_role": appraisal.leadership_role,
        "state": appraisal.state,
        "state_label": appraisal.workflow_state_label(),
        "self_score": appraisal.self_general_score,
        "general_score": appraisal.general_score,
        "task_score": appraisal.task_score,
        "score": appraisal.total,
        "score_status": appraisal.score_status,
        "classification": appraisal.classification,
        "classification_label": appraisal.classification_label,
    }


def unit_summary(*, period: AppraisalPeriod, unit: OrgUnit, user: Any) -> dict[str, Any]:
    """Counts by state and level, the average total, and one row per appraisal of the unit."""
    rows = appraisal_list(user=user, period=period, unit=unit)
    items = list(rows)
    levels = Counter(item.classification for item in items if item.classification)
    return {
        "period": period,
        "unit": unit,
        "count": len(items),
        "by_state": dict(Counter(item.state for item in items)),
        "by_classification": {code: levels.get(code, 0) for code in ClassificationChoices.values},
        "not_evaluable": sum(1 for item in items if item.score_status == "NO_ASSIGNED_WORK"),
        "published": sum(1 for item in items if states.is_published(item)),
        "average_total": rows.filter(total__isnull=False).aggregate(value=Avg("total"))["value"],
        "rows": [summary_row(item) for item in items],
    }


def _parent_name(unit: OrgUnit) -> str:
    parent = OrgUnit.objects.get_parent(unit)
    return (parent.name if parent else unit.name).upper()


def unit_summary_form_context(*, period: AppraisalPeriod, unit: OrgUnit, user: Any) -> dict[str, Any]:
    """The context of :func:`thanhhoa_kpi.reports.pdf.unit_summary_pdf` for ``unit`` and ``period``.

    Appraisals the unit has not decided yet (:mod:`thanhhoa_kpi.appraisals.cutoff`) are
    listed with their level marked «tạm tính» and left out of the summary of levels; the
    form states its cut-off.
    """
    from thanhhoa_kpi.appraisals import cutoff

    summary = unit_summary(period=period, unit=unit, user=user)
    scoped = appraisal_list(user=user, period=period, unit=unit)
    counted = set(scoped.filter(cutoff.counted_q()).values_list("pk", flat=True))
    levels = Counter(row["classification"] for row in summary["rows"] if row["id"] in counted)
    total = len(counted) or 1
    head = next((row for row in summary["rows"] if row["leadership_role"] == "HEAD"), None)
    rows = []
    for row in summary["rows"]:
        provisional = row["id"] not in counted
        label = row["classification_label"]
        if provisional and label:
            label = f"{label} ({cutoff.PROVISIONAL})"
        rows.append({key: row[key] for key in ("full_name", "position", "self_score", "score")}
                    | {"classification": label, "provisional": provisional})  # fmt: skip
    return {
        "agency": _parent_name(unit), "unit": unit.name.upper(), "date": None, "period": period.label,
        "rows": rows,
        "summary": [{"label": classification_label(code), "count": levels.get(code, 0),
                     "percent": round(100 * levels.get(code, 0) / total, 2)} for code in ClassificationChoices.values],
        "provisional_count": summary["count"] - len(counted),
        "cutoff": cutoff.cutoff_note(),
        "signers": {"maker": "", "head": head["full_name"] if head else ""},
    }  # fmt: skip


def _groups_for_form(appraisal: Appraisal) -> list[dict[str, Any]]:
    params = parse_params(appraisal.rule_params)
    lines = list(appraisal.criteria.all())
    groups = []
    for group in params.general_groups:
        children = [line for line in lines if line.group_code == group.code]
        groups.append({
            "code": group.code, "title": group.name, "max": group.max_points,
            "self": _sum([line.self_score for line in children]),
            "reviewer": _sum([line.reviewer_score for line in children]),
            "children": [{"code": line.code, "title": line.name, "max": line.max_points, "self": line.self_score,
                          "reviewer": line.reviewer_score} for line in children if line.code != group.code],
        })  # fmt: skip
    return groups


def _sum(values: list[Decimal | None]) -> Decimal | None:
    return None if not values or any(value is None for value in values) else sum(values, Decimal(0))  # type: ignore[arg-type]


def appraisal_form_context(*, appraisal: Appraisal) -> dict[str, Any]:
    """The context of :func:`thanhhoa_kpi.reports.pdf.appraisal_form_pdf` for one appraisal."""
    groups = _groups_for_form(appraisal)
    params = parse_params(appraisal.rule_params)
    full = params.unit_criterion_full if appraisal.is_leader else None
    dd = appraisal.unit_dd if appraisal.unit_dd is not None else full
    e = appraisal.unit_e if appraisal.unit_e is not None else full
    published = appraisal.published_at.date() if appraisal.published_at else None
    head = appraisal.reviewer.get_full_name() if appraisal.reviewer_id else ""
    return {
        "agency": _parent_name(appraisal.unit), "unit": appraisal.unit.name.upper(), "date": published,
        "period": f"{appraisal.period.label}",
        "official": {"full_name": appraisal.official.full_name,
                     "position": appraisal.position.name if appraisal.position_id else "",
                     "unit": appraisal.unit.name},
        # Fields HR admins added (SPEC 7: "the printed forms"): the official's, then the appraisal's.
        # Only the fields owned by a scope holding the appraisal's unit (or province-wide).
        "custom": [pair for pair in custom_display("official", appraisal.official.custom, host=appraisal.unit)
                   + custom_display("appraisal", appraisal.custom, host=appraisal) if pair[1]],
        "is_leader": appraisal.is_leader, "general_criteria": groups,
        "general_total": {"max": params.general_max,
                          "self": appraisal.self_general_score, "reviewer": appraisal.general_score},
        "task": {"a": appraisal.a, "b": appraisal.b, "c": appraisal.c, "d": appraisal.unit_d,
                 "dd": dd, "e": e, "percent": appraisal.task_percent,
                 "score": appraisal.task_score},
        "total": appraisal.total, "classification": appraisal.classification_label,
        "self_comment": appraisal.self_comment, "reviewer_comment": appraisal.reviewer_comment,
        "signers": {"self": appraisal.official.full_name, "reviewer": head or "", "head": ""},
    }  # fmt: skip
