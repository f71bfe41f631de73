"""Workflow factories: the base definitions, role permissions and job descriptions.

Documents are created through the services; :func:`job_description` can then put one
straight into a state (a test shortcut the services never offer) so each test starts
where its behaviour happens.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from thanhhoa_kpi.accounts.loaders import load_roles
from thanhhoa_kpi.accounts.models import RoleGrant, User
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.workflow import services
from thanhhoa_kpi.workflow.job_descriptions import job_description_create
from thanhhoa_kpi.workflow.loaders import load_workflows
from thanhhoa_kpi.workflow.models import JobDescription, VersionStatus, WorkflowDefinition

PERSONAS = ("official", "colleague", "deputy", "head", "authority", "hr", "viewer", "outsider", "sysadmin")


def prepare_workflows() -> None:
    """The base workflow definitions and the workflow permissions of every role."""
    load_workflows(read_file(FIXTURES_DIR / "base" / "workflows.json"))
    load_roles(read_file(FIXTURES_DIR / "base" / "roles.workflow.yaml"))


def job_description(
    cast: Any, *, author: User | None = None, state: str | None = None, **fields: Any
) -> JobDescription:
    """A description of the cast's position in the cast's team, drafted by ``author``."""
    values = {
        "position": cast.position,
        "unit": cast.team,
        "duties": "Tham mưu quản lý nhà nước về văn hóa.",
        "output_products": "Báo cáo, tờ trình, văn bản hướng dẫn.",
        "working_conditions": "Làm việc tại trụ sở phường.",
        **fields,
    }
    document = job_description_create(user=author or cast.official, **values)
    if state is not None:
        JobDescription.objects.filter(pk=document.pk).update(state=state)
        document.refresh_from_db()
    return document


def second_authority(cast: Any) -> User:
    """Another user of the same bloc authority (two people who may act on one document)."""
    user = User.objects.create_user(username="authority2", password="pw-2026!", email="authority2@example.vn")
    RoleGrant.objects.create(user=user, role="BLOC_AUTHORITY", bloc=cast.team.bloc)
    return user


def with_deputy_review(definition: dict[str, Any]) -> dict[str, Any]:
    """The JOB_DESCRIPTION body with a DEPUTY_REVIEW step between DRAFT and UNIT_REVIEW."""
    body = copy.deepcopy({key: definition[key] for key in ("states", "transitions")})
    # The deputy's step waits on the deadline of the review it precedes (an appraisal's
    # states must name one; a job description has none).
    review = next(state for state in body["states"] if state["code"] == "UNIT_REVIEW")
    deadline = review.get("deadline", "")
    body["states"].insert(
        1, {"code": "DEPUTY_REVIEW", "label": "Cấp phó xem xét", "editable": False, "deadline": deadline}
    )
    for transition in body["transitions"]:
        if transition["action"] == "submit":
            transition["to"] = "DEPUTY_REVIEW"
    body["transitions"].insert(
        1,
        {
            "action": "forward",
            "label": "Chuyển người đứng đầu",
            "from": ["DEPUTY_REVIEW"],
            "to": "UNIT_REVIEW",
            "approvers": ["FIELD_DEPUTY"],
        },
    )
    return body


def current_definition(code: str = "JOB_DESCRIPTION") -> WorkflowDefinition:
    found = WorkflowDefinition.objects.current(code)
    assert found is not None
    return found


def soon(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


# ------------------------------------------------------------------ governed versions


def province_admins() -> tuple[User, User]:
    """Two province-level admins (system admins): one proposes, the other approves."""
    pair = []
    for username in ("gov_proposer", "gov_approver"):
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.vn"})
        RoleGrant.objects.get_or_create(user=user, role="SYSTEM_ADMIN")
        pair.append(user)
    return pair[0], pair[1]


def ensure_definition_change_workflow() -> None:
    """The DEFINITION_CHANGE workflow every proposal runs on (loaded by the seed in real life)."""
    if WorkflowDefinition.objects.current("DEFINITION_CHANGE") is None:
        rows = read_file(FIXTURES_DIR / "base" / "workflows.json")
        load_workflows([row for row in rows if row["code"] == "DEFINITION_CHANGE"])


def definition_in_force(*, code: str, name: str, doctype: str, definition: dict[str, Any]) -> WorkflowDefinition:
    """Propose a workflow version and have a second province admin approve it (a test shortcut
    through the real services: the change is in force when this returns)."""
    ensure_definition_change_workflow()
    proposer, approver = province_admins()
    saved = services.workflow_definition_save(
        user=proposer, code=code, name=name, doctype=doctype, definition=definition
    )
    if saved.status == VersionStatus.PROPOSED:
        saved = services.workflow_definition_approve(proposal=saved, by=approver)
    return saved


def rule_set_in_force(*, code: str, name: str, params: Any, legal_basis: str = "") -> Any:
    """Propose a rule-set version and have a second province admin approve it."""
    from thanhhoa_kpi.appraisals import rulesets

    ensure_definition_change_workflow()
    proposer, approver = province_admins()
    saved = rulesets.rule_set_save(user=proposer, code=code, name=name, params=params, legal_basis=legal_basis)
    if saved.status == VersionStatus.PROPOSED:
        saved = rulesets.rule_set_approve(proposal=saved, by=approver)
    return saved
