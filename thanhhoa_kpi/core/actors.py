"""The acting user of writes that no person makes: fixture loaders, seed/demo commands, patches.

Every write service takes the acting user and checks its rights (STYLE 5). Loaders and
management commands have no user, so they pass :data:`SYSTEM` explicitly. It is a
sentinel, not a user: it is never authenticated, so the access module gives it an empty
scope, and only a service that asks :func:`is_system` lets it through. A request always
carries ``request.user`` (a real or anonymous user, never this object), so no desk page or
API call can act as the system; ``None`` is not accepted as "system" either, so a caller
that forgets the user is refused instead of being trusted.
"""

from __future__ import annotations

from typing import Any, Final


class SystemActor:
    """Fixture loaders, seed/demo commands and data patches (never reachable from a request)."""

    pk = None
    id = None
    username = "system"
    is_active = True
    is_authenticated = False  # so access.scope_for gives it no scope at all
    is_anonymous = False
    is_superuser = False
    is_staff = False

    def __repr__(self) -> str:
        return "SYSTEM"

    def get_full_name(self) -> str:
        return "Hệ thống"

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False


SYSTEM: Final = SystemActor()


def is_system(user: Any) -> bool:
    return user is SYSTEM
