"""Permissions from roles: a user holds the Django permissions of each role's group.

Role groups (named by role code) and their permissions are data in
``fixtures/base/roles.yaml``; org-chart roles (official, deputy, head) come from the
user's current assignments, so nobody has to keep group membership in sync by hand.
Row-level scope is not decided here but in :mod:`thanhhoa_kpi.accounts.access`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from thanhhoa_kpi.accounts.access import scope_for

_PERM_CACHE = "_kpi_role_perms"


class RoleBackend(ModelBackend):
    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cached = getattr(user_obj, _PERM_CACHE, None)
        if cached is None:
            roles = scope_for(user_obj).roles
            rows = Permission.objects.filter(group__name__in=roles).values_list("content_type__app_label", "codename")
            cached = {f"{app}.{code}" for app, code in rows} | super().get_group_permissions(user_obj)
            setattr(user_obj, _PERM_CACHE, cached)
        return cached
