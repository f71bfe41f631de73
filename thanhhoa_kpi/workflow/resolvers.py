"""Approver rules resolved from the org chart (SPEC 4), both ways.

A definition names who may take a transition with approver rules; the pure engine only
sees their names. This module says which names hold between a user and a document:

- ``SUBJECT``: the user of the document's official (``workflow_subject_official()``).
- ``UNIT_HEAD``: a HEAD of the subject's own unit (``workflow_subject_unit()``).
  Decision: the head of that unit only, not of an ancestor. A ward chairman heads the
  ward, not each of its offices; reaching further up is what ``PARENT_UNIT_HEAD`` and
  ``BLOC_AUTHORITY`` are for, and a definition may add ``ROLE:HEAD`` (a head of the unit
  or of any ancestor) where a wider circle is wanted.
- ``FIELD_DEPUTY``: a DEPUTY of the subject's unit whose fields in charge overlap the
  subject's fields there (ND 335 Điều 15.4), never the subject themself.
- ``PARENT_UNIT_HEAD``: only when the subject is the HEAD of their unit: a head of the
  parent unit (who appraises a unit head).
- ``BLOC_AUTHORITY``: a user holding a BLOC_AUTHORITY grant for the unit's bloc.
- ``PROVINCE_ADMIN``: a province-level admin (a system admin, or an HR admin granted on
  a root unit: :func:`~thanhhoa_kpi.accounts.access.is_province_admin`), wherever the
  document is; it approves changes of province-wide definitions.
- ``ROLE:<code>``: the user holds role ``<code>`` *over the document's unit*: a grant
  whose scope covers it (HR admin of the unit's subtree or bloc, authority of its bloc,
  viewer and system admin everywhere), HEAD of the unit or an ancestor, DEPUTY or
  OFFICIAL working in the unit.

Forward (:func:`actor_for`: may this user act?) reads the user's cached
:func:`~thanhhoa_kpi.accounts.access.scope_for`, so it costs no query per document.
Reverse (:func:`actors_for`: who may act?) reads a :class:`Directory` of the org chart's
leaders and grants, loaded once for one document or for the whole province. Tests hold
the two to the same answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from thanhhoa_kpi.accounts.access import Scope, current_assignments, scope_for
from thanhhoa_kpi.accounts.roles import Role
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.workflow.engine import ROLE_PREFIX, SUBJECT, Actor

UNIT_HEAD = "UNIT_HEAD"
FIELD_DEPUTY = "FIELD_DEPUTY"
PARENT_UNIT_HEAD = "PARENT_UNIT_HEAD"
BLOC_AUTHORITY = "BLOC_AUTHORITY"
PROVINCE_ADMIN = "PROVINCE_ADMIN"

RULE_LABELS: dict[str, str] = {
    SUBJECT: "Người có hồ sơ (người soạn)",
    UNIT_HEAD: "Người đứng đầu đơn vị",
    FIELD_DEPUTY: "Cấp phó phụ trách lĩnh vực",
    PARENT_UNIT_HEAD: "Người đứng đầu đơn vị cấp trên (hồ sơ của người đứng đầu)",
    BLOC_AUTHORITY: "Cơ quan tổ chức cán bộ của khối",
    PROVINCE_ADMIN: "Quản trị cấp tỉnh",
}
_HEAD, _DEPUTY = "HEAD", "DEPUTY"
_STEP = OrgUnit.steplen


def known_approver_rules() -> frozenset[str]:
    return frozenset(RULE_LABELS)


def known_roles() -> frozenset[str]:
    return frozenset(role.value for role in Role)


def approver_label(rule: str) -> str:
    if rule.startswith(ROLE_PREFIX):
        code = rule[len(ROLE_PREFIX) :]
        label = next((role.label for role in Role if role.value == code), code)
        return f"Vai trò: {label}"
    return RULE_LABELS.get(rule, rule)


@dataclass(frozen=True)
class Subject:
    """What the approver rules need to know about one document."""

    owner_user_id: int | None
    official_id: int | None
    unit_id: int
    unit_path: str
    bloc: str
    fields: frozenset[str] = frozenset()
    is_head: bool = False

    @property
    def parent_path(self) -> str | None:
        return self.unit_path[:-_STEP] or None

    def ancestor_paths(self) -> tuple[str, ...]:
        """The unit's own path and those of every ancestor (materialised-path prefixes)."""
        return tuple(self.unit_path[:end] for end in range(_STEP, len(self.unit_path) + 1, _STEP))


def subjects_of(documents: Sequence[Any]) -> list[Subject]:
    """The subjects of many documents with one query (plus what ``workflow_related`` saves)."""
    officials = [document.workflow_subject_official() for document in documents]
    units = [document.workflow_subject_unit() for document in documents]
    owners = [document.workflow_subject_user_id() for document in documents]
    ids = {official.pk for official in officials if official is not None}
    postings: dict[tuple[int, int], tuple[str, list[str]]] = {}
    if ids:
        rows = current_assignments().filter(official_id__in=ids)
        for official_id, unit_id, role, fields in rows.values_list(
            "official_id", "unit_id", "leadership_role", "fields_in_charge"
        ):
            postings[(official_id, unit_id)] = (role, fields or [])
    return [
        _subject(official, unit, postings, owner)
        for official, unit, owner in zip(officials, units, owners, strict=True)
    ]


def subject_of(document: Any) -> Subject:
    return subjects_of([document])[0]


def _subject(
    official: Any, unit: OrgUnit, postings: dict[tuple[int, int], tuple[str, list[str]]], owner: int | None = None
) -> Subject:
    role, fields = postings.get((official.pk, unit.pk), ("", [])) if official is not None else ("", [])
    if owner is None and official is not None:
        owner = official.user_id
    return Subject(
        owner_user_id=owner,
        official_id=official.pk if official is not None else None,
        unit_id=unit.pk,
        unit_path=unit.path,
        bloc=unit.bloc,
        fields=frozenset(fields),
        is_head=role == _HEAD,
    )


# ------------------------------------------------------------------------------ forward


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path.startswith(root) for root in roots)


def relations_of(scope: Scope, subject: Subject) -> frozenset[str]:
    """The approver rules (other than roles) that hold between the scope's user and the document."""
    held: set[str] = set()
    if subject.owner_user_id is not None and scope.user_id == subject.owner_user_id:
        held.add(SUBJECT)
    if subject.unit_path in scope.head_unit_paths:
        held.add(UNIT_HEAD)
    if subject.official_id in scope.deputy_official_ids and subject.unit_id in scope.member_unit_ids:
        held.add(FIELD_DEPUTY)
    if subject.is_head and subject.parent_path in scope.head_unit_paths:
        held.add(PARENT_UNIT_HEAD)
    if subject.bloc in scope.authority_blocs:
        held.add(BLOC_AUTHORITY)
    if _province_admin(scope):
        held.add(PROVINCE_ADMIN)
    return frozenset(held)


def _province_admin(scope: Scope) -> bool:
    # The rule of access.is_province_admin, read from the scope (no user object here).
    return not scope.read_only and (scope.everything or any(len(path) == _STEP for path in scope.hr_unit_paths))


def _role_covers(role: str, scope: Scope, subject: Subject) -> bool:
    if role in (Role.SYSTEM_ADMIN, Role.VIEWER):
        return True
    if role == Role.BLOC_AUTHORITY:
        return subject.bloc in scope.authority_blocs
    if role == Role.HR_ADMIN:
        return _under(subject.unit_path, scope.hr_unit_paths) or subject.bloc in scope.hr_blocs
    if role == Role.HEAD:
        return _under(subject.unit_path, scope.head_unit_paths)
    return subject.unit_id in scope.member_unit_ids  # DEPUTY, OFFICIAL: working in the unit


def roles_over(scope: Scope, subject: Subject) -> frozenset[str]:
    """The roles the scope's user holds over the document's unit."""
    return frozenset(role for role in scope.roles if _role_covers(role, scope, subject))


def actor_for(user: Any, subject: Subject) -> Actor:
    """The engine's view of ``user`` acting on a document with this subject."""
    scope = scope_for(user)
    return Actor(user_id=user.pk, roles=roles_over(scope, subject), relations=relations_of(scope, subject))


def potential_grants(scope: Scope) -> frozenset[str]:
    """Approver entries the user may hold on *some* document (the inbox's first filter)."""
    held = {SUBJECT} if scope.official_id else set()
    if scope.head_unit_paths:
        held |= {UNIT_HEAD, PARENT_UNIT_HEAD}
    if scope.deputy_official_ids:
        held.add(FIELD_DEPUTY)
    if scope.authority_blocs:
        held.add(BLOC_AUTHORITY)
    if _province_admin(scope):
        held.add(PROVINCE_ADMIN)
    return frozenset(held | {ROLE_PREFIX + role for role in scope.roles})


# ------------------------------------------------------------------------------ reverse


@dataclass
class Directory:
    """Leaders and role grants of the org chart, read once, answering "who may act"."""

    heads: dict[str, set[int]] = field(default_factory=dict)
    deputies: dict[str, list[tuple[int, int, frozenset[str]]]] = field(default_factory=dict)
    grants: list[tuple[int, str, str, str | None]] = field(default_factory=list)
    _members: dict[str, set[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, paths: Collection[str] | None = None) -> Directory:
        """Leaders of the units at ``paths`` (every unit when None) and every active grant."""
        from thanhhoa_kpi.accounts.models import RoleGrant, User

        directory = cls()
        rows = current_assignments().filter(
            leadership_role__in=[_HEAD, _DEPUTY], official__user__isnull=False, official__user__is_active=True
        )
        if paths is not None:
            rows = rows.filter(unit__path__in=list(paths))
        for user_id, official_id, path, role, fields in rows.values_list(
            "official__user_id", "official_id", "unit__path", "leadership_role", "fields_in_charge"
        ):
            if role == _HEAD:
                directory.heads.setdefault(path, set()).add(user_id)
            else:
                directory.deputies.setdefault(path, []).append((user_id, official_id, frozenset(fields or [])))
        grants = RoleGrant.objects.filter(user__is_active=True).values_list("user_id", "role", "bloc", "unit__path")
        directory.grants = list(grants)
        admins = User.objects.filter(is_superuser=True, is_active=True).values_list("pk", flat=True)
        directory.grants += [(pk, Role.SYSTEM_ADMIN.value, "", None) for pk in admins]
        return directory

    def members(self, path: str) -> set[int]:
        """Users working in the unit at ``path`` (read on demand: only ROLE:OFFICIAL needs it)."""
        if path not in self._members:
            rows = current_assignments().filter(unit__path=path, official__user__is_active=True)
            self._members[path] = set(rows.values_list("official__user_id", flat=True))
        return self._members[path]


def _grant_covers(role: str, bloc: str, path: str | None, subject: Subject) -> bool:
    if role == Role.BLOC_AUTHORITY:
        return bloc == subject.bloc
    if role == Role.HR_ADMIN:
        return (path is not None and subject.unit_path.startswith(path)) or (bool(bloc) and bloc == subject.bloc)
    return role in (Role.SYSTEM_ADMIN, Role.VIEWER)


def _relation_holders(subject: Subject, directory: Directory) -> dict[int, set[str]]:
    held: dict[int, set[str]] = defaultdict(set)
    if subject.owner_user_id is not None:
        held[subject.owner_user_id].add(SUBJECT)
    for user_id in directory.heads.get(subject.unit_path, ()):
        held[user_id].add(UNIT_HEAD)
    for user_id, official_id, fields in directory.deputies.get(subject.unit_path, ()):
        if official_id != subject.official_id and fields & subject.fields:
            held[user_id].add(FIELD_DEPUTY)
    if subject.is_head and subject.parent_path:
        for user_id in directory.heads.get(subject.parent_path, ()):
            held[user_id].add(PARENT_UNIT_HEAD)
    for user_id, role, bloc, path in directory.grants:
        if role == Role.BLOC_AUTHORITY and bloc == subject.bloc:
            held[user_id].add(BLOC_AUTHORITY)
        if role == Role.SYSTEM_ADMIN or (role == Role.HR_ADMIN and path is not None and len(path) == _STEP):
            held[user_id].add(PROVINCE_ADMIN)
    return held


def _role_holders(subject: Subject, directory: Directory, wanted: Collection[str]) -> dict[int, set[str]]:
    held: dict[int, set[str]] = defaultdict(set)
    for user_id, role, bloc, path in directory.grants:
        if _grant_covers(role, bloc, path, subject):
            held[user_id].add(role)
    for ancestor in subject.ancestor_paths():
        for user_id in directory.heads.get(ancestor, ()):
            held[user_id].add(Role.HEAD.value)
    for user_id, _official, _fields in directory.deputies.get(subject.unit_path, ()):
        held[user_id].add(Role.DEPUTY.value)
    if ROLE_PREFIX + Role.OFFICIAL in wanted:
        for user_id in directory.members(subject.unit_path):
            held[user_id].add(Role.OFFICIAL.value)
    return held


def actors_for(subject: Subject, directory: Directory, wanted: Collection[str] = ()) -> list[Actor]:
    """Every user holding some approver rule or role over the document, as engine actors.

    ``wanted`` lists the approver entries the caller will test; the members of the
    unit are read only when it contains ``ROLE:OFFICIAL``.
    """
    relations = _relation_holders(subject, directory)
    roles = _role_holders(subject, directory, wanted)
    return [
        Actor(user_id=user_id, roles=frozenset(roles.get(user_id, ())), relations=frozenset(relations.get(user_id, ())))
        for user_id in sorted(set(relations) | set(roles))
    ]
