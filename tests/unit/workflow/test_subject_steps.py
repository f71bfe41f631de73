"""Nobody approves their own work: SUBJECT only on the subject's own steps (issue 9, finding 5).

A definition may list ``SUBJECT`` only on a transition that leaves the initial, editable
state (submit or withdraw a draft). The validator refuses it anywhere else, naming the
transition and the state; the engine refuses the subject every other step at run time,
even when a stored definition (saved before the validator knew the rule) lists SUBJECT
or another rule (UNIT_HEAD of a head's own appraisal) matches them.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.unit.workflow.cast import (
    BLOC_AUTHORITY,
    HEAD_AS_SUBJECT,
    KNOWN_APPROVER_RULES,
    KNOWN_CONTRACT,
    KNOWN_GUARDS,
    KNOWN_ROLES,
    OWNER_ID,
    SUBJECT,
    fixture_mapping,
    passing,
)
from thanhhoa_kpi.workflow.engine import (
    Actor,
    TransitionDef,
    TransitionRefused,
    available_transitions,
    decide,
    is_subject_step,
    parse_definition,
    validate_definition,
)

Mapping = dict[str, Any]


def appraisal() -> Mapping:
    return copy.deepcopy(fixture_mapping("APPRAISAL"))


def errors_of(mapping: Mapping) -> list[Any]:
    return validate_definition(
        parse_definition(mapping),
        known_guards=KNOWN_GUARDS,
        known_approver_rules=KNOWN_APPROVER_RULES,
        known_roles=KNOWN_ROLES,
        contract=KNOWN_CONTRACT,
    )


def move(mapping: Mapping, action: str, source: str) -> Mapping:
    found: Mapping = next(t for t in mapping["transitions"] if t["action"] == action and source in t["from"])
    return found


def subject_publishes() -> Mapping:
    """The definition of finding 5: the subject may approve and publish."""
    mapping = appraisal()
    move(mapping, "approve", "UNIT_REVIEW")["approvers"].append("SUBJECT")
    move(mapping, "publish", "HOME_AFFAIRS")["approvers"].append("SUBJECT")
    return mapping


def test_the_subject_as_publisher_is_refused_naming_the_transition_and_the_state() -> None:
    errors = errors_of(subject_publishes())
    assert [(e.code, e.where) for e in errors] == [
        ("SUBJECT_NOT_ALLOWED", "transitions[1].approvers"),
        ("SUBJECT_NOT_ALLOWED", "transitions[2].approvers"),
    ]
    publish = errors[1].message
    assert "«publish»" in publish and "«HOME_AFFAIRS» không phải trạng thái khởi đầu" in publish
    assert "không ai tự duyệt hồ sơ của mình" in publish


@pytest.mark.parametrize(("action", "source"), [("return", "UNIT_REVIEW"), ("reopen", "PUBLISHED")])
def test_returning_and_reopening_are_not_the_subjects_either(action: str, source: str) -> None:
    mapping = appraisal()
    move(mapping, action, source)["approvers"].append("SUBJECT")
    assert [e.code for e in errors_of(mapping)] == ["SUBJECT_NOT_ALLOWED"]


def test_a_draft_that_is_not_editable_gives_the_subject_no_step() -> None:
    mapping = appraisal()
    next(s for s in mapping["states"] if s["code"] == "DRAFT")["editable"] = False
    errors = errors_of(mapping)
    assert [e.code for e in errors] == ["SUBJECT_NOT_ALLOWED"]
    assert "trạng thái khởi đầu «DRAFT» không được đánh dấu «được sửa»" in errors[0].message


def test_the_subject_may_submit_and_withdraw_the_draft() -> None:
    mapping = appraisal()
    mapping["states"].append({"code": "WITHDRAWN", "label": "Đã rút", "terminal": True})
    mapping["transitions"].append(
        {"action": "withdraw", "label": "Rút lại", "from": ["DRAFT"], "to": "WITHDRAWN", "approvers": ["SUBJECT"]}
    )
    assert errors_of(mapping) == []


def test_a_transition_without_sources_is_reported_once() -> None:
    mapping = appraisal()
    move(mapping, "submit", "DRAFT")["from"] = []
    codes = [e.code for e in errors_of(mapping)]
    assert "NO_SOURCES" in codes and "SUBJECT_NOT_ALLOWED" not in codes


def test_without_a_single_initial_state_only_that_is_reported() -> None:
    mapping = subject_publishes()
    next(s for s in mapping["states"] if s["code"] == "UNIT_REVIEW")["initial"] = True
    assert [e.code for e in errors_of(mapping)] == ["MULTIPLE_INITIAL_STATES"]


def test_is_subject_step_needs_every_source_to_be_the_editable_draft() -> None:
    definition = parse_definition(appraisal())
    submit = next(t for t in definition.transitions if t.action == "submit")
    assert is_subject_step(definition, submit)
    assert not is_subject_step(definition, TransitionDef("x", "X", (), "DRAFT", ("SUBJECT",)))
    assert not is_subject_step(definition, TransitionDef("x", "X", ("DRAFT", "UNIT_REVIEW"), "DRAFT", ("SUBJECT",)))
    assert not is_subject_step(definition, TransitionDef("x", "X", ("LIMBO",), "DRAFT", ("SUBJECT",)))


# ------------------------------------------------------------------------ run time

# A definition stored before the validator refused it: parsed, never validated.
LEGACY = parse_definition(subject_publishes())


def test_the_subject_cannot_publish_their_own_appraisal_under_a_stored_bad_definition() -> None:
    with pytest.raises(TransitionRefused) as refused:
        decide(
            LEGACY,
            state="HOME_AFFAIRS",
            action="publish",
            actor=SUBJECT,
            subject_owner_id=OWNER_ID,
            check_guard=passing,
        )
    assert refused.value.code == "SELF_ACTION"
    offered = available_transitions(LEGACY, state="UNIT_REVIEW", actor=HEAD_AS_SUBJECT, subject_owner_id=OWNER_ID)
    assert offered == []


def test_the_subject_rule_grants_nothing_outside_the_subjects_own_steps() -> None:
    # Someone the caller reports as SUBJECT without being the owner (no owner known):
    # SUBJECT on publish lets nobody through; the bloc authority still publishes.
    stranger = Actor(user_id=99, relations=frozenset({"SUBJECT"}))
    with pytest.raises(TransitionRefused) as refused:
        decide(
            LEGACY, state="HOME_AFFAIRS", action="publish", actor=stranger, subject_owner_id=None,
            check_guard=passing,
        )  # fmt: skip
    assert refused.value.code == "NOT_AN_APPROVER"
    decision = decide(
        LEGACY, state="HOME_AFFAIRS", action="publish", actor=BLOC_AUTHORITY, subject_owner_id=OWNER_ID,
        check_guard=passing,
    )  # fmt: skip
    assert decision.target == "PUBLISHED"
    submitted = decide(
        LEGACY, state="DRAFT", action="submit", actor=SUBJECT, subject_owner_id=OWNER_ID, check_guard=passing
    )
    assert submitted.target == "UNIT_REVIEW"
