"""Reads of inbound events: the HR queue and an official's own proposals.

Events are scoped through their handler (``access.register(..., via="official")``). An
event whose handler is unknown belongs to no unit: only province admins (a system admin,
an HR admin of the province) see and settle those, since the handler may be anyone.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.integrations.models import WAITING_FOR_HR, EventStatus, InboundEvent


def event_write_rows(user: Any) -> Q:
    """Events an HR admin may settle: those of officials posted in units they manage, and,
    for province admins, every event (unknown handlers included)."""
    if access.is_province_admin(user):
        return Q()
    scope = access.scope_for(user)
    if scope.read_only or not scope.is_hr:
        return access.NOTHING
    posted = access.current_assignments().filter(access.manageable_unit_q(scope, "unit__"))
    return Q(official_id__in=posted.values("official_id"))


def event_list(*, user: Any) -> QuerySet[InboundEvent]:
    """Events the user may read (the desk list): their scope, plus unknown handlers for province admins."""
    rows = access.scoped(InboundEvent.objects.all(), user)
    if access.is_province_admin(user) and not access.scope_for(user).everything:
        rows = rows | InboundEvent.objects.filter(official__isnull=True)
    return rows.select_related("source", "official", "catalogue_item")


def event_queue(*, user: Any) -> QuerySet[InboundEvent]:
    """What waits for HR: unknown handlers and events no rule matched."""
    return event_list(user=user).filter(status__in=WAITING_FOR_HR)


def proposals_of(*, user: Any) -> QuerySet[InboundEvent]:
    """The caller's own events that reached them (proposed, confirmed, rejected); none without an official record."""
    official_id = access.scope_for(user).official_id
    if official_id is None:
        return InboundEvent.objects.none()
    states = (EventStatus.PROPOSED, EventStatus.CONFIRMED, EventStatus.REJECTED)
    return (
        InboundEvent.objects.filter(official_id=official_id, status__in=states)
        .select_related("source", "catalogue_item", "line")
        .order_by("-date", "-pk")
    )


def own_proposal(*, user: Any, pk: Any) -> InboundEvent | None:
    try:
        return proposals_of(user=user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None
