"""Named numbers and chart sources that workspace files may show (SPEC 6).

A workspace file names a metric (``metric: officials_in_scope``) or a chart source
(``source: officials_by_unit``); loading refuses unknown names. Every function takes the
user and MUST compute within their scope (``access.scoped``). Other apps register theirs
in ``AppConfig.ready()`` and may then be referenced from ``workspace/*.yaml``::

    from thanhhoa_kpi.dashboards.metrics import register_chart_source, register_metric
    register_metric("logs_this_week", "Dòng nhật ký tuần này", lambda user: ..., icon="edit_note")
    register_chart_source("logs_per_week", "Dòng nhật ký theo tuần", lambda user: (labels, values))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from thanhhoa_kpi.accounts import access


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    func: Callable[[Any], float | int]
    icon: str = "insights"


@dataclass(frozen=True)
class ChartSource:
    code: str
    label: str
    func: Callable[[Any], tuple[list[Any], list[float]]]


METRICS: dict[str, Metric] = {}
CHART_SOURCES: dict[str, ChartSource] = {}


def register_metric(code: str, label: str, func: Callable[[Any], float | int], *, icon: str = "insights") -> None:
    METRICS[code] = Metric(code, label, func, icon)


def register_chart_source(code: str, label: str, func: Callable[[Any], tuple[list[Any], list[float]]]) -> None:
    CHART_SOURCES[code] = ChartSource(code, label, func)


# --- metrics of the org model, reports and custom fields -------------------------------------
def _officials(user: Any) -> Any:
    from thanhhoa_kpi.organization.models import Official

    return access.scoped(Official.objects.all(), user)


def officials_in_scope(user: Any) -> int:
    return _officials(user).count()


def units_in_scope(user: Any) -> int:
    from thanhhoa_kpi.organization.models import OrgUnit

    return access.scoped(OrgUnit.objects.all(), user).count()


def positions_count(user: Any) -> int:
    from thanhhoa_kpi.organization.models import JobPosition

    return access.scoped(JobPosition.objects.all(), user).count()


def officials_without_account(user: Any) -> int:
    return _officials(user).filter(user__isnull=True).count()


def reports_available(user: Any) -> int:
    from thanhhoa_kpi.reports.services import reports_visible

    return reports_visible(user).count()


def my_schedules(user: Any) -> int:
    from thanhhoa_kpi.reports.models import ReportSchedule

    return ReportSchedule.objects.filter(owner_id=user.pk, active=True).count()


def custom_fields_active(user: Any) -> int:
    from thanhhoa_kpi.customfields.models import FieldDefinition

    return FieldDefinition.objects.filter(active=True).count()


# --- chart sources ----------------------------------------------------------------------------
def _pairs(rows: Any, labels: dict[str, str] | None = None) -> tuple[list[Any], list[float]]:
    rows = list(rows)
    names = [labels.get(k, k) if labels else (k or "(Trống)") for k, _n in rows]
    return names, [float(n) for _k, n in rows]


def officials_by_category(user: Any) -> tuple[list[Any], list[float]]:
    from thanhhoa_kpi.organization.choices import Category

    rows = _officials(user).order_by().values_list("category").annotate(n=Count("pk")).order_by("category")
    return _pairs(rows, dict(Category.choices))


def officials_by_gender(user: Any) -> tuple[list[Any], list[float]]:
    from thanhhoa_kpi.organization.choices import Gender

    rows = _officials(user).order_by().values_list("gender").annotate(n=Count("pk")).order_by("gender")
    return _pairs(rows, {**dict(Gender.choices), "": "Chưa khai báo"})


def officials_by_unit(user: Any) -> tuple[list[Any], list[float]]:
    """The ten units with most officials in scope (current postings)."""
    rows = (
        access.current_assignments()
        .filter(official__in=_officials(user).values("pk"))
        .values_list("unit__name")
        .annotate(n=Count("official", distinct=True))
        .order_by("-n", "unit__name")[:10]
    )
    return _pairs(rows)


def register_builtin_metrics() -> None:
    register_metric("officials_in_scope", "Cán bộ trong phạm vi", officials_in_scope, icon="badge")
    register_metric("units_in_scope", "Đơn vị trong phạm vi", units_in_scope, icon="account_tree")
    register_metric("positions", "Vị trí việc làm", positions_count, icon="work")
    register_metric(
        "officials_without_account", "Cán bộ chưa có tài khoản", officials_without_account, icon="no_accounts"
    )
    register_metric("reports_available", "Báo cáo đã lưu dùng được", reports_available, icon="query_stats")
    register_metric("my_report_schedules", "Lịch gửi báo cáo của tôi", my_schedules, icon="schedule_send")
    register_metric("custom_fields_active", "Trường tùy biến đang dùng", custom_fields_active, icon="dynamic_form")
    register_chart_source("officials_by_category", "Cán bộ theo đối tượng", officials_by_category)
    register_chart_source("officials_by_gender", "Cán bộ theo giới tính", officials_by_gender)
    register_chart_source("officials_by_unit", "Cán bộ theo đơn vị (10 đơn vị đông nhất)", officials_by_unit)
