"""Inbox, job descriptions and transitions over the API (SPEC 4, 8.1)."""

import pytest

from tests.factories.workflow import PERSONAS, job_description, prepare_workflows
from thanhhoa_kpi.workflow.models import JobDescription

pytestmark = pytest.mark.django_db

AWAITS = {"official": ["DRAFT"], "hr": ["DRAFT"], "head": ["UNIT_REVIEW"], "authority": ["HOME_AFFAIRS"]}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def wf(cast):
    prepare_workflows()
    return cast


@pytest.fixture
def documents(wf):
    return {state: job_description(wf, state=state) for state in ("DRAFT", "UNIT_REVIEW", "HOME_AFFAIRS", "PUBLISHED")}


def transition(client, document, action, comment=""):
    url = f"/api/v1/job-descriptions/{document.pk}/transition/"
    return client.post(url, {"action": action, "comment": comment}, format="json")


def assert_error_body(response, status, code, fields=None):
    body = response.json()
    assert response.status_code == status, body
    assert body["status"] == "ERROR" and body["code"] == code and body["message"]
    if fields is not None:
        assert [error["field"] for error in body["errors"]] == fields


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_inbox_lists_what_awaits_each_persona(wf, documents, api_for, persona):
    body = api_for(getattr(wf, persona)).get("/api/v1/inbox/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [row["state"] for row in body["results"]] == AWAITS.get(persona, [])
    assert body["count"] == len(AWAITS.get(persona, []))


def test_an_inbox_row_has_the_stable_fields(wf, documents, api_for):
    (row,) = api_for(wf.head).get("/api/v1/inbox/").json()["results"]
    assert row["doctype"] == "job_description" and row["id"] == documents["UNIT_REVIEW"].pk
    assert row["title"] == str(documents["UNIT_REVIEW"]) and row["state_label"] == "Đơn vị xem xét"
    assert row["available_actions"] == [
        {"action": "approve", "label": "Duyệt", "comment_required": False},
        {"action": "return", "label": "Trả lại", "comment_required": True},
    ]


def test_the_inbox_is_paginated_and_filtered(wf, api_for):
    for _ in range(3):
        job_description(wf, state="HOME_AFFAIRS")
    client = api_for(wf.authority)
    first = client.get("/api/v1/inbox/?page_size=2").json()
    assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert client.get("/api/v1/inbox/?state=DRAFT").json()["count"] == 0
    assert client.get("/api/v1/inbox/?doctype=job_description&state=HOME_AFFAIRS").json()["count"] == 3


def test_the_inbox_refuses_anonymous_callers(api_for):
    assert_error_body(api_for(None).get("/api/v1/inbox/"), 401, "NOT_AUTHENTICATED")


def test_a_transition_answers_the_new_state_and_the_next_actions(wf, documents, api_for):
    response = transition(api_for(wf.head), documents["UNIT_REVIEW"], "approve")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "HOME_AFFAIRS"
    assert response.json()["available_actions"] == []
    after = api_for(wf.authority).get(f"/api/v1/job-descriptions/{documents['UNIT_REVIEW'].pk}/").json()
    assert [a["action"] for a in after["available_actions"]] == ["publish", "return"]


def test_refusals_have_the_error_body_and_a_fitting_status(wf, documents, api_for):
    assert_error_body(transition(api_for(wf.official), documents["UNIT_REVIEW"], "approve"), 403, "SELF_ACTION")
    assert_error_body(transition(api_for(wf.colleague), documents["UNIT_REVIEW"], "approve"), 403, "NOT_AN_APPROVER")
    assert_error_body(
        transition(api_for(wf.head), documents["UNIT_REVIEW"], "return"), 400, "COMMENT_REQUIRED", ["comment"]
    )
    assert_error_body(transition(api_for(wf.head), documents["DRAFT"], "approve"), 409, "NOT_ALLOWED_FROM_STATE")
    assert_error_body(transition(api_for(wf.head), documents["DRAFT"], "fly"), 400, "UNKNOWN_ACTION", ["action"])
    assert_error_body(transition(api_for(wf.head), documents["DRAFT"], ""), 400, "VALIDATION_ERROR", ["action"])


def test_a_document_outside_the_scope_is_not_found(wf, documents, api_for):
    response = transition(api_for(wf.outsider), documents["HOME_AFFAIRS"], "publish")
    assert_error_body(response, 404, "NOT_FOUND")


def test_the_history_lists_each_transition(wf, documents, api_for):
    transition(api_for(wf.authority), documents["HOME_AFFAIRS"], "return", "Thiếu sản phẩm.")
    rows = api_for(wf.official).get(f"/api/v1/job-descriptions/{documents['HOME_AFFAIRS'].pk}/history/").json()
    assert [(r["action"], r["from_label"], r["to_label"], r["actor"], r["comment"]) for r in rows] == [
        ("return", "Cơ quan tổ chức cán bộ phê duyệt", "Nháp", "authority", "Thiếu sản phẩm.")
    ]


def test_an_official_drafts_and_edits_a_description_for_their_unit(wf, api_for):
    client = api_for(wf.official)
    payload = {"position": wf.position.pk, "unit": wf.team.pk, "duties": "Nhiệm vụ", "output_products": "Sản phẩm"}
    created = client.post("/api/v1/job-descriptions/", payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["author"], body["workflow"]) == (
        "DRAFT",
        "official",
        {"code": "JOB_DESCRIPTION", "version": 1},
    )
    assert [a["action"] for a in body["available_actions"]] == ["submit"]
    edited = client.patch(f"/api/v1/job-descriptions/{body['id']}/", {"duties": "Nhiệm vụ sửa"}, format="json")
    assert edited.status_code == 200 and edited.json()["duties"] == "Nhiệm vụ sửa"


def test_drafting_for_another_unit_names_the_field(wf, api_for):
    payload = {"position": wf.position.pk, "unit": wf.other_team.pk, "duties": "x"}
    response = api_for(wf.official).post("/api/v1/job-descriptions/", payload, format="json")
    assert_error_body(response, 400, "VALIDATION_ERROR", ["unit"])


def test_a_submitted_description_cannot_be_edited_or_deleted(wf, documents, api_for):
    client = api_for(wf.official)
    url = f"/api/v1/job-descriptions/{documents['UNIT_REVIEW'].pk}/"
    assert_error_body(client.patch(url, {"duties": "x"}, format="json"), 409, "NOT_EDITABLE")
    assert_error_body(client.delete(url), 409, "NOT_DELETABLE")
    assert_error_body(api_for(wf.colleague).patch(url, {"duties": "x"}, format="json"), 403, "PERMISSION_DENIED")
    assert JobDescription.objects.filter(pk=documents["UNIT_REVIEW"].pk).exists()


def test_the_job_description_list_is_scoped(wf, documents, api_for):
    job_description(wf, author=wf.outsider, unit=wf.other_team)
    assert api_for(wf.official).get("/api/v1/job-descriptions/").json()["count"] == 4
    assert api_for(wf.outsider).get("/api/v1/job-descriptions/").json()["count"] == 1
    assert api_for(wf.viewer).get("/api/v1/job-descriptions/").json()["count"] == 5


def test_notifications_are_listed_and_marked_read(wf, documents, api_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        transition(api_for(wf.official), documents["DRAFT"], "submit")
    client = api_for(wf.head)
    listed = client.get("/api/v1/notifications/?unread=1").json()
    assert listed["count"] == 1 and listed["results"][0]["title"].startswith("Chờ bạn xử lý")
    assert client.post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 1}
    assert client.get("/api/v1/notifications/?unread=1").json()["count"] == 0


def test_the_job_description_list_reads_a_fixed_number_of_queries(wf, api_for, django_assert_max_num_queries):
    client = api_for(wf.head)
    job_description(wf)
    client.get("/api/v1/job-descriptions/")  # warm the token and the scope
    with django_assert_max_num_queries(20) as few:
        client.get("/api/v1/job-descriptions/")
    for _ in range(10):
        job_description(wf)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/job-descriptions/").json()["count"] == 11
