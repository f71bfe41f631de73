"""Province-wide definitions are governed (issue 9, finding 5 and build 1).

Workflow definitions and rule sets decide everyone's results, so: only province-level
admins change them (services and desk alike); a change is a proposal that takes effect
only when a *different* province-level admin approves it (the DEFINITION_CHANGE
workflow); and no definition lets the document's subject approve or publish it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.factories.appraisals import appraisal_of, month_period, opened, prepare_appraisals
from tests.factories.workflow import current_definition, job_description, with_deputy_review
from thanhhoa_kpi.appraisals import rulesets
from thanhhoa_kpi.appraisals.loaders import load_rule_sets
from thanhhoa_kpi.appraisals.models import RuleSet
from thanhhoa_kpi.core.errors import Conflict, DomainError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.workflow import governance, services
from thanhhoa_kpi.workflow.engine import TransitionRefused
from thanhhoa_kpi.workflow.loaders import load_workflows
from thanhhoa_kpi.workflow.models import DefinitionChange, VersionStatus, WorkflowDefinition
from thanhhoa_kpi.workflow.selectors import awaited_users, inbox_for

pytestmark = pytest.mark.django_db

REFUSED = ("hr", "official", "viewer", "authority")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def gov(cast):
    prepare_appraisals()  # rule sets, every workflow (DEFINITION_CHANGE too) and the role permissions
    return cast


def nd335() -> RuleSet:
    return RuleSet.objects.get(code="ND335", is_current=True)


def lowered(params: dict[str, Any]) -> dict[str, Any]:
    """The rule set of finding 1: thresholds 30/20/10 (everyone "excellent")."""
    changed = copy.deepcopy(params)
    changed["thresholds"] = {"HOAN_THANH_XUAT_SAC": 30, "HOAN_THANH_TOT": 20, "HOAN_THANH": 10}
    return changed


def propose_rule_set(user: Any) -> RuleSet:
    row = nd335()
    return rulesets.rule_set_save(
        user=user, code="ND335", name=row.name, legal_basis=row.legal_basis, params=lowered(row.params)
    )


def propose_workflow(user: Any, code: str = "JOB_DESCRIPTION") -> WorkflowDefinition:
    row = current_definition(code)
    return services.workflow_definition_save(
        user=user, code=code, name=row.name, doctype=row.doctype, definition=with_deputy_review(row.definition)
    )


def subject_publishes(definition: dict[str, Any]) -> dict[str, Any]:
    """Finding 5: the APPRAISAL workflow rewritten so the subject approves and publishes."""
    body = copy.deepcopy({key: definition[key] for key in ("states", "transitions")})
    for transition in body["transitions"]:
        if transition["action"] in ("approve", "publish"):
            transition["approvers"].append("SUBJECT")
    return body


# ------------------------------------------------------------------ who may change


@pytest.mark.parametrize("persona", REFUSED)
def test_the_rule_set_service_refuses_anyone_but_a_province_admin(gov, persona):
    with pytest.raises(PermissionRefused) as refused:
        propose_rule_set(getattr(gov, persona))
    assert refused.value.code == "PROVINCE_ADMIN_ONLY" and "quản trị cấp tỉnh" in refused.value.message
    assert RuleSet.objects.filter(code="ND335").count() == 1


@pytest.mark.parametrize("persona", REFUSED)
def test_the_workflow_service_refuses_anyone_but_a_province_admin(gov, persona):
    with pytest.raises(PermissionRefused) as refused:
        propose_workflow(getattr(gov, persona))
    assert refused.value.code == "PROVINCE_ADMIN_ONLY"
    assert WorkflowDefinition.objects.filter(code="JOB_DESCRIPTION").count() == 1


@pytest.mark.parametrize("persona", REFUSED)
def test_the_desk_refuses_anyone_but_a_province_admin_for_both_models(gov, client, persona):
    client.force_login(getattr(gov, persona))
    rule_set, definition = nd335(), current_definition()
    payload = {
        "code": "ND335",
        "name": rule_set.name,
        "legal_basis": "",
        "params": json.dumps(lowered(rule_set.params)),
    }
    body = json.dumps(with_deputy_review(definition.definition), ensure_ascii=False)

    assert client.post(f"/admin/appraisals/ruleset/{rule_set.pk}/change/", payload).status_code == 403
    assert client.post("/admin/appraisals/ruleset/add/", payload).status_code == 403
    change = client.post(
        f"/admin/workflow/workflowdefinition/{definition.pk}/change/", {"name": "x", "definition": body}
    )
    assert change.status_code == 403
    assert client.get("/admin/workflow/workflowdefinition/add/").status_code == 403
    assert RuleSet.objects.filter(code="ND335").count() == 1
    assert WorkflowDefinition.objects.filter(code="JOB_DESCRIPTION").count() == 1
    assert not DefinitionChange.objects.exists()


# -------------------------------------------------------------- second approval


@pytest.mark.parametrize("propose", [propose_rule_set, propose_workflow], ids=["rule_set", "workflow"])
def test_a_change_waits_for_a_different_province_admin(gov, propose):
    proposed = propose(gov.province_hr)
    model = type(proposed)
    before = model.objects.get(code=proposed.code, is_current=True)
    assert (proposed.status, proposed.is_current) == (VersionStatus.PROPOSED, False)

    for who, code in ((gov.province_hr, "SELF_ACTION"), (gov.hr, "NOT_AN_APPROVER"), (gov.viewer, "NOT_AN_APPROVER")):
        with pytest.raises(TransitionRefused) as refused:
            governance.decide_proposal(row=proposed, by=who, action=governance.APPROVE)
        assert refused.value.code == code
    assert model.objects.get(pk=proposed.pk).status == VersionStatus.PROPOSED
    assert model.objects.get(code=proposed.code, is_current=True) == before

    approved = governance.decide_proposal(row=proposed, by=gov.sysadmin, action=governance.APPROVE)

    assert (approved.status, approved.is_current) == (VersionStatus.IN_FORCE, True)
    before.refresh_from_db()
    assert (before.status, before.is_current) == (VersionStatus.RETIRED, False)
    assert model.objects.filter(code=proposed.code, is_current=True).get() == approved


def test_the_named_services_approve_and_refuse_the_author(gov):
    rule_set = propose_rule_set(gov.province_hr)
    with pytest.raises(DomainError):
        rulesets.rule_set_approve(proposal=rule_set, by=gov.province_hr)
    assert rulesets.rule_set_approve(proposal=rule_set, by=gov.sysadmin).is_current
    workflow = propose_workflow(gov.sysadmin)
    with pytest.raises(DomainError):
        services.workflow_definition_approve(proposal=workflow, by=gov.sysadmin)
    assert services.workflow_definition_approve(proposal=workflow, by=gov.province_hr).is_current


def test_a_rejected_proposal_never_takes_effect_and_needs_a_reason(gov):
    proposed = propose_rule_set(gov.province_hr)
    with pytest.raises(TransitionRefused) as refused:
        rulesets.rule_set_reject(proposal=proposed, by=gov.sysadmin, comment=" ")
    assert refused.value.code == "COMMENT_REQUIRED"
    rejected = rulesets.rule_set_reject(proposal=proposed, by=gov.sysadmin, comment="Ngưỡng sai quy định.")
    assert (rejected.status, rejected.is_current) == (VersionStatus.REJECTED, False)
    assert nd335().version == 3
    with pytest.raises(DomainError):
        rulesets.rule_set_approve(proposal=rejected, by=gov.sysadmin)
    assert nd335().version == 3


def test_the_proposer_may_withdraw_and_only_one_proposal_is_open_at_a_time(gov):
    proposed = propose_workflow(gov.province_hr)
    with pytest.raises(Conflict) as pending:
        propose_workflow(gov.sysadmin)
    assert pending.value.code == "PROPOSAL_PENDING"
    with pytest.raises(TransitionRefused):
        services.workflow_definition_withdraw(proposal=proposed, by=gov.sysadmin, comment="x")  # not theirs
    withdrawn = services.workflow_definition_withdraw(proposal=proposed, by=gov.province_hr, comment="Soạn lại.")
    assert withdrawn.status == VersionStatus.REJECTED
    assert propose_workflow(gov.sysadmin).version == 3  # version numbers are never reused


def test_the_approval_hook_refuses_the_proposer_whatever_the_definition_says(gov):
    # Even a DEFINITION_CHANGE definition stored with SUBJECT on approve (written around
    # the validator) does not let the proposer approve their own change.
    governed = current_definition("DEFINITION_CHANGE")
    body = copy.deepcopy(governed.definition)
    next(t for t in body["transitions"] if t["action"] == "approve")["approvers"].append("SUBJECT")
    WorkflowDefinition.objects.filter(pk=governed.pk).update(definition=body)
    proposed = propose_rule_set(gov.province_hr)
    with pytest.raises(DomainError) as refused:
        rulesets.rule_set_approve(proposal=proposed, by=gov.province_hr)
    assert refused.value.code == "SELF_ACTION"
    assert RuleSet.objects.get(pk=proposed.pk).status == VersionStatus.PROPOSED


def test_proposals_await_the_other_province_admins_in_their_inbox(gov):
    proposed = propose_rule_set(gov.province_hr)
    change = governance.proposal_of(proposed)
    assert [item.document for item in inbox_for(user=gov.sysadmin)] == [change]
    assert inbox_for(user=gov.province_hr) == []
    assert inbox_for(user=gov.hr) == []
    # The org chart read the other way (notifications, digest) agrees: only the other admin.
    assert set(awaited_users(document=change)) == {gov.sysadmin.pk}


# ------------------------------------------------------------ not in force before


def test_appraisals_keep_the_rule_set_in_force_while_a_change_is_proposed(gov):
    propose_rule_set(gov.province_hr)
    appraisal = appraisal_of(gov.official, opened(gov, month_period(gov, year=2026, month=9)))
    assert appraisal.rule_set_version == 3  # the shipped version, not the proposed one
    assert appraisal.rule_params["thresholds"] == RuleSet.objects.get(code="ND335", version=3).params["thresholds"]
    assert rulesets.rule_sets_current()["ND335"] == rulesets.rule_set_validate(nd335().params)


def test_documents_keep_the_workflow_in_force_while_a_change_is_proposed(gov):
    v1 = current_definition()
    proposed = propose_workflow(gov.province_hr)
    document = job_description(gov)
    assert document.workflow == v1
    services.workflow_definition_approve(proposal=proposed, by=gov.sysadmin)
    assert job_description(gov).workflow_id == proposed.pk
    assert document.workflow_id == v1.pk


# ------------------------------------------------------------ finding 5 itself


def test_the_subject_as_approver_and_publisher_is_refused_by_the_service(gov):
    row = current_definition("APPRAISAL")
    with pytest.raises(ValidationFailed) as refused:
        services.workflow_definition_save(
            user=gov.province_hr, code=row.code, name=row.name, doctype=row.doctype,
            definition=subject_publishes(row.definition),
        )  # fmt: skip
    messages = [error.message for error in refused.value.errors]
    assert any("«publish»" in m and "«HOME_AFFAIRS» không phải trạng thái khởi đầu" in m for m in messages)
    assert any("«approve»" in m and "«UNIT_REVIEW»" in m for m in messages)
    assert WorkflowDefinition.objects.filter(code="APPRAISAL").count() == 1


def test_the_desk_form_shows_the_subject_as_publisher_error(gov, client):
    row = current_definition("APPRAISAL")
    client.force_login(gov.province_hr)
    body = json.dumps(subject_publishes(row.definition), ensure_ascii=False)
    response = client.post(
        f"/admin/workflow/workflowdefinition/{row.pk}/change/", {"name": row.name, "definition": body}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Thao tác «publish» (từ «HOME_AFFAIRS») không được có người thực hiện «SUBJECT»" in text
    assert WorkflowDefinition.objects.filter(code="APPRAISAL").count() == 1


def test_the_subject_cannot_approve_their_own_document_under_a_stored_bad_definition(gov):
    # A definition saved before the validator knew the rule (written straight to the row).
    row = current_definition()
    WorkflowDefinition.objects.filter(pk=row.pk).update(definition=subject_publishes(row.definition))
    document = job_description(gov)
    services.workflow_transition(document=document, action="submit", user=gov.official)
    with pytest.raises(TransitionRefused) as refused:
        services.workflow_transition(document=document, action="approve", user=gov.official)
    assert refused.value.code == "SELF_ACTION"
    assert "approve" not in [
        option.action for option in services.available_actions(document=document, user=gov.official)
    ]


# ------------------------------------------------------------------------- desk


def test_the_desk_proposes_and_a_second_admin_approves_with_confirmation(gov, client):
    rule_set = nd335()
    client.force_login(gov.province_hr)
    payload = {
        "name": rule_set.name,
        "legal_basis": rule_set.legal_basis,
        "params": json.dumps(lowered(rule_set.params)),
    }
    response = client.post(f"/admin/appraisals/ruleset/{rule_set.pk}/change/", payload, follow=True)
    assert "Đã gửi đề xuất phiên bản 4" in response.content.decode()
    proposed = RuleSet.objects.get(code="ND335", version=4)
    change = governance.proposal_of(proposed)
    page = f"/admin/workflow/definitionchange/{change.pk}/change/"

    mine = client.get(page).content.decode()
    assert 'value="withdraw"' in mine and 'value="approve"' not in mine  # the proposer cannot approve
    listing = client.get("/admin/appraisals/ruleset/").content.decode()
    assert "Đề xuất, chờ duyệt" in listing and "Đang áp dụng" in listing

    client.force_login(gov.sysadmin)
    theirs = client.get(page).content.decode()
    assert 'value="approve"' in theirs and 'value="reject"' in theirs and 'name="confirm"' in theirs
    assert "province_hr" in theirs and "thresholds" in theirs  # who proposed, and what changes
    client.post(f"{page.removesuffix('change/')}transition/", {"action": "approve", "state": "PROPOSED"})
    assert RuleSet.objects.get(pk=proposed.pk).status == VersionStatus.PROPOSED  # no confirmation, no approval
    client.post(
        f"{page.removesuffix('change/')}transition/", {"action": "approve", "state": "PROPOSED", "confirm": "yes"}
    )
    assert nd335().pk == proposed.pk


def test_proposals_and_former_versions_are_read_only_in_the_desk(gov, client):
    proposed = propose_rule_set(gov.province_hr)
    client.force_login(gov.sysadmin)
    response = client.post(f"/admin/appraisals/ruleset/{proposed.pk}/change/", {"name": "x", "params": "{}"})
    assert response.status_code == 403
    page = client.get(f"/admin/appraisals/ruleset/{proposed.pk}/change/")
    assert page.status_code == 200 and "thresholds" in page.content.decode()  # shown, with what changes
    assert RuleSet.objects.get(pk=proposed.pk).name == nd335().name


# ------------------------------------------------------------------------- seed


def test_loading_the_fixtures_puts_base_versions_in_force_directly_and_twice_without_harm(gov):
    proposed = propose_rule_set(gov.province_hr)
    pending = propose_workflow(gov.province_hr)
    for _ in range(2):
        load_rule_sets(read_file(FIXTURES_DIR / "base" / "rule_sets.json"))
        load_workflows(read_file(FIXTURES_DIR / "base" / "workflows.json"))
    assert nd335().version == 3 and nd335().status == VersionStatus.IN_FORCE
    assert current_definition().version == 1
    assert RuleSet.objects.get(pk=proposed.pk).status == VersionStatus.PROPOSED
    assert WorkflowDefinition.objects.get(pk=pending.pk).status == VersionStatus.PROPOSED
    assert not DefinitionChange.objects.filter(state="IN_FORCE").exists()


def test_the_desk_lists_proposals_with_their_proposer_and_state_and_the_inbox_links_them(gov, client):
    proposed = propose_workflow(gov.province_hr)
    change = governance.proposal_of(proposed)
    client.force_login(gov.sysadmin)
    listing = client.get("/admin/workflow/definitionchange/").content.decode()
    assert change.summary in listing and "province_hr" in listing and "Đề xuất, chờ duyệt" in listing
    inbox = client.get("/admin/workflow/notification/inbox/").content.decode()
    assert f"/admin/workflow/definitionchange/{change.pk}/change/" in inbox
    versions = client.get("/admin/workflow/workflowdefinition/").content.decode()
    assert "Đề xuất, chờ duyệt" in versions and "Đang áp dụng" in versions
    page = client.get(f"/admin/workflow/workflowdefinition/{proposed.pk}/change/").content.decode()
    assert "DEPUTY_REVIEW" in page and f"/admin/workflow/definitionchange/{change.pk}/change/" in page


def test_a_province_admin_adds_a_rule_set_in_the_desk_as_a_proposal(gov, client):
    client.force_login(gov.province_hr)
    params = json.dumps(nd335().params, ensure_ascii=False)
    payload = {"code": "ND_MOI", "name": "Bộ quy tắc thử", "legal_basis": "", "params": params}
    assert client.post("/admin/appraisals/ruleset/add/", payload).status_code == 302
    added = RuleSet.objects.get(code="ND_MOI")
    assert (added.version, added.status, added.is_current) == (1, VersionStatus.PROPOSED, False)
    assert "ND_MOI" not in rulesets.rule_sets_current()
