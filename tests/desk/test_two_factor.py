"""Two-factor login for admins and authorities (SPEC 9)."""

import pytest
from django_otp.oath import totp

from tests.factories.cast import PASSWORD
from thanhhoa_kpi.accounts.twofactor import device_create

pytestmark = pytest.mark.django_db


def post_login(client, username, token=""):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": PASSWORD, "otp_token": token, "next": "/admin/"},
    )


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_the_login_page_offers_the_code_field(client):
    html = client.get("/admin/login/").content.decode()
    assert 'name="otp_token"' in html and 'form="login-form"' in html


def test_an_authority_with_a_device_needs_the_right_code(cast, client):
    device = device_create(user=cast.authority)
    refused = post_login(client, "authority", "000000" if current_code(device) != "000000" else "111111")
    assert refused.status_code == 200
    assert "Mã xác thực hai lớp không đúng" in refused.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows retries after a failure; a real user waits a second
    accepted = post_login(client, "authority", current_code(device))
    assert accepted.status_code == 302 and accepted.url == "/admin/"


def test_an_admin_without_a_device_is_refused_when_enforced(cast, client, settings):
    settings.OTP_ENFORCE = True
    response = post_login(client, "sysadmin")
    assert response.status_code == 200
    assert "phải có thiết bị xác thực hai lớp" in response.content.decode()


def test_an_official_never_needs_a_second_factor(cast, client, settings):
    settings.OTP_ENFORCE = True
    assert post_login(client, "official").status_code == 302


def test_anyone_with_a_device_gives_the_code_even_when_not_enforced(cast, client, settings):
    settings.OTP_ENFORCE = False
    device = device_create(user=cast.official)
    refused = post_login(client, "official")
    assert refused.status_code == 200
    assert "Hãy nhập mã xác thực hai lớp" in refused.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    assert post_login(client, "official", current_code(device)).status_code == 302
