"""Reads of custom field definitions: one indexed query per document type and call.

Definitions are read per request (no restart after a change). The rows are few per
document type, so no cross-request cache is kept: a stale cache would let a retired field
be written, and invalidating it correctly in every process is not worth one small query.

Which fields apply to a record is decided here and only here (:func:`definitions` with
its ``host``): a field owned by a unit applies to records whose unit is in that subtree,
one owned by a bloc to records of that bloc, one without owner everywhere. A record's
unit is the official's current postings, the unit stored on a work-log line or an
appraisal (the official's unit on that date / in that period), a position's bloc, a
catalogue item's owning unit or bloc (:func:`host_reach`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import CharField, ExpressionWrapper, Q
from django.db.models.fields.json import KeyTextTransform

from thanhhoa_kpi.core import memo, refcache
from thanhhoa_kpi.customfields.models import BuiltinOverride, FieldDefinition

T = TypeVar("T")


@dataclass(frozen=True)
class Reach:
    """Where a record sits: the paths of its units and its blocs (both empty: unknown yet)."""

    paths: tuple[str, ...] = ()
    blocs: frozenset[str] = frozenset()


class _AllHosts:
    def __repr__(self) -> str:
        return "ALL_HOSTS"


# Columns of many records at once (exports, the definitions page): every field, whatever
# its owner; the values of a record outside a field's scope are simply blank.
ALL_HOSTS: Any = _AllHosts()
NOWHERE = Reach()


def _pairs_reach(pairs: Any) -> Reach:
    """A reach from (unit path, bloc) pairs."""
    pairs = list(pairs)
    return Reach(tuple(sorted({p for p, _ in pairs})), frozenset(b for _, b in pairs if b))


def _unit_reach(units: Any) -> Reach:
    return _pairs_reach((u.path, u.bloc) for u in units if u is not None)


def _units_of_official(official_id: int | None, on: Any = None) -> Reach:
    if official_id is None:
        return NOWHERE
    from thanhhoa_kpi.accounts.access import current_assignments

    rows = current_assignments(on).filter(official_id=official_id).values_list("unit__path", "unit__bloc")
    return _pairs_reach(rows)


def _dated_host_reach(host: Any, day: Any) -> Reach:
    """A work-log line or an appraisal: its stored unit, else the official's posting then."""
    if getattr(host, "unit_id", None) is not None:
        return _unit_reach([host.unit])
    return _units_of_official(getattr(host, "official_id", None), day)


def _catalogue_item_reach(host: Any) -> Reach:
    catalogue = host.catalogue if getattr(host, "catalogue_id", None) else None
    if catalogue is None:
        return NOWHERE
    if catalogue.owner_unit_id is not None:
        return _unit_reach([catalogue.owner_unit])
    return Reach((), frozenset({catalogue.owner_bloc}) if catalogue.owner_bloc else frozenset())


def _period_day(host: Any) -> Any:
    """The day an appraisal's posting is read on when no unit is stored: its period's end."""
    period = host.period if getattr(host, "period_id", None) else None
    return getattr(period, "end_date", None)


def host_reach(doctype: str, host: Any) -> Reach:
    """Where ``host`` sits (see the module docstring); a :class:`Reach` or an OrgUnit passes."""
    from thanhhoa_kpi.organization.models import OrgUnit

    if host is None:
        return NOWHERE
    if isinstance(host, Reach):
        return host
    if isinstance(host, OrgUnit):
        return _unit_reach([host])
    if doctype == "official":
        return _units_of_official(getattr(host, "pk", None))
    if doctype == "worklog":
        return _dated_host_reach(host, getattr(host, "date", None))
    if doctype == "appraisal":
        return _dated_host_reach(host, _period_day(host))
    if doctype == "position":
        bloc = getattr(host, "bloc", "")
        return Reach((), frozenset({bloc}) if bloc else frozenset())
    if doctype == "catalogue_item":
        return _catalogue_item_reach(host)
    return NOWHERE


def _prefixes(paths: tuple[str, ...]) -> list[str]:
    from thanhhoa_kpi.organization.models import OrgUnit

    step = OrgUnit.steplen
    return sorted({path[:end] for path in paths for end in range(step, len(path) + 1, step)})


def reach_q(reach: Reach) -> Q:
    """Definitions that apply to a record at ``reach``."""
    q = Q(owner_unit__isnull=True, owner_bloc="")
    if reach.blocs:
        q |= Q(owner_bloc__in=sorted(reach.blocs))
    if reach.paths:
        q |= Q(owner_unit__path__in=_prefixes(reach.paths))
    return q


def applies(definition: FieldDefinition, reach: Reach) -> bool:
    """Python twin of :func:`reach_q` for definitions already loaded (with ``owner_unit``)."""
    if definition.owner_unit_id is not None:
        path = definition.owner_unit.path
        return any(p.startswith(path) for p in reach.paths)
    if definition.owner_bloc:
        return definition.owner_bloc in reach.blocs
    return True


def definitions(doctype: str, *, host: Any, include_retired: bool = False) -> list[FieldDefinition]:
    """The fields of ``doctype`` that apply to ``host``, in form order.

    ``host``: the record (saved or not), an OrgUnit or a :class:`Reach`; ``None`` for a
    record whose unit is not known yet (province-wide fields only); :data:`ALL_HOSTS` for
    columns spanning many records.
    """
    every = _every_definition(doctype, include_retired)
    if host is ALL_HOSTS:
        return list(every)
    reach = host_reach(doctype, host)
    return [d for d in every if applies(d, reach)]


MEMO_KIND = "customfields"


def _shared(key: tuple[Any, ...], load: Callable[[], T]) -> T:
    """Read once per request (:mod:`core.memo`) and kept between requests until a definition,
    an override or the org chart changes (:mod:`core.refcache`). Callers must not change
    what they get: later requests of this process share it."""
    return memo.remembered(key, lambda: refcache.kept(key, load))


def _every_definition(doctype: str, include_retired: bool = False) -> list[FieldDefinition]:
    """Every field of ``doctype`` in form order, read once per request (:mod:`core.memo`):
    the API's validation, the service's and the response share one query."""

    def load() -> list[FieldDefinition]:
        qs = FieldDefinition.objects.filter(doctype=doctype).select_related("owner_unit")
        if not include_retired:
            qs = qs.filter(active=True)
        return list(qs.order_by("order", "id"))

    return _shared((MEMO_KIND, doctype, include_retired), load)


def own_units_reach(user: Any) -> Reach:
    """The units the user works in now (their own records' scope, e.g. their work log)."""
    from thanhhoa_kpi.accounts import access
    from thanhhoa_kpi.organization.models import OrgUnit

    scope = access.scope_for(user)
    ids = tuple(sorted(scope.member_unit_ids))
    if not ids:
        return NOWHERE
    return _shared(("own_units_reach", ids), lambda: _unit_reach(OrgUnit.objects.filter(pk__in=ids)))


def definitions_for_user(doctype: str, user: Any) -> list[FieldDefinition]:
    """Columns of list pages, reports and API lists: the fields that may apply to a record
    the user can see (province-wide ones, those of their units, blocs and subtrees)."""
    from thanhhoa_kpi.accounts import access

    scope = access.scope_for(user)
    if scope.everything:
        return definitions(doctype, host=ALL_HOSTS)
    wide_paths = scope.head_unit_paths + scope.hr_unit_paths
    wide_blocs = scope.authority_blocs | scope.hr_blocs
    reach = own_units_reach(user)
    reach = Reach(reach.paths + wide_paths, reach.blocs | wide_blocs)

    def below(d: FieldDefinition) -> bool:  # owned by a unit inside the user's subtrees or blocs
        unit = d.owner_unit if d.owner_unit_id is not None else None
        return unit is not None and (unit.path.startswith(wide_paths) or unit.bloc in wide_blocs)

    return [d for d in _every_definition(doctype) if applies(d, reach) or below(d)]


def for_record(
    doctype: str, defs: list[FieldDefinition], host: Any, reach: Reach | None = None
) -> list[FieldDefinition]:
    """The subset of already loaded ``defs`` that applies to one record (no query when
    every field is province-wide, the common case; none either when ``reach`` is given,
    e.g. from :func:`reaches_of` for a page of records)."""
    if all(d.is_province_wide for d in defs):
        return defs
    reach = reach if reach is not None else host_reach(doctype, host)
    return [d for d in defs if applies(d, reach)]


def reaches_of(doctype: str, hosts: list[Any]) -> dict[Any, Reach]:
    """Where each of a page of records sits, in one query (a list must not look its rows'
    units up one by one). Hosts of other doctypes, or without a stored unit, are left out:
    :func:`host_reach` answers for them."""
    from thanhhoa_kpi.accounts.access import current_assignments
    from thanhhoa_kpi.organization.models import OrgUnit

    if doctype == "official":
        found: dict[Any, list[tuple[str, str]]] = {h.pk: [] for h in hosts}
        rows = current_assignments().filter(official_id__in=list(found))
        for official_id, path, bloc in rows.values_list("official_id", "unit__path", "unit__bloc"):
            found[official_id].append((path, bloc))
        return {
            pk: Reach(tuple(sorted({p for p, _ in pairs})), frozenset(b for _, b in pairs))
            for pk, pairs in found.items()
        }
    if doctype in {"worklog", "appraisal"}:
        unit_ids = {h.unit_id for h in hosts if getattr(h, "unit_id", None) is not None}
        units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=unit_ids).only("path", "bloc")}
        return {h.pk: _unit_reach([units.get(h.unit_id)]) for h in hosts if getattr(h, "unit_id", None) in units}
    return {}


def overrides(doctype: str) -> dict[str, BuiltinOverride]:
    return _shared(
        (MEMO_KIND, "overrides", doctype),
        lambda: {o.field_name: o for o in BuiltinOverride.objects.filter(doctype=doctype)},
    )


def custom_output(defs: list[FieldDefinition], stored: dict[str, Any] | None) -> dict[str, Any]:
    """The ``custom`` object shown to clients: every active key, ``None`` when blank."""
    stored = stored or {}
    return {d.key: stored.get(d.key) for d in defs}


def key_text(key: str, source: Any = "custom") -> ExpressionWrapper:
    """A custom value as plain text in SQL ("Văn hóa", "12", "true"), for filters and groups.

    Bare ``KeyTextTransform`` keeps the JSON lookups, whose ``exact`` on MariaDB compares
    with ``JSON_EXTRACT('<value>', '$')`` and never matches a plain string; wrapping it
    as a CharField gives ordinary text comparisons.
    """
    return ExpressionWrapper(KeyTextTransform(key, source), output_field=CharField())
