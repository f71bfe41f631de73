"""Definitions are data an HR admin edits: parsing, validation, shipped fixtures."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.unit.workflow.cast import (
    FIELD_DEPUTY,
    KNOWN_APPROVER_RULES,
    KNOWN_CONTRACT,
    KNOWN_GUARDS,
    KNOWN_ROLES,
    OWNER_ID,
    SUBJECT,
    UNIT_HEAD,
    fixture_mapping,
    fixture_mappings,
    passing,
)
from thanhhoa_kpi.workflow.engine import (
    DefinitionError,
    InvalidDefinitionError,
    StateDef,
    TransitionDef,
    WorkflowDef,
    available_transitions,
    decide,
    definition_to_mapping,
    find_state,
    initial_state,
    is_editable,
    parse_definition,
    validate_definition,
)

Mapping = dict[str, Any]


def errors_of(mapping: Mapping, **known: Any) -> list[DefinitionError]:
    options: dict[str, Any] = {
        "known_guards": KNOWN_GUARDS,
        "known_approver_rules": KNOWN_APPROVER_RULES,
        "known_roles": KNOWN_ROLES,
        "contract": KNOWN_CONTRACT,
    }
    options.update(known)
    return validate_definition(parse_definition(mapping), **options)


def codes_of(mapping: Mapping, **known: Any) -> list[str]:
    return [error.code for error in errors_of(mapping, **known)]


def appraisal() -> Mapping:
    return copy.deepcopy(fixture_mapping("APPRAISAL"))


def state(mapping: Mapping, code: str) -> Mapping:
    found: Mapping = next(s for s in mapping["states"] if s["code"] == code)
    return found


def transition(mapping: Mapping, action: str, source: str) -> Mapping:
    found: Mapping = next(t for t in mapping["transitions"] if t["action"] == action and source in t["from"])
    return found


# ------------------------------------------------------------------ shipped fixtures


@pytest.mark.parametrize("mapping", fixture_mappings(), ids=lambda m: m["code"])
def test_the_shipped_workflows_validate_clean(mapping: Mapping) -> None:
    assert errors_of(mapping) == []


def test_the_shipped_workflows_are_one_per_document_type_at_version_1() -> None:
    shipped = {(m["code"], m["doctype"], m["version"]) for m in fixture_mappings()}
    assert shipped == {
        ("APPRAISAL", "appraisal", 1),
        ("CATALOGUE", "catalogue", 1),
        ("JOB_DESCRIPTION", "job_description", 1),
        ("DEFINITION_CHANGE", "definition_change", 1),
        ("COMPETENCY_ASSESSMENT", "competency_assessment", 1),
        ("UNIT_APPRAISAL", "unit_appraisal", 1),
        ("UNIT_RULES", "unit_rules", 1),
    }


def test_the_shipped_workflows_read_back_unchanged() -> None:
    for mapping in fixture_mappings():
        assert definition_to_mapping(parse_definition(mapping)) == mapping


def test_publishing_an_appraisal_checks_the_quota_and_the_head_rule() -> None:
    publish = transition(appraisal(), "publish", "HOME_AFFAIRS")
    assert publish["guards"] == ["QUOTA_HOLDS", "HEAD_NOT_ABOVE_UNIT"]


def test_published_is_not_terminal_because_it_can_be_reopened() -> None:
    assert state(appraisal(), "PUBLISHED")["terminal"] is False


# ------------------------------------------------------------------- validation rules


def test_it_detects_a_workflow_without_initial_state() -> None:
    mapping = appraisal()
    state(mapping, "DRAFT")["initial"] = False
    errors = errors_of(mapping)
    assert [e.code for e in errors] == ["NO_INITIAL_STATE"]
    assert errors[0].where == "states"


def test_it_detects_two_initial_states() -> None:
    mapping = appraisal()
    state(mapping, "UNIT_REVIEW")["initial"] = True
    errors = errors_of(mapping)
    assert [e.code for e in errors] == ["MULTIPLE_INITIAL_STATES"]
    assert "«DRAFT», «UNIT_REVIEW»" in errors[0].message


def test_it_detects_a_duplicate_state_code() -> None:
    mapping = appraisal()
    mapping["states"].append(dict(state(mapping, "PUBLISHED"), label="Bản sao"))
    errors = errors_of(mapping)
    assert [e.code for e in errors] == ["DUPLICATE_STATE"]
    assert errors[0].where == "states[4].code"
    assert "«PUBLISHED»" in errors[0].message


def test_it_detects_an_unreachable_state() -> None:
    mapping = appraisal()
    mapping["states"].append({"code": "ARCHIVED", "label": "Lưu trữ", "terminal": True})
    errors = errors_of(mapping)
    assert [e.code for e in errors] == ["UNREACHABLE_STATE"]
    assert "«ARCHIVED»" in errors[0].message
    assert "«DRAFT»" in errors[0].message


def test_it_detects_a_terminal_state_with_exits() -> None:
    mapping = appraisal()
    state(mapping, "PUBLISHED")["terminal"] = True
    errors = errors_of(mapping)
    assert [e.code for e in errors] == ["TERMINAL_HAS_EXIT"]
    assert "«PUBLISHED»" in errors[0].message
    assert "«reopen»" in errors[0].message


def test_it_detects_a_non_terminal_dead_end() -> None:
    mapping = appraisal()
    mapping["transitions"] = [t for t in mapping["transitions"] if t["action"] != "reopen"]
    errors = errors_of(mapping)
    assert [e.code for e in errors] == ["DEAD_END_STATE"]
    assert "«PUBLISHED»" in errors[0].message


def test_a_terminal_state_without_exits_is_fine() -> None:
    mapping = appraisal()
    mapping["transitions"] = [t for t in mapping["transitions"] if t["action"] != "reopen"]
    state(mapping, "PUBLISHED")["terminal"] = True
    assert errors_of(mapping) == []


def test_it_detects_an_unknown_guard() -> None:
    mapping = appraisal()
    transition(mapping, "publish", "HOME_AFFAIRS")["guards"].append("MOON_IS_FULL")
    errors = errors_of(mapping)
    assert [e.code for e in errors] == ["UNKNOWN_GUARD"]
    assert "«MOON_IS_FULL»" in errors[0].message
    assert "«publish»" in errors[0].message
    assert errors[0].where == "transitions[2].guards"


def test_only_the_guards_the_caller_knows_are_accepted() -> None:
    assert codes_of(appraisal(), known_guards={"QUOTA_HOLDS"}) == ["UNKNOWN_GUARD"]


def test_it_detects_an_unknown_approver_rule() -> None:
    mapping = appraisal()
    transition(mapping, "approve", "UNIT_REVIEW")["approvers"].append("GRANDMOTHER")
    errors = errors_of(mapping)
    assert [e.code for e in errors] == ["UNKNOWN_APPROVER_RULE"]
    assert "«GRANDMOTHER»" in errors[0].message
    assert "«approve»" in errors[0].message


def test_subject_is_always_a_known_approver_rule() -> None:
    assert codes_of(appraisal(), known_approver_rules=KNOWN_APPROVER_RULES - {"SUBJECT"}) == []


@pytest.mark.parametrize(
    ("rule", "known_rules", "known_roles", "expected"),
    [
        ("ROLE:HR_ADMIN", frozenset(), frozenset({"HR_ADMIN"}), []),
        ("ROLE:HR_ADMIN", frozenset({"ROLE:HR_ADMIN"}), frozenset(), []),
        (
            "ROLE:VIEWER",
            frozenset(),
            frozenset({"HR_ADMIN"}),
            ["UNKNOWN_APPROVER_RULE"],
        ),
        ("HR_ADMIN", frozenset(), frozenset({"HR_ADMIN"}), ["UNKNOWN_APPROVER_RULE"]),
    ],
)
def test_role_approvers_are_known_through_the_roles_the_caller_lists(
    rule: str,
    known_rules: frozenset[str],
    known_roles: frozenset[str],
    expected: list[str],
) -> None:
    mapping = appraisal()
    transition(mapping, "submit", "DRAFT")["approvers"] = [rule]
    known = KNOWN_APPROVER_RULES | known_rules
    assert codes_of(mapping, known_approver_rules=known, known_roles=known_roles) == expected


def test_roles_are_optional_for_validation() -> None:
    definition = parse_definition(appraisal())
    assert (
        validate_definition(
            definition,
            known_guards=KNOWN_GUARDS,
            known_approver_rules=KNOWN_APPROVER_RULES,
            contract=KNOWN_CONTRACT,
        )
        == []
    )


def test_it_detects_a_transition_to_an_unknown_state() -> None:
    mapping = appraisal()
    transition(mapping, "approve", "UNIT_REVIEW")["to"] = "NOWHERE"
    codes = codes_of(mapping)
    # HOME_AFFAIRS, and PUBLISHED behind it, lose their only way in.
    assert codes == ["UNKNOWN_STATE", "UNREACHABLE_STATE", "UNREACHABLE_STATE"]
    assert "«NOWHERE»" in errors_of(mapping)[0].message


def test_it_detects_a_transition_from_an_unknown_state() -> None:
    mapping = appraisal()
    transition(mapping, "submit", "DRAFT")["from"].append("LIMBO")
    # Leaving LIMBO is not leaving the draft, so the subject may not take it either.
    assert codes_of(mapping) == ["UNKNOWN_STATE", "SUBJECT_NOT_ALLOWED"]


def test_it_detects_a_transition_without_sources() -> None:
    mapping = appraisal()
    transition(mapping, "reopen", "PUBLISHED")["from"] = []
    errors = errors_of(mapping)
    assert [e.code for e in errors] == ["NO_SOURCES", "DEAD_END_STATE"]
    assert errors[0].where == "transitions[5].from"


def test_it_detects_the_same_action_twice_from_one_source() -> None:
    mapping = appraisal()
    transition(mapping, "return", "HOME_AFFAIRS")["from"].append("UNIT_REVIEW")
    errors = errors_of(mapping)
    assert [e.code for e in errors] == ["DUPLICATE_TRANSITION"]
    assert "«return»" in errors[0].message
    assert "«UNIT_REVIEW»" in errors[0].message


def test_one_action_may_leave_several_states() -> None:
    mapping = appraisal()
    transitions = mapping["transitions"]
    transitions.remove(transition(mapping, "return", "HOME_AFFAIRS"))
    returning = transition(mapping, "return", "UNIT_REVIEW")
    returning["from"] = ["UNIT_REVIEW", "HOME_AFFAIRS"]
    returning["approvers"].append("BLOC_AUTHORITY")
    assert errors_of(mapping) == []


def test_it_detects_empty_approvers() -> None:
    mapping = appraisal()
    transition(mapping, "publish", "HOME_AFFAIRS")["approvers"] = []
    errors = errors_of(mapping)
    assert [e.code for e in errors] == ["NO_APPROVERS"]
    assert "«publish»" in errors[0].message
    assert "«HOME_AFFAIRS»" in errors[0].message


def test_it_reports_every_problem_at_once() -> None:
    mapping = appraisal()
    state(mapping, "DRAFT")["initial"] = False
    transition(mapping, "publish", "HOME_AFFAIRS")["guards"] = ["NOPE"]
    transition(mapping, "approve", "UNIT_REVIEW")["approvers"] = []
    assert sorted(codes_of(mapping)) == [
        "NO_APPROVERS",
        "NO_INITIAL_STATE",
        "UNKNOWN_GUARD",
    ]


# ------------------------------------------------------------------ adding a step


def with_deputy_review() -> Mapping:
    mapping = appraisal()
    mapping["version"] = 2
    mapping["states"].insert(
        1,
        {
            "code": "DEPUTY_REVIEW",
            "label": "Cấp phó xem xét",
            "initial": False,
            "terminal": False,
            "editable": True,
        },
    )
    transition(mapping, "submit", "DRAFT")["to"] = "DEPUTY_REVIEW"
    mapping["transitions"] += [
        {
            "action": "forward",
            "label": "Chuyển người đứng đầu",
            "from": ["DEPUTY_REVIEW"],
            "to": "UNIT_REVIEW",
            "approvers": ["FIELD_DEPUTY"],
            "guards": [],
            "comment_required": False,
        },
        {
            "action": "return",
            "label": "Trả lại",
            "from": ["DEPUTY_REVIEW"],
            "to": "DRAFT",
            "approvers": ["FIELD_DEPUTY"],
            "guards": [],
            "comment_required": True,
        },
    ]
    return mapping


def test_adding_a_deputy_review_step_validates() -> None:
    assert errors_of(with_deputy_review()) == []


def test_adding_a_step_without_declaring_its_state_is_refused() -> None:
    mapping = with_deputy_review()
    del mapping["states"][1]
    assert set(codes_of(mapping)) == {"UNKNOWN_STATE"}


def test_adding_a_deputy_review_step_changes_the_path() -> None:
    definition = parse_definition(with_deputy_review())

    def offered(state_code: str, actor: Any) -> set[str]:
        return {
            t.action
            for t in available_transitions(definition, state=state_code, actor=actor, subject_owner_id=OWNER_ID)
        }

    submitted = decide(
        definition,
        state="DRAFT",
        action="submit",
        actor=SUBJECT,
        subject_owner_id=OWNER_ID,
        check_guard=passing,
    )
    assert submitted.target == "DEPUTY_REVIEW"
    assert offered("DEPUTY_REVIEW", FIELD_DEPUTY) == {"forward", "return"}
    assert offered("DEPUTY_REVIEW", UNIT_HEAD) == set()
    assert offered("DEPUTY_REVIEW", SUBJECT) == set()
    forwarded = decide(
        definition,
        state="DEPUTY_REVIEW",
        action="forward",
        actor=FIELD_DEPUTY,
        subject_owner_id=OWNER_ID,
        check_guard=passing,
    )
    assert forwarded.target == "UNIT_REVIEW"
    assert offered("UNIT_REVIEW", UNIT_HEAD) == {"approve", "return"}


# --------------------------------------------------------------------------- parsing


def test_parsing_builds_frozen_dataclasses() -> None:
    definition = parse_definition(appraisal())
    assert definition.code == "APPRAISAL"
    assert definition.version == 1
    assert definition.doctype == "appraisal"
    assert definition.states[0] == StateDef(
        "DRAFT", "Nháp", True, False, True, tags=("self_assessment",), deadline="self_assessment"
    )
    assert definition.transitions[0] == TransitionDef(
        action="submit",
        label="Gửi",
        sources=("DRAFT",),
        target="UNIT_REVIEW",
        approvers=("SUBJECT",),
        guards=(),
        comment_required=False,
        effects=("require_self_assessment", "score"),
    )
    with pytest.raises(AttributeError):
        definition.code = "OTHER"  # type: ignore[misc]


def test_optional_keys_have_defaults() -> None:
    definition = parse_definition(
        {
            "code": "MINI",
            "version": 3,
            "states": [{"code": "ONLY", "label": "Duy nhất", "initial": True}],
            "transitions": [
                {
                    "action": "touch",
                    "label": "Chạm",
                    "from": ["ONLY"],
                    "to": "ONLY",
                    "approvers": ["SUBJECT"],
                }
            ],
        }
    )
    assert definition == WorkflowDef(
        code="MINI",
        version=3,
        states=(StateDef("ONLY", "Duy nhất", initial=True),),
        transitions=(TransitionDef("touch", "Chạm", ("ONLY",), "ONLY", ("SUBJECT",)),),
    )


def malformed(mutate: Callable[[Mapping], object]) -> list[DefinitionError]:
    mapping = appraisal()
    replaced = mutate(mapping)
    with pytest.raises(InvalidDefinitionError) as invalid:
        # Most mutations edit the mapping in place; a list replaces it altogether.
        parse_definition(replaced if isinstance(replaced, list) else mapping)
    assert all(error.code == "MALFORMED" for error in invalid.value.errors)
    return list(invalid.value.errors)


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda m: ["not", "a", "mapping"], "workflow"),
        (lambda m: m.update(colour="blue"), "workflow.colour"),
        (lambda m: m.pop("code"), "workflow.code"),
        (lambda m: m.update(code="   "), "workflow.code"),
        (lambda m: m.update(name=7), "workflow.name"),
        (lambda m: m.update(doctype=None), "workflow.doctype"),
        (lambda m: m.update(version=True), "workflow.version"),
        (lambda m: m.update(version=0), "workflow.version"),
        (lambda m: m.update(version="1"), "workflow.version"),
        (lambda m: m.update(states="DRAFT"), "workflow.states"),
        (lambda m: m.update(transitions={"submit": {}}), "workflow.transitions"),
        (lambda m: m["states"].append("PUBLISHED"), "states[4]"),
        (lambda m: m["states"][0].pop("label"), "states[0].label"),
        (lambda m: m["states"][0].update(initial="yes"), "states[0].initial"),
        (lambda m: m["states"][0].update(colour="red"), "states[0].colour"),
        (lambda m: m["transitions"][0].pop("to"), "transitions[0].to"),
        (lambda m: m["transitions"][0].update(guard=["X"]), "transitions[0].guard"),
        (
            lambda m: m["transitions"][0].update({"from": "DRAFT"}),
            "transitions[0].from",
        ),
        (
            lambda m: m["transitions"][0].update(approvers=["", 3]),
            "transitions[0].approvers[0]",
        ),
        (
            lambda m: m["transitions"][3].update(comment_required=1),
            "transitions[3].comment_required",
        ),
    ],
)
def test_it_refuses_malformed_json_naming_the_place(mutate: Callable[[Mapping], object], where: str) -> None:
    errors = malformed(mutate)
    assert errors[0].where == where
    assert errors[0].message.startswith(f"{where}: ")


def test_it_reports_every_shape_error_at_once() -> None:
    def break_many(mapping: Mapping) -> None:
        mapping["transitions"][0]["approvers"] = ["", 3]
        mapping["states"][1].pop("code")

    errors = malformed(break_many)
    assert [e.where for e in errors] == [
        "states[1].code",
        "transitions[0].approvers[0]",
        "transitions[0].approvers[1]",
    ]


def test_the_exception_message_joins_the_errors() -> None:
    with pytest.raises(InvalidDefinitionError) as invalid:
        parse_definition({"code": "X", "version": 1, "states": [], "transitions": [], 1: 2})
    assert str(invalid.value) == "workflow.1: khóa không được hỗ trợ."
    assert isinstance(invalid.value, ValueError)


# ------------------------------------------------------------------------ small helpers


def test_initial_state_is_the_marked_one() -> None:
    assert initial_state(parse_definition(appraisal())) == "DRAFT"


@pytest.mark.parametrize("initial_flags", [(False, False), (True, True)])
def test_initial_state_refuses_an_invalid_definition(
    initial_flags: tuple[bool, bool],
) -> None:
    definition = WorkflowDef(
        code="BROKEN",
        version=1,
        states=tuple(StateDef(code, code, initial=flag) for code, flag in zip(("A", "B"), initial_flags, strict=True)),
        transitions=(),
    )
    with pytest.raises(ValueError, match="BROKEN"):
        initial_state(definition)


@pytest.mark.parametrize(
    ("state_code", "editable"),
    [
        ("DRAFT", True),
        ("UNIT_REVIEW", True),
        ("HOME_AFFAIRS", False),
        ("PUBLISHED", False),
        ("NO_SUCH_STATE", False),
    ],
)
def test_editability_follows_the_definition(state_code: str, editable: bool) -> None:
    assert is_editable(parse_definition(appraisal()), state_code) is editable


def test_find_state() -> None:
    definition = parse_definition(appraisal())
    found = find_state(definition, "PUBLISHED")
    assert found is not None
    assert found.label == "Công khai"
    assert find_state(definition, "NOPE") is None
