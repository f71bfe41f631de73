"""Two-factor login for admins and authorities (SPEC 9), with django-otp TOTP devices.

Who must use it: system admins, HR admins and bloc authorities (they change master data or
publish results). With ``OTP_ENFORCE`` on (the production default) such a user without a
confirmed device cannot sign in. Whoever has a confirmed device — whatever their role and
whatever ``OTP_ENFORCE`` says — gives its 6-digit code on every way in: the API's token
endpoint takes it with the password; the desk asks for it on a second page, only of those
accounts. A wrong code counts as a failed login for axes.

The desk's second step (:func:`pending_begin` … :func:`pending_verify`): once the password
is right, the session holds only *which* account is half-signed-in — never Django's login
keys — for :data:`PENDING_TTL` seconds and :data:`PENDING_ATTEMPTS` codes; nothing signs
the session in before the code matches the device of that very account.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_login_failed
from django.utils.crypto import constant_time_compare
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from thanhhoa_kpi.accounts.access import scope_for
from thanhhoa_kpi.accounts.roles import Role

TWO_FACTOR_ROLES = {Role.SYSTEM_ADMIN.value, Role.HR_ADMIN.value, Role.BLOC_AUTHORITY.value}


def requires_two_factor(user: Any) -> bool:
    return bool(user.is_superuser or TWO_FACTOR_ROLES & scope_for(user).roles)


NO_DEVICE = "Tài khoản quản trị phải có thiết bị xác thực hai lớp; hãy liên hệ quản trị hệ thống."
CODE_MISSING = "Hãy nhập mã xác thực hai lớp (6 chữ số) từ ứng dụng xác thực."
CODE_WRONG = "Mã xác thực hai lớp không đúng hoặc đã hết hạn."


def has_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def missing_device(user: Any) -> str | None:
    """The reason an account may not sign in at all: it must use a second factor
    (``OTP_ENFORCE`` and its role) but has no device yet."""
    if settings.OTP_ENFORCE and requires_two_factor(user) and not has_device(user):
        return NO_DEVICE
    return None


def check_second_factor(user: Any, token: str) -> str | None:
    """None when the login may proceed, else the Vietnamese reason to show on the form."""
    if not has_device(user):
        return missing_device(user)
    if not token.strip():
        return CODE_MISSING
    if match_token(user, token.strip()) is None:
        return CODE_WRONG
    return None


def second_factor_failed(*, request: Any, username: str) -> None:
    """Count a refused second factor as a failed login, so axes locks out code guessing
    exactly as it locks out password guessing (its receiver of ``user_login_failed``)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def is_locked_out(request: Any, username: str) -> bool:
    """Whether axes locks this username out from this client (wrong passwords or codes)."""
    from axes.handlers.proxy import AxesProxyHandler

    return bool(settings.AXES_ENABLED) and not AxesProxyHandler.is_allowed(request, {"username": username})


def device_create(*, user: Any, name: str = "Ứng dụng xác thực") -> TOTPDevice:
    """A confirmed TOTP device; its ``config_url`` goes into an authenticator app."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)


# --- The desk's second step: a half-signed-in session ----------------------------------

PENDING_KEY = "_kpi_second_factor"
PENDING_TTL = 5 * 60  # seconds from the right password to the code
PENDING_ATTEMPTS = 5  # codes per password; axes also counts each wrong one

EXPIRED = "Đã quá thời gian nhập mã xác thực; vui lòng đăng nhập lại."
TOO_MANY = "Đã nhập sai mã quá nhiều lần; vui lòng đăng nhập lại."


@dataclass(frozen=True)
class Pending:
    """The account waiting for its code, as read back from the session."""

    user: Any
    backend: str
    next_url: str
    attempts_left: int


def pending_begin(request: Any, user: Any, *, next_url: str) -> None:
    """After the right password of an account with a device: remember it, unsigned.

    Whoever was signed in on this browser is signed out first, and the session gets a new
    key, so a half-signed-in session never carries anyone's login."""
    if request.user.is_authenticated:
        logout(request)
    else:
        request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": str(user.pk),
        "backend": getattr(user, "backend", ""),
        # A password changed meanwhile (or the account switched off) ends the wait.
        "hash": user.get_session_auth_hash(),
        "since": int(time.time()),
        "attempts": 0,
        "next": next_url,
    }


def pending_clear(request: Any) -> None:
    request.session.pop(PENDING_KEY, None)


def pending_read(request: Any) -> Pending | str | None:
    """The waiting account; the Vietnamese reason when the wait is over; None without one.

    An expired, exhausted or no longer valid wait is cleared here."""
    state = request.session.get(PENDING_KEY)
    if not isinstance(state, dict):
        return None
    user = get_user_model().objects.filter(pk=state.get("user"), is_active=True).first()
    if time.time() - int(state.get("since", 0)) > PENDING_TTL:
        reason: str | None = EXPIRED
    elif int(state.get("attempts", 0)) >= PENDING_ATTEMPTS:
        reason = TOO_MANY
    elif user is None or not constant_time_compare(state.get("hash", ""), user.get_session_auth_hash()):
        reason = EXPIRED
    else:
        reason = None
    if reason:
        pending_clear(request)
        return reason
    return Pending(
        user=user,
        backend=state.get("backend", ""),
        next_url=state.get("next", ""),
        attempts_left=PENDING_ATTEMPTS - int(state.get("attempts", 0)),
    )


def pending_verify(request: Any, pending: Pending, token: str) -> Any:
    """The device when ``token`` is the waiting account's current code; else None, the
    attempt counted in the session and, for axes, as a failed login of that account."""
    device = match_token(pending.user, token.strip()) if token.strip() else None
    if device is not None:
        return device
    state = request.session[PENDING_KEY]
    request.session[PENDING_KEY] = {**state, "attempts": int(state.get("attempts", 0)) + 1}
    second_factor_failed(request=request, username=pending.user.get_username())
    return None
