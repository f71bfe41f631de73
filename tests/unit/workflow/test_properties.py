"""Properties of the engine over random definitions, actors and facts."""

from __future__ import annotations

from hypothesis import event, given, settings
from hypothesis import strategies as st

from thanhhoa_kpi.workflow.engine import (
    SUBJECT,
    Actor,
    Decision,
    StateDef,
    TransitionDef,
    TransitionRefused,
    WorkflowDef,
    available_transitions,
    decide,
    definition_to_mapping,
    parse_definition,
    validate_definition,
)

STATE_CODES = ["DRAFT", "UNIT_REVIEW", "HOME_AFFAIRS", "PUBLISHED", "ARCHIVED"]
ACTIONS = ["submit", "approve", "publish", "return", "reopen"]
APPROVER_POOL = [
    "SUBJECT",
    "UNIT_HEAD",
    "FIELD_DEPUTY",
    "BLOC_AUTHORITY",
    "ROLE:HR_ADMIN",
]
GUARDS = ["QUOTA_HOLDS", "HEAD_NOT_ABOVE_UNIT", "UNKNOWN_GUARD"]
REFUSAL_CODES = {
    "UNKNOWN_ACTION",
    "NOT_ALLOWED_FROM_STATE",
    "NOT_AN_APPROVER",
    "SELF_ACTION",
    "COMMENT_REQUIRED",
    "GUARD_FAILED",
}
DEFINITION_CODES = {
    "NO_INITIAL_STATE",
    "MULTIPLE_INITIAL_STATES",
    "DUPLICATE_STATE",
    "UNKNOWN_STATE",
    "UNREACHABLE_STATE",
    "TERMINAL_HAS_EXIT",
    "DEAD_END_STATE",
    "UNKNOWN_GUARD",
    "UNKNOWN_APPROVER_RULE",
    "NO_APPROVERS",
    "NO_SOURCES",
    "DUPLICATE_TRANSITION",
    "SUBJECT_NOT_ALLOWED",
}

labels = st.text(min_size=1, max_size=8).filter(str.strip)


def subsets(pool: list[str], min_size: int = 0) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(pool), min_size=min_size, unique=True).map(tuple)


@st.composite
def definitions(draw: st.DrawFn, min_transitions: int = 0) -> WorkflowDef:
    codes = draw(st.lists(st.sampled_from(STATE_CODES), min_size=1, unique=True))
    states = tuple(
        StateDef(
            code=code,
            label=draw(labels),
            initial=draw(st.booleans()),
            terminal=draw(st.booleans()),
            editable=draw(st.booleans()),
        )
        for code in codes
    )
    # Transitions may name states the definition lacks: decide() must cope with
    # definitions that validation would reject.
    referable = [*codes, "GHOST"]
    transitions = tuple(
        TransitionDef(
            action=draw(st.sampled_from(ACTIONS)),
            label=draw(labels),
            sources=draw(subsets(referable)),
            target=draw(st.sampled_from(referable)),
            approvers=draw(subsets(APPROVER_POOL)),
            guards=draw(subsets(GUARDS)),
            comment_required=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(min_value=min_transitions, max_value=6)))
    )
    return WorkflowDef(
        code="RANDOM",
        version=draw(st.integers(min_value=1, max_value=5)),
        states=states,
        transitions=transitions,
        name=draw(st.text(max_size=5).filter(lambda s: s == "" or s.strip())),
        doctype=draw(st.sampled_from(["", "appraisal", "catalogue"])),
    )


actors = st.builds(
    Actor,
    user_id=st.integers(min_value=1, max_value=3),
    roles=st.frozensets(st.sampled_from(["HR_ADMIN", "VIEWER"])),
    relations=st.frozensets(st.sampled_from(APPROVER_POOL)),
)
owners = st.one_of(st.none(), st.integers(min_value=1, max_value=3))
# Mostly every guard answered and passing, so that many attempts are allowed; sometimes
# failures, blank reasons or guards nobody evaluated.
guard_outcomes = st.one_of(
    st.fixed_dictionaries({guard: st.one_of(st.none(), st.none(), st.just("Không đạt")) for guard in GUARDS}),
    st.dictionaries(st.sampled_from(GUARDS), st.one_of(st.none(), st.text(max_size=5))),
)


def _attempt(
    definition: WorkflowDef,
    *,
    state: str,
    action: str,
    actor: Actor,
    owner: int | None,
    comment: str,
    outcomes: dict[str, str | None],
) -> Decision | TransitionRefused:
    try:
        return decide(
            definition,
            state=state,
            action=action,
            actor=actor,
            subject_owner_id=owner,
            comment=comment,
            check_guard=outcomes,
        )
    except TransitionRefused as refused:
        return refused


@settings(max_examples=300)
@given(
    definition=definitions(min_transitions=1),
    data=st.data(),
    actor=actors,
    owner=owners,
    comment=st.one_of(st.just("Lý do"), st.text(max_size=4)),
    outcomes=guard_outcomes,
)
def test_decide_only_follows_a_declared_transition_and_never_lets_the_owner_approve(
    definition: WorkflowDef,
    data: st.DataObject,
    actor: Actor,
    owner: int | None,
    comment: str,
    outcomes: dict[str, str | None],
) -> None:
    # Mostly ask about actions and states the definition mentions, so that many
    # attempts get past the first checks; sometimes about anything at all.
    used_actions = [t.action for t in definition.transitions]
    used_states = [source for t in definition.transitions for source in t.sources]
    action = data.draw(st.sampled_from([*used_actions * 4, *ACTIONS, "delete"]))
    state = data.draw(st.sampled_from([*used_states * 4, *STATE_CODES, "GHOST"]))
    outcome = _attempt(
        definition,
        state=state,
        action=action,
        actor=actor,
        owner=owner,
        comment=comment,
        outcomes=outcomes,
    )
    # Shown by --hypothesis-show-statistics: the mix of outcomes the property saw.
    event(outcome.code if isinstance(outcome, TransitionRefused) else "ALLOWED")
    if isinstance(outcome, TransitionRefused):
        assert outcome.code in REFUSAL_CODES
        assert outcome.message
        return
    decision = outcome
    used = [t for t in definition.transitions if t.action == action and state in t.sources]
    assert used, "a decision needs a transition leaving the state"
    taken = used[0]
    assert decision.source == state
    assert decision.action == action
    assert decision.target == taken.target
    if owner is not None and actor.user_id == owner:
        assert SUBJECT in taken.approvers
    if taken.comment_required:
        assert comment.strip()
    assert all(outcomes.get(guard, "missing") is None for guard in taken.guards)
    offered = available_transitions(definition, state=state, actor=actor, subject_owner_id=owner)
    assert taken in offered


@given(definition=definitions(), actor=actors, owner=owners)
def test_everything_offered_is_allowed_once_comment_and_guards_are_satisfied(
    definition: WorkflowDef, actor: Actor, owner: int | None
) -> None:
    for state in {source for t in definition.transitions for source in t.sources}:
        offered = available_transitions(definition, state=state, actor=actor, subject_owner_id=owner)
        for transition in offered:
            assert state in transition.sources
            if owner is not None and actor.user_id == owner:
                assert SUBJECT in transition.approvers
            first = next(t for t in definition.transitions if t.action == transition.action and state in t.sources)
            if first is not transition:
                continue  # a duplicate (action, source), which validation rejects
            decision = decide(
                definition,
                state=state,
                action=transition.action,
                actor=actor,
                subject_owner_id=owner,
                comment="Lý do",
                check_guard=lambda _guard: None,
            )
            assert decision.target == transition.target


@given(definition=definitions())
def test_definitions_read_back_unchanged(definition: WorkflowDef) -> None:
    assert parse_definition(definition_to_mapping(definition)) == definition


@given(definition=definitions())
def test_validation_never_crashes_and_uses_stable_codes(
    definition: WorkflowDef,
) -> None:
    errors = validate_definition(
        definition,
        known_guards={"QUOTA_HOLDS", "HEAD_NOT_ABOVE_UNIT"},
        known_approver_rules={"UNIT_HEAD", "FIELD_DEPUTY", "BLOC_AUTHORITY"},
        known_roles={"HR_ADMIN"},
    )
    for error in errors:
        assert error.code in DEFINITION_CODES
        assert error.message
        assert error.where
