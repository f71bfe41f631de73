"""The one door for scoped access (SPEC 2).

Every protected row is reached through :func:`scoped` (lists) or :func:`access_object`
(one row). The desk's ``get_queryset``, the API viewsets, exports, reports and jobs all
call these, so a rule changed here changes everywhere.

Who sees what:
- an official: their own records (and the unit they work in);
- a deputy: the officials of their unit whose fields overlap the deputy's fields;
- a unit head: the whole subtree of the unit they head;
- a bloc authority: every unit and official of its bloc;
- an HR admin: the unit subtree or bloc of their grant (read and write master data);
- a leadership viewer: everything, read-only; a system admin: everything.

Models declare how they reach an official or a unit with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from thanhhoa_kpi.accounts.roles import Role
from thanhhoa_kpi.core import refcache
from thanhhoa_kpi.core.errors import NotFound, PermissionRefused

_CACHE_ATTR = "_kpi_scope"


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    roles: frozenset[str] = frozenset()
    everything: bool = False
    read_only: bool = True
    official_id: int | None = None
    member_unit_ids: frozenset[int] = frozenset()
    head_unit_paths: tuple[str, ...] = ()
    deputy_official_ids: frozenset[int] = frozenset()
    authority_blocs: frozenset[str] = frozenset()
    hr_unit_paths: tuple[str, ...] = ()
    hr_blocs: frozenset[str] = frozenset()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_system_admin(self) -> bool:
        """Everything, writable: a SYSTEM_ADMIN grant or a superuser (the one definition)."""
        return self.everything and not self.read_only

    @property
    def is_hr(self) -> bool:
        return bool(self.hr_unit_paths or self.hr_blocs)

    def has(self, role: Role) -> bool:
        return role.value in self.roles


EMPTY = Scope(user_id=None)


def current_assignments(on: date | None = None) -> QuerySet:
    from thanhhoa_kpi.organization.models import OfficialAssignment

    day = on or date.today()
    return OfficialAssignment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


@dataclass
class _Parts:
    roles: set[str] = field(default_factory=set)
    everything: bool = False
    read_only: bool = True
    authority_blocs: set[str] = field(default_factory=set)
    hr_paths: list[str] = field(default_factory=list)
    hr_blocs: set[str] = field(default_factory=set)
    official_id: int | None = None
    member_units: set[int] = field(default_factory=set)
    head_paths: list[str] = field(default_factory=list)
    deputy_ids: set[int] = field(default_factory=set)


def _add_grants(user: Any, parts: _Parts) -> None:
    """Explicitly granted roles (RoleGrant rows) with their scope."""
    for grant in user.role_grants.select_related("unit"):
        parts.roles.add(grant.role)
        if grant.role == Role.SYSTEM_ADMIN:
            parts.everything, parts.read_only = True, False
        elif grant.role == Role.VIEWER:
            parts.everything = True
        elif grant.role == Role.BLOC_AUTHORITY:
            parts.authority_blocs.add(grant.bloc)
        elif grant.role == Role.HR_ADMIN:
            parts.read_only = False
            if grant.unit_id:
                parts.hr_paths.append(grant.unit.path)
            if grant.bloc:
                parts.hr_blocs.add(grant.bloc)


def _add_org_chart(user: Any, parts: _Parts) -> None:
    """Roles that follow from the user's official record and current postings."""
    from thanhhoa_kpi.organization.models import Official

    official = Official.objects.filter(user=user).only("id").first()
    if official is None:
        return
    parts.official_id = official.id
    parts.roles.add(Role.OFFICIAL)
    for asg in current_assignments().filter(official=official).select_related("unit"):
        parts.member_units.add(asg.unit_id)
        if asg.leadership_role == "HEAD":
            parts.roles.add(Role.HEAD)
            parts.head_paths.append(asg.unit.path)
        elif asg.leadership_role == "DEPUTY":
            parts.roles.add(Role.DEPUTY)
            parts.deputy_ids |= _officials_in_fields(asg.unit_id, set(asg.fields_in_charge or []), official.id)


def _load_parts(user: Any) -> _Parts:
    parts = _Parts()
    _add_grants(user, parts)
    _add_org_chart(user, parts)
    return parts


def _build_scope(user: Any) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY
    # Grants, official record and postings change a few times a day: they are kept between
    # requests and dropped in every process by any write to them (core/refcache.py). The
    # user row itself (active, superuser) is the one read with this request's credentials.
    parts = refcache.kept(("scope", user.pk, date.today()), lambda: _load_parts(user))
    roles, everything, read_only = set(parts.roles), parts.everything, parts.read_only
    if user.is_superuser:
        roles.add(Role.SYSTEM_ADMIN)
        everything, read_only = True, False
    return Scope(
        user_id=user.pk,
        roles=frozenset(roles),
        everything=everything,
        read_only=read_only,
        official_id=parts.official_id,
        member_unit_ids=frozenset(parts.member_units),
        head_unit_paths=tuple(parts.head_paths),
        deputy_official_ids=frozenset(parts.deputy_ids),
        authority_blocs=frozenset(parts.authority_blocs),
        hr_unit_paths=tuple(parts.hr_paths),
        hr_blocs=frozenset(parts.hr_blocs),
    )


def _officials_in_fields(unit_id: int, fields: set[str], deputy_official_id: int) -> set[int]:
    """Officials of the deputy's unit whose fields overlap the deputy's (ND 335 Điều 15.4)."""
    if not fields:
        return set()
    ids: set[int] = set()
    rows = current_assignments().filter(unit_id=unit_id).exclude(official_id=deputy_official_id)
    for official_id, their_fields in rows.values_list("official_id", "fields_in_charge"):
        if fields & set(their_fields or []):
            ids.add(official_id)
    return ids


def scope_for(user: Any) -> Scope:
    """The caller's scope, computed once per user object (i.e. once per request)."""
    if user is None:
        return EMPTY
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = _build_scope(user)
        try:
            setattr(user, _CACHE_ATTR, cached)
        except AttributeError:  # AnonymousUser is immutable enough; recompute then
            pass
    return cached


def forget_scope(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _path_q(prefix: str, paths: tuple[str, ...]) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def visible_unit_q(scope: Scope, prefix: str = "") -> Q:
    """Units the scope may read; ``prefix`` reaches the unit from another model."""
    if scope.everything:
        return Q()
    q = Q(**{f"{prefix}pk__in": list(scope.member_unit_ids)})
    q |= _path_q(prefix, scope.head_unit_paths + scope.hr_unit_paths)
    blocs = scope.authority_blocs | scope.hr_blocs
    if blocs:
        q |= Q(**{f"{prefix}bloc__in": sorted(blocs)})
    return q


# A scope reaching at most this many officials through units (a head's unit, a ward's HR
# admin) is resolved to their ids once per request; a wider one (a bloc, the province's
# root) stays a subquery.
RESOLVED_OFFICIALS_MAX = 2000


def _posted_officials(scope: Scope) -> QuerySet:
    """Ids of the officials posted now in the scope's unit subtrees and blocs."""
    unit_q = _path_q("unit__", scope.head_unit_paths + scope.hr_unit_paths)
    blocs = scope.authority_blocs | scope.hr_blocs
    if blocs:
        unit_q |= Q(unit__bloc__in=sorted(blocs))
    return current_assignments().filter(unit_q).values_list("official_id", flat=True)


def _resolved_officials(scope: Scope) -> frozenset[int] | None:
    """:func:`_posted_officials` as ids, read once per scope (i.e. per request); None when
    there are more than :data:`RESOLVED_OFFICIALS_MAX`."""
    if "official_ids" not in scope.extra:

        def load() -> frozenset[int] | None:
            ids = set(_posted_officials(scope).distinct()[: RESOLVED_OFFICIALS_MAX + 1])
            return frozenset(ids) if len(ids) <= RESOLVED_OFFICIALS_MAX else None

        # Postings are reference data (core/refcache.py): kept between requests until one changes.
        reach = (scope.head_unit_paths + scope.hr_unit_paths, tuple(sorted(scope.authority_blocs | scope.hr_blocs)))
        scope.extra["official_ids"] = refcache.kept(("posted-officials", *reach, date.today()), load)
    return scope.extra["official_ids"]  # type: ignore[no-any-return]


def visible_official_q(scope: Scope, prefix: str = "") -> Q:
    """Officials the scope may read; ``prefix`` reaches the official from another model.

    Always one ``IN`` on the official's id, never an ``OR`` of several: MariaDB turns a
    single ``official_id IN (…)`` into index lookups driven from the scope's officials (a
    unit head's 40 people), where ``IN (list) OR IN (subquery)`` made it scan every row of
    the table (every line ever written, for a head's work-log list).
    """
    if scope.everything:
        return Q()
    own = {scope.official_id} if scope.official_id else set()
    own |= scope.deputy_official_ids
    if not (scope.head_unit_paths or scope.hr_unit_paths or scope.authority_blocs or scope.hr_blocs):
        return Q(**{f"{prefix}pk__in": sorted(own)}) if own else NOTHING
    ids = _resolved_officials(scope)
    if ids is not None:
        return Q(**{f"{prefix}pk__in": sorted(ids | own)})
    from thanhhoa_kpi.organization.models import Official

    wide = Official.objects.filter(Q(pk__in=sorted(own)) | Q(pk__in=_posted_officials(scope))) if own else None
    return Q(**{f"{prefix}pk__in": wide.values("pk") if wide is not None else _posted_officials(scope)})


def manageable_unit_q(scope: Scope, prefix: str = "") -> Q:
    """Units whose master data the scope may change (HR admin, system admin)."""
    if scope.is_system_admin:
        return Q()
    q = _path_q(prefix, scope.hr_unit_paths)
    if scope.hr_blocs:
        q |= Q(**{f"{prefix}bloc__in": sorted(scope.hr_blocs)})
    return q


# --- registry of how each model reaches its scope ------------------------------------
_REGISTRY: dict[type[models.Model], tuple[str, str]] = {}
WriteRule = Callable[[Any], Q]
_WRITE_RULES: dict[type[models.Model], WriteRule] = {}


def register(model: type[models.Model], *, via: str, prefix: str = "", write: WriteRule | None = None) -> None:
    """Declare that ``model`` is scoped through an official or a unit (``via``).

    ``write`` (optional) replaces the generic master-data rule of :func:`writable`: given the
    user, it returns the ``Q`` of the rows they may change (``Q(pk__in=[])`` for none). Every
    adapter (desk, API, imports, history) and every service reaches it through
    :func:`writable` / :func:`can_change`, so a model's write rule lives in one place.
    """
    if via not in {"official", "unit", "public"}:
        raise ValueError(via)
    _REGISTRY[model] = (via, prefix)
    if write is not None:
        _WRITE_RULES[model] = write


NOTHING = Q(pk__in=[])


def province_only(user: Any) -> Q:
    """Write rule of province-wide definitions: province admins only (:func:`is_province_admin`)."""
    return Q() if is_province_admin(user) else NOTHING


def bloc_rows(user: Any, field_name: str = "bloc") -> Q:
    """Write rule of bloc-wide rows: province admins, or HR admins granted on that bloc."""
    if is_province_admin(user):
        return Q()
    scope = scope_for(user)
    if scope.read_only or not scope.hr_blocs:
        return NOTHING
    return Q(**{f"{field_name}__in": sorted(scope.hr_blocs)})


def is_registered(model: type[models.Model]) -> bool:
    return model in _REGISTRY


def scoped(queryset: QuerySet, user: Any) -> QuerySet:
    """Rows of ``queryset`` the user may read. Unregistered models are refused outright."""
    scope = scope_for(user)
    if scope.user_id is None:
        return queryset.none()
    via, prefix = _REGISTRY.get(queryset.model, ("", ""))
    if via == "public":
        return queryset
    if via == "official":
        return queryset.filter(visible_official_q(scope, prefix))
    if via == "unit":
        return queryset.filter(visible_unit_q(scope, prefix))
    if scope.everything:
        return queryset
    return queryset.none()


def can_write_master(user: Any) -> bool:
    scope = scope_for(user)
    return not scope.read_only and (scope.everything or scope.is_hr)


def is_province_admin(user: Any) -> bool:
    """Who may change province-wide definitions (rule sets, workflow definitions, custom
    fields, competency frameworks): a system admin, or an HR admin granted on a root unit
    of the tree (the province itself). A ward's or a bloc's HR admin may not."""
    scope = scope_for(user)
    if scope.user_id is None or scope.read_only:
        return False
    if scope.everything:
        return True
    from thanhhoa_kpi.organization.models import OrgUnit

    return any(len(path) == OrgUnit.steplen for path in scope.hr_unit_paths)


def can_manage_bloc(user: Any, bloc: str) -> bool:
    """Who may change a bloc-wide row (a job position of the bloc): province admins and
    HR admins granted on that whole bloc."""
    scope = scope_for(user)
    return is_province_admin(user) or (not scope.read_only and bloc in scope.hr_blocs)


def access_object(user: Any, model: type[models.Model], pk: Any, *, for_action: str = "view") -> Any:
    """One protected row: 404 when outside the scope, 403 when visible but not writable."""
    try:
        obj = scoped(model._default_manager.all(), user).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFound("Không tìm thấy bản ghi hoặc bạn không có quyền xem.") from None
    if for_action != "view" and not can_write_master(user):
        raise PermissionRefused("Bạn không có quyền thay đổi bản ghi này.")
    return obj


def writable(queryset: QuerySet, user: Any) -> QuerySet:
    """Rows whose master data the user may change (HR admin in scope, system admin)."""
    scope = scope_for(user)
    if scope.user_id is None or scope.read_only:
        return queryset.none()
    rule = _WRITE_RULES.get(queryset.model)
    if rule is not None:
        return queryset.filter(rule(user))
    if scope.everything:
        return queryset
    via, prefix = _REGISTRY.get(queryset.model, ("", ""))
    if via == "unit":
        return queryset.filter(manageable_unit_q(scope, prefix))
    if via == "official":
        units = manageable_unit_q(scope, "unit__")
        official_ids = current_assignments().filter(units).values("official_id")
        unassigned = Q(**{f"{prefix}assignments__isnull": True})
        return queryset.filter(Q(**{f"{prefix}pk__in": official_ids}) | unassigned).distinct()
    if via == "public":
        return queryset if scope.is_hr else queryset.none()
    return queryset.none()


def can_change(user: Any, obj: models.Model) -> bool:
    return writable(type(obj)._default_manager.filter(pk=obj.pk), user).exists()
