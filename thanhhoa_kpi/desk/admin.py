"""Registers every desk page on the desk site (not on Django's default admin site)."""

from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from thanhhoa_kpi.accounts.models import RoleGrant, User
from thanhhoa_kpi.competencies.models import CompetencyFramework, PositionRequirement
from thanhhoa_kpi.core.models import AppliedPatch
from thanhhoa_kpi.desk import competency_admin, org_admin
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.sites import desk_site


class UserAdmin(BaseUserAdmin, ModelAdmin):
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


desk_site.register(User, UserAdmin)
desk_site.register(RoleGrant, RoleGrantAdmin)
desk_site.register(AppliedPatch, AppliedPatchAdmin)
org_admin.register(desk_site)
competency_admin.register(desk_site, CompetencyFramework, PositionRequirement)
