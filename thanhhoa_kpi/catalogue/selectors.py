"""Reads of catalogues: which ones a user may manage, which items an official may use.

Catalogues are reference data (like job positions): every signed-in user may read them
(``access.register(..., via="public")``). Writing is narrower than the generic master
data rule because the owner is a unit *or* a bloc: an HR admin manages the catalogues of
the units of their grant (or of their bloc), a system admin all of them. Who may take a
workflow action on one (submit, approve, publish, return) is the engine's answer
(:func:`thanhhoa_kpi.workflow.services.available_actions`); the inbox finds the
catalogues awaiting a user by the org chart, so a bloc authority is offered only the
catalogues of its own bloc even though every catalogue is readable.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueItem, CatalogueStatus
from thanhhoa_kpi.organization.models import Official, OrgUnit
from thanhhoa_kpi.workflow.models import WorkflowDefinition


def manageable_catalogue_q(user: Any, prefix: str = "") -> Q:
    """Catalogues whose content ``user`` may change (HR admin in scope, system admin)."""
    scope = access.scope_for(user)
    if scope.user_id is None or scope.read_only:
        return Q(pk__in=[])
    if scope.everything:
        return Q()
    q = access.manageable_unit_q(scope, f"{prefix}owner_unit__")
    if scope.hr_blocs:
        q |= Q(**{f"{prefix}owner_unit__isnull": True, f"{prefix}owner_bloc__in": sorted(scope.hr_blocs)})
    return q


def catalogue_list_manageable(*, user: Any) -> QuerySet[Catalogue]:
    return Catalogue.objects.filter(manageable_catalogue_q(user))


def editable_catalogue_q(prefix: str = "") -> Q:
    """Catalogues whose content may change: not in force, in an editable workflow state."""
    q = Q(pk__in=[])
    for row in WorkflowDefinition.objects.filter(doctype=Catalogue.workflow_doctype):
        states = sorted(state.code for state in row.parsed().states if state.editable)
        if states:
            q |= Q(**{f"{prefix}workflow_id": row.pk, f"{prefix}state__in": states})
    return q & Q(**{f"{prefix}status": CatalogueStatus.DRAFT})


def catalogue_can_manage(*, user: Any, catalogue: Catalogue) -> bool:
    return Catalogue.objects.filter(manageable_catalogue_q(user), pk=catalogue.pk).exists()


def unit_can_manage(*, user: Any, unit: OrgUnit | None, bloc: str = "") -> bool:
    """May ``user`` own catalogues for ``unit`` (or, without a unit, for ``bloc``)?"""
    scope = access.scope_for(user)
    if scope.user_id is None or scope.read_only:
        return False
    if scope.everything:
        return True
    if unit is None:
        return bool(bloc) and bloc in scope.hr_blocs
    return OrgUnit.objects.filter(access.manageable_unit_q(scope), pk=unit.pk).exists()


def ancestor_paths(path: str) -> list[str]:
    """The materialised paths of a unit and of each of its ancestors."""
    step = OrgUnit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def official_units(official: Official, on: date) -> list[OrgUnit]:
    rows = access.current_assignments(on).filter(official=official).select_related("unit")
    return [row.unit for row in rows]


def owners_for_units_q(units: list[OrgUnit], prefix: str = "") -> Q:
    """Catalogues owned by one of ``units``, an ancestor of one, or the bloc of one."""
    paths = sorted({p for unit in units for p in ancestor_paths(unit.path)})
    blocs = sorted({unit.bloc for unit in units})
    if not paths:
        return Q(pk__in=[])
    return Q(**{f"{prefix}owner_unit__path__in": paths}) | Q(
        **{f"{prefix}owner_unit__isnull": True, f"{prefix}owner_bloc__in": blocs}
    )


def items_usable_by(*, official: Official, on: date, units: list[OrgUnit] | None = None) -> QuerySet[CatalogueItem]:
    """Items an official may log or be assigned on ``on``: catalogues in force of their units
    (``units``: the official's units on ``on``, when the caller has read them already)."""
    units = official_units(official, on) if units is None else units
    catalogues = Catalogue.objects.in_force(on).filter(owners_for_units_q(units))
    return CatalogueItem.objects.filter(catalogue__in=catalogues).select_related("catalogue")


def item_is_usable(*, official: Official, item: CatalogueItem, on: date, units: list[OrgUnit] | None = None) -> bool:
    return items_usable_by(official=official, on=on, units=units).filter(pk=item.pk).exists()


def item_search(queryset: QuerySet[CatalogueItem], term: str) -> QuerySet[CatalogueItem]:
    """Find items by typing: every word must appear in the code, field, task or details,
    whatever the accents and case ("van hoa" finds "Văn hóa"; :mod:`thanhhoa_kpi.core.search`)."""
    for word in term.split():
        queryset = queryset.filter(
            Q(code__fold_contains=word)
            | Q(task__fold_contains=word)
            | Q(field__fold_contains=word)
            | Q(detailed_work__fold_contains=word)
        )
    return queryset
