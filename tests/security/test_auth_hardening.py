"""Issue 9, findings 4 and 6: the second factor on the API, expiring and revocable tokens,
idle desk sessions, and a lockout by username + client address that a proxy cannot turn
against a whole office nor a rotated ``X-Forwarded-For`` escape."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.utils import timezone
from django_otp.oath import totp
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.views import APIView

from tests.factories.cast import PASSWORD
from thanhhoa_kpi.accounts.client import client_address
from thanhhoa_kpi.accounts.middleware import IDLE_MESSAGE, LAST_SEEN_KEY
from thanhhoa_kpi.accounts.tokens import ExpiringTokenAuthentication
from thanhhoa_kpi.accounts.twofactor import device_create
from thanhhoa_kpi.api.views import LoginThrottle

pytestmark = pytest.mark.django_db

TOKEN_CLASS = "thanhhoa_kpi.accounts.tokens.ExpiringTokenAuthentication"
IDLE_MIDDLEWARE = "thanhhoa_kpi.accounts.middleware.IdleSessionTimeoutMiddleware"
CLIENT_IP_CALLABLE = "thanhhoa_kpi.accounts.client.client_address"
LOCKOUT_CALLABLE = "thanhhoa_kpi.accounts.lockout.lockout_response"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def hardened(settings, monkeypatch):
    """The settings this module's features need (docs: the lead's settings.py lines). Where
    settings.py already names them nothing is patched, so the real configuration is tested."""
    if TOKEN_CLASS not in django_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]:
        # DRF binds its authentication classes when the views are imported.
        monkeypatch.setattr(
            APIView, "get_authenticators", lambda self: [ExpiringTokenAuthentication(), SessionAuthentication()]
        )
    if IDLE_MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(middleware.index("django.contrib.messages.middleware.MessageMiddleware") + 1, IDLE_MIDDLEWARE)
        settings.MIDDLEWARE = middleware
    settings.AXES_CLIENT_IP_CALLABLE = getattr(django_settings, "AXES_CLIENT_IP_CALLABLE", None) or CLIENT_IP_CALLABLE
    settings.AXES_LOCKOUT_CALLABLE = getattr(django_settings, "AXES_LOCKOUT_CALLABLE", None) or LOCKOUT_CALLABLE
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.TRUSTED_PROXY_COUNT = 0
    # Many logins per test from one address: the throttle has its own test below.
    monkeypatch.setattr(LoginThrottle, "THROTTLE_RATES", {"login": "1000/min"})


def current_code(device):
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows retries after a failure; a real user waits
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code(device):
    return "000000" if current_code(device) != "000000" else "111111"


def api_login(username, password=PASSWORD, *, addr="203.0.113.10", xff=None, **extra):
    meta = {"REMOTE_ADDR": addr}
    if xff:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return APIClient().post(TOKEN_URL, {"username": username, "password": password, **extra}, format="json", **meta)


def desk_login(client, username, password=PASSWORD, *, addr="203.0.113.10", xff=None):
    meta = {"REMOTE_ADDR": addr}
    if xff:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password, "next": "/admin/"}, **meta
    )


def with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_settings_wire_the_hardening():
    """settings.py names the classes these tests otherwise patch in (the lead's lines)."""
    assert TOKEN_CLASS in django_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert (
        "rest_framework.authentication.TokenAuthentication"
        not in (django_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"])
    )
    assert IDLE_MIDDLEWARE in django_settings.MIDDLEWARE
    assert "thanhhoa_kpi.core.outage.ServiceUnavailableMiddleware" in django_settings.MIDDLEWARE
    assert django_settings.AXES_CLIENT_IP_CALLABLE == CLIENT_IP_CALLABLE
    assert django_settings.AXES_LOCKOUT_CALLABLE == LOCKOUT_CALLABLE


# --- Second factor on the token endpoint (finding 4) ---------------------------------


def test_the_token_endpoint_refuses_an_authority_with_a_device_without_its_code(cast):
    device_create(user=cast.authority)
    response = api_login("authority")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "ERROR" and body["code"] == "SECOND_FACTOR_REQUIRED"
    assert [e["field"] for e in body["errors"]] == ["otp_token"]
    assert "mã xác thực hai lớp" in body["message"]
    assert not Token.objects.filter(user=cast.authority).exists()


def test_the_token_endpoint_refuses_a_wrong_code_and_accepts_the_right_one(cast):
    device = device_create(user=cast.authority)
    refused = api_login("authority", otp_token=wrong_code(device))
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "otp_token"
    accepted = api_login("authority", otp_token=current_code(device))
    assert accepted.status_code == 200
    assert accepted.json()["token"] == Token.objects.get(user=cast.authority).key


def test_anyone_with_a_device_gives_the_code_even_when_2fa_is_not_enforced(cast, settings):
    settings.OTP_ENFORCE = False
    device_create(user=cast.official)
    assert api_login("official").status_code == 400
    assert api_login("official").json()["errors"][0]["field"] == "otp_token"


def test_an_admin_without_a_device_gets_no_token_when_2fa_is_enforced(cast, settings):
    settings.OTP_ENFORCE = True
    response = api_login("sysadmin")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "otp_token"
    assert api_login("official").status_code == 200  # an official needs no second factor


def test_wrong_codes_count_towards_the_lockout(cast):
    device = device_create(user=cast.authority)
    codes = [api_login("authority", otp_token=wrong_code(device)).status_code for _ in range(5)]
    assert codes == [400, 400, 400, 400, 429]  # the fifth failure locks
    locked = api_login("authority", otp_token=current_code(device))
    assert locked.status_code == 429
    assert locked.json()["code"] == "LOCKED_OUT"
    assert not Token.objects.filter(user=cast.authority).exists()


def test_a_wrong_code_on_the_desk_counts_towards_the_lockout(cast, client):
    """The desk asks for the code on its second page (after the password)."""
    device = device_create(user=cast.authority)
    assert desk_login(client, "authority").url == "/admin/login/code/"
    for _ in range(5):
        client.post("/admin/login/code/", {"otp_token": wrong_code(device)}, REMOTE_ADDR="203.0.113.10")
    assert AccessAttempt.objects.get(username="authority").failures_since_start == 5


# --- Expiring, revocable tokens (finding 6) -------------------------------------------


def test_a_login_issues_a_fresh_token_and_the_old_one_stops_working(cast):
    first = api_login("official").json()["token"]
    second = api_login("official").json()["token"]
    assert first != second
    assert with_token(first).get("/api/v1/me/").status_code == 401
    assert with_token(second).get("/api/v1/me/").status_code == 200


def test_a_token_older_than_its_lifetime_is_refused_and_deleted(cast, settings):
    key = api_login("official").json()["token"]
    settings.API_TOKEN_TTL = 3600
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(seconds=3601))
    response = with_token(key).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "AUTHENTICATION_FAILED"
    assert not Token.objects.filter(key=key).exists()


def test_a_token_within_its_lifetime_works(cast, settings):
    key = api_login("official").json()["token"]
    settings.API_TOKEN_TTL = 3600
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(seconds=3500))
    assert with_token(key).get("/api/v1/me/").status_code == 200


def test_logout_revokes_the_token(cast):
    key = api_login("official").json()["token"]
    client = with_token(key)
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert not Token.objects.filter(key=key).exists()
    assert client.get("/api/v1/me/").status_code == 401


def test_logout_without_credentials_is_refused(cast):
    response = APIClient().post("/api/v1/auth/logout/")
    assert response.status_code in (401, 403) and response.json()["status"] == "ERROR"


@pytest.mark.parametrize("update_fields", [None, ["password"]])
def test_a_password_change_revokes_every_token(cast, update_fields):
    key = api_login("official").json()["token"]
    user = cast.official
    user.set_password("a-new-long-password-2026")
    user.save(update_fields=update_fields)
    assert with_token(key).get("/api/v1/me/").status_code == 401
    fresh = api_login("official", "a-new-long-password-2026").json()["token"]
    assert with_token(fresh).get("/api/v1/me/").status_code == 200


def test_a_hash_upgrade_at_login_is_not_a_password_change(cast):
    user = cast.official
    assert user.check_password(PASSWORD)
    before = type(user).objects.get(pk=user.pk).password_changed_at
    user.set_password(PASSWORD)
    user._password = None  # what check_password's upgrade setter does before saving
    user.save(update_fields=["password"])
    assert type(user).objects.get(pk=user.pk).password_changed_at == before


def test_a_password_change_ends_the_other_desk_sessions(cast, client):
    client.force_login(cast.official)
    assert client.get("/admin/").status_code == 200
    cast.official.set_password("a-new-long-password-2026")
    cast.official.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


# --- Idle desk sessions (finding 6) ----------------------------------------------------


def go_idle(client, seconds):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_an_idle_desk_session_is_signed_out_with_a_message(cast, client, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    client.force_login(cast.official)
    assert client.get("/admin/").status_code == 200
    go_idle(client, 1801)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/?next=")
    assert "_auth_user_id" not in client.session
    page = client.get(response.url)
    assert IDLE_MESSAGE in page.content.decode()


def test_a_recently_active_desk_session_stays_signed_in(cast, client, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    client.force_login(cast.official)
    go_idle(client, 1700)
    assert client.get("/admin/").status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 5  # the clock restarts


def test_an_idle_session_on_the_api_answers_401_with_the_spec_body(cast, client, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    client.force_login(cast.official)
    assert client.get("/api/v1/me/").status_code == 200
    go_idle(client, 1801)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {"status": "ERROR", "code": "SESSION_EXPIRED", "message": IDLE_MESSAGE, "errors": []}


def test_a_token_call_is_not_refused_for_an_idle_session_cookie(cast, client, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    key = api_login("official").json()["token"]
    client.force_login(cast.official)
    go_idle(client, 1801)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert client.get("/api/v1/me/").status_code == 401  # the idle session alone is refused


# --- Lockout by username + client address (finding 6) -------------------------------


def test_one_user_locked_on_the_desk_does_not_lock_out_the_office_behind_the_proxy(cast, client):
    codes = [desk_login(client, "official", "wrong-password").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]  # the fifth failure locks
    assert desk_login(client, "head").status_code == 302  # a colleague from the same address
    client.logout()
    locked = desk_login(client, "official")  # the right password, still locked
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_user_locked_on_the_api_does_not_lock_out_the_office(cast):
    codes = [api_login("official", "wrong-password").status_code for _ in range(5)]
    assert codes == [400, 400, 400, 400, 429]
    assert api_login("head").status_code == 200
    locked = api_login("official")
    assert locked.status_code == 429 and locked.json()["code"] == "LOCKED_OUT"


def test_a_successful_token_login_clears_the_failures_and_stamps_last_login(cast):
    for _ in range(4):
        api_login("official", "wrong-password")
    assert api_login("official").status_code == 200
    for _ in range(4):
        api_login("official", "wrong-password")
    assert api_login("official").status_code == 200  # 8 failures in all, never 5 in a row
    cast.official.refresh_from_db()
    assert cast.official.last_login is not None


def test_rotating_x_forwarded_for_does_not_escape_the_desk_lockout(cast, client):
    for n in range(5):
        desk_login(client, "official", "wrong-password", xff=f"198.51.100.{n}")
    locked = desk_login(client, "official", xff="198.51.100.99")
    assert locked.status_code == 429
    page = locked.content.decode()  # the desk's own Vietnamese page, not a bare line of text
    assert "Tạm khóa đăng nhập (429)" in page and "Về bàn làm việc" in page


def test_rotating_x_forwarded_for_does_not_escape_the_api_lockout(cast):
    for n in range(5):
        api_login("official", "wrong-password", xff=f"198.51.100.{n}")
    assert api_login("official", xff="198.51.100.99").status_code == 429


def test_behind_one_trusted_proxy_the_right_most_hop_is_the_client(cast, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for n in range(5):  # the attacker forges the left part; the proxy appends the real address
        desk_login(client, "official", "wrong-password", addr=proxy, xff=f"1.2.3.{n}, 192.0.2.7")
        api_login("official", "wrong-password", addr=proxy, xff=f"1.2.3.{n}, 192.0.2.8")
    assert desk_login(client, "official", addr=proxy, xff="9.9.9.9, 192.0.2.7").status_code == 429
    assert api_login("official", addr=proxy, xff="9.9.9.9, 192.0.2.8").status_code == 429
    # The same account from another client behind the same proxy is not locked.
    assert api_login("official", addr=proxy, xff="192.0.2.50").status_code == 200


@pytest.mark.parametrize(
    ("trusted", "xff", "expected"),
    [
        (0, "1.1.1.1, 2.2.2.2", "10.0.0.1"),
        (1, "1.1.1.1, 2.2.2.2", "2.2.2.2"),
        (2, "1.1.1.1, 2.2.2.2", "1.1.1.1"),
        (2, "2.2.2.2", "10.0.0.1"),  # fewer hops than proxies: the header proves nothing
        (1, "", "10.0.0.1"),
    ],
)
def test_the_client_address_reads_only_the_trusted_hops(settings, trusted, xff, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=xff)
    assert client_address(request) == expected
    assert LoginThrottle().get_ident(request) == expected


def test_the_login_throttle_ignores_a_rotated_forwarded_for(cast, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(LoginThrottle, "THROTTLE_RATES", {"login": "3/min"})
    addr = "203.0.113.77"
    cache.delete(LoginThrottle.cache_format % {"scope": "login", "ident": addr})
    codes = [api_login("nobody", "x", addr=addr, xff=f"198.51.100.{n}").status_code for n in range(4)]
    assert codes == [400, 400, 400, 429]
    cache.delete(LoginThrottle.cache_format % {"scope": "login", "ident": addr})
