"""Who may assign work to, approve for and review the lines of whom (SPEC 2, ND 335 Điều 15).

- the head of a unit directs every official of the unit's subtree;
- a deputy directs the officials of their own unit, for the fields they are in charge
  of (the item's field must be one of the deputy's ``fields_in_charge``);
- nobody directs or reviews themself.

Rows are still reached through :mod:`thanhhoa_kpi.accounts.access`; these rules decide
what may be done with a row already in scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.organization.models import Official


@dataclass(frozen=True)
class Leadership:
    official_id: int | None
    head_paths: tuple[str, ...]
    deputy_posts: tuple[tuple[int, frozenset[str]], ...]  # (unit id, fields in charge)

    @property
    def leads(self) -> bool:
        return bool(self.head_paths or self.deputy_posts)


def leadership_of(user: Any, on: date | None = None) -> Leadership:
    scope = access.scope_for(user)
    if scope.official_id is None:
        return Leadership(None, (), ())
    deputy_rows = access.current_assignments(on).filter(official_id=scope.official_id, leadership_role="DEPUTY")
    posts = tuple((row.unit_id, frozenset(row.fields_in_charge or [])) for row in deputy_rows)
    return Leadership(scope.official_id, scope.head_unit_paths, posts)


def official_of(user: Any) -> Official | None:
    official_id = access.scope_for(user).official_id
    return Official.objects.filter(pk=official_id).first() if official_id else None


def _unit_q(leadership: Leadership, field: str | None, prefix: str) -> Q:
    """Assignments (org postings) reaching officials the leader directs for ``field``."""
    q = Q(pk__in=[])
    for path in leadership.head_paths:
        q |= Q(**{f"{prefix}unit__path__startswith": path})
    for unit_id, fields in leadership.deputy_posts:
        if field is None or field in fields:
            q |= Q(**{f"{prefix}unit_id": unit_id})
    return q


def can_direct(user: Any, official: Official, field: str, on: date | None = None) -> bool:
    """May ``user`` assign work in ``field`` to ``official``, approve it and review it?"""
    leadership = leadership_of(user, on)
    if leadership.official_id is None or leadership.official_id == official.pk or not leadership.leads:
        return False
    postings = access.current_assignments(on or timezone.localdate()).filter(official=official)
    return postings.filter(_unit_q(leadership, field, "")).exists()


def reviewable_lines_q(user: Any, official_field: str = "official_id") -> Q:
    """Lines (or, with ``official_field="assignee_id"``, assignments) that ``user`` may review.

    Both models reach the official through ``official_field`` and the item through
    ``catalogue_item``; the caller's own rows are never included.
    """
    leadership = leadership_of(user)
    if leadership.official_id is None or not leadership.leads:
        return Q(pk__in=[])
    postings = access.current_assignments()
    q = Q(pk__in=[])
    for path in leadership.head_paths:
        ids = postings.filter(unit__path__startswith=path).values("official_id")
        q |= Q(**{f"{official_field}__in": ids})
    for unit_id, fields in leadership.deputy_posts:
        ids = postings.filter(unit_id=unit_id).values("official_id")
        q |= Q(**{f"{official_field}__in": ids, "catalogue_item__field__in": sorted(fields)})
    return q & ~Q(**{official_field: leadership.official_id})


def directed_officials(user: Any, field: str | None = None) -> QuerySet[Official]:
    """Officials ``user`` may assign work to (for ``field``, or for any of their fields)."""
    leadership = leadership_of(user)
    if leadership.official_id is None or not leadership.leads:
        return Official.objects.none()
    ids = access.current_assignments().filter(_unit_q(leadership, field, "")).values("official_id")
    return Official.objects.filter(pk__in=ids).exclude(pk=leadership.official_id)
