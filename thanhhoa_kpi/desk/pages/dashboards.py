"""The desk home is the workspace of the user's main role (workspace/*.yaml, SPEC 6).

The workspace data comes from ``settings.UNFOLD["DASHBOARD_CALLBACK"]``
(:func:`thanhhoa_kpi.dashboards.views.dashboard_callback`); this module only points the
site at the template that draws it (unfold's own index comes first among the app
template folders, so it cannot be overridden by name from an app).
"""

from typing import Any

from thanhhoa_kpi.desk.navigation import EVERYONE, item

NAVIGATION = [
    (1, "Việc của tôi", [item("Bàn làm việc", "dashboard", "", None, who=EVERYONE, url="admin:index", rank=0)]),
]


def register(site: Any) -> None:
    site.index_template = "dashboards/index.html"
