"""Reads of the workflow layer: actions open to a user, inboxes, who is awaited, history.

A document *awaits* a user when the user may take one of its transitions that needs no
comment. Comment-required transitions (return, re-open) are corrections anyone entitled
may make at any time; counting them would put every published document in each bloc
authority's inbox for good. The same rule picks who is notified after a transition and
who gets the daily digest, so the inbox, the e-mails and the digest always agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import islice
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.workflow.engine import Actor, TransitionDef, WorkflowDef, available_transitions
from thanhhoa_kpi.workflow.hosts import doctype_label, host_models
from thanhhoa_kpi.workflow.models import Notification, TransitionLog, WorkflowDefinition, WorkflowDocument
from thanhhoa_kpi.workflow.resolvers import (
    Directory,
    Subject,
    actor_for,
    actors_for,
    potential_grants,
    subject_of,
    subjects_of,
)

_CHUNK = 500


class ActionOption(NamedTuple):
    """An action a user may take now: ``(action, label, comment_required)``."""

    action: str
    label: str
    comment_required: bool


@dataclass(frozen=True)
class InboxItem:
    """A document awaiting the user; ``actions`` lists every action open to them, corrections included."""

    document: WorkflowDocument
    doctype: str
    doctype_label: str
    title: str
    state: str
    state_label: str
    actions: tuple[ActionOption, ...]
    waiting_since: datetime | None
    # The current step's deadline (``workflow_deadline``); ``days_left`` is set by
    # :func:`inbox_due` against today (negative: overdue by that many days).
    deadline: date | None = None
    days_left: int | None = None

    @property
    def due_mark(self) -> str:
        """«Quá hạn N ngày» or «Còn N ngày» within :data:`DUE_SOON_DAYS`; else empty."""
        if self.days_left is None or self.days_left > DUE_SOON_DAYS:
            return ""
        if self.days_left < 0:
            return f"Quá hạn {-self.days_left} ngày"
        return "Đến hạn hôm nay" if self.days_left == 0 else f"Còn {self.days_left} ngày"

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def _options(transitions: Iterable[TransitionDef]) -> tuple[ActionOption, ...]:
    seen: dict[str, ActionOption] = {}
    for transition in transitions:
        seen.setdefault(
            transition.action, ActionOption(transition.action, transition.label, transition.comment_required)
        )
    return tuple(seen.values())


def _awaiting(transitions: Iterable[TransitionDef]) -> list[TransitionDef]:
    return [transition for transition in transitions if not transition.comment_required]


def _open_to(definition: WorkflowDef, state: str, actor: Actor, subject: Subject) -> list[TransitionDef]:
    return available_transitions(definition, state=state, actor=actor, subject_owner_id=subject.owner_user_id)


def document_actions(*, document: WorkflowDocument, user: Any) -> list[ActionOption]:
    """What ``user`` may do with ``document`` now (guards are checked when acting)."""
    if document.pk is None or not getattr(user, "is_authenticated", False):
        return []
    subject = subject_of(document)
    return list(_options(_open_to(document.workflow.parsed(), document.state, actor_for(user, subject), subject)))


def _chunks(rows: Iterable[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _awaiting_states(definition: WorkflowDef, grants: frozenset[str] | None) -> set[str]:
    """States with a no-comment transition some holder of ``grants`` (None: anyone) may take."""
    return {
        source
        for transition in _awaiting(definition.transitions)
        if grants is None or grants & set(transition.approvers)
        for source in transition.sources
    }


def awaiting_filter(
    host: type[WorkflowDocument], *, grants: frozenset[str] | None = None, state: str | None = None
) -> tuple[Q, dict[int, WorkflowDefinition]] | None:
    """A filter on the host's (version, state) pairs with a transition that awaits someone.

    With ``grants``, only transitions one of those approver entries could take count.
    Returns the filter and every version of the doctype by pk, or None when no pair fits.
    """
    definitions = {row.pk: row for row in WorkflowDefinition.objects.filter(doctype=host.workflow_doctype)}
    where = Q()
    found = False
    for pk, row in definitions.items():
        states = _awaiting_states(row.parsed(), grants)
        if state is not None:
            states &= {state}
        if states:
            where |= Q(workflow_id=pk, state__in=sorted(states))
            found = True
    return (where, definitions) if found else None


def _attach(documents: Sequence[WorkflowDocument], definitions: dict[int, WorkflowDefinition]) -> None:
    # Every version of the doctype is already in memory: no join, no query per row.
    for document in documents:
        document.workflow = definitions[document.workflow_id]


DUE_SOON_DAYS = 2
DUE_FILTERS = {"overdue": "Quá hạn", "soon": "Quá hạn hoặc còn ≤ 2 ngày"}


def inbox_due(items: list[InboxItem], *, today: date | None = None, due: str = "", order: str = "") -> list[InboxItem]:
    """Mark each item's days to its deadline; keep only the overdue (``due="overdue"``) or
    those due within :data:`DUE_SOON_DAYS` days (``"soon"``); ``order="deadline"`` puts the
    most overdue first and items without a deadline last."""
    today = today or timezone.localdate()
    items = [replace(item, days_left=(item.deadline - today).days if item.deadline else None) for item in items]
    if due == "overdue":
        items = [item for item in items if item.overdue]
    elif due == "soon":
        items = [item for item in items if item.days_left is not None and item.days_left <= DUE_SOON_DAYS]
    if order == "deadline":
        items = sorted(items, key=lambda item: (item.days_left is None, item.days_left or 0))
    return items


def _item(document: WorkflowDocument, actions: tuple[ActionOption, ...]) -> InboxItem:
    return InboxItem(
        document=document,
        doctype=document.workflow_doctype,
        doctype_label=doctype_label(document.workflow_doctype),
        title=document.workflow_title(),
        state=document.state,
        state_label=document.workflow_state_label(),
        actions=actions,
        waiting_since=document.state_changed_at,
        deadline=document.workflow_deadline(),
    )


def _host_inbox(host: type[WorkflowDocument], user: Any, grants: frozenset[str], state: str | None) -> list[InboxItem]:
    found = awaiting_filter(host, grants=grants, state=state)
    if found is None:
        return []
    where, definitions = found
    rows = access.scoped(host._default_manager.filter(where), user).select_related(*host.workflow_related)
    items: list[InboxItem] = []
    for chunk in _chunks(rows.iterator(chunk_size=_CHUNK)):
        _attach(chunk, definitions)
        for document, subject in zip(chunk, subjects_of(chunk), strict=True):
            opened = _open_to(document.workflow.parsed(), document.state, actor_for(user, subject), subject)
            if _awaiting(opened):
                items.append(_item(document, _options(opened)))
    return items


def inbox_for(*, user: Any, doctype: str | None = None, state: str | None = None) -> list[InboxItem]:
    """The documents awaiting ``user``, oldest waiting first, across every host model.

    Three steps: keep the (version, state) pairs with a transition one of the user's
    possible approver entries could take; keep the rows the user's scope reaches
    (:func:`~thanhhoa_kpi.accounts.access.scoped`); then check every candidate's actual
    relations in Python, a chunk of rows at a time with one query per chunk.
    """
    scope = access.scope_for(user)
    if scope.user_id is None:
        return []
    grants = potential_grants(scope)
    items: list[InboxItem] = []
    for host in host_models():
        if doctype is None or host.workflow_doctype == doctype:
            items.extend(_host_inbox(host, user, grants, state))
    items.sort(key=lambda item: (item.waiting_since is None, item.waiting_since or 0, item.doctype, item.document.pk))
    return items


def _awaited(document: WorkflowDocument, subject: Subject, directory: Directory) -> dict[int, tuple[ActionOption, ...]]:
    definition = document.workflow.parsed()
    wanted = {rule for transition in _awaiting(definition.transitions) for rule in transition.approvers}
    awaited: dict[int, tuple[ActionOption, ...]] = {}
    for actor in actors_for(subject, directory, wanted):
        opened = _open_to(definition, document.state, actor, subject)
        if _awaiting(opened):
            awaited[actor.user_id] = _options(opened)
    return awaited


def awaited_users(*, document: WorkflowDocument) -> dict[int, tuple[ActionOption, ...]]:
    """User id → actions, for every user the document now awaits (from the org chart)."""
    subject = subject_of(document)
    return _awaited(document, subject, Directory.load(paths=subject.ancestor_paths()))


def _awaited_rows(
    host: type[WorkflowDocument], rows: QuerySet, definitions: dict[int, WorkflowDefinition], directory: Directory
) -> Iterator[tuple[WorkflowDocument, dict[int, tuple[ActionOption, ...]]]]:
    rows = rows.select_related(*host.workflow_related)
    for chunk in _chunks(rows.iterator(chunk_size=_CHUNK)):
        _attach(chunk, definitions)
        for document, subject in zip(chunk, subjects_of(chunk), strict=True):
            yield document, _awaited(document, subject, directory)


def pending_by_user() -> dict[int, list[InboxItem]]:
    """Every awaiting document grouped by the users it awaits (the daily digest).

    Reads the org chart's leaders and grants once for the province, then each host's
    awaiting documents a chunk at a time.
    """
    directory = Directory.load()
    pending: dict[int, list[InboxItem]] = defaultdict(list)
    for host in host_models():
        found = awaiting_filter(host)
        if found is None:
            continue
        where, definitions = found
        for document, awaited in _awaited_rows(host, host._default_manager.filter(where), definitions, directory):
            for user_id, actions in awaited.items():
                pending[user_id].append(_item(document, actions))
    return dict(pending)


def due_documents(*, until: date) -> Iterator[tuple[WorkflowDocument, date, dict[int, tuple[ActionOption, ...]]]]:
    """``(document, deadline, awaited users)`` for each awaiting document whose step ends by ``until``."""
    directory = Directory.load()
    for host in host_models():
        found = awaiting_filter(host)
        if found is None:
            continue
        where, definitions = found
        for document, awaited in _awaited_rows(
            host, host.workflow_due(until=until).filter(where), definitions, directory
        ):
            deadline = document.workflow_deadline()
            if deadline is not None and awaited:
                yield document, deadline, awaited


def transition_history(*, document: WorkflowDocument) -> QuerySet:
    """The document's transition log, oldest first."""
    kind = ContentType.objects.get_for_model(type(document))
    return TransitionLog.objects.filter(content_type=kind, object_id=document.pk).select_related(
        "actor__official", "workflow"
    )


def notifications_for(*, user: Any, unread_only: bool = False) -> QuerySet:
    rows = Notification.objects.filter(user_id=user.pk)
    return rows.filter(read_at__isnull=True) if unread_only else rows


def unread_notification_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return notifications_for(user=user, unread_only=True).count()
