"""Two-factor login for admins and authorities (SPEC 9), with django-otp TOTP devices.

Who must use it: system admins, HR admins and bloc authorities (they change master data or
publish results). With ``OTP_ENFORCE`` on (the production default) such a user without a
confirmed device cannot sign in. Whoever has a confirmed device — whatever their role and
whatever ``OTP_ENFORCE`` says — gives its 6-digit code on every way in: the desk's login
form and the API's token endpoint. A wrong code counts as a failed login for axes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from thanhhoa_kpi.accounts.access import scope_for
from thanhhoa_kpi.accounts.roles import Role

TWO_FACTOR_ROLES = {Role.SYSTEM_ADMIN.value, Role.HR_ADMIN.value, Role.BLOC_AUTHORITY.value}


def requires_two_factor(user: Any) -> bool:
    return bool(user.is_superuser or TWO_FACTOR_ROLES & scope_for(user).roles)


def check_second_factor(user: Any, token: str) -> str | None:
    """None when the login may proceed, else the Vietnamese reason to show on the form."""
    has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if not has_device:
        if settings.OTP_ENFORCE and requires_two_factor(user):
            return "Tài khoản quản trị phải có thiết bị xác thực hai lớp; hãy liên hệ quản trị hệ thống."
        return None
    if not token.strip():
        return "Hãy nhập mã xác thực hai lớp (6 chữ số) từ ứng dụng xác thực."
    if match_token(user, token.strip()) is None:
        return "Mã xác thực hai lớp không đúng hoặc đã hết hạn."
    return None


def second_factor_failed(*, request: Any, username: str) -> None:
    """Count a refused second factor as a failed login, so axes locks out code guessing
    exactly as it locks out password guessing (its receiver of ``user_login_failed``)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def device_create(*, user: Any, name: str = "Ứng dụng xác thực") -> TOTPDevice:
    """A confirmed TOTP device; its ``config_url`` goes into an authenticator app."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)
