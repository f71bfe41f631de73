"""Scoped access on the org API for every role (SPEC 2, 8.1)."""

import pytest

pytestmark = pytest.mark.django_db


def codes(response):
    return sorted(row["code"] for row in response.json()["results"])


def test_anonymous_is_refused_with_the_error_body(api_for):
    response = api_for(None).get("/api/v1/officials/")
    assert response.status_code == 401
    assert response.json()["status"] == "ERROR"
    assert response.json()["code"] == "NOT_AUTHENTICATED"


def test_an_official_sees_only_their_own_record(cast, api_for):
    response = api_for(cast.official).get("/api/v1/officials/")
    assert response.status_code == 200
    assert codes(response) == ["T0001"]


def test_a_deputy_sees_themself_and_the_officials_of_their_fields(cast, api_for):
    assert codes(api_for(cast.deputy).get("/api/v1/officials/")) == ["T0001", "T0003"]


def test_a_unit_head_sees_the_whole_unit(cast, api_for):
    assert codes(api_for(cast.head).get("/api/v1/officials/")) == ["T0001", "T0002", "T0003", "T0004"]


def test_a_bloc_authority_sees_its_bloc(cast, api_for):
    assert codes(api_for(cast.authority).get("/api/v1/officials/")) == [
        "T0001", "T0002", "T0003", "T0004", "T0005", "T0006",
    ]  # fmt: skip


def test_an_hr_admin_sees_their_unit_subtree_only(cast, api_for):
    assert codes(api_for(cast.hr).get("/api/v1/officials/")) == ["T0001", "T0002", "T0003", "T0004"]


def test_a_viewer_sees_everything(cast, api_for):
    assert len(codes(api_for(cast.viewer).get("/api/v1/officials/"))) == 6


def test_an_outsider_sees_nothing_of_another_unit(cast, api_for):
    client = api_for(cast.outsider)
    assert codes(client.get("/api/v1/officials/")) == ["T0006"]
    other = cast.official_of(cast.official)
    assert client.get(f"/api/v1/officials/{other.pk}/").status_code == 404
    assert "T_PHONG_A" not in codes(client.get("/api/v1/org-units/"))
    assert client.get(f"/api/v1/org-units/{cast.team.pk}/").status_code == 404


def test_a_unit_head_sees_the_unit_but_not_other_units(cast, api_for):
    unit_codes = codes(api_for(cast.head).get("/api/v1/org-units/"))
    assert "T_PHONG_A" in unit_codes
    assert "T_PHONG_B" not in unit_codes


def test_an_official_cannot_change_master_data(cast, api_for):
    me = cast.official_of(cast.official)
    response = api_for(cast.official).patch(f"/api/v1/officials/{me.pk}/", {"full_name": "X"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "PERMISSION_DENIED"


def test_a_viewer_cannot_write(cast, api_for):
    response = api_for(cast.viewer).post("/api/v1/positions/", {"code": "X"}, format="json")
    assert response.status_code == 403


def test_hr_admin_creates_an_official_in_their_unit(cast, api_for):
    payload = {
        "code": "T0100",
        "full_name": "Đỗ Thị Hoa",
        "category": "CONG_CHUC",
        "assignment": {"unit": cast.team.pk, "position": cast.position.pk, "start_date": "2026-02-01"},
    }
    response = api_for(cast.hr).post("/api/v1/officials/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["assignments"][0]["unit"] == cast.team.pk


def test_hr_admin_cannot_place_an_official_outside_their_scope(cast, api_for):
    payload = {
        "code": "T0101",
        "full_name": "Ngô Văn Ích",
        "assignment": {"unit": cast.other_team.pk, "position": cast.position.pk, "start_date": "2026-02-01"},
    }
    response = api_for(cast.hr).post("/api/v1/officials/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "assignment.unit", "message": "Bạn không quản lý đơn vị này."}]


def test_a_bad_record_gets_a_400_with_the_error_body_naming_fields(cast, api_for):
    payload = {"code": "", "full_name": "", "birth_date": "31/02/2026", "category": "XYZ"}
    response = api_for(cast.sysadmin).post("/api/v1/officials/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "ERROR" and body["code"] == "VALIDATION_ERROR"
    assert {e["field"] for e in body["errors"]} == {"code", "full_name", "birth_date", "category"}
    assert all(e["message"] for e in body["errors"])


def test_duplicate_code_is_refused(cast, api_for):
    response = api_for(cast.sysadmin).post("/api/v1/positions/", {
        "code": "T_CV", "name": "Trùng", "group": "CHUYEN_MON_NGHIEP_VU", "bloc": "CHINH_QUYEN",
    }, format="json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "code"


def test_token_endpoint_returns_a_token_and_refuses_bad_passwords(cast, api_for):
    client = api_for(None)
    ok = client.post("/api/v1/auth/token/", {"username": "official", "password": "pw-2026!"}, format="json")
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    bad = client.post("/api/v1/auth/token/", {"username": "official", "password": "nope"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "INVALID_CREDENTIALS"


def test_me_shows_roles_and_scope(cast, api_for):
    body = api_for(cast.head).get("/api/v1/me/").json()
    assert body["roles"] == ["HEAD", "OFFICIAL"]
    assert body["official"]["code"] == "T0004"
    assert "T_PHONG_A" in body["scope"]["units"]
