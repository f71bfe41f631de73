"""Custom fields in the desk (SPEC 7): the HR admin defines them; they show in the official
and position forms (validated like built-ins), as list columns and list filters; overrides
relabel, require or hide built-in fields; people who may not edit see the values."""

import json
from datetime import date

import pytest
from django.urls import reverse

from tests.factories.reports import ensure_report_roles, make_field, set_custom
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.customfields import services
from thanhhoa_kpi.customfields.models import FieldDefinition

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:organization_official_changelist")


@pytest.fixture
def desk(cast, client):
    ensure_report_roles()
    make_field("nhom", "select", label="Nhóm chuyên môn", options=["Văn hóa", "Thể thao"], show_in_list=True,
               show_in_filters=True)  # fmt: skip
    make_field("so_nam", "integer", label="Số năm công tác")
    make_field("don_vi_kiem_nhiem", "link_unit", label="Đơn vị kiêm nhiệm", show_in_list=True)
    return cast


def _value(bound):
    value = bound.value()
    if hasattr(bound.field, "queryset") and hasattr(value, "pk"):
        return value.pk
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | dict):
        return json.dumps(value)
    return "" if value is None else value


def form_data(response):
    """The POST data a browser would send back for an admin change form, as rendered."""
    data = {}
    for bound in response.context["adminform"].form:
        value = _value(bound)
        if value is not False:
            data[bound.html_name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = bound.value()
        for form in formset.forms:
            for bound in form:
                value = _value(bound)
                if value is not False:
                    data[bound.html_name] = value
    return data


def without_account(cast, code="T0100", name="Đỗ Thị Hoa"):
    """An official with no user account (the desk cannot re-post another user's account link
    for an HR admin: ScopedAdmin scopes the User choices, which access.scoped refuses)."""
    from thanhhoa_kpi.core.actors import SYSTEM
    from thanhhoa_kpi.organization import services as org

    start = date(2026, 1, 1)
    return org.official_create(
        by=SYSTEM,
        code=code,
        full_name=name,
        assignment={"unit": cast.team, "position": cast.position, "start_date": start},
    )


def change_url(official):
    return reverse("admin:organization_official_change", args=[official.pk])


def test_the_hr_admin_fills_custom_fields_in_the_official_form(desk, client):
    client.force_login(desk.hr)
    me = without_account(desk)
    page = client.get(change_url(me))
    html = page.content.decode()
    assert "Thông tin bổ sung" in html and "Nhóm chuyên môn" in html and "Số năm công tác" in html
    assert "Phòng B" not in html  # the unit link offers only units in scope
    data = {**form_data(page), "custom__nhom": "Văn hóa", "custom__so_nam": "7",
            "custom__don_vi_kiem_nhiem": str(desk.team.pk)}  # fmt: skip
    response = client.post(change_url(me), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    me.refresh_from_db()
    assert me.custom == {"nhom": "Văn hóa", "so_nam": 7, "don_vi_kiem_nhiem": desk.team.pk}
    assert me.history.first().custom == me.custom  # the change is in the history


def test_a_bad_custom_value_is_shown_on_its_field_and_nothing_is_saved(desk, client):
    make_field("ma_ngach", "text", label="Mã ngạch", required=True)
    client.force_login(desk.hr)
    me = without_account(desk)
    page = client.get(change_url(me))
    data = {**form_data(page), "custom__so_nam": "bảy", "custom__ma_ngach": "", "full_name": "Tên mới"}
    response = client.post(change_url(me), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["custom__so_nam"] and errors["custom__ma_ngach"] == ["Trường này là bắt buộc."]
    me.refresh_from_db()
    assert me.full_name == "Đỗ Thị Hoa" and me.custom == {}


def test_list_columns_and_filters_come_from_the_definitions(desk, client):
    set_custom(desk.official_of(desk.official), nhom="Văn hóa", don_vi_kiem_nhiem=desk.team.pk)
    set_custom(desk.official_of(desk.colleague), nhom="Thể thao")
    client.force_login(desk.head)
    html = client.get(CHANGELIST).content.decode()
    assert "Nhóm chuyên môn" in html and "Đơn vị kiêm nhiệm" in html
    assert "Phòng Văn hóa - Xã hội A" in html  # the linked unit's name, from one subquery
    filtered = client.get(CHANGELIST, {"cf_nhom": "Văn hóa"})
    assert [o.code for o in filtered.context["cl"].result_list] == ["T0001"]
    assert [o.code for o in client.get(CHANGELIST, {"cf_nhom": "Thể thao"}).context["cl"].result_list] == ["T0002"]


def test_the_list_stays_flat_with_custom_columns(desk, client, django_assert_max_num_queries):
    for user in (desk.official, desk.colleague, desk.deputy, desk.head):
        set_custom(desk.official_of(user), nhom="Văn hóa", don_vi_kiem_nhiem=desk.team.pk)
    client.force_login(desk.head)
    client.get(CHANGELIST)
    with django_assert_max_num_queries(20):
        assert client.get(CHANGELIST).status_code == 200


def test_overrides_relabel_require_and_hide_builtin_fields(desk, client):
    services.builtin_override_set(by=SYSTEM, doctype="official", field_name="email", label="Thư công vụ", required=True)
    services.builtin_override_set(by=SYSTEM, doctype="official", field_name="phone", hidden=True)
    client.force_login(desk.hr)
    me = without_account(desk)
    page = client.get(change_url(me))
    form = page.context["adminform"].form
    assert form.fields["email"].label == "Thư công vụ" and form.fields["email"].required
    assert "phone" not in form.fields
    response = client.post(change_url(me), {**form_data(page), "email": ""})
    assert response.status_code == 200 and "email" in response.context["adminform"].form.errors


def test_people_who_may_not_edit_see_the_values_read_only(desk, client):
    me = set_custom(desk.official_of(desk.official), nhom="Thể thao", so_nam=3)
    client.force_login(desk.official)
    response = client.get(change_url(me))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nhóm chuyên môn" in html and "Thể thao" in html
    assert 'name="custom__nhom"' not in html


def test_positions_get_their_own_custom_fields(desk, client):
    make_field("ma_vtvl", "text", doctype="position", label="Mã VTVL theo Bộ Nội vụ", show_in_list=True)
    client.force_login(desk.sysadmin)
    url = reverse("admin:organization_jobposition_change", args=[desk.position.pk])
    page = client.get(url)
    assert "Mã VTVL theo Bộ Nội vụ" in page.content.decode()
    response = client.post(url, {**form_data(page), "custom__ma_vtvl": "CV-01"})
    assert response.status_code == 302
    desk.position.refresh_from_db()
    assert desk.position.custom == {"ma_vtvl": "CV-01"}
    assert "CV-01" in client.get(reverse("admin:organization_jobposition_changelist")).content.decode()


def test_the_province_admin_defines_a_field_in_the_desk_and_others_only_read(desk, client):
    add = reverse("admin:customfields_fielddefinition_add")
    client.force_login(desk.hr)  # a ward's HR admin: not province-wide (issue 9)
    ward_only = {"doctype": "official", "key": "trinh_do", "label": "Trình độ", "field_type": "text", "order": ""}
    refused = client.post(add, ward_only)
    assert refused.status_code == 200 and "owner_unit" in refused.context["adminform"].form.errors
    assert client.post(add, {**ward_only, "owner_unit": desk.ward.pk}).status_code == 302
    assert FieldDefinition.objects.get(key="trinh_do").owner_unit == desk.ward
    FieldDefinition.objects.filter(key="trinh_do").delete()
    client.force_login(desk.province_hr)
    data = {"doctype": "official", "key": "trinh_do", "label": "Trình độ lý luận chính trị", "field_type": "select",
            "options_text": "Sơ cấp\nTrung cấp\nCao cấp", "default_text": "", "help_text": "", "order": "",
            "show_in_list": "on", "active": "on"}  # fmt: skip
    bad = client.post(add, {**data, "options_text": ""})
    assert bad.status_code == 200
    assert bad.context["adminform"].form.errors["options_text"] == ["Cần ít nhất một lựa chọn."]
    assert client.post(add, data).status_code == 302
    field = FieldDefinition.objects.get(key="trinh_do")
    assert field.options == ["Sơ cấp", "Trung cấp", "Cao cấp"] and field.order == 40
    listing = client.get(reverse("admin:customfields_fielddefinition_changelist")).content.decode()
    assert "Trình độ lý luận chính trị" in listing
    client.force_login(desk.official)
    assert client.get(reverse("admin:customfields_fielddefinition_changelist")).status_code == 200
    assert client.get(add).status_code == 403


def test_the_province_admin_reorders_fields_from_the_list(desk, client):
    client.force_login(desk.province_hr)
    fields = list(FieldDefinition.objects.filter(doctype="official").order_by("order"))
    assert [f.key for f in fields] == ["nhom", "so_nam", "don_vi_kiem_nhiem"]
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "3", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
            "_save": "Lưu"}  # fmt: skip
    for index, (field, order) in enumerate(zip(fields, [30, 20, 10], strict=True)):
        data.update({f"form-{index}-id": str(field.pk), f"form-{index}-order": str(order)})
    response = client.post(reverse("admin:customfields_fielddefinition_changelist"), data)
    assert response.status_code == 302
    keys = FieldDefinition.objects.filter(doctype="official").order_by("order").values_list("key", flat=True)
    assert list(keys) == ["don_vi_kiem_nhiem", "so_nam", "nhom"]
    assert FieldDefinition.objects.get(key="nhom").history.count() == 2
