"""Runs a checked report definition in the database, within the caller's scope.

The queryset is always ``access.scoped(model.objects, user)`` (through the source);
grouping and aggregation are one ``values(...).annotate(...)`` query, never a Python loop
over rows. At most :data:`MAX_ROWS` rows come back, with a warning when there are more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Max, Min, Q, QuerySet, Sum

from thanhhoa_kpi.reports.definition import Aggregate, Filter, ReportSpec
from thanhhoa_kpi.reports.registry import SourceField

MAX_ROWS = 5000
BLANK_GROUP = "(Trống)"
FUNCTIONS = {"count": Count, "sum": Sum, "avg": Avg, "min": Min, "max": Max}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str


@dataclass
class ReportResult:
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    chart_data: dict[str, Any] | None = None
    truncated: bool = False
    warning: str = ""
    subtitle: str = ""
    note: str = ""  # what the figures count and as of when, printed under the title
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": [[json_value(v) for v in row] for row in self.rows],
            "chart": self.chart_data,
            "truncated": self.truncated,
            "warning": self.warning,
            "note": self.note,
        }


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Aliases:
    """Short SQL aliases (``f0``, ``f1``...) for fields, whatever their names."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        return self.names.setdefault(name, f"f{len(self.names)}")


def _filter_q(alias: str, flt: Filter) -> Q:
    value, op = flt.value, flt.op
    if op == "isnull":
        blank = Q(**{f"{alias}__isnull": True})
        if flt.field.kind in ("text", "fk", "choice"):
            blank |= Q(**{alias: ""})
        return blank if value else ~blank
    if op == "ne":
        return ~Q(**{alias: value}) | Q(**{f"{alias}__isnull": True})
    # "contains" ignores accents and case, đ = d, like every search (core/search.py).
    lookup = {"eq": "exact", "contains": "fold_contains", "between": "range"}.get(op, op)
    return Q(**{f"{alias}__{lookup}": tuple(value) if op == "between" else value})


def _prepare(spec: ReportSpec, user: Any, alias: _Aliases, shown: list[SourceField]) -> QuerySet:
    """The scoped queryset with shown and aggregated fields annotated, filter-only ones aliased."""
    qs = spec.source.queryset(user)
    annotated = {f.name: f for f in shown}
    annotated.update({a.field.name: a.field for a in spec.aggregates if a.field})
    if annotated:
        qs = qs.annotate(**{alias(n): f.expression() for n, f in annotated.items()})
    only_filtered = {alias(f.field.name): f.field.expression() for f in spec.filters if f.field.name not in annotated}
    if only_filtered:
        qs = qs.alias(**only_filtered)
    for flt in spec.filters:
        qs = qs.filter(_filter_q(alias(flt.field.name), flt))
    return qs


def _aggregate_expr(agg: Aggregate, alias: _Aliases) -> Any:
    if agg.field is None:
        return Count("pk")
    return FUNCTIONS[agg.fn](alias(agg.field.name))


def _order(spec: ReportSpec, alias: _Aliases, agg_alias: dict[str, str]) -> list[str]:
    out = []
    for item in spec.sort:
        name = agg_alias.get(item.key) or alias(item.key)
        out.append(f"-{name}" if item.desc else name)
    return out


def _display(field: SourceField | None, value: Any, grouped: bool) -> Any:
    if field is not None:
        value = field.display(value)
    if grouped and value in (None, ""):
        return BLANK_GROUP
    return value


def _shape(spec: ReportSpec, alias: _Aliases, agg_alias: dict[str, str], rows: list[dict[str, Any]]) -> list[list[Any]]:
    shown = spec.group_by or spec.columns
    out = []
    for row in rows:
        line = [_display(f, row[alias(f.name)], spec.grouped) for f in shown]
        line += [_number(row[agg_alias[a.key]]) for a in spec.aggregates]
        out.append(line)
    return out


def _number(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(round(value, 4)))
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01")) if value.as_tuple().exponent < -2 else value  # type: ignore[operator]
    return value


def _warning(limit: int) -> str:
    count = f"{limit:,}".replace(",", ".")
    return f"Kết quả có hơn {count} dòng; chỉ hiển thị {count} dòng đầu. Hãy thêm bộ lọc hoặc nhóm dữ liệu."


def run_spec(spec: ReportSpec, user: Any, *, title: str = "", limit: int = MAX_ROWS) -> ReportResult:
    alias = _Aliases()
    shown = spec.group_by or spec.columns
    qs = _prepare(spec, user, alias, shown)
    agg_alias = {a.key: f"a{i}" for i, a in enumerate(spec.aggregates)}
    aggs = {agg_alias[a.key]: _aggregate_expr(a, alias) for a in spec.aggregates}
    if not shown:  # one row of totals over everything in scope
        rows = [qs.aggregate(**aggs)]
    else:
        values = qs.values(*[alias(f.name) for f in shown])
        if spec.grouped:
            values = values.annotate(**aggs).order_by(*[alias(f.name) for f in spec.group_by])
        order = _order(spec, alias, agg_alias)
        if order:  # the groups break ties, so equal counts always come out in one order
            values = values.order_by(*order, *[alias(f.name) for f in spec.group_by])
        rows = list(values[: limit + 1])
    truncated = len(rows) > limit
    columns = [Column(f.name, f.label, f.kind) for f in shown]
    columns += [Column(a.key, a.label, a.kind) for a in spec.aggregates]
    result = ReportResult(
        title=title or spec.source.label,
        columns=columns,
        rows=_shape(spec, alias, agg_alias, rows[:limit]),
        truncated=truncated,
        extra={"user": user},
        warning=_warning(limit) if truncated else "",
    )
    result.chart_data = chart_data(spec.chart, result)
    return result


def chart_data(chart: dict[str, str] | None, result: ReportResult) -> dict[str, Any] | None:
    """Labels and values of the chart, taken from the (already limited) result rows."""
    if not chart:
        return None
    keys = [c.key for c in result.columns]
    if chart.get("x") not in keys or chart.get("y") not in keys:
        return None
    x, y = keys.index(chart["x"]), keys.index(chart["y"])
    return {
        "type": chart["type"],
        "x_label": result.columns[x].label,
        "y_label": result.columns[y].label,
        "labels": [str(row[x]) if row[x] not in (None, "") else BLANK_GROUP for row in result.rows[:50]],
        "values": [float(row[y] or 0) for row in result.rows[:50]],
    }
