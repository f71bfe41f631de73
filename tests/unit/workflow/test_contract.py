"""A document type's contract: the effects, tags and deadlines a definition may name, and the
rules it may not drop (issue 10, item 2).

The rules here are those the appraisal app registers (self-assessment and scoring when the
draft is left, the reviewer's scores completed and a score on entering the authority's step,
publication only through the quota guards, unpublishing on reopening, a deadline on every
waiting step), written out so the pure validator is tested without Django.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.unit.workflow.cast import KNOWN_APPROVER_RULES, KNOWN_GUARDS, KNOWN_ROLES, fixture_mapping
from thanhhoa_kpi.workflow.engine import Contract, ContractRule, parse_definition, states_tagged, validate_definition

RULES = (
    ContractRule("ONE_STATE", "self_assessment"),
    ContractRule("ONE_STATE", "approval"),
    ContractRule("ONE_STATE", "published"),
    ContractRule("LEAVING", "self_assessment", ("require_self_assessment", "score")),
    ContractRule("ENTERING", "approval", ("accept_self_scores", "score")),
    ContractRule("ENTERING", "published", ("publish",)),
    ContractRule("ENTERING_GUARDS", "published", ("QUOTA_HOLDS", "HEAD_NOT_ABOVE_UNIT")),
    ContractRule("LEAVING", "published", ("unpublish",)),
    ContractRule("DEADLINE", "published"),
)
APPRAISAL_CONTRACT = Contract(
    effects=frozenset({"require_self_assessment", "score", "accept_self_scores", "publish", "unpublish"}),
    tags=frozenset({"self_assessment", "approval", "published"}),
    deadlines=frozenset({"self_assessment", "unit_review", "approval"}),
    rules=RULES,
)


def appraisal() -> dict[str, Any]:
    return copy.deepcopy(fixture_mapping("APPRAISAL"))


def problems(mapping: dict[str, Any], contract: Contract = APPRAISAL_CONTRACT) -> list[tuple[str, str]]:
    errors = validate_definition(
        parse_definition(mapping),
        known_guards=KNOWN_GUARDS,
        known_approver_rules=KNOWN_APPROVER_RULES,
        known_roles=KNOWN_ROLES,
        contract=contract,
    )
    return [(error.code, error.where) for error in errors]


def transition(mapping: dict[str, Any], action: str, source: str) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in mapping["transitions"] if t["action"] == action and source in t["from"])
    return found


def state(mapping: dict[str, Any], code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in mapping["states"] if s["code"] == code)
    return found


def test_the_shipped_appraisal_definition_keeps_its_contract() -> None:
    assert problems(appraisal()) == []


def test_a_step_added_before_the_review_keeps_the_rules_when_it_names_a_deadline() -> None:
    mapping = appraisal()
    mapping["states"].insert(1, {"code": "DEPUTY_REVIEW", "label": "Cấp phó", "deadline": "unit_review"})
    transition(mapping, "submit", "DRAFT")["to"] = "DEPUTY_REVIEW"
    mapping["transitions"].append(
        {
            "action": "forward",
            "label": "Chuyển",
            "from": ["DEPUTY_REVIEW"],
            "to": "UNIT_REVIEW",
            "approvers": ["FIELD_DEPUTY"],
        }
    )
    assert problems(mapping) == []
    del mapping["states"][1]["deadline"]
    assert problems(mapping) == [("MISSING_DEADLINE", "states[1].deadline")]


def test_a_new_way_out_of_the_draft_must_check_and_score() -> None:
    mapping = appraisal()
    mapping["transitions"].append(
        {"action": "fast", "label": "Gửi thẳng", "from": ["DRAFT"], "to": "HOME_AFFAIRS", "approvers": ["SUBJECT"]}
    )
    found = problems(mapping)
    # Leaving the self-assessment state and entering the authority's both miss their effects.
    assert found == [("MISSING_EFFECT", "transitions[6].effects"), ("MISSING_EFFECT", "transitions[6].effects")]


def test_publishing_without_the_quota_guards_or_the_effect_is_refused() -> None:
    mapping = appraisal()
    publish = transition(mapping, "publish", "HOME_AFFAIRS")
    publish["guards"], publish["effects"] = ["QUOTA_HOLDS"], []
    assert problems(mapping) == [
        ("MISSING_EFFECT", "transitions[2].effects"),
        ("MISSING_EFFECT", "transitions[2].guards"),
    ]


def test_reopening_without_unpublishing_is_refused() -> None:
    mapping = appraisal()
    transition(mapping, "reopen", "PUBLISHED")["effects"] = []
    errors = validate_definition(
        parse_definition(mapping),
        known_guards=KNOWN_GUARDS,
        known_approver_rules=KNOWN_APPROVER_RULES,
        contract=APPRAISAL_CONTRACT,
    )
    assert [e.code for e in errors] == ["MISSING_EFFECT"]
    assert "«reopen»" in errors[0].message and "«unpublish»" in errors[0].message and "ra khỏi" in errors[0].message


@pytest.mark.parametrize(("tagged", "count"), [([], 0), (["HOME_AFFAIRS", "UNIT_REVIEW"], 2)])
def test_exactly_one_state_carries_each_required_tag(tagged: list[str], count: int) -> None:
    mapping = appraisal()
    for entry in mapping["states"]:
        entry["tags"] = [tag for tag in entry["tags"] if tag != "approval"]
        if entry["code"] in tagged:
            entry["tags"].append("approval")
    found = [e for e in validate_definition(
        parse_definition(mapping), known_guards=KNOWN_GUARDS, known_approver_rules=KNOWN_APPROVER_RULES,
        contract=Contract(effects=APPRAISAL_CONTRACT.effects, tags=APPRAISAL_CONTRACT.tags,
                          deadlines=APPRAISAL_CONTRACT.deadlines, rules=(ContractRule("ONE_STATE", "approval"),)),
    )]  # fmt: skip
    assert [e.code for e in found] == ["TAG_COUNT"]
    assert f"đang có {count}" in found[0].message


def test_unknown_names_are_refused_each_where_it_stands() -> None:
    mapping = appraisal()
    state(mapping, "UNIT_REVIEW")["tags"] = ["secret"]
    state(mapping, "UNIT_REVIEW")["deadline"] = "tomorrow"
    transition(mapping, "approve", "UNIT_REVIEW")["effects"].append("erase")
    assert problems(mapping) == [
        ("UNKNOWN_TAG", "states[1].tags"),
        ("UNKNOWN_DEADLINE", "states[1].deadline"),
        ("UNKNOWN_EFFECT", "transitions[1].effects"),
    ]


def test_without_a_contract_no_name_is_known() -> None:
    errors = validate_definition(
        parse_definition(appraisal()), known_guards=KNOWN_GUARDS, known_approver_rules=KNOWN_APPROVER_RULES
    )
    assert {e.code for e in errors} == {"UNKNOWN_TAG", "UNKNOWN_DEADLINE", "UNKNOWN_EFFECT"}


def test_states_tagged_names_the_states_of_a_tag() -> None:
    definition = parse_definition(appraisal())
    assert states_tagged(definition, "published") == frozenset({"PUBLISHED"})
    assert states_tagged(definition, "nothing") == frozenset()


def test_tags_deadlines_and_effects_survive_a_round_trip() -> None:
    from thanhhoa_kpi.workflow.engine import definition_to_mapping

    definition = parse_definition(appraisal())
    assert parse_definition(definition_to_mapping(definition)) == definition
