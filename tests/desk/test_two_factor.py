"""Two-factor login on the desk (SPEC 9; issue 11, item 8): the password first, the code on a
second page and only for accounts with a device, and no way around that second page."""

import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp.oath import totp
from rest_framework.test import APIClient

from tests.factories.cast import PASSWORD
from thanhhoa_kpi.accounts import twofactor
from thanhhoa_kpi.accounts.twofactor import device_create

pytestmark = pytest.mark.django_db

LOGIN, CODE = "/admin/login/", "/admin/login/code/"
ADDR = {"REMOTE_ADDR": "203.0.113.20"}


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def step_one(client, username, password=PASSWORD, next_url="/admin/"):
    return client.post(
        f"{LOGIN}?next={next_url}", {"username": username, "password": password, "next": next_url}, **ADDR
    )


def step_two(client, code, **extra):
    return client.post(CODE, {"otp_token": code, **extra}, **ADDR)


def current_code(device):
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows retries after a failure; a real user waits a second
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code(device):
    return "000000" if current_code(device) != "000000" else "111111"


def signed_in(client):
    return client.session.get(SESSION_KEY)


# --- step 1 -----------------------------------------------------------------------------


def test_the_login_page_asks_only_for_username_and_password_in_bordered_boxes(client):
    html = client.get(LOGIN).content.decode()
    assert 'name="otp_token"' not in html
    for name in ("username", "password"):
        tag = html[html.index(f'name="{name}"') - 400 : html.index(f'name="{name}"') + 400]
        assert "border" in tag and "rounded-default" in tag
    username = html[html.rindex("<input", 0, html.index('name="username"')) : html.index('name="username"') + 300]
    assert "autofocus" in username and 'autocomplete="username"' in username


def test_an_account_without_a_device_signs_in_in_one_step(cast, client, settings):
    settings.OTP_ENFORCE = True
    response = step_one(client, "official")
    assert response.status_code == 302 and response.url == "/admin/"
    assert signed_in(client) == str(cast.official.pk)
    assert twofactor.PENDING_KEY not in client.session
    assert client.get("/admin/").status_code == 200


def test_an_admin_without_a_device_is_refused_when_enforced(cast, client, settings):
    settings.OTP_ENFORCE = True
    response = step_one(client, "sysadmin")
    assert response.status_code == 200
    assert "phải có thiết bị xác thực hai lớp" in response.content.decode()
    assert signed_in(client) is None


def test_a_wrong_password_never_reaches_step_two(cast, client):
    device_create(user=cast.authority)
    response = step_one(client, "authority", "sai-mat-khau")
    assert response.status_code == 200 and twofactor.PENDING_KEY not in client.session
    assert client.get(CODE).url == LOGIN


# --- step 2 -----------------------------------------------------------------------------


def test_an_account_with_a_device_gives_its_code_on_a_second_page(cast, client):
    device = device_create(user=cast.authority)
    response = step_one(client, "authority")
    assert response.status_code == 302 and response.url == CODE
    assert signed_in(client) is None
    page = client.get(CODE)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="otp_token"' in html and 'name="password"' not in html and 'name="username"' not in html
    assert "Bước 2/2" in html and "authority" in html and 'autocomplete="one-time-code"' in html
    accepted = step_two(client, current_code(device))
    assert accepted.status_code == 302 and accepted.url == "/admin/"
    assert signed_in(client) == str(cast.authority.pk)
    assert twofactor.PENDING_KEY not in client.session
    assert client.get("/admin/").status_code == 200


def test_anyone_with_a_device_gives_the_code_even_when_not_enforced(cast, client, settings):
    settings.OTP_ENFORCE = False
    device = device_create(user=cast.official)
    assert step_one(client, "official").url == CODE
    assert signed_in(client) is None
    assert step_two(client, current_code(device)).status_code == 302
    assert signed_in(client) == str(cast.official.pk)


def test_a_wrong_code_is_refused_in_vietnamese_and_signs_nobody_in(cast, client):
    device = device_create(user=cast.authority)
    step_one(client, "authority")
    refused = step_two(client, wrong_code(device))
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Mã xác thực hai lớp không đúng" in html and "Còn 4 lần thử" in html
    assert signed_in(client) is None
    malformed = step_two(client, "12ab")
    assert "gồm đúng 6 chữ số" in malformed.content.decode() and signed_in(client) is None


def test_the_code_page_goes_back_to_step_one_without_a_waiting_account(cast, client):
    assert client.get(CODE).url == LOGIN
    device = device_create(user=cast.authority)
    response = step_two(client, current_code(device), username="authority")
    assert response.status_code == 302 and response.url == LOGIN
    assert signed_in(client) is None


def test_the_next_page_is_kept_across_both_steps_and_never_leaves_the_site(cast, client):
    device = device_create(user=cast.authority)
    step_one(client, "authority", next_url="/admin/appraisals/appraisal/")
    assert step_two(client, current_code(device)).url == "/admin/appraisals/appraisal/"
    other, admin_device = Client(), device_create(user=cast.sysadmin)  # a code is used once
    step_one(other, "sysadmin", next_url="https://evil.example/")
    assert step_two(other, current_code(admin_device)).url == "/admin/"


# --- no way around step 2 ---------------------------------------------------------------

DESK_PAGES = [
    "/admin/",
    "/admin/appraisals/appraisal/",
    "/admin/organization/official/",
    "/admin/password_change/",
    "/django-rq/",
]
API_ENDPOINTS = ["/api/v1/me/", "/api/v1/officials/", "/api/v1/appraisals/", "/api/v1/inbox/"]


def test_after_the_password_alone_no_desk_page_nor_api_endpoint_opens(cast, client):
    device_create(user=cast.sysadmin)
    assert step_one(client, "sysadmin").url == CODE
    for url in DESK_PAGES:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(LOGIN), url
    api = APIClient()
    api.cookies = client.cookies  # the same half-signed-in session, through the API's session auth
    for url in API_ENDPOINTS:
        assert api.get(url).status_code in (401, 403), url
    assert api.post("/api/v1/auth/logout/").status_code in (401, 403)
    # Asking the token endpoint instead still needs the code.
    assert api.post("/api/v1/auth/token/", {"username": "sysadmin", "password": PASSWORD}).status_code == 400
    assert signed_in(client) is None


def test_step_one_signs_out_whoever_was_signed_in_on_that_browser(cast, client):
    device_create(user=cast.authority)
    client.force_login(cast.official)
    assert step_one(client, "authority").url == CODE
    assert signed_in(client) is None
    assert client.get("/admin/").url.startswith(LOGIN)


def test_a_waiting_session_signs_in_only_its_own_account(cast, client):
    """Step 1 as one account, then the code (and name) of another: refused; the name sent
    with the code is ignored, the session's account is the one signed in."""
    mine = device_create(user=cast.authority)
    theirs = device_create(user=cast.sysadmin)
    step_one(client, "authority")
    refused = step_two(client, current_code(theirs), username="sysadmin", user="sysadmin")
    assert refused.status_code == 200 and signed_in(client) is None
    accepted = step_two(client, current_code(mine), username="sysadmin")
    assert accepted.status_code == 302
    assert signed_in(client) == str(cast.authority.pk)


def test_a_waiting_session_cannot_be_carried_to_another_browser_after_it_ends(cast, client):
    """The step-1 cookie, replayed once its owner has signed in: the wait is over."""
    device = device_create(user=cast.authority)
    step_one(client, "authority")
    stolen = client.cookies["sessionid"].value
    step_two(client, current_code(device))
    thief = Client()
    thief.cookies["sessionid"] = stolen
    assert thief.get("/admin/").url.startswith(LOGIN)
    assert thief.get(CODE).url == LOGIN


def test_the_wait_expires(cast, client, monkeypatch):
    device = device_create(user=cast.authority)
    step_one(client, "authority")
    later = time.time() + twofactor.PENDING_TTL + 1
    monkeypatch.setattr(twofactor.time, "time", lambda: later)
    response = step_two(client, current_code(device))
    assert response.status_code == 302 and response.url == LOGIN
    assert signed_in(client) is None
    assert "Đã quá thời gian nhập mã" in client.get(LOGIN).content.decode()


def test_a_password_changed_meanwhile_ends_the_wait(cast, client):
    device = device_create(user=cast.authority)
    step_one(client, "authority")
    cast.authority.set_password("mot-mat-khau-moi-2026")
    cast.authority.save()
    assert step_two(client, current_code(device)).url == LOGIN
    assert signed_in(client) is None


def test_guessing_codes_locks_the_account_out(cast, client):
    """Each wrong code is a failed login for axes: the fifth locks, and then even the right
    code is refused, from a fresh password too."""
    device = device_create(user=cast.authority)
    step_one(client, "authority")
    statuses = [step_two(client, wrong_code(device)).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert AccessAttempt.objects.get(username="authority").failures_since_start == 5
    assert step_two(client, current_code(device)).url == LOGIN  # the wait ended with the lockout
    assert step_one(client, "authority").status_code == 429
    assert signed_in(client) is None


def test_each_password_allows_a_few_codes_even_without_axes(cast, client, settings):
    settings.AXES_ENABLED = False
    device = device_create(user=cast.authority)
    step_one(client, "authority")
    for _ in range(twofactor.PENDING_ATTEMPTS - 1):
        assert step_two(client, wrong_code(device)).status_code == 200
    last = step_two(client, wrong_code(device))
    assert last.status_code == 302 and last.url == LOGIN
    assert step_two(client, current_code(device)).url == LOGIN
    assert signed_in(client) is None
    assert "sai mã quá nhiều lần" in client.get(LOGIN).content.decode()


def test_a_code_cannot_be_used_twice(cast, client):
    device = device_create(user=cast.authority)
    step_one(client, "authority")
    code = current_code(device)
    assert step_two(client, code).status_code == 302
    again = Client()
    step_one(again, "authority")
    current_code(device)  # the device as saved (its last used step), throttling reset
    assert step_two(again, code).status_code == 200
    assert signed_in(again) is None
