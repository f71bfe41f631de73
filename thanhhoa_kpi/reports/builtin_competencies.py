"""«Báo cáo khoảng cách năng lực» (SPEC 3.4, issue 14 item 4): the competency gap report.

Two modes (parameter ``mode``):

- ``assessed`` (the default): from the approved competency assessments of the year, one
  row per unit, job position and competency: the level required, how many officials were
  assessed, the reviewers' mean level, how many fall below the requirement and the mean
  gap (levels missing, 0 for an official who meets it; :mod:`thanhhoa_kpi.competencies.selectors`);
- ``requirements``: the requirements of each position with the number of officials in
  scope holding it now, and how many of them the year's approved assessments rated and
  found below the requirement.

Rows come through the scoped selectors only (an official sees their own assessment, a
head their unit's, an authority its bloc's). Registered in
:func:`thanhhoa_kpi.reports.builtin.register_org_builtins`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import timezone

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.competencies.models import CompetencyKind, PositionRequirement
from thanhhoa_kpi.competencies.selectors import approved_lines, gap_groups
from thanhhoa_kpi.organization.choices import Bloc
from thanhhoa_kpi.organization.models import Official, OrgUnit
from thanhhoa_kpi.reports.engine import MAX_ROWS, Column, ReportResult

TITLE = "Báo cáo khoảng cách năng lực"
ASSESSED, REQUIREMENTS = "assessed", "requirements"
MODES = {ASSESSED: "Theo kết quả đánh giá năng lực", REQUIREMENTS: "Theo yêu cầu của vị trí và số người đảm nhiệm"}
PARAMS = {"year": "Năm", "unit": "Đơn vị", "bloc": "Khối", "position": "Vị trí việc làm", "mode": "Cách lập"}
KINDS = {"mode": "gap_mode"}

ASSESSED_COLUMNS = [
    Column("unit", "Đơn vị", "fk"), Column("position", "Vị trí việc làm", "fk"),
    Column("competency", "Năng lực", "fk"), Column("kind", "Nhóm năng lực", "choice"),
    Column("required_level", "Cấp độ yêu cầu", "number"), Column("assessed", "Số người đã đánh giá", "number"),
    Column("mean_level", "Cấp độ bình quân (người đánh giá)", "number"),
    Column("below", "Số người chưa đạt yêu cầu", "number"),
    Column("mean_gap", "Khoảng cách bình quân (cấp độ)", "number"),
]  # fmt: skip
REQUIREMENT_COLUMNS = [
    Column("position", "Vị trí việc làm", "fk"), Column("competency", "Năng lực", "fk"),
    Column("kind", "Nhóm năng lực", "choice"), Column("required_level", "Cấp độ yêu cầu", "number"),
    Column("holders", "Số CBCCVC đảm nhiệm", "number"), Column("assessed", "Đã đánh giá", "number"),
    Column("below", "Chưa đạt yêu cầu", "number"),
]  # fmt: skip


def _pk(params: dict[str, Any], name: str) -> int | None:
    value = str(params.get(name) or "").strip()
    return int(value) if value.isdecimal() and len(value) <= 12 else None  # isdigit lets "²" through


def _year(params: dict[str, Any]) -> int:
    value = _pk(params, "year")
    return value if value is not None and 2000 <= value <= 2100 else timezone.localdate().year


def _filters(user: Any, params: dict[str, Any]) -> dict[str, Any]:
    unit_id = _pk(params, "unit")
    unit = access.scoped(OrgUnit.objects.filter(pk=unit_id), user).first() if unit_id else None
    bloc = str(params.get("bloc") or "")
    return {
        "year": _year(params), "unit": unit, "unit_asked": unit_id is not None,
        "bloc": bloc if bloc in Bloc.values else "", "position_id": _pk(params, "position"),
    }  # fmt: skip


def _result(columns: list[Column], rows: list[list[Any]], note: str) -> ReportResult:
    truncated = len(rows) > MAX_ROWS
    warning = "Chỉ hiển thị 5.000 dòng đầu; hãy chọn một đơn vị." if truncated else ""
    return ReportResult(TITLE, columns, rows[:MAX_ROWS], truncated=truncated, warning=warning, subtitle=note)


def competency_gap(user: Any, params: dict[str, Any]) -> ReportResult:
    if str(params.get("mode") or "") == REQUIREMENTS:
        return _requirements(user, _filters(user, params))
    return _assessed(user, _filters(user, params))


def _assessed(user: Any, found: dict[str, Any]) -> ReportResult:
    year = found["year"]
    if found["unit_asked"] and found["unit"] is None:
        return _result(ASSESSED_COLUMNS, [], f"Năm {year}: không có đơn vị này trong phạm vi của bạn.")
    lines = approved_lines(user=user, year=year, unit=found["unit"], bloc=found["bloc"],
                           position_id=found["position_id"])  # fmt: skip
    by = ("assessment__unit__path", "assessment__unit__name", "assessment__position__name", "competency__code",
          "competency__name", "competency__kind", "required_level")  # fmt: skip
    kinds = dict(CompetencyKind.choices)
    rows = [
        [row["assessment__unit__name"], row["assessment__position__name"], row["competency__name"],
         str(kinds.get(row["competency__kind"], "")), row["required_level"], figures.assessed, figures.mean_level,
         figures.below, figures.mean_gap]
        for row, figures in gap_groups(lines, by)[: MAX_ROWS + 1]
    ]  # fmt: skip
    note = (
        f"Năm {year}, từ các phiếu đánh giá năng lực đã duyệt. Khoảng cách = cấp độ yêu cầu − cấp độ người đánh "
        "giá chọn, tính 0 với người đạt hoặc vượt yêu cầu."
    )
    return _result(ASSESSED_COLUMNS, rows, note)


def _requirements(user: Any, found: dict[str, Any]) -> ReportResult:
    """Required levels per position, with the officials in scope holding it and the year's assessed."""
    unit, bloc, position_id = found["unit"], found["bloc"], found["position_id"]
    officials = access.scoped(Official.objects.all(), user).values("pk")
    held = access.current_assignments().filter(official__in=officials)
    if unit is not None:
        held = held.filter(unit__path__startswith=unit.path)
    elif found["unit_asked"]:
        held = held.none()
    holders = dict(held.values_list("position").annotate(n=Count("official", distinct=True)))
    requirements = PositionRequirement.objects.filter(framework__is_active=True)
    if found["unit_asked"] or not access.scope_for(user).everything:
        requirements = requirements.filter(position_id__in=list(holders))
    if bloc:
        requirements = requirements.filter(position__bloc=bloc)
    if position_id is not None:
        requirements = requirements.filter(position_id=position_id)
    lines = approved_lines(user=user, year=found["year"], unit=unit, bloc=bloc, position_id=position_id)
    if found["unit_asked"] and unit is None:
        lines = lines.none()
    rated = {(row["assessment__position_id"], row["competency_id"]): figures
             for row, figures in gap_groups(lines, ("assessment__position_id", "competency_id"))}  # fmt: skip
    requirements = requirements.select_related("position", "competency").order_by("position__code", "competency__code")
    rows = []
    for r in requirements[: MAX_ROWS + 1]:
        figures = rated.get((r.position_id, r.competency_id))
        rows.append([r.position.name, r.competency.name, r.competency.get_kind_display(), r.required_level,
                     holders.get(r.position_id, 0), figures.assessed if figures else 0,
                     figures.below if figures else 0])  # fmt: skip
    note = (
        f"Yêu cầu năng lực theo vị trí việc làm, số người đang đảm nhiệm; đã đánh giá và chưa đạt: theo phiếu "
        f"đánh giá năng lực đã duyệt năm {found['year']}."
    )
    return _result(REQUIREMENT_COLUMNS, rows, note)
