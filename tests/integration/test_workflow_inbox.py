"""The inbox (SPEC 4): what awaits each persona, in the selector, the desk and the org chart."""

from datetime import date

import pytest

from tests.factories.workflow import (
    PERSONAS,
    current_definition,
    definition_in_force,
    job_description,
    prepare_workflows,
)
from thanhhoa_kpi.accounts.models import User
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.organization import services as org_services
from thanhhoa_kpi.workflow.models import JobDescription
from thanhhoa_kpi.workflow.resolvers import PARENT_UNIT_HEAD, actor_for, subject_of
from thanhhoa_kpi.workflow.selectors import awaited_users, inbox_for

pytestmark = pytest.mark.django_db

STATES = ("DRAFT", "UNIT_REVIEW", "HOME_AFFAIRS", "PUBLISHED")
# Who each state awaits: comment-only corrections (return, re-open) do not count.
# The province HR admin (HR_ADMIN on the root unit) may submit every unit's draft too.
AWAITS = {
    "DRAFT": {"official", "hr", "province_hr"},
    "UNIT_REVIEW": {"head"},
    "HOME_AFFAIRS": {"authority"},
    "PUBLISHED": set(),
}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def wf(cast):
    prepare_workflows()
    return cast


@pytest.fixture
def documents(wf):
    return {state: job_description(wf, state=state) for state in STATES}


def inbox_states(user, **filters):
    return sorted(item.state for item in inbox_for(user=user, **filters))


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_finds_exactly_what_awaits_them(wf, documents, persona):
    wanted = sorted(state for state in STATES if persona in AWAITS[state])
    assert inbox_states(getattr(wf, persona)) == wanted


def test_the_org_chart_and_the_inbox_agree_on_who_is_awaited(wf, documents):
    users = {getattr(wf, persona).pk: persona for persona in (*PERSONAS, "province_hr")}
    for state, document in documents.items():
        awaited = {users[pk] for pk in awaited_users(document=document)}
        assert awaited == AWAITS[state], state


def test_inbox_items_carry_title_state_and_every_open_action(wf, documents):
    (item,) = inbox_for(user=wf.head)
    assert item.document == documents["UNIT_REVIEW"] and item.doctype == "job_description"
    assert (item.state, item.state_label) == ("UNIT_REVIEW", "Đơn vị xem xét")
    assert [(o.action, o.comment_required) for o in item.actions] == [("approve", False), ("return", True)]
    assert item.title == str(documents["UNIT_REVIEW"])


def test_the_inbox_filters_by_doctype_and_state(wf, documents):
    assert inbox_states(wf.hr, state="DRAFT") == ["DRAFT"]
    assert inbox_states(wf.hr, state="UNIT_REVIEW") == []
    assert inbox_states(wf.hr, doctype="appraisal") == []


def test_an_outsider_never_sees_another_units_documents_even_with_a_matching_role(wf, documents):
    other = job_description(wf, author=wf.outsider, unit=wf.other_team, state="UNIT_REVIEW")
    assert other not in [item.document for item in inbox_for(user=wf.head)]


def test_the_inbox_reads_a_fixed_number_of_queries(wf, django_assert_max_num_queries):
    for _ in range(3):
        job_description(wf, state="HOME_AFFAIRS")
    inbox_for(user=wf.authority, doctype="job_description")  # warm the authority's scope
    with django_assert_max_num_queries(4) as few:
        assert len(inbox_for(user=wf.authority, doctype="job_description")) == 3
    for _ in range(12):
        job_description(wf, state="HOME_AFFAIRS")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(inbox_for(user=wf.authority, doctype="job_description")) == 15


def test_the_head_of_the_parent_unit_handles_a_unit_heads_document(wf):
    ward_head = User.objects.create_user(username="ward_head", email="ward_head@example.vn")
    org_services.official_create(
        by=SYSTEM,
        code="T0099",
        full_name="Đỗ Văn Phường",
        user=ward_head,
        assignment={"unit": wf.ward, "position": wf.lead_position, "start_date": date(2026, 1, 1),
                    "leadership_role": "HEAD"},
    )  # fmt: skip
    document = job_description(wf, author=wf.head, state="UNIT_REVIEW")
    assert PARENT_UNIT_HEAD in actor_for(ward_head, subject_of(document)).relations
    assert ward_head.pk not in awaited_users(document=document)  # v1 approves by UNIT_HEAD only
    definition = current_definition()
    body = definition.definition
    next(t for t in body["transitions"] if t["action"] == "approve")["approvers"] = ["UNIT_HEAD", PARENT_UNIT_HEAD]
    definition_in_force(code=definition.code, name=definition.name, doctype="job_description", definition=body)
    newer = job_description(wf, author=wf.head, state="UNIT_REVIEW")
    assert ward_head.pk in awaited_users(document=newer)
    assert [item.document for item in inbox_for(user=ward_head)] == [newer]


# ---------------------------------------------------------------------------- desk


def test_the_desk_inbox_lists_the_documents_with_their_actions(wf, documents, client):
    client.force_login(wf.authority)
    response = client.get("/admin/workflow/notification/inbox/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Hộp việc cần xử lý" in text and f'value="job_description:{documents["HOME_AFFAIRS"].pk}"' in text
    assert f'value="job_description:{documents["DRAFT"].pk}"' not in text


def test_a_bulk_action_reports_each_success_and_each_failure(wf, client):
    ready = [job_description(wf, state="HOME_AFFAIRS") for _ in range(2)]
    moved_on = job_description(wf, state="DRAFT")
    client.force_login(wf.authority)
    selected = [f"job_description:{d.pk}" for d in [*ready, moved_on]]

    response = client.post(
        "/admin/workflow/notification/inbox/",
        {"selected": selected, "action": "publish", "comment": "", "confirmed": "1"},
        follow=True,
    )

    text = response.content.decode()
    assert "Đã xử lý 2 tài liệu." in text
    assert "Không thể thực hiện «Công khai» khi hồ sơ đang ở trạng thái «Nháp»" in text
    states = dict(JobDescription.objects.filter(pk__in=[d.pk for d in ready]).values_list("pk", "state"))
    assert set(states.values()) == {"PUBLISHED"}


def test_the_desk_panel_offers_the_actions_and_performs_them(wf, documents, client):
    document = documents["UNIT_REVIEW"]
    client.force_login(wf.head)
    page = client.get(f"/admin/workflow/jobdescription/{document.pk}/change/").content.decode()
    assert 'name="action" value="approve"' in page and 'name="action" value="return"' in page

    url = f"/admin/workflow/jobdescription/{document.pk}/transition/"
    refused = client.post(url, {"action": "return", "comment": "", "state": "UNIT_REVIEW"}, follow=True)
    assert "bắt buộc phải nhập lý do" in refused.content.decode()
    client.post(url, {"action": "approve", "comment": "", "state": "UNIT_REVIEW"})
    assert JobDescription.objects.get(pk=document.pk).state == "HOME_AFFAIRS"
    page = client.get(f"/admin/workflow/jobdescription/{document.pk}/change/").content.decode()
    assert "Lịch sử xử lý" in page and "Cơ quan tổ chức cán bộ phê duyệt" in page


def test_the_desk_refuses_an_action_on_a_page_that_went_stale(wf, documents, client):
    document = documents["HOME_AFFAIRS"]
    client.force_login(wf.authority)
    url = f"/admin/workflow/jobdescription/{document.pk}/transition/"
    response = client.post(url, {"action": "publish", "state": "UNIT_REVIEW"}, follow=True)
    assert "Tài liệu đã được người khác xử lý" in response.content.decode()
    assert JobDescription.objects.get(pk=document.pk).state == "HOME_AFFAIRS"


def test_the_desk_offers_deletion_only_for_untouched_drafts(wf, documents, client):
    client.force_login(wf.official)
    draft, submitted = documents["DRAFT"], documents["UNIT_REVIEW"]
    assert client.get(f"/admin/workflow/jobdescription/{draft.pk}/delete/").status_code == 200
    assert client.get(f"/admin/workflow/jobdescription/{submitted.pk}/delete/").status_code == 403
