"""Workflow definitions as data (SPEC 4): validated on save, versioned once in use."""

import json

import pytest

from tests.factories.workflow import (
    current_definition,
    definition_in_force,
    job_description,
    prepare_workflows,
    with_deputy_review,
)
from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.workflow import services
from thanhhoa_kpi.workflow.definition_checks import definition_errors
from thanhhoa_kpi.workflow.loaders import load_workflows
from thanhhoa_kpi.workflow.models import JobDescription, VersionStatus, WorkflowDefinition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Before the cast is built: nine PBKDF2 hashes per test would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def wf(cast):
    prepare_workflows()
    return cast


def change_url(definition):
    return f"/admin/workflow/workflowdefinition/{definition.pk}/change/"


def post_definition(client, definition, body):
    payload = {"name": definition.name, "definition": json.dumps(body, ensure_ascii=False), "_save": "1"}
    return client.post(change_url(definition), payload)


@pytest.mark.parametrize("code", ["JOB_DESCRIPTION", "CATALOGUE"])
def test_the_base_definitions_validate_against_the_registered_names(wf, code):
    row = current_definition(code)
    assert definition_errors(code=row.code, name=row.name, doctype=row.doctype, definition=row.definition) == []


def test_the_desk_form_shows_every_problem_naming_the_state_and_transition(wf, client):
    definition = current_definition()
    body = with_deputy_review(definition.definition)
    forward = next(t for t in body["transitions"] if t["action"] == "forward")
    forward["approvers"], forward["guards"] = ["TRUONG_PHONG"], ["KHONG_CO"]
    body["transitions"][0]["to"] = "KHONG_TON_TAI"  # submit no longer reaches DEPUTY_REVIEW
    client.force_login(wf.province_hr)

    response = post_definition(client, definition, body)

    assert response.status_code == 200  # the form again, nothing saved
    text = response.content.decode()
    assert "quy tắc người thực hiện «TRUONG_PHONG» mà hệ thống không hỗ trợ" in text
    assert "điều kiện «KHONG_CO» mà hệ thống không hỗ trợ" in text
    assert "trạng thái «KHONG_TON_TAI» không tồn tại" in text
    assert "Trạng thái «DEPUTY_REVIEW» không thể đến được" in text
    assert WorkflowDefinition.objects.filter(code="JOB_DESCRIPTION").count() == 1


def test_a_shape_error_names_the_transition_by_position_and_action(wf):
    body = with_deputy_review(current_definition().definition)
    del body["transitions"][2]["to"]
    errors = definition_errors(code="JOB_DESCRIPTION", name="x", doctype="job_description", definition=body)
    assert [e.message for e in errors] == ["Thao tác thứ 3 («approve»), khóa «to»: thiếu khóa bắt buộc."]
    assert errors[0].field == "definition.transitions[2].to"


def test_the_province_hr_admin_adds_a_deputy_step_and_documents_keep_their_version(wf, client):
    old_document = job_description(wf)
    v1 = current_definition()
    client.force_login(wf.province_hr)

    response = post_definition(client, v1, with_deputy_review(v1.definition))

    assert response.status_code == 302
    proposed = WorkflowDefinition.objects.get(code=v1.code, version=2)
    assert (proposed.status, proposed.is_current) == (VersionStatus.PROPOSED, False)
    assert current_definition() == v1  # nothing changes before a second admin approves
    services.workflow_definition_approve(proposal=proposed, by=wf.sysadmin)
    v2 = current_definition()
    assert (v2.pk, v2.version, v2.status) == (proposed.pk, 2, VersionStatus.IN_FORCE)
    v1.refresh_from_db()
    assert (v1.is_current, v1.status) == (False, VersionStatus.RETIRED)
    assert "DEPUTY_REVIEW" not in json.dumps(v1.definition)

    new_document = job_description(wf)
    assert new_document.workflow == v2 and old_document.workflow == v1
    services.workflow_transition(document=old_document, action="submit", user=wf.official)
    services.workflow_transition(document=new_document, action="submit", user=wf.official)
    assert old_document.state == "UNIT_REVIEW"
    assert new_document.state == "DEPUTY_REVIEW"
    services.workflow_transition(document=new_document, action="forward", user=wf.deputy)
    assert JobDescription.objects.get(pk=new_document.pk).state == "UNIT_REVIEW"


def test_a_version_is_never_edited_in_place_even_unused(wf):
    v1 = current_definition()
    saved = services.workflow_definition_save(
        user=wf.province_hr,
        code=v1.code,
        name="Tên mới",
        doctype=v1.doctype,
        definition=with_deputy_review(v1.definition),
    )
    assert saved.pk != v1.pk and saved.version == 2 and saved.status == VersionStatus.PROPOSED
    v1.refresh_from_db()
    assert v1.name != "Tên mới" and v1.is_current


def test_the_service_refuses_an_invalid_definition_with_every_error(wf):
    v1 = current_definition()
    body = {"states": [{"code": "A", "label": "A"}], "transitions": [], "extra": 1}
    with pytest.raises(ValidationFailed) as refused:
        services.workflow_definition_save(
            user=wf.province_hr, code=v1.code, name=v1.name, doctype=v1.doctype, definition=body
        )
    assert refused.value.code == "INVALID_WORKFLOW"
    codes = {e.field for e in refused.value.errors}
    assert {"definition", "definition.states"} <= codes


def test_the_change_page_previews_states_and_transitions(wf, client):
    client.force_login(wf.province_hr)
    text = client.get(change_url(current_definition())).content.decode()
    assert "Cơ quan tổ chức cán bộ phê duyệt" in text
    assert "Người đứng đầu đơn vị" in text  # UNIT_HEAD in words


@pytest.mark.parametrize("persona", ["official", "viewer", "authority", "hr"])
def test_only_province_administrators_edit_definitions(wf, client, persona):
    client.force_login(getattr(wf, persona))
    response = post_definition(client, current_definition(), {"states": [], "transitions": []})
    assert response.status_code == 403


def test_reseeding_never_rewrites_a_used_version_nor_demotes_a_newer_one(wf):
    job_description(wf)
    v1 = current_definition()
    definition_in_force(code=v1.code, name=v1.name, doctype=v1.doctype, definition=with_deputy_review(v1.definition))
    rows = read_file(FIXTURES_DIR / "base" / "workflows.json")
    changed = [dict(row, name="Đổi tên") if row["code"] == "JOB_DESCRIPTION" else row for row in rows]

    load_workflows(changed)

    v1.refresh_from_db()
    assert v1.name != "Đổi tên" and v1.is_current is False
    assert current_definition().version == 2


def test_adding_a_definition_with_a_taken_code_is_refused(wf, client):
    client.force_login(wf.province_hr)
    body = json.dumps(current_definition().definition, ensure_ascii=False)
    payload = {"code": "JOB_DESCRIPTION", "name": "Trùng", "doctype": "job_description", "definition": body}
    response = client.post("/admin/workflow/workflowdefinition/add/", payload)
    assert response.status_code == 200
    assert "Mã quy trình đã tồn tại" in response.content.decode()
    assert WorkflowDefinition.objects.filter(code="JOB_DESCRIPTION").count() == 1


def test_a_new_workflow_added_in_the_desk_waits_for_a_second_admin(wf, client):
    client.force_login(wf.province_hr)
    body = json.dumps(current_definition().definition, ensure_ascii=False)
    payload = {"code": "JD_NGAN", "name": "Quy trình rút gọn", "doctype": "job_description", "definition": body}
    assert client.post("/admin/workflow/workflowdefinition/add/", payload).status_code == 302
    proposed = WorkflowDefinition.objects.get(code="JD_NGAN")
    assert (proposed.version, proposed.status) == (1, VersionStatus.PROPOSED)
    assert WorkflowDefinition.objects.current("JD_NGAN") is None
    services.workflow_definition_approve(proposal=proposed, by=wf.sysadmin)
    assert current_definition("JD_NGAN").pk == proposed.pk
