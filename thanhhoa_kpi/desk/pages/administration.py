"""Desk pages for users, role grants and applied patches."""

from typing import Any

from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from thanhhoa_kpi.accounts.models import RoleGrant, User
from thanhhoa_kpi.core.models import AppliedPatch
from thanhhoa_kpi.desk.base import FoldedSearchMixin, ScopedAdmin
from thanhhoa_kpi.desk.navigation import ADMIN, item


class UserAdmin(FoldedSearchMixin, BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_filter = ["is_active", "is_superuser", "role_grants__role"]


class RoleGrantAdmin(ScopedAdmin):
    list_display = ["user", "role", "bloc", "unit"]
    list_filter = ["role", "bloc"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]


class AppliedPatchAdmin(ModelAdmin):
    list_display = ["name", "applied_at"]
    search_fields = ["name"]
    list_filter = ["applied_at"]


NAVIGATION = [
    (
        90,
        "Quản trị",
        [
            item("Người dùng", "person", "accounts_user", "accounts.view_user", who=[ADMIN], rank=10),
            item(
                "Phân quyền vai trò",
                "admin_panel_settings",
                "accounts_rolegrant",
                "accounts.view_rolegrant",
                who=[ADMIN],
                rank=20,
            ),
            item("Bản vá dữ liệu", "build", "core_appliedpatch", "core.view_appliedpatch", who=[ADMIN], rank=30),
        ],
    )
]


def register(site: Any) -> None:
    site.register(User, UserAdmin)
    site.register(RoleGrant, RoleGrantAdmin)
    site.register(AppliedPatch, AppliedPatchAdmin)
