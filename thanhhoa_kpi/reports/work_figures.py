"""Figures of the province monthly report and the quarterly sơ kết (SPEC 6), in the database.

Per top-level unit, per bloc, per month: people appraised, published, counts per
classification, % excellent, average total; work-log lines and hours. Levels, the %
excellent and the average count only the appraisals the unit has decided
(:func:`thanhhoa_kpi.appraisals.cutoff.counted_q`); the others are counted apart as
provisional («tạm tính»), so a draft's "Không hoàn thành nhiệm vụ" is never reported. Each grouping is
one ``values(...).annotate(...)`` query over the scoped appraisals (and one over the
scoped lines); the top-level unit of a row comes from a ``CASE`` on the unit's path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.appraisals import cutoff, states
from thanhhoa_kpi.appraisals.choices import ClassificationChoices, PeriodKind
from thanhhoa_kpi.appraisals.models import Appraisal
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.reports.engine import Column
from thanhhoa_kpi.worklogs.models import WorkLogLine

EXCELLENT = ClassificationChoices.HOAN_THANH_XUAT_SAC.value
OTHER_UNIT = 0
FIGURE_COLUMNS = [
    Column("appraised", "Số người được đánh giá", "number"),
    Column("published", "Số phiếu đã công khai", "number"),
    *[Column(f"n_{code.lower()}", label, "number") for code, label in ClassificationChoices.choices],
    Column("excellent_percent", "Tỷ lệ xuất sắc (%)", "number"),
    Column("average", "Điểm bình quân", "number"),
    Column("provisional", "Số phiếu tạm tính (chưa tính xếp loại)", "number"),
    Column("lines", "Số dòng nhật ký", "number"),
    Column("hours", "Số giờ làm việc", "number"),
]
APPRAISAL_DIMS = {"month": "period__number", "bloc": "period__bloc", "unit": "top"}
LINE_DIMS = {"month": "period__month", "bloc": "unit__bloc", "unit": "top"}


# ----------------------------------------------------------------- top-level units


@dataclass
class TopUnits:
    """The units a report has one row for: the roots of the user's scope (their children
    when the scope has a single root, e.g. the province for a leadership viewer)."""

    units: list[OrgUnit]

    def case(self, path_field: str) -> Case:
        # Longest paths first: a parent kept next to its children matches only its own rows.
        ordered = sorted(self.units, key=lambda unit: -len(unit.path))
        whens = [When(**{f"{path_field}__startswith": unit.path}, then=Value(unit.pk)) for unit in ordered]
        return Case(*whens, default=Value(OTHER_UNIT), output_field=IntegerField())


def top_units(user: Any, *, bloc: str | None = None, within: OrgUnit | None = None) -> TopUnits:
    units = access.scoped(OrgUnit.objects.all(), user)
    if bloc:
        units = units.filter(bloc=bloc)
    if within is not None:
        units = units.filter(path__startswith=within.path)
    rows = list(units.only("id", "path", "depth", "name", "bloc").order_by("path"))
    paths = {unit.path for unit in rows}
    step = OrgUnit.steplen
    roots = [unit for unit in rows if unit.path[:-step] not in paths]
    if len(roots) == 1:
        children = [unit for unit in rows if unit.path[:-step] == roots[0].path]
        if children:
            roots = [*children, roots[0]]
    return TopUnits(roots)


# ----------------------------------------------------------------------- figures


def _classification_q(code: str) -> Q:
    return Q(final_classification=code) | Q(final_classification="", proposed_classification=code)


def _appraisal_aggregates() -> dict[str, Any]:
    counted = cutoff.counted_q()
    out: dict[str, Any] = {
        "appraised": Count("official", distinct=True),
        "published": Count("pk", filter=states.tagged_q(states.PUBLISHED)),
        "counted": Count("pk", filter=counted),
        "provisional": Count("pk", filter=~counted),
        "average": Avg("total", filter=counted),
    }
    for code in ClassificationChoices.values:
        out[f"n_{code}"] = Count("pk", filter=counted & _classification_q(code))
    return out


def _line_aggregates() -> dict[str, Any]:
    return {"lines": Count("pk"), "minutes": Sum("minutes")}


def _grouped(rows: QuerySet, dims: tuple[str, ...], names: dict[str, str], aggregates: dict[str, Any]) -> dict:
    if not dims:
        return {(): rows.aggregate(**aggregates)}
    fields = [names[dim] for dim in dims]
    found = rows.order_by().values(*fields).annotate(**aggregates)
    return {tuple(row[name] for name in fields): row for row in found}


@dataclass
class Figures:
    """Appraisal and work-log figures of some months, grouped by any of month, bloc, unit."""

    appraisals: QuerySet
    lines: QuerySet
    # Built once: the state filters read the workflow definitions.
    aggregates: dict[str, Any] = field(default_factory=_appraisal_aggregates)

    def group(self, *dims: str) -> dict[tuple[Any, ...], list[Any]]:
        first = _grouped(self.appraisals, dims, APPRAISAL_DIMS, self.aggregates)
        second = _grouped(self.lines, dims, LINE_DIMS, _line_aggregates())
        return {key: cells(first.get(key), second.get(key)) for key in {*first, *second}}


def figures(
    user: Any, *, year: int, months: list[int], tops: TopUnits, bloc: str = "", within: OrgUnit | None = None
) -> Figures:
    """The figures of ``months`` of ``year``, of one bloc and one unit's subtree when given."""
    appraisals = access.scoped(Appraisal.objects.all(), user).filter(
        period__kind=PeriodKind.MONTH, period__year=year, period__number__in=months
    )
    lines = access.scoped(WorkLogLine.objects.all(), user).filter(period__year=year, period__month__in=months)
    if bloc:
        appraisals, lines = appraisals.filter(period__bloc=bloc), lines.filter(unit__bloc=bloc)
    if within is not None:
        appraisals = appraisals.filter(unit__path__startswith=within.path)
        lines = lines.filter(unit__path__startswith=within.path)
    return Figures(appraisals.annotate(top=tops.case("unit__path")), lines.annotate(top=tops.case("unit__path")))


def cells(appraisal: dict[str, Any] | None, line: dict[str, Any] | None) -> list[Any]:
    appraisal, line = appraisal or {}, line or {}
    counted = appraisal.get("counted") or 0
    counts = [appraisal.get(f"n_{code}") or 0 for code in ClassificationChoices.values]
    excellent = appraisal.get(f"n_{EXCELLENT}") or 0
    percent = round(Decimal(100 * excellent) / counted, 2) if counted else None
    average = appraisal.get("average")
    minutes = line.get("minutes") or 0
    return [
        appraisal.get("appraised") or 0, appraisal.get("published") or 0, *counts, percent,
        round(Decimal(average), 2) if average is not None else None, appraisal.get("provisional") or 0,
        line.get("lines") or 0, round(Decimal(minutes) / 60, 2),
    ]  # fmt: skip


def empty_cells() -> list[Any]:
    return cells(None, None)
