"""«Đơn vị chậm công khai kết quả» (issue 14, item 6): units late to publish.

For one appraisal period, the units (within the user's scope) whose appraisals were not
all published by the period's approval deadline (``approval_deadline``; ND 335/2025/NĐ-CP
Điều 19: the authority decides and publishes the result): those still unpublished after
the deadline, and those published after it. Each row counts the appraisals by the label
of the state they stand in (labels come from each appraisal's own definition version),
and says how many days late the unit is: until today while any appraisal is unpublished,
else until its last publication. Registered in
:func:`thanhhoa_kpi.reports.builtin_work.register_work_builtins`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.appraisals import selectors as appraisal_selectors
from thanhhoa_kpi.appraisals.choices import DOCTYPE, PeriodKind
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod
from thanhhoa_kpi.appraisals.states import PUBLISHED
from thanhhoa_kpi.organization.choices import Bloc
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.reports.engine import MAX_ROWS, Column, ReportResult
from thanhhoa_kpi.workflow.engine import states_tagged
from thanhhoa_kpi.workflow.models import WorkflowDefinition

TITLE = "Đơn vị chậm công khai kết quả"
COLUMNS = [
    Column("unit", "Đơn vị", "fk"),
    Column("count", "Số phiếu", "number"),
    Column("unpublished", "Chưa công khai", "number"),
    Column("published_late", "Công khai sau hạn", "number"),
    Column("by_state", "Số phiếu theo trạng thái", "text"),
    Column("days_late", "Số ngày chậm", "number"),
]


def _pk(params: dict[str, Any], name: str) -> int | None:
    value = str(params.get(name) or "").strip()
    return int(value) if value.isdecimal() and len(value) <= 12 else None


def _period(user: Any, params: dict[str, Any]) -> AppraisalPeriod | None:
    """The period asked for, else the latest one whose approval deadline has passed."""
    bloc = str(params.get("bloc") or "")
    periods = appraisal_selectors.period_list(user=user, bloc=bloc if bloc in Bloc.values else None)
    pk = _pk(params, "period")
    chosen = periods.filter(pk=pk).first() if pk else None
    if chosen is not None:
        return chosen
    held = access.scoped(Appraisal.objects.all(), user).values("period_id")
    return (
        periods.filter(pk__in=held, approval_deadline__lt=timezone.localdate(), kind__in=PeriodKind.values)
        .order_by("-approval_deadline", "-pk")
        .first()
    )


@dataclass
class _Unit:
    name: str
    count: int = 0
    unpublished: int = 0
    published_late: int = 0
    last_published: date | None = None
    by_state: Counter[str] = field(default_factory=Counter)

    def days_late(self, deadline: date, today: date) -> int:
        end = today if self.unpublished else self.last_published
        return max((end - deadline).days, 0) if end else 0


def _labels() -> dict[int, tuple[set[str], dict[str, str]]]:
    """Per definition version: its published states and the label of each state."""
    found = {}
    for definition in WorkflowDefinition.objects.filter(doctype=DOCTYPE):
        parsed = definition.parsed()
        found[definition.pk] = (set(states_tagged(parsed, PUBLISHED)), {s.code: s.label for s in parsed.states})
    return found


def late_units(user: Any, params: dict[str, Any]) -> ReportResult:
    period = _period(user, params)
    if period is None:
        return ReportResult(title=TITLE, columns=COLUMNS, rows=[], subtitle="Chưa có kỳ đánh giá đã quá hạn phê duyệt.")
    head = f"{period.label} — {period.get_bloc_display()}"
    deadline = period.approval_deadline
    if deadline is None:
        return ReportResult(title=TITLE, columns=COLUMNS, rows=[], subtitle=f"{head}: kỳ chưa đặt hạn phê duyệt.")
    today = timezone.localdate()
    after = timezone.make_aware(datetime.combine(deadline + timedelta(days=1), time.min))
    rows = access.scoped(Appraisal.objects.filter(period=period), user)
    unit_pk = _pk(params, "unit")
    if unit_pk:
        unit = access.scoped(OrgUnit.objects.filter(pk=unit_pk), user).first()
        rows = rows.filter(unit__path__startswith=unit.path) if unit else rows.none()
    groups = rows.values("unit_id", "unit__name", "workflow_id", "state").annotate(
        n=Count("pk"), late=Count("pk", filter=Q(published_at__gte=after)), last=Max("published_at")
    )
    labels = _labels()
    units: dict[int, _Unit] = {}
    for group in groups.order_by():
        published, names = labels.get(group["workflow_id"], (set(), {}))
        unit = units.setdefault(group["unit_id"], _Unit(group["unit__name"]))
        unit.count += group["n"]
        unit.by_state[names.get(group["state"], group["state"])] += group["n"]
        if group["state"] in published:
            unit.published_late += group["late"]
            last = timezone.localdate(group["last"]) if group["last"] else None
            if last and (unit.last_published is None or last > unit.last_published):
                unit.last_published = last
        elif today > deadline:
            unit.unpublished += group["n"]
    late = [u for u in units.values() if u.days_late(deadline, today) > 0]
    late.sort(key=lambda u: (-u.days_late(deadline, today), u.name))
    data = [
        [u.name, u.count, u.unpublished, u.published_late,
         "; ".join(f"{label}: {n}" for label, n in sorted(u.by_state.items())), u.days_late(deadline, today)]
        for u in late
    ]  # fmt: skip
    truncated = len(data) > MAX_ROWS
    subtitle = f"{head} — hạn phê duyệt, công khai {deadline:%d/%m/%Y}"
    if today <= deadline:
        subtitle += " (chưa đến hạn)"
    return ReportResult(
        title=TITLE, columns=COLUMNS, rows=data[:MAX_ROWS], truncated=truncated,
        warning="Chỉ hiển thị 5.000 dòng đầu; hãy chọn một đơn vị." if truncated else "", subtitle=subtitle,
    )  # fmt: skip
