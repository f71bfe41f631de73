"""Third-party views mounted next to the desk are attack surface too (issue 9, build item 2).

django-rq's dashboard, Django's view-on-site shortcut and autocomplete endpoint, the
two-factor device admin and the Excel import/export: each answers only what the caller's
rights and scope allow.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from thanhhoa_kpi.accounts.twofactor import device_create
from thanhhoa_kpi.desk.sites import DeskSite, desk_site
from thanhhoa_kpi.organization.models import Official, OfficialAssignment
from thanhhoa_kpi.transfer import services as transfer

pytestmark = pytest.mark.django_db

OTHERS = ("official", "colleague", "deputy", "head", "authority", "hr", "viewer", "outsider", "province_hr")
RQ_HOME = "/django-rq/"


# ------------------------------------------------------------------ django-rq's dashboard
def test_the_rq_dashboard_opens_for_the_system_admin(cast, client):
    client.force_login(cast.sysadmin)
    response = client.get(RQ_HOME)
    assert response.status_code == 200
    assert "default" in response.content.decode()  # the queue of settings.RQ_QUEUES
    assert client.get(reverse("django_rq:jobs", args=[0])).status_code == 200


def test_the_rq_dashboard_opens_for_a_superuser_account(cast, client):
    """The demo's admin account (superuser, staff) got a 500: Django's unmounted default
    admin site reversed app lists the desk does not serve."""
    from thanhhoa_kpi.accounts.models import User

    root = User.objects.create_superuser(username="root", password="pw-2026-root!", email="root@example.vn")
    client.force_login(root)
    assert client.get(RQ_HOME).status_code == 200


@pytest.mark.parametrize("persona", OTHERS)
def test_the_rq_dashboard_is_refused_to_everyone_else(persona, cast, client):
    user = getattr(cast, persona)
    user.is_staff = True  # django-rq's own check; it is not the system-admin right here
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    assert client.get(RQ_HOME).status_code == 403
    assert client.get(reverse("django_rq:jobs", args=[0])).status_code == 403
    assert client.post(reverse("django_rq:clear", args=[0])).status_code == 403


def test_the_rq_dashboard_sends_anonymous_visitors_to_the_login(client):
    response = client.get(RQ_HOME)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_the_rq_token_endpoints_are_not_served(cast, client):
    with pytest.raises(Resolver404):
        resolve("/django-rq/stats.json/secret-token/")
    with pytest.raises(Resolver404):
        resolve("/django-rq/metrics/")
    staff = cast.hr
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    assert client.get(reverse("django_rq:home_json")).status_code == 403
    client.force_login(cast.sysadmin)
    assert "queues" in client.get(reverse("django_rq:home_json")).json()


# ------------------------------------------------------------------ two-factor devices, default admin site
def test_no_device_or_default_admin_page_is_served(cast, client):
    device_create(user=cast.sysadmin)
    labels = {model._meta.label for model in desk_site._registry}
    assert not {"otp_totp.TOTPDevice", "auth.Group", "authtoken.TokenProxy"} & labels
    with pytest.raises(NoReverseMatch):
        reverse("admin:otp_totp_totpdevice_changelist")
    for persona in ("official", "hr", "sysadmin"):
        client.force_login(getattr(cast, persona))
        assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
        assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 404
        assert client.get("/admin/auth/group/").status_code == 404
    # Django's default admin site (where django-otp registers its device admin) is not mounted.
    assert admin.site.name == "admin" and admin.site is not desk_site
    assert TOTPDevice.objects.filter(user=cast.sysadmin).count() == 1


# ------------------------------------------------------------------ view on site
def shortcut(model, pk):
    return reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(model).pk, pk])


def test_the_view_on_site_shortcut_is_the_desks_scoped_one():
    view = resolve("/admin/r/1/1/").func
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    assert view.__func__ is DeskSite.view_on_site


def test_the_view_on_site_shortcut_finds_nothing_outside_the_scope(cast, client):
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    other = Official.objects.get(user=cast.official)
    client.force_login(cast.outsider)
    assert client.get(shortcut(Official, other.pk)).status_code == 404
    token = Token.objects.create(user=cast.sysadmin)
    assert client.get(shortcut(Token, token.pk)).status_code == 404  # not a desk page at all
    assert client.get(shortcut(Permission, Permission.objects.first().pk)).status_code == 404
    assert client.get(shortcut(Official, "not-a-number")).status_code == 404


def test_the_view_on_site_shortcut_redirects_only_rows_in_scope(cast, client, monkeypatch):
    mine = Official.objects.get(user=cast.outsider)
    other = Official.objects.get(user=cast.official)
    monkeypatch.setattr(Official, "get_absolute_url", lambda self: f"/ho-so/{self.pk}/", raising=False)
    client.force_login(cast.outsider)
    response = client.get(shortcut(Official, mine.pk))
    assert response.status_code == 302
    assert response.url == f"/ho-so/{mine.pk}/"
    assert client.get(shortcut(Official, other.pk)).status_code == 404
    monkeypatch.setattr(Official, "get_absolute_url", lambda self: "https://evil.example/", raising=False)
    assert client.get(shortcut(Official, mine.pk)).status_code == 404  # never off-site


# ------------------------------------------------------------------ autocomplete
def autocomplete(client, app_label, model_name, field_name, term=""):
    return client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("outsider", ["T0006"]),
        ("official", ["T0001"]),
        ("hr", ["T0001", "T0002", "T0003", "T0004"]),
        ("viewer", ["T0001", "T0002", "T0003", "T0004", "T0005", "T0006"]),
    ],
)
def test_autocomplete_returns_only_rows_in_scope(persona, expected, cast, client):
    client.force_login(getattr(cast, persona))
    response = autocomplete(client, "organization", "officialassignment", "official")
    assert response.status_code == 200
    ids = [int(row["id"]) for row in response.json()["results"]]
    assert sorted(Official.objects.filter(pk__in=ids).values_list("code", flat=True)) == expected


def test_autocomplete_of_accounts_is_refused_without_the_right(cast, client):
    client.force_login(cast.official)
    assert autocomplete(client, "accounts", "rolegrant", "user").status_code == 403
    assert autocomplete(client, "organization", "official", "user").status_code == 403


def test_autocomplete_of_units_is_scoped(cast, client):
    client.force_login(cast.outsider)
    response = autocomplete(client, "organization", "officialassignment", "unit")
    assert response.status_code == 200
    names = {row["text"] for row in response.json()["results"]}
    assert str(cast.team) not in names and str(cast.ward) not in names


# ------------------------------------------------------------------ Excel import and export
def test_an_import_needs_write_rights_and_changes_only_writable_rows(cast):
    from thanhhoa_kpi.core.errors import PermissionRefused
    from thanhhoa_kpi.transfer.report import ImportInvalid

    everyone = transfer.export_rows(kind="officials", user=cast.sysadmin)
    with pytest.raises(PermissionRefused):
        transfer.import_validate(kind="officials", content=everyone, user=cast.viewer)
    before = list(OfficialAssignment.objects.order_by("pk").values())
    report = transfer.import_validate(kind="officials", content=everyone, user=cast.hr)
    refused = {error.row for error in report.errors}
    assert len(refused) == 2  # the authority's and the outsider's rows are outside the ward
    with pytest.raises(ImportInvalid):
        transfer.import_apply(kind="officials", content=everyone, user=cast.hr)
    assert list(OfficialAssignment.objects.order_by("pk").values()) == before


def test_the_desk_export_holds_only_the_callers_scope(cast, client):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(cast.outsider)
    response = client.get(reverse("admin:transfer_importjob_export_file", args=["officials"]))
    assert response.status_code == 200
    book = load_workbook(BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    codes = [row[0] for row in book["Cán bộ"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert codes == ["T0006"]


@pytest.mark.parametrize(
    "url",
    [
        "/django-rq/queues/0/khong-co/",
        "/django-rq/queues/0/khong-co/delete/",
        "/django-rq/queues/0/khong-co/requeue/",
        "/django-rq/workers/0/khong-co/",
        "/django-rq/schedulers/0/",
    ],
)
def test_the_rq_dashboard_answers_404_for_what_does_not_exist(client, cast, url):
    client.force_login(cast.sysadmin)
    assert client.get(url).status_code == 404
