"""The desk home: the workspace of the user's main role (unfold's DASHBOARD_CALLBACK).

``settings.UNFOLD["DASHBOARD_CALLBACK"] = "thanhhoa_kpi.dashboards.views.dashboard_callback"``
adds ``workspace`` to the index context; ``dashboards/index.html`` (set as the desk's
``index_template`` by ``desk/pages/dashboards.py``) draws it, or the usual app list when
the user holds no role that has a workspace.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.dashboards.charts import chart_pair
from thanhhoa_kpi.dashboards.metrics import CHART_SOURCES, METRICS
from thanhhoa_kpi.dashboards.workspaces import Workspace, WorkspaceError, workspace_for

log = logging.getLogger(__name__)


def _number(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(value):,}".replace(",", ".")


def render_workspace(workspace: Workspace, user: Any) -> dict[str, Any]:
    """Cards, charts and shortcuts of a workspace, computed with the user's scope."""
    data = workspace.data
    cards = []
    for card in data.get("cards", []):
        metric = METRICS[card["metric"]]
        cards.append(
            {
                "label": card.get("label") or metric.label,
                "value": _number(metric.func(user)),
                "icon": card.get("icon") or metric.icon,
                "url": reverse(card["link"]) if card.get("link") else None,
            }
        )
    charts = []
    for chart in data.get("charts", []):
        source = CHART_SOURCES[chart["source"]]
        labels, values = source.func(user)
        title = chart.get("title") or source.label
        charts.append({"title": title, **chart_pair(chart["type"], labels, values, title=title)})
    shortcuts = [
        {"label": s["label"], "url": reverse(s["url"]), "icon": s.get("icon", "arrow_forward")}
        for s in data.get("shortcuts", [])
        if not s.get("permission") or user.has_perm(s["permission"])
    ]
    return {"title": data["title"], "description": data.get("description", ""), "cards": cards, "charts": charts,
            "shortcuts": shortcuts, "name": workspace.name}  # fmt: skip


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    try:
        workspace = workspace_for(access.scope_for(request.user).roles)
    except WorkspaceError as exc:  # a broken file must not take the desk home down
        log.error("Tệp bàn làm việc lỗi:\n%s", exc)
        context["workspace_errors"] = exc.messages
        return context
    if workspace is not None:
        context["workspace"] = render_workspace(workspace, request.user)
    return context
