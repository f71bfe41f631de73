"""The adapters reach the services' rights (issue 9): the appraisal score endpoint per persona,
bloc-wide positions and the province-wide competency framework in the API and the desk, and
desk forms that would move a posting out of scope or link an account to oneself."""

import json
from datetime import date

import pytest
from django.urls import reverse

from tests.factories.appraisals import appraisal_of, opened, place, prepare_appraisals, self_assess
from thanhhoa_kpi.competencies.models import CompetencyFramework
from thanhhoa_kpi.organization.models import JobPosition, Official, OfficialAssignment
from thanhhoa_kpi.workflow.services import workflow_transition

pytestmark = pytest.mark.django_db


def _error(response, status, code=None):
    body = response.json()
    assert response.status_code == status, body
    assert body["status"] == "ERROR"
    if code:
        assert body["code"] == code
    return body


# ------------------------------------------------------------------ POST /appraisals/{id}/score/


@pytest.fixture
def draft(cast, work):
    prepare_appraisals()
    return self_assess(appraisal_of(cast.official, opened(cast)), cast.official)


# 404: the appraisal is outside the caller's scope; 403: visible but not theirs to change.
SCORE_IN_DRAFT = {"official": 200, "head": 200, "deputy": 200, "authority": 200, "viewer": 403, "hr": 403,
                  "province_hr": 403, "sysadmin": 403, "colleague": 404, "outsider": 404}  # fmt: skip


@pytest.mark.parametrize(("persona", "status"), sorted(SCORE_IN_DRAFT.items()))
def test_rescoring_through_the_api_needs_the_right_to_change_the_appraisal(cast, api_for, draft, persona, status):
    before = draft.scored_at
    response = api_for(getattr(cast, persona)).post(f"/api/v1/appraisals/{draft.pk}/score/")
    assert response.status_code == status, response.json()
    draft.refresh_from_db()
    if status != 200:
        assert response.json()["status"] == "ERROR"
        assert draft.scored_at == before


def test_the_subject_cannot_rescore_after_submitting_nor_anyone_after_publication(cast, api_for, draft):
    workflow_transition(document=draft, action="submit", user=cast.official)
    _error(api_for(cast.official).post(f"/api/v1/appraisals/{draft.pk}/score/"), 403, "NOT_EDITABLE")
    _error(api_for(cast.viewer).post(f"/api/v1/appraisals/{draft.pk}/score/"), 403, "NOT_ALLOWED")
    assert api_for(cast.head).post(f"/api/v1/appraisals/{draft.pk}/score/").status_code == 200
    place(draft, "PUBLISHED")
    for persona in ("official", "head", "authority"):
        assert api_for(getattr(cast, persona)).post(f"/api/v1/appraisals/{draft.pk}/score/").status_code == 409


# ------------------------------------------------------------------ positions and frameworks (API)

POSITION = {"code": "T_DANG_CV", "name": "Chuyên viên Ban Đảng", "group": "CHUYEN_MON_NGHIEP_VU", "bloc": "DANG"}
FRAMEWORK = {"code": "KNL", "version": 1, "name": "Khung năng lực", "effective_from": "2026-01-01"}


def test_a_ward_hr_admin_may_not_add_or_change_a_bloc_wide_position_through_the_api(cast, api_for):
    client = api_for(cast.hr)
    body = _error(client.post("/api/v1/positions/", POSITION, format="json"), 403)
    assert "chỉ quản trị cấp tỉnh" in body["message"]
    _error(client.patch(f"/api/v1/positions/{cast.position.pk}/", {"name": "Đổi"}, format="json"), 403)
    assert not JobPosition.objects.filter(code="T_DANG_CV").exists()
    assert JobPosition.objects.get(pk=cast.position.pk).name == "Chuyên viên"
    assert api_for(cast.province_hr).post("/api/v1/positions/", POSITION, format="json").status_code == 201


def test_a_ward_hr_admin_may_not_create_the_shared_framework_through_the_api(cast, api_for):
    body = _error(api_for(cast.hr).post("/api/v1/competency-frameworks/", FRAMEWORK, format="json"), 403)
    assert body["message"].startswith("Khung năng lực dùng chung toàn tỉnh")
    assert not CompetencyFramework.objects.exists()
    created = api_for(cast.province_hr).post("/api/v1/competency-frameworks/", FRAMEWORK, format="json")
    assert created.status_code == 201, created.json()


def test_a_bloc_hr_admin_cannot_move_a_unit_into_a_bloc_it_does_not_manage_through_the_api(cast, api_for):
    from thanhhoa_kpi.accounts.models import RoleGrant

    RoleGrant.objects.create(user=cast.colleague, role="HR_ADMIN", bloc="CHINH_QUYEN")
    response = api_for(cast.colleague).patch(f"/api/v1/org-units/{cast.other_team.pk}/", {"bloc": "DANG"},
                                             format="json")  # fmt: skip
    _error(response, 403)
    cast.other_team.refresh_from_db()
    assert cast.other_team.bloc == "CHINH_QUYEN"


# ------------------------------------------------------------------ desk


@pytest.mark.parametrize(
    "url",
    [
        "admin:organization_jobposition_add",
        "admin:competencies_competencyframework_add",
        "admin:competencies_positionrequirement_add",
        "admin:organization_blocauthority_add",
    ],
)
def test_the_desk_offers_province_wide_adds_to_province_admins_only(cast, client, url):
    client.force_login(cast.hr)
    assert client.get(reverse(url)).status_code == 403
    client.force_login(cast.province_hr)
    assert client.get(reverse(url)).status_code == 200


def test_the_desk_refuses_a_position_in_a_bloc_the_admin_does_not_manage(cast, client):
    from thanhhoa_kpi.accounts.models import RoleGrant

    RoleGrant.objects.create(user=cast.hr, role="HR_ADMIN", bloc="MTTQ")
    client.force_login(cast.hr)
    response = client.post(reverse("admin:organization_jobposition_add"), {**POSITION, "custom": "{}"})
    assert response.status_code == 200
    assert "chỉ quản trị cấp tỉnh" in response.content.decode()
    assert not JobPosition.objects.filter(code="T_DANG_CV").exists()


def _posting_form(posting, **changes):
    data = {
        "official": posting.official_id, "unit": posting.unit_id, "position": posting.position_id,
        "leadership_role": posting.leadership_role, "fields_in_charge": json.dumps(posting.fields_in_charge),
        "task_group": posting.task_group_id or "", "start_date": posting.start_date.strftime("%d/%m/%Y"),
        "end_date": "",
    }  # fmt: skip
    return {**data, **changes}


def test_the_desk_refuses_to_move_a_posting_out_of_the_hr_admins_scope(cast, client):
    posting = OfficialAssignment.objects.get(official__code="T0001")
    client.force_login(cast.hr)
    url = reverse("admin:organization_officialassignment_change", args=[posting.pk])
    response = client.post(url, _posting_form(posting, unit=cast.other_team.pk, task_group=""))
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    posting.refresh_from_db()
    assert posting.unit_id == cast.team.pk
    saved = client.post(url, _posting_form(posting, fields_in_charge=json.dumps(["Văn hóa", "Thể thao"])))
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    posting.refresh_from_db()
    assert posting.fields_in_charge == ["Văn hóa", "Thể thao"]


def test_the_desk_refuses_an_hr_admin_promoting_themself(cast, client):
    from thanhhoa_kpi.accounts.models import RoleGrant

    RoleGrant.objects.create(user=cast.official, role="HR_ADMIN", unit=cast.ward)
    posting = OfficialAssignment.objects.get(official__code="T0001")
    client.force_login(cast.official)
    url = reverse("admin:organization_officialassignment_change", args=[posting.pk])
    response = client.post(url, _posting_form(posting, leadership_role="HEAD"))
    assert response.status_code == 200
    assert "chính mình" in response.content.decode()
    posting.refresh_from_db()
    assert posting.leadership_role == "NONE"
    client.post(url, _posting_form(posting, leadership_role="NONE", start_date=date(2026, 2, 1).strftime("%d/%m/%Y")))
    posting.refresh_from_db()
    assert posting.start_date == date(2026, 1, 1)
    assert Official.objects.get(code="T0001").user_id == cast.official.pk


def _unit_form(parent, **changes):
    data = {"code": "T_TO_MOI", "name": "Tổ mới", "short_name": "", "bloc": "CHINH_QUYEN", "level": "XA",
            "kind": "PHONG", "active_from": "", "active_to": "", "parent": parent.pk}  # fmt: skip
    return {**data, **changes}


def test_the_desk_unit_form_saves_through_the_service_within_the_admins_scope(cast, client):
    from thanhhoa_kpi.organization.models import OrgUnit

    client.force_login(cast.hr)
    add = reverse("admin:organization_orgunit_add")
    refused = client.post(add, _unit_form(cast.other_dept))
    assert refused.status_code == 200 and "parent" in refused.context["adminform"].form.errors
    assert not OrgUnit.objects.filter(code="T_TO_MOI").exists()
    assert client.post(add, _unit_form(cast.team)).status_code == 302
    unit = OrgUnit.objects.get(code="T_TO_MOI")
    assert unit.path.startswith(cast.team.path)
    change = reverse("admin:organization_orgunit_change", args=[unit.pk])
    moved = client.post(change, _unit_form(cast.other_team, name="Tổ mới 2"))
    assert moved.status_code == 200
    unit.refresh_from_db()
    assert (unit.name, unit.path[: len(cast.team.path)]) == ("Tổ mới", cast.team.path)


def _official_form(unit, role="NONE", **changes):
    data = {
        "code": "T0500", "full_name": "Lê Thị Mới", "birth_date": "", "gender": "", "category": "CONG_CHUC",
        "email": "", "phone": "", "user": "", "rule_set_code": "",
        "assignments-TOTAL_FORMS": "1", "assignments-INITIAL_FORMS": "0", "assignments-MIN_NUM_FORMS": "1",
        "assignments-MAX_NUM_FORMS": "1000", "assignments-0-unit": unit.pk, "assignments-0-position": "",
        "assignments-0-leadership_role": role, "assignments-0-fields_in_charge": "[]", "assignments-0-task_group": "",
        "assignments-0-start_date": "01/01/2026", "assignments-0-end_date": "",
        "leaves-TOTAL_FORMS": "0", "leaves-INITIAL_FORMS": "0", "leaves-MIN_NUM_FORMS": "0",
        "leaves-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    return {**data, **changes}


def test_the_desk_adds_an_official_with_a_posting_only_in_scope_and_never_linked_to_oneself(cast, client):
    client.force_login(cast.hr)
    add = reverse("admin:organization_official_add")
    position = {"assignments-0-position": cast.position.pk}
    outside = client.post(add, _official_form(cast.other_team, **position))
    assert outside.status_code == 200 and not Official.objects.filter(code="T0500").exists()
    myself = client.post(add, _official_form(cast.team, "HEAD", user=cast.hr.pk, **position))
    assert myself.status_code == 200 and not Official.objects.filter(code="T0500").exists()
    assert "Không được tự gắn tài khoản của mình" in myself.content.decode()
    created = client.post(add, _official_form(cast.team, **position))
    assert created.status_code == 302
    posting = OfficialAssignment.objects.get(official__code="T0500")
    assert (posting.unit, posting.position) == (cast.team, cast.position)


def test_the_province_admin_changes_a_position_in_the_desk(cast, client):
    client.force_login(cast.province_hr)
    url = reverse("admin:organization_jobposition_change", args=[cast.position.pk])
    data = {"code": "T_CV", "name": "Chuyên viên chính", "group": "CHUYEN_MON_NGHIEP_VU", "bloc": "CHINH_QUYEN",
            "professional_level": "", "duties": "", "output_products": "", "working_conditions": ""}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert JobPosition.objects.get(pk=cast.position.pk).name == "Chuyên viên chính"
    client.force_login(cast.hr)
    assert client.post(url, {**data, "name": "Đổi"}).status_code == 403
