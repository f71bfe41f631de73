"""Workspace numbers and charts of work logs, reviews, the inbox and appraisals (SPEC 6).

Registered from ``DashboardsConfig.ready()``. Each reads through the scoped selectors
(``access.scoped``) and counts or groups in the database.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.dashboards.metrics import register_chart_source, register_metric

WEEKS = 8


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


# ------------------------------------------------------------------------ metrics


def my_logs_this_week(user: Any) -> int:
    from thanhhoa_kpi.worklogs.selectors import worklog_list_own

    monday = _monday(timezone.localdate())
    return worklog_list_own(user=user).filter(date__range=(monday, monday + timedelta(days=6))).count()


def lines_awaiting_my_review(user: Any) -> int:
    from thanhhoa_kpi.worklogs.selectors import worklog_awaiting_review

    return worklog_awaiting_review(user=user).count()


def inbox_count(user: Any) -> int:
    from thanhhoa_kpi.workflow.selectors import inbox_for

    return len(inbox_for(user=user))


def my_current_total(user: Any) -> float:
    """The total of my latest scored appraisal, else the live task score of this month."""
    from thanhhoa_kpi.appraisals.selectors import my_appraisals

    total = (
        my_appraisals(user=user)
        .filter(total__isnull=False, period__start_date__lte=timezone.localdate())
        .order_by("-period__end_date", "-pk")
        .values_list("total", flat=True)
        .first()
    )
    if total is not None:
        return float(total)
    return _live_task_score(user)


def _live_task_score(user: Any) -> float:
    from thanhhoa_kpi.appraisals.live import live_score
    from thanhhoa_kpi.core.errors import DomainError
    from thanhhoa_kpi.worklogs import rights, selectors

    official = rights.official_of(user)
    if official is None:
        return 0
    try:
        score = live_score(official=official, period=selectors.current_period())
    except DomainError:
        return 0
    return float(score.get("task_score") or 0)


def published_this_month(user: Any) -> int:
    from thanhhoa_kpi.appraisals import states
    from thanhhoa_kpi.appraisals.models import Appraisal

    today = timezone.localdate()
    rows = access.scoped(Appraisal.objects.all(), user).filter(states.tagged_q(states.PUBLISHED))
    return rows.filter(published_at__year=today.year, published_at__month=today.month).count()


# ------------------------------------------------------------------------- charts


def score_distribution(user: Any) -> tuple[list[Any], list[float]]:
    """Classification counts in scope for the last month with published appraisals."""
    from thanhhoa_kpi.appraisals import states
    from thanhhoa_kpi.appraisals.choices import ClassificationChoices, PeriodKind
    from thanhhoa_kpi.appraisals.models import Appraisal

    rows = access.scoped(Appraisal.objects.all(), user)
    published = rows.filter(states.tagged_q(states.PUBLISHED), period__kind=PeriodKind.MONTH)
    last = published.order_by("-period__year", "-period__number").values_list("period__year", "period__number").first()
    if last is None:
        return [], []
    rows = published.filter(period__year=last[0], period__number=last[1])
    # the final level when decided, else the level by score (Appraisal.classification), in one query
    level = {code: Q(final_classification=code) | Q(final_classification="", proposed_classification=code)
             for code in ClassificationChoices.values}  # fmt: skip
    counts = rows.aggregate(**{code: Count("pk", filter=q) for code, q in level.items()})
    labels = [label for _code, label in ClassificationChoices.choices]
    return labels, [float(counts[code] or 0) for code in ClassificationChoices.values]


def _weekly(lines: QuerySet, **aggregates: Any) -> tuple[list[date], dict[date, dict[str, Any]]]:
    """The last :data:`WEEKS` Mondays and the lines' figures per week (one grouped query)."""
    first = _monday(timezone.localdate()) - timedelta(weeks=WEEKS - 1)
    mondays = [first + timedelta(weeks=n) for n in range(WEEKS)]
    rows = (
        lines.filter(date__gte=first).annotate(week=TruncWeek("date")).order_by().values("week").annotate(**aggregates)
    )
    return mondays, {_as_date(row["week"]): row for row in rows}


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _lines(user: Any) -> QuerySet:
    from thanhhoa_kpi.worklogs.models import WorkLogLine

    return access.scoped(WorkLogLine.objects.all(), user)


def logs_per_week(user: Any) -> tuple[list[Any], list[float]]:
    mondays, found = _weekly(_lines(user), n=Count("pk"))
    return [f"{m:%d/%m}" for m in mondays], [float(found.get(m, {}).get("n", 0)) for m in mondays]


def on_time_rate(user: Any) -> tuple[list[Any], list[float | None]]:
    """Per week, the share (%) of reviewed lines with no delay left after exemptions.

    A week without a reviewed line has no share (``None``, a gap in the line), not 0 %.
    """
    from thanhhoa_kpi.worklogs.models import LineStatus

    reviewed = _lines(user).filter(status=LineStatus.REVIEWED)
    on_time = Q(delays__lte=F("exempt_delays"))  # no delay, or every delay exempted
    mondays, found = _weekly(reviewed, n=Count("pk"), ok=Count("pk", filter=on_time))
    values: list[float | None] = []
    for monday in mondays:
        row = found.get(monday, {})
        values.append(round(100 * row["ok"] / row["n"], 1) if row.get("n") else None)
    return [f"{m:%d/%m}" for m in mondays], values


def register_work_metrics() -> None:
    register_metric("my_logs_this_week", "Dòng nhật ký của tôi tuần này", my_logs_this_week, icon="edit_calendar")
    register_metric("lines_awaiting_my_review", "Dòng nhật ký chờ tôi duyệt", lines_awaiting_my_review,
                    icon="fact_check")  # fmt: skip
    register_metric("inbox_count", "Hồ sơ chờ tôi xử lý", inbox_count, icon="inbox")
    register_metric("my_current_total", "Điểm hiện tại của tôi", my_current_total, icon="insights")
    register_metric("published_this_month", "Phiếu đã công khai tháng này", published_this_month, icon="verified")
    register_chart_source("score_distribution", "Phân bố xếp loại (tháng công khai gần nhất)", score_distribution)
    register_chart_source("on_time_rate", "Tỷ lệ dòng nhật ký đúng tiến độ theo tuần (%)", on_time_rate)
    register_chart_source("logs_per_week", "Dòng nhật ký theo tuần (8 tuần gần nhất)", logs_per_week)
