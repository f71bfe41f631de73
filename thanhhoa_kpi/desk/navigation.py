"""The desk's sidebar, shaped by what each person does (Frappe's workspaces, Odoo's apps).

Each desk page module may define ``NAVIGATION = [(order, title, [items])]``; groups with
the same title merge, and an item's ``rank`` orders it inside its group. Every item names
the personas that use it (``who``). A person's personas come from their scope
(:mod:`thanhhoa_kpi.accounts.access`), never from a username:

- ``MINE``: has an official record: their week, quick entry, score, appraisals, inbox;
- ``LEAD``: a deputy or unit head: review queue, assigning work, the unit's appraisals;
- ``AUTHORITY``: a bloc authority: periods, quota and publication, classification lists;
- ``HR``: an HR admin: organisation, catalogues, custom fields, workflows, imports;
- ``PROVINCE``: an admin of province-wide definitions (rule sets, proposals);
- ``VIEWER``: the leadership viewer: dashboards and reports;
- ``ADMIN``: the system admin, who also holds every persona but ``MINE`` (that one needs an
  official record), so sees every page they can open.

An item shows when the person has one of its personas and holds its permission; a page
about one's own work also needs the official record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.http import HttpRequest
from django.urls import reverse
from django.utils.module_loading import import_string

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.accounts.roles import Role

MINE, LEAD, AUTHORITY, HR, PROVINCE, VIEWER, ADMIN = (
    "MINE", "LEAD", "AUTHORITY", "HR", "PROVINCE", "VIEWER", "ADMIN",
)  # fmt: skip
PERSONAS = (MINE, LEAD, AUTHORITY, HR, PROVINCE, VIEWER, ADMIN)
# Everyone who acts on documents (the inbox); everyone signed in.
ACTORS = (MINE, LEAD, AUTHORITY, HR, PROVINCE, ADMIN)
EVERYONE = PERSONAS


def personas(user: Any) -> frozenset[str]:
    """The personas of a user, from their scope (roles, grants, official record)."""
    scope = access.scope_for(user)
    found: set[str] = set()
    if scope.official_id is not None:
        found.add(MINE)
    if scope.has(Role.HEAD) or scope.has(Role.DEPUTY):
        found.add(LEAD)
    if scope.authority_blocs:
        found.add(AUTHORITY)
    if scope.is_hr:
        found.add(HR)
    if access.is_province_admin(user):
        found.add(PROVINCE)
    if scope.has(Role.VIEWER):
        found.add(VIEWER)
    if scope.is_system_admin:
        found |= set(PERSONAS) - {MINE}
    return frozenset(found)


def item(
    title: str,
    icon: str,
    model: str,
    perm: str | None,
    *,
    who: Iterable[str],
    url: str | None = None,
    own: str | None = None,
    query: dict[str, str] | None = None,
    rank: int = 50,
) -> dict[str, Any]:
    """A sidebar link to ``admin:<model>_changelist`` (or to ``url``) for the personas ``who``
    holding ``perm`` (None: no permission needed). ``own`` names a query parameter set to the user's official record
    (a list filtered to the user's own rows), and makes the item need that record; ``query``
    is a fixed filter the link opens with (a queue's list opens on what waits)."""
    unknown = set(who) - set(PERSONAS)
    if unknown:
        raise ValueError(f"{title}: unknown personas {sorted(unknown)}")
    return {
        "title": title, "icon": icon, "url": url or f"admin:{model}_changelist", "perm": perm,
        "who": frozenset(who), "own": own, "query": query or {}, "rank": rank,
    }  # fmt: skip


def _groups() -> list[tuple[str, list[dict[str, Any]]]]:
    from thanhhoa_kpi.desk.admin import PAGE_MODULES

    groups: dict[str, tuple[int, list[dict[str, Any]]]] = {}
    for module in PAGE_MODULES:
        for order, title, items in getattr(module, "NAVIGATION", []):
            groups.setdefault(title, (order, []))[1].extend(items)
    ordered = sorted(groups.items(), key=lambda kv: kv[1][0])
    return [(title, sorted(items, key=lambda entry: entry["rank"])) for title, (_order, items) in ordered]


def catalogue() -> list[tuple[str, str, frozenset[str]]]:
    """Every item of every group: its title, its address (without the user's own filter) and
    the personas it is for."""
    return [(entry["title"], reverse(entry["url"]), entry["who"]) for _title, items in _groups() for entry in items]


def _link(entry: dict[str, Any], user: Any, mine: frozenset[str]) -> str | None:
    """The item's address for this user, or None when it is not theirs to see."""
    if not (entry["who"] & mine) or (entry["perm"] and not user.has_perm(entry["perm"])):
        return None
    link = reverse(entry["url"])
    if entry["query"]:
        link = f"{link}?{urlencode(entry['query'])}"
    if entry["own"] or entry["who"] == {MINE}:
        official_id = access.scope_for(user).official_id
        if official_id is None:
            return None
        if entry["own"]:
            link = f"{link}?{urlencode({entry['own']: official_id})}"
    return link


def sidebar(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    mine = personas(user)
    result = []
    for title, entries in _groups():
        shown = []
        for entry in entries:
            link = _link(entry, user, mine)
            if link is None:
                continue
            shown.append(_with_badge({"title": entry["title"], "icon": entry["icon"], "link": link, **_badge(entry)},
                                     request))  # fmt: skip
        if shown:
            result.append({"title": title, "collapsible": False, "items": shown})
    _mark_active(result, request)
    return result


def _badge(entry: dict[str, Any]) -> dict[str, Any]:
    return {"badge": entry["badge"]} if entry.get("badge") else {}


def _mark_active(groups: list[dict[str, Any]], request: HttpRequest) -> None:
    """One item is active: the longest address the current page lies under (a filtered list
    when its filter is the page's), not every item whose address is a prefix of the page's."""
    query = dict(parse_qsl(request.META.get("QUERY_STRING", "")))
    home = reverse("admin:index")
    best: tuple[int, int] | None = None
    best_entry = None
    for group in groups:
        for entry in group["items"]:
            entry["active"] = False
            parts = urlsplit(entry["link"])
            under = request.path == parts.path if parts.path == home else request.path.startswith(parts.path)
            if not under:
                continue
            wanted = dict(parse_qsl(parts.query))
            if any(query.get(key) != value for key, value in wanted.items()):
                continue
            score = (len(parts.path), len(wanted))
            if best is None or score > best:
                best, best_entry = score, entry
    if best_entry is not None:
        best_entry["active"] = True


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
