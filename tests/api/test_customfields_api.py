"""Custom fields over the API (SPEC 7, 8.1): definitions CRUD for HR and system admins,
read by everyone; values in a ``custom`` object on officials and positions, validated with
``custom.<key>`` errors."""

import pytest

from tests.factories.reports import make_field, set_custom
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.customfields.models import FieldDefinition

pytestmark = pytest.mark.django_db

FIELDS = "/api/v1/custom-fields/"


@pytest.fixture
def defined(cast):
    make_field("nhom", "select", label="Nhóm chuyên môn", options=["Văn hóa", "Thể thao"])
    make_field("so_nam", "integer", label="Số năm công tác")
    make_field("diem", "decimal", label="Điểm thưởng")
    return cast


def test_the_province_admin_creates_a_definition_and_everyone_reads_it(cast, api_for):
    payload = {"doctype": "official", "key": "trinh_do", "label": "Trình độ", "field_type": "select",
               "options": ["Sơ cấp", "Trung cấp", "Cao cấp"], "required": False, "show_in_list": True}  # fmt: skip
    assert api_for(cast.hr).post(FIELDS, payload, format="json").status_code == 403  # a ward's HR admin
    created = api_for(cast.province_hr).post(FIELDS, payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["key"] == "trinh_do" and body["options"] == ["Sơ cấp", "Trung cấp", "Cao cấp"] and body["active"]
    listed = api_for(cast.official).get(FIELDS, {"doctype": "official"}).json()
    assert [f["key"] for f in listed["results"]] == ["trinh_do"]


def test_only_hr_and_system_admins_write_definitions(cast, api_for):
    payload = {"doctype": "official", "key": "x1", "label": "X", "field_type": "text"}
    for user in (cast.official, cast.head, cast.viewer, cast.authority):
        response = api_for(user).post(FIELDS, payload, format="json")
        assert response.status_code == 403 and response.json()["code"] == "PERMISSION_DENIED"
    assert api_for(cast.sysadmin).post(FIELDS, payload, format="json").status_code == 201


def test_bad_definitions_get_vietnamese_errors(cast, api_for):
    client = api_for(cast.province_hr)
    response = client.post(FIELDS, {"doctype": "official", "key": "Sai Mã", "label": "", "field_type": "select"},
                           format="json")  # fmt: skip
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert "key" in fields and "label" in fields
    make_field("trung", "text")
    dup = client.post(
        FIELDS, {"doctype": "official", "key": "trung", "label": "T", "field_type": "text"}, format="json"
    )
    assert dup.json()["errors"] == [{"field": "key", "message": "Mã trường «trung» đã tồn tại."}]


def test_delete_retires_and_the_type_is_fixed(defined, api_for):
    field = FieldDefinition.objects.get(key="so_nam")
    assert api_for(defined.hr).delete(f"{FIELDS}{field.pk}/").status_code == 403  # province-wide: not a ward's
    client = api_for(defined.province_hr)
    changed = client.patch(f"{FIELDS}{field.pk}/", {"field_type": "text"}, format="json")
    assert changed.status_code == 400 and changed.json()["errors"][0]["field"] == "field_type"
    assert client.patch(f"{FIELDS}{field.pk}/", {"label": "Số năm"}, format="json").json()["label"] == "Số năm"
    assert client.delete(f"{FIELDS}{field.pk}/").status_code == 204
    field.refresh_from_db()
    assert field.active is False


def test_officials_carry_a_custom_object(defined, api_for):
    me = set_custom(defined.official_of(defined.official), nhom="Văn hóa", diem="81,5")
    body = api_for(defined.official).get(f"/api/v1/officials/{me.pk}/").json()
    assert body["custom"] == {"nhom": "Văn hóa", "so_nam": None, "diem": "81.5"}


def test_hr_admin_writes_custom_values_and_keeps_the_others(defined, api_for):
    me = set_custom(defined.official_of(defined.official), nhom="Văn hóa")
    client = api_for(defined.hr)
    response = client.patch(f"/api/v1/officials/{me.pk}/", {"custom": {"so_nam": 4}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["custom"] == {"nhom": "Văn hóa", "so_nam": 4, "diem": None}
    me.refresh_from_db()
    assert me.custom == {"nhom": "Văn hóa", "so_nam": 4}
    cleared = client.patch(f"/api/v1/officials/{me.pk}/", {"custom": {"nhom": None}}, format="json")
    assert cleared.json()["custom"]["nhom"] is None
    untouched = client.patch(f"/api/v1/officials/{me.pk}/", {"phone": "0912345678"}, format="json")
    assert untouched.json()["custom"]["so_nam"] == 4


def test_bad_custom_values_get_a_400_naming_custom_key(defined, api_for):
    me = defined.official_of(defined.official)
    payload = {"custom": {"nhom": "Bóng đá", "so_nam": "bốn", "khong_co": 1}, "birth_date": "31/02/2000"}
    response = api_for(defined.hr).patch(f"/api/v1/officials/{me.pk}/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    errors = {e["field"]: e["message"] for e in body["errors"]}
    assert errors["custom.nhom"] == "Giá trị «Bóng đá» không nằm trong các lựa chọn: Văn hóa, Thể thao."
    assert errors["custom.so_nam"] == "Phải là số nguyên."
    assert errors["custom.khong_co"] == "Trường tùy biến không tồn tại hoặc đã ngừng sử dụng."
    assert "birth_date" in errors  # reported together with the built-in fields' errors
    me.refresh_from_db()
    assert me.custom == {}
    not_object = api_for(defined.hr).patch(f"/api/v1/officials/{me.pk}/", {"custom": [1]}, format="json")
    assert not_object.json()["errors"] == [
        {"field": "custom", "message": "Phải là một đối tượng {mã trường: giá trị}."}
    ]


def test_a_required_custom_field_is_required_on_creation(defined, api_for):
    make_field("ma_ngach", "text", label="Mã ngạch", required=True)
    payload = {
        "code": "T0100", "full_name": "Đỗ Thị Hoa", "category": "CONG_CHUC",
        "assignment": {"unit": defined.team.pk, "position": defined.position.pk, "start_date": "2026-02-01"},
    }  # fmt: skip
    client = api_for(defined.hr)
    missing = client.post("/api/v1/officials/", payload, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == [{"field": "custom.ma_ngach", "message": "Trường này là bắt buộc."}]
    created = client.post("/api/v1/officials/", {**payload, "custom": {"ma_ngach": "01.003"}}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["custom"]["ma_ngach"] == "01.003"


def test_positions_carry_their_own_custom_fields(defined, api_for):
    make_field("ma_vtvl", "text", doctype="position", label="Mã VTVL")
    url = f"/api/v1/positions/{defined.position.pk}/"
    response = api_for(defined.sysadmin).patch(url, {"custom": {"ma_vtvl": "CV-01"}}, format="json")
    assert response.status_code == 200 and response.json()["custom"] == {"ma_vtvl": "CV-01"}
    bad = api_for(defined.sysadmin).patch(url, {"custom": {"nhom": "Văn hóa"}}, format="json")
    assert bad.json()["errors"][0]["field"] == "custom.nhom"  # an official's field is unknown on positions


def test_an_override_makes_a_builtin_field_required_in_the_api(defined, api_for):
    from thanhhoa_kpi.customfields import services

    services.builtin_override_set(by=SYSTEM, doctype="position", field_name="duties", required=True)
    payload = {"code": "T_X", "name": "Văn thư", "group": "HO_TRO_PHUC_VU", "bloc": "CHINH_QUYEN"}
    response = api_for(defined.sysadmin).post("/api/v1/positions/", payload, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "duties"


def test_the_official_list_reads_definitions_once(defined, api_for, django_assert_max_num_queries):
    for user in (defined.official, defined.colleague, defined.deputy, defined.head):
        set_custom(defined.official_of(user), nhom="Văn hóa")
    client = api_for(defined.head)
    client.get("/api/v1/officials/")
    with django_assert_max_num_queries(15):
        assert len(client.get("/api/v1/officials/").json()["results"]) == 4
