"""Custom fields owned by a scope (issue 9, finding 6): a ward's required field applies to
that ward only; a ward's HR admin defines fields for their own subtree only; the
definition page answers people who may only look without a 500 (finding 7)."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories.reports import ensure_report_roles, make_field
from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.customfields import selectors, services
from thanhhoa_kpi.customfields.models import FieldDefinition
from thanhhoa_kpi.organization.models import JobPosition
from thanhhoa_kpi.worklogs.models import WorkLogLine

pytestmark = pytest.mark.django_db
FIELDS = "/api/v1/custom-fields/"


@pytest.fixture
def ward_field(cast):
    return make_field("so_ho_khau", "text", label="Số hộ khẩu phường", required=True, owner_unit=cast.ward)


def _errors(call):
    with pytest.raises(ValidationFailed) as caught:
        call()
    return [e.field for e in caught.value.errors]


def test_a_wards_required_field_does_not_block_an_official_of_another_unit(ward_field, cast):
    elsewhere = cast.official_of(cast.outsider)  # posted in other_dept's team, outside the ward
    assert services.custom_values_validate(doctype="official", values={}, instance=elsewhere) == {}
    inside = cast.official_of(cast.official)  # posted in the ward's team
    assert _errors(lambda: services.custom_values_validate(doctype="official", values={}, instance=inside)) == [
        "custom.so_ho_khau"
    ]


def test_the_api_saves_an_official_elsewhere_and_requires_the_field_in_the_ward(ward_field, cast, api_for):
    client = api_for(cast.sysadmin)
    elsewhere = client.patch(f"/api/v1/officials/{cast.official_of(cast.outsider).pk}/",
                             {"phone": "0912", "custom": {}}, format="json")  # fmt: skip
    assert elsewhere.status_code == 200, elsewhere.json()
    assert "so_ho_khau" not in elsewhere.json()["custom"]
    inside = client.patch(f"/api/v1/officials/{cast.official_of(cast.official).pk}/",
                          {"phone": "0912", "custom": {}}, format="json")  # fmt: skip
    assert inside.status_code == 400 and inside.json()["errors"][0]["field"] == "custom.so_ho_khau"
    refused = client.patch(f"/api/v1/officials/{cast.official_of(cast.outsider).pk}/",
                           {"custom": {"so_ho_khau": "12"}}, format="json")  # fmt: skip
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "custom.so_ho_khau"


def test_work_log_lines_and_appraisals_follow_the_unit_they_were_made_in(cast):
    make_field("ma_ho_so", "text", doctype="worklog", required=True, owner_unit=cast.ward)
    assert (
        services.custom_values_validate(doctype="worklog", values={}, instance=WorkLogLine(unit=cast.other_team)) == {}
    )
    assert _errors(
        lambda: services.custom_values_validate(doctype="worklog", values={}, instance=WorkLogLine(unit=cast.team))
    ) == ["custom.ma_ho_so"]


def test_a_bloc_field_applies_to_the_positions_of_that_bloc_only(cast):
    make_field("ma_dang", "text", doctype="position", required=True, owner_bloc="DANG")
    assert services.custom_values_validate(doctype="position", values={}, instance=cast.position) == {}
    party = JobPosition(code="T_DANG", name="Chuyên viên Đảng", group="CHUYEN_MON_NGHIEP_VU", bloc="DANG")
    assert _errors(lambda: services.custom_values_validate(doctype="position", values={}, instance=party)) == [
        "custom.ma_dang"
    ]


def test_the_official_form_shows_a_wards_field_only_in_that_ward(ward_field, cast, client):
    ensure_report_roles()
    client.force_login(cast.sysadmin)
    for user, shown in ((cast.outsider, False), (cast.official, True)):
        url = reverse("admin:organization_official_change", args=[cast.official_of(user).pk])
        form = client.get(url).context["adminform"].form
        assert ("custom__so_ho_khau" in form.fields) is shown


def test_lists_show_a_wards_field_to_people_of_that_ward_only(ward_field, cast):
    assert [d.key for d in selectors.definitions_for_user("official", cast.hr)] == ["so_ho_khau"]
    assert [d.key for d in selectors.definitions_for_user("official", cast.outsider)] == []
    assert [d.key for d in selectors.definitions_for_user("official", cast.sysadmin)] == ["so_ho_khau"]


def test_a_ward_hr_admin_defines_fields_for_their_own_subtree_only(cast, api_for):
    client = api_for(cast.hr)
    payload = {"doctype": "official", "key": "ma_phuong", "label": "Mã phường", "field_type": "text"}
    assert client.post(FIELDS, payload, format="json").status_code == 403  # province-wide
    assert client.post(FIELDS, {**payload, "owner_unit": cast.other_dept.pk}, format="json").status_code == 403
    created = client.post(FIELDS, {**payload, "owner_unit": cast.team.pk}, format="json")
    assert created.status_code == 201, created.json()
    own = created.json()["id"]
    assert client.patch(f"{FIELDS}{own}/", {"required": True}, format="json").status_code == 200
    moved = client.patch(f"{FIELDS}{own}/", {"owner_unit": None}, format="json")
    assert moved.status_code == 400 and moved.json()["errors"][0]["field"] == "owner_unit"
    province_wide = make_field("toan_tinh", "text")
    assert client.patch(f"{FIELDS}{province_wide.pk}/", {"label": "X"}, format="json").status_code == 403
    assert api_for(cast.province_hr).patch(f"{FIELDS}{province_wide.pk}/", {"label": "X"},
                                           format="json").status_code == 200  # fmt: skip


def test_the_services_refuse_a_ward_admin_on_province_wide_fields_and_overrides(cast):
    from thanhhoa_kpi.core.errors import PermissionRefused

    field = make_field("toan_tinh", "text")
    with pytest.raises(PermissionRefused):
        services.field_definition_update(by=cast.hr, definition=field, required=True)
    with pytest.raises(PermissionRefused):
        services.builtin_override_set(by=cast.hr, doctype="official", field_name="phone", required=True)
    with pytest.raises(PermissionRefused):
        services.field_definition_create(by=cast.hr, doctype="official", key="y", label="Y", field_type="text",
                                         owner_bloc="DANG")  # fmt: skip
    assert not FieldDefinition.objects.filter(key="y").exists()


@pytest.mark.parametrize("persona", ["official", "viewer", "hr"])
def test_the_definition_page_answers_people_who_may_only_look_without_a_500(cast, client, persona):
    ensure_report_roles()
    field = make_field("nhom", "select", label="Nhóm", options=["A", "B"])
    client.force_login(getattr(cast, persona))
    response = client.get(reverse("admin:customfields_fielddefinition_change", args=[field.pk]))
    assert response.status_code in (200, 302, 403, 404)
    if response.status_code == 200:
        assert 'name="label"' not in response.content.decode()  # shown read-only
        posted = client.post(reverse("admin:customfields_fielddefinition_change", args=[field.pk]),
                             {"label": "Đổi"})  # fmt: skip
        assert posted.status_code in (302, 403, 200)
        field.refresh_from_db()
        assert field.label == "Nhóm"


def test_an_import_applies_a_wards_required_field_to_rows_posted_in_that_ward_only(ward_field, cast):
    from tests.factories.xlsx import OFFICIAL_HEADERS, xlsx
    from thanhhoa_kpi.organization.models import Official
    from thanhhoa_kpi.transfer import services as transfer
    from thanhhoa_kpi.transfer.report import ImportInvalid

    def row(code, unit):
        return [code, "Đinh Thị Yến", "15/03/1990", "Nữ", f"{code.lower()}@example.vn", "0912345678", "CONG_CHUC",
                unit, "T_CV", "Không giữ chức vụ", "Văn hóa", "01/02/2026"]  # fmt: skip

    elsewhere = transfer.import_apply(kind="officials", content=xlsx(OFFICIAL_HEADERS, row("T0400", "T_PHONG_B")),
                                      user=cast.sysadmin)  # fmt: skip
    assert elsewhere.created == 1 and Official.objects.get(code="T0400").custom == {}
    with pytest.raises(ImportInvalid) as caught:
        transfer.import_apply(kind="officials", content=xlsx(OFFICIAL_HEADERS, row("T0401", "T_PHONG_A")),
                              user=cast.sysadmin)  # fmt: skip
    assert any("so_ho_khau" in e.message for e in caught.value.errors)


def test_an_officials_list_with_unit_owned_fields_looks_postings_up_once_per_page(ward_field, cast, api_for):
    """Which fields apply to each official of a page is one query, not one per official."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thanhhoa_kpi.core.actors import SYSTEM
    from thanhhoa_kpi.organization import services as org

    client = api_for(cast.sysadmin)
    client.get("/api/v1/officials/")  # warm the caller's scope and permissions

    def queries() -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as captured:
            body = client.get("/api/v1/officials/").json()
        return len(captured), body

    before, _ = queries()
    for n in range(5):
        org.official_create(by=SYSTEM, code=f"T09{n}", full_name=f"Người mới {n}",
                            assignment={"unit": cast.team, "position": cast.position,
                                        "start_date": date(2026, 1, 1)})  # fmt: skip
    client.get("/api/v1/officials/")  # new postings dropped the kept reference data (core/refcache.py)
    after, body = queries()
    assert after == before
    shown = {row["code"]: row["custom"] for row in body["results"]}
    assert "so_ho_khau" in shown["T090"] and "so_ho_khau" not in shown[cast.official_of(cast.outsider).code]
