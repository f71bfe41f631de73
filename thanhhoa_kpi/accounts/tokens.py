"""API tokens that expire and can be revoked.

DRF's ``Token`` lives for ever and survives a password change. Here a token is refused
once it is older than ``settings.API_TOKEN_TTL`` seconds or older than the user's last
password change (``User.password_changed_at``, set on every ``set_password`` + save,
whatever the path: desk form, command, service). A login issues a fresh token (the old
one is deleted), and logging out deletes it. A refused token is deleted too, so a stale
key never comes back to life.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

EXPIRED_MESSAGE = "Mã truy cập (token) đã hết hạn hoặc đã bị thu hồi; hãy đăng nhập lại."


def token_is_current(token: Token, *, now: Any = None) -> bool:
    now = now or timezone.now()
    if token.created < now - timedelta(seconds=settings.API_TOKEN_TTL):
        return False
    changed = getattr(token.user, "password_changed_at", None)
    return not (changed is not None and token.created < changed)


@transaction.atomic
def token_issue(*, user: Any) -> Token:
    """A new token for ``user``; the one issued before (if any) stops working."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def token_revoke(*, user: Any) -> int:
    """Delete the user's tokens (logout); returns how many were deleted."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, refused when expired or issued before a password change."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if not token_is_current(token):
            token.delete()
            raise AuthenticationFailed(EXPIRED_MESSAGE, code="token_expired")
        return user, token
