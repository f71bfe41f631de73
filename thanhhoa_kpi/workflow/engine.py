"""The workflow engine: who may take which action on a document, without a database.

Why this is hand-written rather than a library:

- django-viewflow is AGPL-3.0 (its library exception covers only unmodified use), which
  the project's dependency review rules out.
- django-fsm-2 declares transitions as decorated methods in Python code. SPEC section 4
  requires workflows that an HR admin edits as *data* in the desk, validated on save and
  versioned (a document keeps the version it started with), with approvers resolved from
  the org chart ("head of the subject's unit", "authority of the subject's bloc"), not
  only from static roles. Neither library gives us that without working against it.

The engine is pure: it imports only the standard library, takes frozen dataclasses and
plain facts, and returns a result or raises :class:`TransitionRefused`. Everything that
needs the database happens in the caller (``workflow/services.py``):

- approver rules are *names*. The caller resolves which of them hold between the
  acting user and the document and passes them as :attr:`Actor.relations` (for
  example ``{"UNIT_HEAD"}`` when the actor heads the subject's unit), together with
  the roles the actor holds over the document's scope as :attr:`Actor.roles`
  (matched by approver entries ``"ROLE:<name>"``);
- guards are *names* too; the caller evaluates them through ``check_guard``;
- persisting the new state, the history line and the notifications are the caller's.

The definitions themselves (dataclasses, parsing, validation) live in
:mod:`thanhhoa_kpi.workflow.definition` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

from thanhhoa_kpi.workflow.definition import (
    ROLE_PREFIX,
    SUBJECT,
    Contract,
    ContractRule,
    DefinitionError,
    InvalidDefinitionError,
    StateDef,
    TransitionDef,
    WorkflowDef,
    definition_to_mapping,
    is_subject_step,
    parse_definition,
    states_tagged,
    validate_definition,
)

__all__ = [
    "ROLE_PREFIX",
    "SUBJECT",
    "Actor",
    "Contract",
    "ContractRule",
    "Decision",
    "DefinitionError",
    "GuardCheck",
    "InvalidDefinitionError",
    "StateDef",
    "TransitionDef",
    "TransitionRefused",
    "WorkflowDef",
    "available_transitions",
    "decide",
    "definition_to_mapping",
    "find_state",
    "initial_state",
    "is_editable",
    "is_subject_step",
    "parse_definition",
    "states_tagged",
    "validate_definition",
]

# A guard check answers None when the guard holds, or a Vietnamese reason when it does
# not. A mapping of precomputed outcomes works too; a guard missing from it fails.
GuardCheck: TypeAlias = Callable[[str], str | None] | Mapping[str, str | None]


@dataclass(frozen=True)
class Actor:
    """The acting user, with the facts the caller resolved about them for one document.

    ``relations`` are the approver-rule names that hold between this user and the
    document (``"UNIT_HEAD"``, ``"FIELD_DEPUTY"``, ...); ``roles`` are the plain role
    names the user holds over the document's scope (``"HR_ADMIN"``).
    """

    user_id: int
    roles: frozenset[str] = frozenset()
    relations: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Decision:
    """An allowed transition: the caller moves the document to ``target``, then runs
    the transition's ``effects`` (names the document type registered), in order."""

    source: str
    target: str
    action: str
    effects: tuple[str, ...] = ()


class TransitionRefused(Exception):
    """A refused action, with a stable ``code`` and a Vietnamese ``message``.

    Codes: ``UNKNOWN_ACTION``, ``NOT_ALLOWED_FROM_STATE``, ``NOT_AN_APPROVER``,
    ``SELF_ACTION``, ``COMMENT_REQUIRED``, ``GUARD_FAILED`` (``reasons`` then holds one
    reason per failing guard). The service layer maps it onto ``DomainError``.
    """

    def __init__(self, code: str, message: str, reasons: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reasons = reasons


def find_state(definition: WorkflowDef, code: str) -> StateDef | None:
    """The state with this code, or None when the definition has no such state."""
    return next((state for state in definition.states if state.code == code), None)


def initial_state(definition: WorkflowDef) -> str:
    """The code of the state a new document starts in.

    Raises ValueError for a definition without exactly one initial state, which
    :func:`validate_definition` rejects before any definition is used.
    """
    initial = [state.code for state in definition.states if state.initial]
    if len(initial) != 1:
        raise ValueError(
            f"Quy trình {definition.code} phiên bản {definition.version} phải có đúng "
            f"một trạng thái khởi đầu (đang có {len(initial)})."
        )
    return initial[0]


def is_editable(definition: WorkflowDef, state: str) -> bool:
    """Whether a document's content may change in ``state``; unknown states are not."""
    found = find_state(definition, state)
    return found is not None and found.editable


def _is_owner(actor: Actor, subject_owner_id: int | None) -> bool:
    # Documents without an owner (subject_owner_id None) have no self-action to forbid.
    return subject_owner_id is not None and actor.user_id == subject_owner_id


def _grants(actor: Actor, subject_owner_id: int | None) -> frozenset[str]:
    # The owner is the subject whatever the caller resolved: being the document's
    # subject is a fact the engine can see for itself.
    owner = {SUBJECT} if _is_owner(actor, subject_owner_id) else set()
    roles = {ROLE_PREFIX + role for role in actor.roles}
    return actor.relations | roles | owner


def _permission_refusal(
    definition: WorkflowDef, transition: TransitionDef, actor: Actor, subject_owner_id: int | None
) -> TransitionRefused | None:
    # SUBJECT counts only on the subject's own steps (submit, withdraw a draft): a
    # definition stored before the validator refused it elsewhere grants nothing.
    own_step = SUBJECT in transition.approvers and is_subject_step(definition, transition)
    # Self-action rule (SPEC section 2: "nobody approves their own appraisal"). It comes
    # before the approver check on purpose: a unit head's own appraisal names them as
    # UNIT_HEAD too, and that must not let them approve it.
    if _is_owner(actor, subject_owner_id) and not own_step:
        return TransitionRefused(
            "SELF_ACTION",
            f"Bạn không được tự thực hiện «{transition.label}» đối với hồ sơ của chính mình.",
        )
    approvers = set(transition.approvers) if own_step else set(transition.approvers) - {SUBJECT}
    if not _grants(actor, subject_owner_id) & approvers:
        return TransitionRefused(
            "NOT_AN_APPROVER",
            f"Bạn không có thẩm quyền thực hiện «{transition.label}» đối với hồ sơ này.",
        )
    return None


def available_transitions(
    definition: WorkflowDef, *, state: str, actor: Actor, subject_owner_id: int | None
) -> list[TransitionDef]:
    """The transitions out of ``state`` that ``actor`` may take, in definition order.

    Guards and the comment are not evaluated here (guards may be costly and the comment
    is not known yet); :func:`decide` checks them and explains a refusal.
    """
    return [
        transition
        for transition in definition.transitions
        if state in transition.sources and _permission_refusal(definition, transition, actor, subject_owner_id) is None
    ]


def _guard_reason(check_guard: GuardCheck, guard: str) -> str | None:
    if isinstance(check_guard, Mapping):
        if guard not in check_guard:
            # Fail closed: a guard nobody evaluated must not let the document through.
            return f"điều kiện «{guard}» chưa được kiểm tra"
        reason = check_guard[guard]
    else:
        reason = check_guard(guard)
    if reason is None:
        return None
    return reason.strip() or f"điều kiện «{guard}» không được thỏa mãn"


def _state_label(definition: WorkflowDef, state: str) -> str:
    found = find_state(definition, state)
    return found.label if found is not None else state


def decide(
    definition: WorkflowDef,
    *,
    state: str,
    action: str,
    actor: Actor,
    subject_owner_id: int | None,
    comment: str = "",
    check_guard: GuardCheck,
) -> Decision:
    """Decide whether ``actor`` may take ``action`` on a document in ``state``.

    Checks, in order: the action exists, it leads out of ``state``, the self-action
    rule, the approver rules, the comment, then every guard (all failing reasons are
    reported together). Returns the :class:`Decision` or raises
    :class:`TransitionRefused`.
    """
    candidates = [t for t in definition.transitions if t.action == action]
    if not candidates:
        raise TransitionRefused(
            "UNKNOWN_ACTION",
            f"Thao tác «{action}» không có trong quy trình {definition.code} (phiên bản {definition.version}).",
        )
    transition = next((t for t in candidates if state in t.sources), None)
    if transition is None:
        raise TransitionRefused(
            "NOT_ALLOWED_FROM_STATE",
            f"Không thể thực hiện «{candidates[0].label}» khi hồ sơ đang ở trạng thái "
            f"«{_state_label(definition, state)}».",
        )
    refusal = _permission_refusal(definition, transition, actor, subject_owner_id)
    if refusal is not None:
        raise refusal
    # A whitespace-only reason is no reason: returns and re-openings must be explained.
    if transition.comment_required and not comment.strip():
        raise TransitionRefused(
            "COMMENT_REQUIRED",
            f"Thao tác «{transition.label}» bắt buộc phải nhập lý do.",
        )
    reasons = tuple(
        reason for reason in (_guard_reason(check_guard, guard) for guard in transition.guards) if reason is not None
    )
    if reasons:
        raise TransitionRefused(
            "GUARD_FAILED",
            f"Chưa thể thực hiện «{transition.label}»: {'; '.join(reasons)}",
            reasons,
        )
    return Decision(source=state, target=transition.target, action=action, effects=transition.effects)
