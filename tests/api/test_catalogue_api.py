"""Catalogue API (SPEC 8.1): items carry ``coefficient``; writes by HR in scope; approval; import.

Approval is the workflow's ``transition/`` and ``history/`` (no separate approve endpoint).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories.worklogs import catalogue_workbook, ensure_workflows, item_row, put_in_state
from thanhhoa_kpi.catalogue.models import Catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def workflows(db):
    ensure_workflows()


@pytest.mark.parametrize("role", ["official", "deputy", "head", "authority", "hr", "viewer", "outsider", "sysadmin"])
def test_every_signed_in_role_reads_catalogues_and_items(cast, work, api_for, role):
    client = api_for(getattr(cast, role))
    catalogues = client.get("/api/v1/catalogues/").json()
    assert {row["code"] for row in catalogues["results"]} == {"DM_PHUONG_A", "DM_SO_KHAC", "DM_NHAP"}
    items = client.get(f"/api/v1/catalogue-items/?catalogue={work.catalogue.pk}").json()["results"]
    assert {row["code"]: row["coefficient"] for row in items} == {
        "VH01": "2.0000", "VH02": "0.5000", "TT01": "1.5000", "HC01": "1.0000",
    }  # fmt: skip


def test_usable_items_are_those_in_force_for_the_callers_unit(cast, work, api_for):
    official = api_for(cast.official).get("/api/v1/catalogue-items/?usable=1").json()["results"]
    assert sorted(row["code"] for row in official) == ["HC01", "TT01", "VH01", "VH02"]
    outsider = api_for(cast.outsider).get("/api/v1/catalogue-items/?usable=1").json()["results"]
    assert [row["code"] for row in outsider] == ["KH01"]
    assert api_for(cast.viewer).get("/api/v1/catalogue-items/?usable=1").json()["results"] == []


def test_items_are_found_by_typing(cast, work, api_for):
    rows = api_for(cast.official).get("/api/v1/catalogue-items/?search=VH0").json()["results"]
    assert sorted(row["code"] for row in rows) == ["VH01", "VH02"]


def test_hr_admin_creates_a_catalogue_and_items_in_scope(cast, api_for):
    client = api_for(cast.hr)
    payload = {"code": "DM_API", "name": "Danh mục API", "owner_unit": cast.ward.pk, "effective_from": "2026-01-01"}
    response = client.post("/api/v1/catalogues/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["state"]) == ("DRAFT", "DRAFT")
    assert response.json()["workflow"] == {"code": "CATALOGUE", "version": 1}
    assert [a["action"] for a in response.json()["available_actions"]] == ["submit"]
    item = {"catalogue": response.json()["id"], "code": "X1", "field": "Văn hóa", "task": "Viết tin",
            "unit_of_measure": "Tin", "complexity_group": 1, "coefficient": "0.8", "positions": ["T_CV"]}  # fmt: skip
    created = client.post("/api/v1/catalogue-items/", item, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["coefficient"], created.json()["positions"]) == ("0.8000", ["T_CV"])
    for bad in ("0", "-1", "abc"):
        refused = client.post("/api/v1/catalogue-items/", {**item, "code": "X2", "coefficient": bad}, format="json")
        assert refused.status_code == 400
        assert [e["field"] for e in refused.json()["errors"]] == ["coefficient"]


def test_writes_outside_the_scope_are_refused(cast, work, api_for):
    payload = {"code": "DM_X", "name": "X", "owner_unit": cast.other_team.pk, "effective_from": "2026-01-01"}
    assert api_for(cast.hr).post("/api/v1/catalogues/", payload, format="json").status_code == 403
    for role in ("official", "viewer", "head", "outsider"):
        response = api_for(getattr(cast, role)).post(
            "/api/v1/catalogues/", {**payload, "owner_unit": cast.ward.pk}, format="json"
        )
        assert response.status_code == 403, role
        assert response.json()["code"] == "PERMISSION_DENIED"


def test_an_approved_catalogue_is_changed_only_through_a_new_version(cast, work, api_for):
    client = api_for(cast.hr)
    response = client.patch(f"/api/v1/catalogue-items/{work.culture.pk}/", {"coefficient": "9"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "CATALOGUE_NOT_DRAFT"
    copy = client.post(f"/api/v1/catalogues/{work.catalogue.pk}/new-version/", format="json")
    assert copy.status_code == 201 and copy.json()["version"] == 2 and copy.json()["item_count"] == 4


def test_the_bloc_authority_publishes_through_the_workflow_api(cast, work, api_for):
    put_in_state(work.draft, "HOME_AFFAIRS")
    detail = f"/api/v1/catalogues/{work.draft.pk}/"
    assert api_for(cast.hr).get(detail).json()["available_actions"] == []
    offered = api_for(cast.authority).get(detail).json()
    assert (offered["state"], offered["state_label"]) == ("HOME_AFFAIRS", "Cơ quan tổ chức cán bộ phê duyệt")
    assert [(a["action"], a["comment_required"]) for a in offered["available_actions"]] == [
        ("publish", False), ("return", True),
    ]  # fmt: skip
    refused = api_for(cast.hr).post(detail + "transition/", {"action": "publish"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "NOT_AN_APPROVER"
    response = api_for(cast.authority).post(detail + "transition/", {"action": "publish"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["available_actions"]) == ("PUBLISHED", [])
    row = api_for(cast.official).get(detail).json()
    assert (row["status"], row["state"], row["approved_by"]) == ("APPROVED", "PUBLISHED", cast.authority.pk)
    history = api_for(cast.official).get(detail + "history/").json()
    assert [(h["action"], h["from_state"], h["to_state"], h["actor"]) for h in history] == [
        ("publish", "HOME_AFFAIRS", "PUBLISHED", "authority")
    ]
    again = api_for(cast.authority).post(detail + "transition/", {"action": "publish"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "NOT_ALLOWED_FROM_STATE"


def test_the_old_approve_endpoint_is_gone(cast, work, api_for):
    assert api_for(cast.authority).post(f"/api/v1/catalogues/{work.draft.pk}/approve/").status_code == 404
    assert Catalogue.objects.get(pk=work.draft.pk).status == "DRAFT"


def test_a_return_without_a_reason_is_refused_through_the_api(cast, work, api_for):
    put_in_state(work.draft, "HOME_AFFAIRS")
    url = f"/api/v1/catalogues/{work.draft.pk}/transition/"
    refused = api_for(cast.authority).post(url, {"action": "return", "comment": "  "}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "COMMENT_REQUIRED"
    assert refused.json()["errors"][0]["field"] == "comment"
    returned = api_for(cast.authority).post(url, {"action": "return", "comment": "Thiếu hệ số"}, format="json")
    assert returned.status_code == 200 and returned.json()["state"] == "DRAFT"


def test_export_and_import_through_the_api(cast, work, api_for, django_capture_on_commit_callbacks):
    client = api_for(cast.hr)
    exported = client.get(f"/api/v1/catalogues/{work.catalogue.pk}/export/")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/vnd.openxmlformats")
    header = {"code": "DM_UP", "name": "Nhập qua API", "version": 1, "owner_unit": "T_PHUONG_A",
              "effective_from": "01/01/2026"}  # fmt: skip
    bad = catalogue_workbook(header, [item_row("A1", "1"), item_row("A2", "không")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/catalogues/import/", {"file": SimpleUploadedFile("dm.xlsx", bad)})
    assert response.status_code == 202
    status = client.get(f"/api/v1/catalogue-imports/{response.json()['id']}/").json()
    assert status["status"] == "FAILED" and status["errors"][0]["row"] == 3 and status["errors"][0]["column"] == "H"
    assert not Catalogue.objects.filter(code="DM_UP").exists()
    good = catalogue_workbook(header, [item_row("A1", "1"), item_row("A2", "2,5")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/catalogues/import/", {"file": SimpleUploadedFile("dm.xlsx", good)})
    status = client.get(f"/api/v1/catalogue-imports/{response.json()['id']}/").json()
    assert (status["status"], status["percent"]) == ("SUCCEEDED", 100)
    assert Catalogue.objects.get(code="DM_UP").items.count() == 2
    assert api_for(cast.official).get("/api/v1/catalogue-imports/").json()["count"] == 0
