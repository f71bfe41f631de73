"""The desk shows each role exactly its scope (SPEC 2), in Vietnamese."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

OFFICIALS = reverse("admin:organization_official_changelist")


def listed_codes(client, url=OFFICIALS):
    response = client.get(url)
    assert response.status_code == 200
    return sorted(o.code for o in response.context["cl"].result_list)


def login(client, user):
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(OFFICIALS)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_the_login_page_is_vietnamese(client):
    html = client.get("/admin/login/").content.decode()
    assert 'lang="vi"' in html
    assert "Đăng nhập" in html


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("official", ["T0001"]),
        ("deputy", ["T0001", "T0003"]),
        ("head", ["T0001", "T0002", "T0003", "T0004"]),
        ("hr", ["T0001", "T0002", "T0003", "T0004"]),
        ("authority", ["T0001", "T0002", "T0003", "T0004", "T0005", "T0006"]),
        ("viewer", ["T0001", "T0002", "T0003", "T0004", "T0005", "T0006"]),
        ("outsider", ["T0006"]),
    ],
)
def test_each_role_lists_exactly_its_officials(persona, expected, cast, client):
    assert listed_codes(login(client, getattr(cast, persona))) == expected


def test_an_outsider_cannot_open_an_official_of_another_unit(cast, client):
    other = cast.official_of(cast.official)
    response = login(client, cast.outsider).get(reverse("admin:organization_official_change", args=[other.pk]))
    assert response.status_code == 302  # Django's admin redirects with "does not exist" for rows outside the queryset
    assert other.full_name not in login(client, cast.outsider).get(OFFICIALS).content.decode()


def test_an_official_sees_their_record_read_only(cast, client):
    me = cast.official_of(cast.official)
    response = login(client, cast.official).get(reverse("admin:organization_official_change", args=[me.pk]))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]


def test_the_hr_admin_can_edit_in_scope_but_not_outside(cast, client):
    login(client, cast.hr)
    mine = cast.official_of(cast.official)
    assert client.get(reverse("admin:organization_official_change", args=[mine.pk])).context["has_change_permission"]
    stranger = cast.official_of(cast.outsider)
    assert client.get(reverse("admin:organization_official_change", args=[stranger.pk])).status_code == 302


def test_history_is_visible_on_a_record(cast, client):
    me = cast.official_of(cast.official)
    response = login(client, cast.hr).get(reverse("admin:organization_official_history", args=[me.pk]))
    assert response.status_code == 200


def test_every_list_has_search_and_filters(cast, client):
    from thanhhoa_kpi.desk.sites import desk_site

    for model, model_admin in desk_site._registry.items():
        if model._meta.app_label in {"auth", "authtoken"}:
            continue
        assert model_admin.search_fields, f"{model.__name__} has no search"
        assert model_admin.list_filter, f"{model.__name__} has no filters"


def test_the_sidebar_hides_admin_menus_from_officials(cast, client):
    html = login(client, cast.official).get("/admin/").content.decode()
    assert "Nhật ký của tôi" in html
    assert "Phân quyền vai trò" not in html
    assert "Hồ sơ cán bộ" not in html  # HR's master data: role-shaped away (tests/desk/test_role_navigation.py)


def test_the_hr_admin_can_save_an_official_linked_to_a_user_account(cast, client):
    me = cast.official_of(cast.official)
    url = reverse("admin:organization_official_change", args=[me.pk])
    form = login(client, cast.hr).get(url).context["adminform"].form
    assert form.fields["user"].queryset.filter(pk=cast.official.pk).exists()
