"""Writes of the workflow layer: start a document, move it, propose and approve a definition.

Each service owns its transaction. Lock order (STYLE 7): the document row first
(``select_for_update``), then whatever the transition's effects lock; nothing
else is locked, so two transitions on different documents never wait for each other.
Notifications are enqueued with ``transaction.on_commit``: nobody is told about a
transition that was rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from thanhhoa_kpi.core.errors import DomainError, FieldError, NotFound, ValidationFailed
from thanhhoa_kpi.core.retry import retry_transaction
from thanhhoa_kpi.workflow import governance, notifications
from thanhhoa_kpi.workflow.definition_checks import definition_errors
from thanhhoa_kpi.workflow.effects import run_effects
from thanhhoa_kpi.workflow.engine import TransitionRefused, decide, initial_state
from thanhhoa_kpi.workflow.guards import guard_reason
from thanhhoa_kpi.workflow.models import (
    Notification,
    TransitionLog,
    VersionStatus,
    WorkflowDefinition,
    WorkflowDocument,
)
from thanhhoa_kpi.workflow.resolvers import actor_for, subject_of
from thanhhoa_kpi.workflow.selectors import ActionOption, document_actions

# Refusal code → HTTP status: who you are (403), what the document's state allows (409),
# what you sent (400).
_STATUS = {
    "NOT_AN_APPROVER": 403,
    "SELF_ACTION": 403,
    "NOT_ALLOWED_FROM_STATE": 409,
    "GUARD_FAILED": 409,
    "UNKNOWN_ACTION": 400,
    "COMMENT_REQUIRED": 400,
}
_FIELD = {"UNKNOWN_ACTION": "action", "COMMENT_REQUIRED": "comment"}


class WorkflowRefused(DomainError, TransitionRefused):
    """A refused transition: a :class:`TransitionRefused` (same codes) that the API and
    the desk report like every other :class:`DomainError`."""

    def __init__(self, code: str, message: str, reasons: Iterable[str] = ()) -> None:
        reasons = tuple(reasons)
        if code in _FIELD:
            errors = [FieldError(_FIELD[code], message)]
        else:
            errors = [FieldError("", reason) for reason in reasons]
        DomainError.__init__(self, code=code, message=message, errors=errors, http_status=_STATUS.get(code, 400))
        self.reasons = reasons


def _refused(refusal: TransitionRefused) -> WorkflowRefused:
    return WorkflowRefused(refusal.code, refusal.message, refusal.reasons)


def _current(code: str) -> WorkflowDefinition:
    definition = WorkflowDefinition.objects.current(code)
    if definition is None:
        raise NotFound(f"Chưa có quy trình «{code}» đang dùng.", code="WORKFLOW_NOT_FOUND")
    return definition


def workflow_start_fields(*, definition_code: str, doctype: str) -> dict[str, Any]:
    """The workflow fields of a new document, for hosts that ``bulk_create`` many at once."""
    definition = _current(definition_code)
    if definition.doctype != doctype:
        raise ValidationFailed(
            f"Quy trình «{definition_code}» dành cho {definition.get_doctype_display()}, "
            "không dùng được cho loại tài liệu này.",
            [FieldError("workflow", "Quy trình không khớp loại tài liệu.")],
            code="WORKFLOW_DOCTYPE_MISMATCH",
        )
    return {"workflow": definition, "state": initial_state(definition.parsed()), "state_changed_at": timezone.now()}


@transaction.atomic
def workflow_start(*, document: WorkflowDocument, definition_code: str | None = None) -> WorkflowDocument:
    """Put ``document`` on the current version of its workflow, in the initial state, and save it.

    ``definition_code`` defaults to the host's ``workflow_code``. The document keeps this
    version for good, whatever later versions say.
    """
    fields = workflow_start_fields(
        definition_code=definition_code or document.workflow_code, doctype=document.workflow_doctype
    )
    for name, value in fields.items():
        setattr(document, name, value)
    document.save()
    return document


def _stale(document: WorkflowDocument) -> WorkflowRefused:
    return WorkflowRefused(
        "NOT_ALLOWED_FROM_STATE",
        f"Tài liệu đã được người khác xử lý (hiện ở trạng thái «{document.workflow_state_label()}»); "
        "vui lòng tải lại để xem các thao tác còn thực hiện được.",
    )


@retry_transaction
def workflow_transition(
    *, document: WorkflowDocument, action: str, user: Any, comment: str = "", expected_state: str | None = None
) -> TransitionLog:
    """Take ``action`` on ``document`` as ``user``; returns the history line written.

    The document row is locked and its state read again under the lock. If it moved
    since the caller read it (``expected_state``, by default ``document.state``), the
    action is refused with ``NOT_ALLOWED_FROM_STATE``: of two people acting at once,
    exactly one succeeds. Raises :class:`WorkflowRefused` (a ``TransitionRefused`` and
    a ``DomainError``) with the engine's codes. A transaction refused by the database
    (deadlock, Galera certification conflict) is run again from the lock on, up to
    :data:`thanhhoa_kpi.core.retry.ATTEMPTS` times.
    """
    seen = document.state if expected_state is None else expected_state
    with transaction.atomic():
        # No select_related here: MariaDB has no FOR UPDATE OF, so a join would lock
        # the shared definition row and serialise every transition of that workflow.
        locked = type(document)._default_manager.select_for_update().get(pk=document.pk)
        if locked.state != seen:
            raise _stale(locked)
        log = _apply(locked, action=action, user=user, comment=comment)
        # Written with the transition, enqueued after commit; kept in the outbox if Redis is down.
        notifications.transition_notify_later(log_id=log.pk)
    document.state, document.state_changed_at = locked.state, locked.state_changed_at
    return log


def _apply(document: WorkflowDocument, *, action: str, user: Any, comment: str) -> TransitionLog:
    definition = document.workflow.parsed()
    subject = subject_of(document)
    try:
        decision = decide(
            definition,
            state=document.state,
            action=action,
            actor=actor_for(user, subject),
            subject_owner_id=subject.owner_user_id,
            comment=comment,
            check_guard=lambda name: guard_reason(document, name),
        )
    except TransitionRefused as refusal:
        raise _refused(refusal) from None
    transition = next(t for t in definition.transitions if t.action == action and decision.source in t.sources)
    document.state = decision.target
    document.state_changed_at = timezone.now()
    names = ["state", "state_changed_at"]
    if any(f.name == "updated_at" for f in document._meta.concrete_fields):
        names.append("updated_at")
    # The row's history names the person and the action («Gửi», «Duyệt»), not "system".
    if getattr(user, "pk", None):
        document._history_user = user  # type: ignore[attr-defined]
    document._change_reason = transition.label  # type: ignore[attr-defined]
    document.save(update_fields=names)
    log = TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(type(document)),
        object_id=document.pk,
        workflow=document.workflow,
        action=action,
        action_label=transition.label,
        from_state=decision.source,
        to_state=decision.target,
        actor=user,
        comment=comment.strip(),
    )
    run_effects(document, decision, user)
    return log


def available_actions(*, document: WorkflowDocument, user: Any) -> list[ActionOption]:
    """``[(action, label, comment_required)]`` that ``user`` may take on ``document`` now."""
    return document_actions(document=document, user=user)


@dataclass
class BulkOutcome:
    succeeded: list[WorkflowDocument] = field(default_factory=list)
    failed: list[tuple[WorkflowDocument, DomainError]] = field(default_factory=list)


def workflow_transition_many(
    *, documents: Iterable[WorkflowDocument], action: str, user: Any, comment: str = ""
) -> BulkOutcome:
    """The same action on many documents, each in its own transaction (inbox bulk actions).

    One refusal does not undo the others: the outcome lists what succeeded and why
    each failure failed.
    """
    outcome = BulkOutcome()
    for document in documents:
        try:
            workflow_transition(document=document, action=action, user=user, comment=comment)
        except DomainError as error:
            outcome.failed.append((document, error))
        else:
            outcome.succeeded.append(document)
    return outcome


# --------------------------------------------------------------------------- definitions


def _body(definition: Mapping[str, Any]) -> dict[str, Any]:
    return {"states": definition.get("states", []), "transitions": definition.get("transitions", [])}


def _next_version(code: str) -> int:
    last = WorkflowDefinition.objects.filter(code=code).order_by("-version").values_list("version", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def workflow_definition_save(
    *, user: Any, code: str, name: str, doctype: str, definition: Mapping[str, Any]
) -> WorkflowDefinition:
    """Propose a new version of workflow ``code`` (a new workflow too); nothing takes effect yet.

    Only a province-level admin may (``PROVINCE_ADMIN_ONLY``, 403). The definition is
    validated first (``INVALID_WORKFLOW`` listing every problem). The new version is
    saved PROPOSED, ``is_current`` off, with its DEFINITION_CHANGE proposal: documents
    keep starting on the version in force until another province-level admin approves
    it (:func:`workflow_definition_approve`). A version is never edited in place. An
    unchanged definition returns the version in force; a second proposal while one is
    pending is refused (``PROPOSAL_PENDING``, 409).
    """
    governance.require_province_admin(user, "quy trình phê duyệt")
    errors = definition_errors(code=code, name=name, doctype=doctype, definition=definition)
    if errors:
        raise ValidationFailed("Quy trình chưa hợp lệ, chưa được lưu.", errors, code="INVALID_WORKFLOW")
    body = _body(definition)
    rows = list(WorkflowDefinition.objects.select_for_update().filter(code=code).order_by("-version"))
    current = next((row for row in rows if row.is_current), None)
    known = current or next(iter(rows), None)
    if known is not None and known.doctype != doctype:
        raise ValidationFailed(
            "Không được đổi loại tài liệu của một quy trình đã có.",
            [FieldError("doctype", "Hãy tạo quy trình mới với mã khác.")],
            code="INVALID_WORKFLOW",
        )
    if current is not None and current.definition == body and current.name == name:
        return current
    governance.refuse_if_pending(WorkflowDefinition, code)
    proposed = WorkflowDefinition.objects.create(
        code=code, version=_next_version(code), name=name, doctype=doctype, definition=body,
        is_current=False, status=VersionStatus.PROPOSED,
    )  # fmt: skip
    proposed._history_user = user  # type: ignore[attr-defined]
    governance.propose(row=proposed, user=user, summary=f"Quy trình «{name}» ({code}) phiên bản {proposed.version}")
    return proposed


def workflow_definition_approve(*, proposal: WorkflowDefinition, by: Any) -> WorkflowDefinition:
    """Put a proposed version in force: ``by`` must be another province-level admin."""
    return governance.decide_proposal(row=proposal, by=by, action=governance.APPROVE)  # type: ignore[return-value]


def workflow_definition_reject(*, proposal: WorkflowDefinition, by: Any, comment: str) -> WorkflowDefinition:
    """Refuse a proposed version, with a reason; the version in force stays."""
    return governance.decide_proposal(row=proposal, by=by, action=governance.REJECT, comment=comment)  # type: ignore[return-value]


def workflow_definition_withdraw(*, proposal: WorkflowDefinition, by: Any, comment: str) -> WorkflowDefinition:
    """The proposer takes their proposal back, saying why."""
    return governance.decide_proposal(row=proposal, by=by, action=governance.WITHDRAW, comment=comment)  # type: ignore[return-value]


# ------------------------------------------------------------------------- notifications


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is None)."""
    rows = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
