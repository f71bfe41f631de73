"""Workflow definitions as data: parse them, check them, write them back.

SPEC section 4 wants workflows an HR admin edits in the desk "validated when saved". The
desk stores a definition as JSON (the shape of ``fixtures/base/workflows.json``); this
module turns that JSON into frozen dataclasses (:func:`parse_definition`), lists every
problem in it with a stable code and a Vietnamese message (:func:`validate_definition`),
and turns it back into JSON (:func:`definition_to_mapping`).

Like :mod:`thanhhoa_kpi.workflow.engine`, it imports only the standard library: guard
and approver-rule names are checked against sets the caller passes in, so the registries
that give those names a meaning stay outside this module.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# The one approver rule the engine itself understands: "the person the document is
# about". The self-action rule in engine.py hangs on it, so it is always known.
SUBJECT = "SUBJECT"
# Approver entries "ROLE:<name>" are satisfied by holding role <name> over the document.
ROLE_PREFIX = "ROLE:"


@dataclass(frozen=True)
class StateDef:
    """A state: ``terminal`` means no way out, ``editable`` that content may change.

    ``tags`` say what the state means to its document type (an appraisal's "waiting for
    the bloc authority", "published"); ``deadline`` names which of the document's
    deadlines applies while it waits here. Both are names the document type registers
    (:class:`Contract`), so code asks "which state is the published one" of the
    definition instead of spelling a state code.
    """

    code: str
    label: str
    initial: bool = False
    terminal: bool = False
    editable: bool = False
    tags: tuple[str, ...] = ()
    deadline: str = ""


@dataclass(frozen=True)
class TransitionDef:
    """An action leading from any of ``sources`` to ``target``.

    ``approvers`` are approver-rule names (any one suffices); ``guards`` are guard names
    that must all hold when the action is taken; ``effects`` are the names of what the
    document type does when the action is taken (score, fix the published level ...),
    run in order inside the transition.
    """

    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    approvers: tuple[str, ...]
    guards: tuple[str, ...] = ()
    comment_required: bool = False
    effects: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContractRule:
    """One thing every definition of a document type must say, checked when it is saved.

    ``kind`` is one of:

    - ``ONE_STATE``: exactly one state carries ``tag``;
    - ``ENTERING``: every transition into a state tagged ``tag`` carries the effects
      ``names``; ``ENTERING_GUARDS`` the same for guards;
    - ``LEAVING``: every transition out of a state tagged ``tag`` carries ``names``;
    - ``DEADLINE``: every non-terminal state without ``tag`` names a deadline.
    """

    kind: str
    tag: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contract:
    """What a document type gives definitions to name, and what they must keep.

    ``effects``, ``tags`` and ``deadlines`` are the names it registered; ``rules`` are
    the invariants (:class:`ContractRule`) a definition may not drop: an HR admin who
    adds, removes or renames steps keeps self-assessment, scoring, the quota and the
    freezing of a published result because a definition without them is refused.
    """

    effects: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    deadlines: frozenset[str] = frozenset()
    rules: tuple[ContractRule, ...] = ()


@dataclass(frozen=True)
class WorkflowDef:
    """One version of one workflow. A document keeps the version it started with."""

    code: str
    version: int
    states: tuple[StateDef, ...]
    transitions: tuple[TransitionDef, ...]
    name: str = ""
    doctype: str = ""


@dataclass(frozen=True)
class DefinitionError:
    """A problem in a definition.

    ``code`` is stable (clients branch on it), ``message`` is Vietnamese and names the
    offending state or transition, ``where`` is a path into the JSON such as
    ``transitions[2].approvers``.
    """

    code: str
    message: str
    where: str


class InvalidDefinitionError(ValueError):
    """Raised by :func:`parse_definition` when the JSON has the wrong shape."""

    def __init__(self, errors: Collection[DefinitionError]) -> None:
        self.errors: tuple[DefinitionError, ...] = tuple(errors)
        super().__init__("; ".join(error.message for error in self.errors))


# --------------------------------------------------------------------------- parsing

_WORKFLOW_KEYS = frozenset({"code", "name", "doctype", "version", "states", "transitions"})
_STATE_KEYS = frozenset({"code", "label", "initial", "terminal", "editable", "tags", "deadline"})
_TRANSITION_KEYS = frozenset({"action", "label", "from", "to", "approvers", "guards", "comment_required", "effects"})


class _Reader:
    """Reads untrusted JSON, collecting every shape error instead of stopping at one."""

    def __init__(self) -> None:
        self.errors: list[DefinitionError] = []

    def fail(self, where: str, problem: str) -> None:
        self.errors.append(DefinitionError("MALFORMED", f"{where}: {problem}", where))

    def record(self, value: object, where: str, allowed: frozenset[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(where, "phải là một đối tượng (các cặp khóa: giá trị).")
            return {}
        # A misspelt key ("comment_requird", "guard") would otherwise be dropped
        # silently and the rule it carries would never apply.
        for key in sorted(set(value) - allowed, key=str):
            self.fail(f"{where}.{key}", "khóa không được hỗ trợ.")
        return value

    def items(self, record: Mapping[str, Any], key: str, where: str) -> list[object]:
        value = record.get(key, [])
        if not isinstance(value, list):
            self.fail(f"{where}.{key}", "phải là một danh sách.")
            return []
        return value

    def text(self, record: Mapping[str, Any], key: str, where: str) -> str:
        if key not in record:
            self.fail(f"{where}.{key}", "thiếu khóa bắt buộc.")
            return ""
        value = record[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where}.{key}", "phải là một chuỗi không rỗng.")
            return ""
        return value

    def note(self, record: Mapping[str, Any], key: str, where: str) -> str:
        # Descriptive keys (name, doctype) may be absent or empty.
        value = record.get(key, "")
        if not isinstance(value, str):
            self.fail(f"{where}.{key}", "phải là một chuỗi.")
            return ""
        return value

    def flag(self, record: Mapping[str, Any], key: str, where: str) -> bool:
        value = record.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{where}.{key}", "phải là true hoặc false.")
            return False
        return value

    def names(self, record: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        values = self.items(record, key, where)
        names: list[str] = []
        for index, value in enumerate(values):
            if isinstance(value, str) and value.strip():
                names.append(value)
            else:
                self.fail(f"{where}.{key}[{index}]", "phải là một mã không rỗng.")
        return tuple(names)

    def version(self, record: Mapping[str, Any], where: str) -> int:
        value = record.get("version")
        # bool is an int in Python; "version": true is a typo, not version 1.
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.fail(f"{where}.version", "phải là một số nguyên dương.")
            return 0
        return value


def _parse_state(reader: _Reader, value: object, where: str) -> StateDef:
    record = reader.record(value, where, _STATE_KEYS)
    return StateDef(
        code=reader.text(record, "code", where),
        label=reader.text(record, "label", where),
        initial=reader.flag(record, "initial", where),
        terminal=reader.flag(record, "terminal", where),
        editable=reader.flag(record, "editable", where),
        tags=reader.names(record, "tags", where),
        deadline=reader.note(record, "deadline", where),
    )


def _parse_transition(reader: _Reader, value: object, where: str) -> TransitionDef:
    record = reader.record(value, where, _TRANSITION_KEYS)
    return TransitionDef(
        action=reader.text(record, "action", where),
        label=reader.text(record, "label", where),
        sources=reader.names(record, "from", where),
        target=reader.text(record, "to", where),
        approvers=reader.names(record, "approvers", where),
        guards=reader.names(record, "guards", where),
        comment_required=reader.flag(record, "comment_required", where),
        effects=reader.names(record, "effects", where),
    )


def parse_definition(mapping: object) -> WorkflowDef:
    """Build a :class:`WorkflowDef` from its JSON form.

    Raises :class:`InvalidDefinitionError` listing every shape error found.

    Only the shape is checked here (types, required and unknown keys); whether the
    definition makes sense is :func:`validate_definition`'s job.
    """
    reader = _Reader()
    record = reader.record(mapping, "workflow", _WORKFLOW_KEYS)
    states = reader.items(record, "states", "workflow")
    transitions = reader.items(record, "transitions", "workflow")
    definition = WorkflowDef(
        code=reader.text(record, "code", "workflow"),
        version=reader.version(record, "workflow"),
        name=reader.note(record, "name", "workflow"),
        doctype=reader.note(record, "doctype", "workflow"),
        states=tuple(_parse_state(reader, state, f"states[{index}]") for index, state in enumerate(states)),
        transitions=tuple(
            _parse_transition(reader, transition, f"transitions[{index}]")
            for index, transition in enumerate(transitions)
        ),
    )
    if reader.errors:
        raise InvalidDefinitionError(reader.errors)
    return definition


def definition_to_mapping(definition: WorkflowDef) -> dict[str, Any]:
    """The JSON form of a definition; ``parse_definition`` reads it back unchanged."""
    return {
        "code": definition.code,
        "name": definition.name,
        "doctype": definition.doctype,
        "version": definition.version,
        "states": [
            {
                "code": state.code,
                "label": state.label,
                "initial": state.initial,
                "terminal": state.terminal,
                "editable": state.editable,
                "tags": list(state.tags),
                "deadline": state.deadline,
            }
            for state in definition.states
        ],
        "transitions": [
            {
                "action": transition.action,
                "label": transition.label,
                "from": list(transition.sources),
                "to": transition.target,
                "approvers": list(transition.approvers),
                "guards": list(transition.guards),
                "comment_required": transition.comment_required,
                "effects": list(transition.effects),
            }
            for transition in definition.transitions
        ],
    }


# ------------------------------------------------------------------------ validation


def _quoted(codes: Collection[str]) -> str:
    return ", ".join(f"«{code}»" for code in codes)


def _describe(transition: TransitionDef) -> str:
    return f"Thao tác «{transition.action}» (từ {_quoted(transition.sources)})"


def _check_states(definition: WorkflowDef) -> Iterator[DefinitionError]:
    seen: set[str] = set()
    for index, state in enumerate(definition.states):
        if state.code in seen:
            yield DefinitionError(
                "DUPLICATE_STATE",
                f"Mã trạng thái «{state.code}» bị khai báo trùng.",
                f"states[{index}].code",
            )
        seen.add(state.code)
    initial = [state.code for state in definition.states if state.initial]
    if not initial:
        yield DefinitionError(
            "NO_INITIAL_STATE",
            "Quy trình phải có đúng một trạng thái khởi đầu; chưa có trạng thái nào được đánh dấu khởi đầu.",
            "states",
        )
    elif len(initial) > 1:
        yield DefinitionError(
            "MULTIPLE_INITIAL_STATES",
            f"Quy trình phải có đúng một trạng thái khởi đầu; đang có {len(initial)}: {_quoted(initial)}.",
            "states",
        )


def is_subject_step(definition: WorkflowDef, transition: TransitionDef) -> bool:
    """Whether ``transition`` is the subject's own action (submit or withdraw a draft).

    The data-level rule of "nobody approves their own work": a step is the subject's own
    only when every state it leaves is the initial state and that state is editable
    (the draft the subject writes). Approving, publishing, returning and re-opening
    leave later states, so they never are, whatever approvers they list.
    """
    states = {state.code: state for state in definition.states}
    return bool(transition.sources) and all(
        code in states and states[code].initial and states[code].editable for code in transition.sources
    )


def _check_subject_steps(definition: WorkflowDef) -> Iterator[DefinitionError]:
    initial = [state for state in definition.states if state.initial]
    # Like reachability, this means something only from a single start; _check_states
    # has already reported zero or several initial states.
    if len(initial) != 1:
        return
    start = initial[0]
    for index, transition in enumerate(definition.transitions):
        # No sources is NO_SOURCES' report; nothing more to say about who takes it.
        if SUBJECT not in transition.approvers or not transition.sources or is_subject_step(definition, transition):
            continue
        later = [code for code in transition.sources if code != start.code]
        why = (
            f"{_quoted(later)} không phải trạng thái khởi đầu"
            if later
            else f"trạng thái khởi đầu «{start.code}» không được đánh dấu «được sửa»"
        )
        yield DefinitionError(
            "SUBJECT_NOT_ALLOWED",
            f"{_describe(transition)} không được có người thực hiện «{SUBJECT}» (người có hồ sơ): "
            f"không ai tự duyệt hồ sơ của mình; {SUBJECT} chỉ dùng cho thao tác của chính người có "
            f"hồ sơ đi ra từ trạng thái khởi đầu được sửa (gửi, rút lại), mà {why}.",
            f"transitions[{index}].approvers",
        )


def _is_known_approver(rule: str, known_rules: Collection[str], known_roles: Collection[str]) -> bool:
    if rule == SUBJECT or rule in known_rules:
        return True
    return rule.startswith(ROLE_PREFIX) and rule[len(ROLE_PREFIX) :] in known_roles


def _check_transition(
    transition: TransitionDef,
    where: str,
    state_codes: Collection[str],
    known_guards: Collection[str],
    approver_known: Mapping[str, bool],
) -> Iterator[DefinitionError]:
    described = _describe(transition)
    if not transition.sources:
        yield DefinitionError(
            "NO_SOURCES",
            f"Thao tác «{transition.action}» phải có ít nhất một trạng thái nguồn.",
            f"{where}.from",
        )
    for code in (*transition.sources, transition.target):
        if code not in state_codes:
            yield DefinitionError(
                "UNKNOWN_STATE",
                f"{described} dẫn tới hoặc đi từ trạng thái «{code}» không tồn tại.",
                where,
            )
    if not transition.approvers:
        yield DefinitionError(
            "NO_APPROVERS",
            f"{described} phải có ít nhất một quy tắc người thực hiện.",
            f"{where}.approvers",
        )
    for rule in transition.approvers:
        if not approver_known[rule]:
            yield DefinitionError(
                "UNKNOWN_APPROVER_RULE",
                f"{described} dùng quy tắc người thực hiện «{rule}» mà hệ thống không hỗ trợ.",
                f"{where}.approvers",
            )
    for guard in transition.guards:
        if guard not in known_guards:
            yield DefinitionError(
                "UNKNOWN_GUARD",
                f"{described} dùng điều kiện «{guard}» mà hệ thống không hỗ trợ.",
                f"{where}.guards",
            )


def _check_transitions(
    definition: WorkflowDef,
    known_guards: Collection[str],
    known_rules: Collection[str],
    known_roles: Collection[str],
) -> Iterator[DefinitionError]:
    state_codes = {state.code for state in definition.states}
    approver_known = {
        rule: _is_known_approver(rule, known_rules, known_roles)
        for transition in definition.transitions
        for rule in transition.approvers
    }
    # (action, source) must name one transition, or "return from UNIT_REVIEW" would
    # depend on the order rows happen to be stored in.
    seen: set[tuple[str, str]] = set()
    for index, transition in enumerate(definition.transitions):
        where = f"transitions[{index}]"
        yield from _check_transition(transition, where, state_codes, known_guards, approver_known)
        for source in transition.sources:
            if (transition.action, source) in seen:
                yield DefinitionError(
                    "DUPLICATE_TRANSITION",
                    f"Thao tác «{transition.action}» được khai báo nhiều lần từ trạng thái «{source}».",
                    where,
                )
            seen.add((transition.action, source))


def _reachable(definition: WorkflowDef, start: str) -> set[str]:
    reached = {start}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        for transition in definition.transitions:
            if current in transition.sources and transition.target not in reached:
                reached.add(transition.target)
                queue.append(transition.target)
    return reached


def _check_graph(definition: WorkflowDef) -> Iterator[DefinitionError]:
    initial = [state.code for state in definition.states if state.initial]
    # Reachability only means something from a single start; _check_states has already
    # reported zero or several initial states.
    reached = _reachable(definition, initial[0]) if len(initial) == 1 else None
    for index, state in enumerate(definition.states):
        where = f"states[{index}]"
        if reached is not None and state.code not in reached:
            yield DefinitionError(
                "UNREACHABLE_STATE",
                f"Trạng thái «{state.code}» không thể đến được từ trạng thái khởi đầu «{initial[0]}».",
                where,
            )
        exits = [t.action for t in definition.transitions if state.code in t.sources]
        if state.terminal and exits:
            yield DefinitionError(
                "TERMINAL_HAS_EXIT",
                f"Trạng thái kết thúc «{state.code}» không được có thao tác đi ra (đang có: {_quoted(exits)}).",
                where,
            )
        # Decision: a non-terminal state without exits is an error, not a warning. A
        # document reaching it would be stuck with nobody able to act, yet would not
        # count as finished; the author must either add an exit or mark it terminal.
        if not state.terminal and not exits:
            yield DefinitionError(
                "DEAD_END_STATE",
                f"Trạng thái «{state.code}» không phải trạng thái kết thúc nhưng "
                "không có thao tác nào đi ra; hãy thêm thao tác hoặc đánh dấu là "
                "trạng thái kết thúc.",
                where,
            )


def _check_names(definition: WorkflowDef, contract: Contract) -> Iterator[DefinitionError]:
    for index, state in enumerate(definition.states):
        for tag in state.tags:
            if tag not in contract.tags:
                yield DefinitionError(
                    "UNKNOWN_TAG",
                    f"Trạng thái «{state.code}» dùng nhãn «{tag}» mà loại tài liệu này không hỗ trợ.",
                    f"states[{index}].tags",
                )
        if state.deadline and state.deadline not in contract.deadlines:
            yield DefinitionError(
                "UNKNOWN_DEADLINE",
                f"Trạng thái «{state.code}» dùng hạn «{state.deadline}» mà loại tài liệu này không có.",
                f"states[{index}].deadline",
            )
    for index, transition in enumerate(definition.transitions):
        for effect in transition.effects:
            if effect not in contract.effects:
                yield DefinitionError(
                    "UNKNOWN_EFFECT",
                    f"{_describe(transition)} dùng tác động «{effect}» mà loại tài liệu này không hỗ trợ.",
                    f"transitions[{index}].effects",
                )


def _tagged(definition: WorkflowDef, tag: str) -> set[str]:
    return {state.code for state in definition.states if tag in state.tags}


def _check_rule(definition: WorkflowDef, rule: ContractRule) -> Iterator[DefinitionError]:
    tagged = _tagged(definition, rule.tag)
    if rule.kind == "ONE_STATE":
        if len(tagged) != 1:
            yield DefinitionError(
                "TAG_COUNT",
                f"Quy trình phải có đúng một trạng thái mang nhãn «{rule.tag}»; đang có {len(tagged)}"
                + (f": {_quoted(sorted(tagged))}." if tagged else "."),
                "states",
            )
        return
    if rule.kind == "DEADLINE":
        for index, state in enumerate(definition.states):
            if not state.terminal and rule.tag not in state.tags and not state.deadline:
                yield DefinitionError(
                    "MISSING_DEADLINE",
                    f"Trạng thái «{state.code}» phải khai báo hạn xử lý («deadline») để hệ thống nhắc việc.",
                    f"states[{index}].deadline",
                )
        return
    entering = rule.kind in ("ENTERING", "ENTERING_GUARDS")
    for index, transition in enumerate(definition.transitions):
        hits = transition.target in tagged if entering else bool(tagged.intersection(transition.sources))
        carried = transition.guards if rule.kind == "ENTERING_GUARDS" else transition.effects
        missing = [name for name in rule.names if name not in carried]
        if hits and missing:
            noun, key = ("điều kiện", "guards") if rule.kind == "ENTERING_GUARDS" else ("tác động", "effects")
            way = "vào" if entering else "ra khỏi"
            yield DefinitionError(
                "MISSING_EFFECT",
                f"{_describe(transition)} đi {way} trạng thái mang nhãn «{rule.tag}» nên phải có {noun} "
                f"{_quoted(missing)}.",
                f"transitions[{index}].{key}",
            )


def _check_contract(definition: WorkflowDef, contract: Contract) -> Iterator[DefinitionError]:
    yield from _check_names(definition, contract)
    for rule in contract.rules:
        yield from _check_rule(definition, rule)


def states_tagged(definition: WorkflowDef, tag: str) -> frozenset[str]:
    """The codes of the states of ``definition`` that carry ``tag``."""
    return frozenset(_tagged(definition, tag))


def validate_definition(
    definition: WorkflowDef,
    *,
    known_guards: Collection[str],
    known_approver_rules: Collection[str],
    known_roles: Collection[str] = (),
    contract: Contract = Contract(),
) -> list[DefinitionError]:
    """Every problem in ``definition``; an empty list means it may be saved and used.

    ``known_guards`` and ``known_approver_rules`` are the names the caller's
    registries can evaluate. ``SUBJECT`` is always known. An approver entry
    ``ROLE:<name>`` is known when it is listed in ``known_approver_rules`` or when
    ``<name>`` is in ``known_roles``.

    Rules: exactly one initial state; unique state codes; transitions have sources and
    reference existing states; every state is reachable from the initial one; terminal
    states have no exits and non-terminal states have at least one; guards and approver
    rules are known; approvers are non-empty; an action is declared once per source;
    ``SUBJECT`` approves only the subject's own steps (:func:`is_subject_step`); tags,
    deadlines and effects are those ``contract`` registers, and its rules hold.
    """
    return [
        *_check_states(definition),
        *_check_contract(definition, contract),
        *_check_transitions(definition, known_guards, known_approver_rules, known_roles),
        *_check_subject_steps(definition),
        *_check_graph(definition),
    ]
