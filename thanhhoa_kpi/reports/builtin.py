"""Built-in reports: fixed reports written in code, shown next to the saved ones (SPEC 6).

Each is ``func(user, params) -> ReportResult`` and MUST read through the scoped
querysets (``access.scoped``), like everything else. The desk lists them on «Báo cáo có
sẵn» and exports them as XLSX/CSV/PDF; the API runs them at
``/api/v1/reports/builtin/<code>/?format=...``. Other apps add theirs in
``AppConfig.ready()``::

    from thanhhoa_kpi.reports.builtin import register_builtin_report
    register_builtin_report("worklog_personal", "Nhật ký công việc cá nhân", worklog_personal,
                            params={"period": "Kỳ (YYYY-MM)"})

Present here: officials per unit; the competency gap report is in
:mod:`thanhhoa_kpi.reports.builtin_competencies` (registered below).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.errors import NotFound
from thanhhoa_kpi.reports import builtin_competencies as gaps
from thanhhoa_kpi.reports.engine import MAX_ROWS, Column, ReportResult

BuiltinFunc = Callable[[Any, dict[str, Any]], ReportResult]


@dataclass(frozen=True)
class BuiltinReport:
    code: str
    title: str
    func: BuiltinFunc
    description: str = ""
    params: dict[str, str] = field(default_factory=dict)  # name → Vietnamese label
    # name → kind of picker on the desk's filter bar (see :mod:`thanhhoa_kpi.reports.builtin_params`)
    kinds: dict[str, str] = field(default_factory=dict)


BUILTINS: dict[str, BuiltinReport] = {}


def register_builtin_report(
    code: str,
    title_vi: str,
    func: BuiltinFunc,
    *,
    description: str = "",
    params: dict[str, str] | None = None,
    kinds: dict[str, str] | None = None,
) -> BuiltinReport:
    """Registers ``func``; ``kinds`` names the picker of each parameter (a parameter without
    one is picked by its own name when that is a known kind: ``unit``, ``bloc``, ``year``...)."""
    report = BuiltinReport(code, title_vi, func, description, dict(params or {}), dict(kinds or {}))
    BUILTINS[code] = report
    return report


def builtin_run(*, code: str, user: Any, params: dict[str, Any] | None = None) -> ReportResult:
    report = BUILTINS.get(code)
    if report is None:
        raise NotFound("Không có báo cáo có sẵn này.")
    result = report.func(user, dict(params or {}))
    result.title = result.title or report.title
    result.extra.setdefault("user", user)
    return result


# --- officials per unit -------------------------------------------------------------------
def officials_by_unit(user: Any, params: dict[str, Any]) -> ReportResult:
    from thanhhoa_kpi.organization.models import Official, OrgUnit

    officials = access.scoped(Official.objects.all(), user).values("pk")
    rows = access.current_assignments().filter(official__in=officials)
    unit_id = str(params.get("unit") or "")
    if _pk(unit_id):
        unit = access.scoped(OrgUnit.objects.filter(pk=int(unit_id)), user).first()
        rows = rows.filter(unit__path__startswith=unit.path) if unit else rows.none()
    bloc = _bloc(params)
    if bloc:
        rows = rows.filter(unit__bloc=bloc)
    rows = rows.select_related("official", "unit", "position").order_by("unit__path", "official__full_name")
    data = [
        [a.unit.name, a.official.code, a.official.full_name, a.official.get_category_display(), a.position.name,
         a.get_leadership_role_display()]
        for a in rows[: MAX_ROWS + 1]
    ]  # fmt: skip
    columns = [
        Column("unit", "Đơn vị", "fk"), Column("code", "Mã CBCCVC", "text"), Column("full_name", "Họ và tên", "text"),
        Column("category", "Đối tượng", "choice"), Column("position", "Vị trí việc làm", "fk"),
        Column("leadership_role", "Chức vụ lãnh đạo", "choice"),
    ]  # fmt: skip
    return _result("Danh sách cán bộ theo đơn vị", columns, data)


def _pk(value: str) -> bool:
    return value.isdecimal() and len(value) <= 12  # isdigit lets "²" through to int()


def _bloc(params: dict[str, Any]) -> str:
    from thanhhoa_kpi.organization.choices import Bloc

    value = str(params.get("bloc") or "")
    return value if value in Bloc.values else ""


def _result(title: str, columns: list[Column], data: list[list[Any]]) -> ReportResult:
    truncated = len(data) > MAX_ROWS
    warning = "Chỉ hiển thị 5.000 dòng đầu; hãy chọn một đơn vị." if truncated else ""
    return ReportResult(title=title, columns=columns, rows=data[:MAX_ROWS], truncated=truncated, warning=warning)


def register_org_builtins() -> None:
    register_builtin_report(
        "officials_by_unit",
        "Danh sách cán bộ theo đơn vị",
        officials_by_unit,
        description="Cán bộ, công chức, viên chức đang công tác, theo đơn vị trong phạm vi của bạn.",
        params={"unit": "Đơn vị", "bloc": "Khối"},
    )
    register_builtin_report(
        "competency_gap",
        gaps.TITLE,
        gaps.competency_gap,
        description="Khoảng cách giữa cấp độ năng lực vị trí việc làm yêu cầu và kết quả đánh giá năng lực đã "
        "duyệt, theo đơn vị, vị trí và năng lực; hoặc yêu cầu của vị trí và số người đảm nhiệm.",
        params=gaps.PARAMS,
        kinds=gaps.KINDS,
    )
