"""Who may do what in the default appraisal workflow (SPEC section 4), as a table."""

from __future__ import annotations

import pytest

from tests.unit.workflow.cast import (
    BLOC_AUTHORITY,
    FIELD_DEPUTY,
    HEAD_AS_SUBJECT,
    HR_ADMIN,
    OUTSIDER,
    OWNER_ID,
    PERSONAS,
    SUBJECT,
    UNIT_HEAD,
    fixture_definition,
    passing,
)
from thanhhoa_kpi.workflow.engine import (
    Actor,
    Decision,
    GuardCheck,
    TransitionRefused,
    available_transitions,
    decide,
)

APPRAISAL = fixture_definition("APPRAISAL")

NO = "NOT_AN_APPROVER"
SELF = "SELF_ACTION"

# (state, action) -> persona -> the target state reached, or the refusal code.
EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    ("DRAFT", "submit"): {
        "subject": "UNIT_REVIEW",
        "unit_head": NO,
        "field_deputy": NO,
        "parent_unit_head": NO,
        "bloc_authority": NO,
        "hr_admin": NO,
        "outsider": NO,
        "head_as_subject": "UNIT_REVIEW",
    },
    ("UNIT_REVIEW", "approve"): {
        "subject": SELF,
        "unit_head": "HOME_AFFAIRS",
        "field_deputy": NO,
        "parent_unit_head": "HOME_AFFAIRS",
        "bloc_authority": NO,
        "hr_admin": NO,
        "outsider": NO,
        "head_as_subject": SELF,
    },
    ("UNIT_REVIEW", "return"): {
        "subject": SELF,
        "unit_head": "DRAFT",
        "field_deputy": "DRAFT",
        "parent_unit_head": "DRAFT",
        "bloc_authority": NO,
        "hr_admin": NO,
        "outsider": NO,
        "head_as_subject": SELF,
    },
    ("HOME_AFFAIRS", "publish"): {
        "subject": SELF,
        "unit_head": NO,
        "field_deputy": NO,
        "parent_unit_head": NO,
        "bloc_authority": "PUBLISHED",
        "hr_admin": NO,
        "outsider": NO,
        "head_as_subject": SELF,
    },
    ("HOME_AFFAIRS", "return"): {
        "subject": SELF,
        "unit_head": NO,
        "field_deputy": NO,
        "parent_unit_head": NO,
        "bloc_authority": "DRAFT",
        "hr_admin": NO,
        "outsider": NO,
        "head_as_subject": SELF,
    },
    ("PUBLISHED", "reopen"): {
        "subject": SELF,
        "unit_head": NO,
        "field_deputy": NO,
        "parent_unit_head": NO,
        "bloc_authority": "UNIT_REVIEW",
        "hr_admin": NO,
        "outsider": NO,
        "head_as_subject": SELF,
    },
}

CASES = [
    pytest.param(state, action, persona, expected, id=f"{state}-{action}-{persona}")
    for (state, action), row in EXPECTED.items()
    for persona, expected in row.items()
]


def test_the_table_covers_every_transition_and_persona() -> None:
    pairs = {(source, transition.action) for transition in APPRAISAL.transitions for source in transition.sources}
    assert pairs == set(EXPECTED)
    assert all(set(row) == set(PERSONAS) for row in EXPECTED.values())


@pytest.mark.parametrize(("state", "action", "persona", "expected"), CASES)
def test_each_persona_gets_the_expected_outcome(state: str, action: str, persona: str, expected: str) -> None:
    actor = PERSONAS[persona]

    def attempt() -> Decision:
        return decide(
            APPRAISAL,
            state=state,
            action=action,
            actor=actor,
            subject_owner_id=OWNER_ID,
            comment="Lý do đầy đủ",
            check_guard=passing,
        )

    if expected in {NO, SELF}:
        with pytest.raises(TransitionRefused) as refused:
            attempt()
        assert refused.value.code == expected
        assert refused.value.message
    else:
        declared = next(t for t in APPRAISAL.transitions if t.action == action and state in t.sources)
        assert attempt() == Decision(source=state, target=expected, action=action, effects=declared.effects)


@pytest.mark.parametrize("persona", sorted(PERSONAS))
@pytest.mark.parametrize("state", ["DRAFT", "UNIT_REVIEW", "HOME_AFFAIRS", "PUBLISHED"])
def test_available_transitions_match_the_table(state: str, persona: str) -> None:
    offered = available_transitions(APPRAISAL, state=state, actor=PERSONAS[persona], subject_owner_id=OWNER_ID)
    allowed = {
        action for (source, action), row in EXPECTED.items() if source == state and row[persona] not in {NO, SELF}
    }
    assert {transition.action for transition in offered} == allowed


def test_it_refuses_self_approval_even_to_the_unit_head() -> None:
    with pytest.raises(TransitionRefused) as refused:
        decide(
            APPRAISAL,
            state="UNIT_REVIEW",
            action="approve",
            actor=HEAD_AS_SUBJECT,
            subject_owner_id=OWNER_ID,
            check_guard=passing,
        )
    assert refused.value.code == "SELF_ACTION"
    assert "Duyệt" in refused.value.message


def test_the_owner_is_the_subject_even_when_the_caller_forgot_the_relation() -> None:
    owner_with_head_relation = Actor(user_id=OWNER_ID, relations=frozenset({"UNIT_HEAD"}))
    decision = decide(
        APPRAISAL,
        state="DRAFT",
        action="submit",
        actor=owner_with_head_relation,
        subject_owner_id=OWNER_ID,
        check_guard=passing,
    )
    assert decision.target == "UNIT_REVIEW"
    with pytest.raises(TransitionRefused) as refused:
        decide(
            APPRAISAL,
            state="UNIT_REVIEW",
            action="approve",
            actor=owner_with_head_relation,
            subject_owner_id=OWNER_ID,
            check_guard=passing,
        )
    assert refused.value.code == "SELF_ACTION"


def test_a_bloc_authority_cannot_publish_their_own_appraisal() -> None:
    with pytest.raises(TransitionRefused) as refused:
        decide(
            APPRAISAL,
            state="HOME_AFFAIRS",
            action="publish",
            actor=BLOC_AUTHORITY,
            subject_owner_id=BLOC_AUTHORITY.user_id,
            check_guard=passing,
        )
    assert refused.value.code == "SELF_ACTION"


def test_a_document_without_owner_has_no_self_action() -> None:
    decision = decide(
        APPRAISAL,
        state="UNIT_REVIEW",
        action="approve",
        actor=UNIT_HEAD,
        subject_owner_id=None,
        check_guard=passing,
    )
    assert decision.target == "HOME_AFFAIRS"
    assert available_transitions(APPRAISAL, state="DRAFT", actor=SUBJECT, subject_owner_id=None) == [
        t for t in APPRAISAL.transitions if t.action == "submit"
    ]


def test_it_refuses_an_unknown_action() -> None:
    with pytest.raises(TransitionRefused) as refused:
        decide(
            APPRAISAL,
            state="DRAFT",
            action="delete",
            actor=SUBJECT,
            subject_owner_id=OWNER_ID,
            check_guard=passing,
        )
    assert refused.value.code == "UNKNOWN_ACTION"
    assert "«delete»" in refused.value.message
    assert "APPRAISAL" in refused.value.message


@pytest.mark.parametrize(
    ("state", "action", "actor"),
    [
        ("UNIT_REVIEW", "submit", SUBJECT),
        ("PUBLISHED", "submit", SUBJECT),
        ("DRAFT", "approve", UNIT_HEAD),
        ("HOME_AFFAIRS", "approve", UNIT_HEAD),
        ("UNIT_REVIEW", "publish", BLOC_AUTHORITY),
        ("PUBLISHED", "publish", BLOC_AUTHORITY),
        ("DRAFT", "return", UNIT_HEAD),
        ("PUBLISHED", "return", BLOC_AUTHORITY),
        ("HOME_AFFAIRS", "reopen", BLOC_AUTHORITY),
        ("NO_SUCH_STATE", "submit", SUBJECT),
    ],
)
def test_it_refuses_an_action_from_the_wrong_state(state: str, action: str, actor: Actor) -> None:
    with pytest.raises(TransitionRefused) as refused:
        decide(
            APPRAISAL,
            state=state,
            action=action,
            actor=actor,
            subject_owner_id=OWNER_ID,
            comment="Lý do",
            check_guard=passing,
        )
    assert refused.value.code == "NOT_ALLOWED_FROM_STATE"


def test_the_wrong_state_message_uses_labels() -> None:
    with pytest.raises(TransitionRefused) as refused:
        decide(
            APPRAISAL,
            state="DRAFT",
            action="publish",
            actor=BLOC_AUTHORITY,
            subject_owner_id=OWNER_ID,
            check_guard=passing,
        )
    assert "«Công khai»" in refused.value.message
    assert "«Nháp»" in refused.value.message


@pytest.mark.parametrize(
    ("state", "action", "actor"),
    [
        ("UNIT_REVIEW", "return", UNIT_HEAD),
        ("UNIT_REVIEW", "return", FIELD_DEPUTY),
        ("HOME_AFFAIRS", "return", BLOC_AUTHORITY),
        ("PUBLISHED", "reopen", BLOC_AUTHORITY),
    ],
)
@pytest.mark.parametrize("comment", ["", "   ", "\n\t  "])
def test_return_and_reopen_need_a_real_comment(state: str, action: str, actor: Actor, comment: str) -> None:
    with pytest.raises(TransitionRefused) as refused:
        decide(
            APPRAISAL,
            state=state,
            action=action,
            actor=actor,
            subject_owner_id=OWNER_ID,
            comment=comment,
            check_guard=passing,
        )
    assert refused.value.code == "COMMENT_REQUIRED"
    assert "lý do" in refused.value.message


def test_approval_needs_no_comment() -> None:
    decision = decide(
        APPRAISAL,
        state="UNIT_REVIEW",
        action="approve",
        actor=UNIT_HEAD,
        subject_owner_id=OWNER_ID,
        check_guard=passing,
    )
    assert decision.target == "HOME_AFFAIRS"


def _publish(check_guard: GuardCheck) -> Decision:
    return decide(
        APPRAISAL,
        state="HOME_AFFAIRS",
        action="publish",
        actor=BLOC_AUTHORITY,
        subject_owner_id=OWNER_ID,
        check_guard=check_guard,
    )


def test_a_failing_guard_surfaces_its_reason() -> None:
    reason = "Vượt tỷ lệ hoàn thành xuất sắc: 6 > 5"

    def quota_broken(guard: str) -> str | None:
        return reason if guard == "QUOTA_HOLDS" else None

    with pytest.raises(TransitionRefused) as refused:
        _publish(quota_broken)
    assert refused.value.code == "GUARD_FAILED"
    assert reason in refused.value.message
    assert refused.value.reasons == (reason,)
    assert str(refused.value) == refused.value.message


def test_every_failing_guard_is_reported() -> None:
    with pytest.raises(TransitionRefused) as refused:
        _publish({"QUOTA_HOLDS": "Lý do 1", "HEAD_NOT_ABOVE_UNIT": "Lý do 2"})
    assert refused.value.reasons == ("Lý do 1", "Lý do 2")
    assert "Lý do 1; Lý do 2" in refused.value.message


def test_precomputed_guard_outcomes_may_pass() -> None:
    decision = _publish({"QUOTA_HOLDS": None, "HEAD_NOT_ABOVE_UNIT": None})
    assert decision == Decision("HOME_AFFAIRS", "PUBLISHED", "publish", ("publish",))


def test_a_guard_nobody_evaluated_fails_closed() -> None:
    with pytest.raises(TransitionRefused) as refused:
        _publish({"QUOTA_HOLDS": None})
    assert refused.value.code == "GUARD_FAILED"
    assert "HEAD_NOT_ABOVE_UNIT" in refused.value.message


def test_a_blank_guard_reason_still_fails_with_a_message() -> None:
    with pytest.raises(TransitionRefused) as refused:
        _publish(lambda guard: "  " if guard == "QUOTA_HOLDS" else None)
    assert refused.value.reasons == ("điều kiện «QUOTA_HOLDS» không được thỏa mãn",)


def test_guards_are_not_evaluated_for_someone_without_authority() -> None:
    asked: list[str] = []

    def recording(guard: str) -> str | None:
        asked.append(guard)
        return None

    with pytest.raises(TransitionRefused):
        decide(
            APPRAISAL,
            state="HOME_AFFAIRS",
            action="publish",
            actor=HR_ADMIN,
            subject_owner_id=OWNER_ID,
            check_guard=recording,
        )
    assert asked == []


def test_the_outsider_is_offered_nothing_anywhere() -> None:
    for state in APPRAISAL.states:
        assert not available_transitions(APPRAISAL, state=state.code, actor=OUTSIDER, subject_owner_id=OWNER_ID)


CATALOGUE = fixture_definition("CATALOGUE")


def test_an_hr_admin_submits_a_catalogue_by_role() -> None:
    decision = decide(
        CATALOGUE,
        state="DRAFT",
        action="submit",
        actor=HR_ADMIN,
        subject_owner_id=OWNER_ID,
        check_guard=passing,
    )
    assert decision.target == "UNIT_REVIEW"


def test_the_author_of_a_catalogue_cannot_approve_it_even_as_unit_head() -> None:
    with pytest.raises(TransitionRefused) as refused:
        decide(
            CATALOGUE,
            state="UNIT_REVIEW",
            action="approve",
            actor=HEAD_AS_SUBJECT,
            subject_owner_id=OWNER_ID,
            check_guard=passing,
        )
    assert refused.value.code == "SELF_ACTION"


def test_a_published_catalogue_is_final_and_cannot_be_reopened() -> None:
    with pytest.raises(TransitionRefused) as refused:
        decide(
            CATALOGUE,
            state="PUBLISHED",
            action="reopen",
            actor=BLOC_AUTHORITY,
            subject_owner_id=OWNER_ID,
            comment="Sai hệ số quy đổi",
            check_guard=passing,
        )
    assert refused.value.code == "UNKNOWN_ACTION"
    assert not available_transitions(CATALOGUE, state="PUBLISHED", actor=BLOC_AUTHORITY, subject_owner_id=OWNER_ID)
