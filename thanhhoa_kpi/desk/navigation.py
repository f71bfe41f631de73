"""The desk's sidebar, grouped by what people do rather than by app label.

Each desk page module may define ``NAVIGATION = [(order, title, [items])]``; groups with
the same title merge. Items show only to users holding their permission.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils.module_loading import import_string


def _perm(codename: str):
    def check(request: HttpRequest) -> bool:
        return request.user.has_perm(codename)

    return check


def item(title: str, icon: str, model: str, perm: str, *, url: str | None = None) -> dict[str, Any]:
    """A sidebar link to ``admin:<model>_changelist`` (or to ``url``), shown with ``perm``."""
    link = reverse_lazy(url) if url else reverse_lazy(f"admin:{model}_changelist")
    return {"title": title, "icon": icon, "link": link, "permission": _perm(perm)}


def sidebar(request: HttpRequest) -> list[dict[str, Any]]:
    from thanhhoa_kpi.desk.admin import PAGE_MODULES

    groups: dict[str, tuple[int, list[dict[str, Any]]]] = {}
    for module in PAGE_MODULES:
        for order, title, items in getattr(module, "NAVIGATION", []):
            current = groups.setdefault(title, (order, []))
            current[1].extend(items)
    ordered = sorted(groups.items(), key=lambda kv: kv[1][0])
    return [
        {"title": title, "collapsible": False, "items": [_with_badge(i, request) for i in items]}
        for title, (_o, items) in ordered
    ]


def _with_badge(entry: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    """Evaluate a badge callback now: unfold would show an empty callback's result as "None"."""
    badge = entry.get("badge")
    if not (isinstance(badge, str) and badge.startswith("thanhhoa_kpi.")):
        return entry
    value = import_string(badge)(request)
    result = {k: v for k, v in entry.items() if k != "badge"}
    if value:
        result["badge"] = str(value)
    return result
