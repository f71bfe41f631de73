"""Shared cast and definitions for the workflow engine tests.

The engine receives resolved facts, so each persona is the set of approver-rule names
the org-chart resolvers would report for one appraisal whose subject is user 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from thanhhoa_kpi.workflow.engine import Actor, Contract, WorkflowDef, parse_definition

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "base" / "workflows.json"

# The names the project's registries will provide; the engine itself knows none of
# them except SUBJECT.
KNOWN_GUARDS = frozenset({"QUOTA_HOLDS", "HEAD_NOT_ABOVE_UNIT", "CATALOGUE_READY", "AGENCY_QUOTA_HOLDS"})
KNOWN_APPROVER_RULES = frozenset(
    {"SUBJECT", "UNIT_HEAD", "FIELD_DEPUTY", "PARENT_UNIT_HEAD", "BLOC_AUTHORITY", "PROVINCE_ADMIN"}
)
KNOWN_ROLES = frozenset({"HR_ADMIN"})
# The effect, tag and deadline names the shipped definitions use (the apps register
# them, with their rules, in the running system); no rules here.
_SHIPPED = json.loads(FIXTURE.read_text(encoding="utf-8"))
KNOWN_CONTRACT = Contract(
    effects=frozenset(name for row in _SHIPPED for t in row["transitions"] for name in t.get("effects", [])),
    tags=frozenset(tag for row in _SHIPPED for s in row["states"] for tag in s.get("tags", [])),
    deadlines=frozenset(s["deadline"] for row in _SHIPPED for s in row["states"] if s.get("deadline")),
)

OWNER_ID = 1

SUBJECT = Actor(user_id=OWNER_ID, relations=frozenset({"SUBJECT"}))
UNIT_HEAD = Actor(user_id=2, relations=frozenset({"UNIT_HEAD"}))
FIELD_DEPUTY = Actor(user_id=3, relations=frozenset({"FIELD_DEPUTY"}))
PARENT_UNIT_HEAD = Actor(user_id=4, relations=frozenset({"PARENT_UNIT_HEAD"}))
BLOC_AUTHORITY = Actor(user_id=5, relations=frozenset({"BLOC_AUTHORITY"}))
HR_ADMIN = Actor(user_id=6, roles=frozenset({"HR_ADMIN"}))
OUTSIDER = Actor(user_id=7)
# A unit head's own appraisal: the resolver reports UNIT_HEAD for them as well.
HEAD_AS_SUBJECT = Actor(user_id=OWNER_ID, relations=frozenset({"SUBJECT", "UNIT_HEAD"}))

PERSONAS: dict[str, Actor] = {
    "subject": SUBJECT,
    "unit_head": UNIT_HEAD,
    "field_deputy": FIELD_DEPUTY,
    "parent_unit_head": PARENT_UNIT_HEAD,
    "bloc_authority": BLOC_AUTHORITY,
    "hr_admin": HR_ADMIN,
    "outsider": OUTSIDER,
    "head_as_subject": HEAD_AS_SUBJECT,
}


def fixture_mappings() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def fixture_mapping(code: str) -> dict[str, Any]:
    return next(item for item in fixture_mappings() if item["code"] == code)


def fixture_definition(code: str) -> WorkflowDef:
    return parse_definition(fixture_mapping(code))


def passing(_guard: str) -> str | None:
    return None
