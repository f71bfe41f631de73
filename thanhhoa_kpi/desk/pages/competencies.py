"""Desk pages for competency frameworks: competencies with levels, requirements.

The framework is shared by the whole province: only province admins add, change or delete
it (``access.province_only`` for changes, :func:`competencies.services.may_edit` for adds).
"""

from typing import Any

from django.http import HttpRequest
from unfold.admin import StackedInline, TabularInline

from thanhhoa_kpi.competencies import services
from thanhhoa_kpi.competencies.models import Competency, CompetencyFramework, PositionRequirement, ProficiencyLevel
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.navigation import HR, item


class CompetencyInline(StackedInline):
    model = Competency
    extra = 0
    fields = ["code", "name", "kind"]
    tab = True
    show_change_link = True


class LevelInline(TabularInline):
    model = ProficiencyLevel
    extra = 0
    max_num = 5


class ProvinceOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and services.may_edit(request.user)


class CompetencyFrameworkAdmin(ProvinceOnlyAdmin):
    list_display = ["name", "code", "version", "effective_from", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    inlines = [CompetencyInline]


class CompetencyAdmin(ProvinceOnlyAdmin):
    list_display = ["code", "name", "kind", "framework"]
    list_filter = ["kind", "framework"]
    search_fields = ["code", "name"]
    inlines = [LevelInline]


class PositionRequirementAdmin(ProvinceOnlyAdmin):
    list_display = ["position", "competency", "required_level", "framework"]
    list_filter = ["framework", "required_level"]
    search_fields = ["position__name", "competency__name"]
    autocomplete_fields = ["position"]
    list_select_related = ["position", "competency", "framework"]


NAVIGATION = [
    (
        30,
        "Vị trí việc làm và năng lực",
        [
            item(
                "Khung năng lực",
                "psychology",
                "competencies_competencyframework",
                "competencies.view_competencyframework",
                who=[HR],
                rank=30,
            ),
            item(
                "Yêu cầu năng lực theo vị trí",
                "rule",
                "competencies_positionrequirement",
                "competencies.view_positionrequirement",
                who=[HR],
                rank=40,
            ),
        ],
    )
]


def register(site: Any) -> None:
    site.register(CompetencyFramework, CompetencyFrameworkAdmin)
    site.register(Competency, CompetencyAdmin)
    site.register(PositionRequirement, PositionRequirementAdmin)
