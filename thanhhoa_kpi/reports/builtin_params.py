"""The filter bar of a built-in report: one picker per parameter, its options in the user's scope.

Each parameter of a :class:`~thanhhoa_kpi.reports.builtin.BuiltinReport` has a kind
(``report.kinds[name]``, else the name itself): a unit picked by name among the units the
user may read, a bloc, an appraisal period the user sees, a work month, a year, a month,
a quarter, an official in scope, the grouping of the hours report, a job position, or how
the competency gap report is built. The values are the strings the reports read from the
query string, so the page and its exports (same query string) run the same report. Units
and officials are listed up to :data:`MAX_OPTIONS`; picking a bloc (or a unit) first
narrows the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from thanhhoa_kpi.accounts import access

MAX_OPTIONS = 2000
Options = list[tuple[str, str]]


@dataclass(frozen=True)
class ParamField:
    name: str
    label: str
    options: Options
    value: str
    blank: str | None = None  # the label of "no choice", when one is allowed
    note: str = ""


def _units(user: Any, params: dict[str, Any]) -> Options:
    from thanhhoa_kpi.organization.models import OrgUnit

    units = access.scoped(OrgUnit.objects.all(), user)
    bloc = str(params.get("bloc") or "")
    if bloc:
        units = units.filter(bloc=bloc)
    rows = list(units.only("id", "name", "depth").order_by("path")[: MAX_OPTIONS + 1])
    top = min((unit.depth for unit in rows), default=1)
    # Indented under their parent (the list follows the tree), so same-named units stay apart.
    return [(str(unit.pk), "\u2003" * (unit.depth - top) + unit.name) for unit in rows]


def _blocs(user: Any, params: dict[str, Any]) -> Options:
    from thanhhoa_kpi.organization.choices import Bloc

    return [(str(code), str(label)) for code, label in Bloc.choices]


def _appraisal_periods(user: Any, params: dict[str, Any]) -> Options:
    from thanhhoa_kpi.appraisals.selectors import period_list

    periods = period_list(user=user, bloc=str(params.get("bloc") or "") or None)
    return [(str(p.pk), f"{p.label} — {p.get_bloc_display()}") for p in periods.order_by("-end_date", "-pk")[:500]]


def _recent_months(count: int = 24) -> list[tuple[int, int]]:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1
    return [(i // 12, i % 12 + 1) for i in range(index, index - count, -1)]


def _work_months(user: Any, params: dict[str, Any]) -> Options:
    from thanhhoa_kpi.worklogs.models import WorkPeriod

    months = set(_recent_months()) | set(WorkPeriod.objects.values_list("year", "month"))
    return [(f"{year}-{month:02d}", f"Tháng {month:02d}/{year}") for year, month in sorted(months, reverse=True)]


def _years(user: Any, params: dict[str, Any]) -> Options:
    year = timezone.localdate().year
    return [(str(y), str(y)) for y in range(year + 1, year - 6, -1)]


def _months(user: Any, params: dict[str, Any]) -> Options:
    return [(str(m), f"Tháng {m}") for m in range(1, 13)]


def _quarters(user: Any, params: dict[str, Any]) -> Options:
    return [(str(q), f"Quý {q}") for q in range(1, 5)]


def _officials(user: Any, params: dict[str, Any]) -> Options:
    from thanhhoa_kpi.organization.models import Official, OrgUnit

    officials = access.scoped(Official.objects.all(), user)
    unit_id = str(params.get("unit") or "")
    unit = access.scoped(OrgUnit.objects.filter(pk=int(unit_id)), user).first() if unit_id.isdecimal() else None
    if unit is not None:
        held = access.current_assignments().filter(unit__path__startswith=unit.path)
        officials = officials.filter(pk__in=held.values("official_id"))
    rows = officials.order_by("full_name", "code").values_list("pk", "full_name", "code")[: MAX_OPTIONS + 1]
    return [(str(pk), f"{name} ({code})") for pk, name, code in rows]


def _positions(user: Any, params: dict[str, Any]) -> Options:
    """Job positions that require competencies (of the chosen bloc)."""
    from thanhhoa_kpi.organization.models import JobPosition

    positions = JobPosition.objects.filter(requirements__isnull=False).distinct()
    bloc = str(params.get("bloc") or "")
    if bloc:
        positions = positions.filter(bloc=bloc)
    rows = positions.order_by("name", "code").values_list("pk", "name", "code")[: MAX_OPTIONS + 1]
    return [(str(pk), f"{name} ({code})") for pk, name, code in rows]


def _gap_modes(user: Any, params: dict[str, Any]) -> Options:
    from thanhhoa_kpi.reports.builtin_competencies import MODES

    return list(MODES.items())


def _by(user: Any, params: dict[str, Any]) -> Options:
    return [("official", "Từng người"), ("unit", "Từng đơn vị")]


def _today(part: str) -> str:
    today = timezone.localdate()
    return {
        "year": str(today.year),
        "month": str(today.month),
        "quarter": str((today.month - 1) // 3 + 1),
        "work_month": f"{today.year}-{today.month:02d}",
    }[part]


# kind → (options, the label of "no choice" or None when a value is always chosen, its default)
KINDS: dict[str, tuple[Any, str | None, Any]] = {
    "unit": (_units, "Tất cả đơn vị trong phạm vi", None),
    "bloc": (_blocs, "Tất cả các khối", None),
    "appraisal_period": (_appraisal_periods, "Kỳ gần nhất có phiếu đánh giá", None),
    "work_month": (_work_months, None, lambda: _today("work_month")),
    "year": (_years, None, lambda: _today("year")),
    "month": (_months, None, lambda: _today("month")),
    "quarter": (_quarters, None, lambda: _today("quarter")),
    "official": (_officials, "Mặc định (tôi, hoặc cả đơn vị đã chọn)", None),
    "by": (_by, None, lambda: "official"),
    "position": (_positions, "Tất cả vị trí việc làm", None),
    "gap_mode": (_gap_modes, None, lambda: "assessed"),
}


def param_fields(report: Any, user: Any, params: dict[str, Any]) -> list[ParamField]:
    """The pickers of ``report``'s filter bar, each with the value now in force selected."""
    out = []
    for name, label in report.params.items():
        kind = report.kinds.get(name, name)
        if kind not in KINDS:
            continue
        build, blank, default = KINDS[kind]
        options = build(user, params)
        note = ""
        if len(options) > MAX_OPTIONS:
            options = options[:MAX_OPTIONS]
            note = f"Chỉ liệt kê {MAX_OPTIONS} mục đầu; hãy chọn khối hoặc đơn vị trước để thu hẹp."
        value = str(params.get(name) or "") or (default() if default else "")
        out.append(ParamField(name, label, options, value, blank, note))
    return out
