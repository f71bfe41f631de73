"""Desk pages of the plausibility checks' data (issue 15, item 1): the public holiday
calendar and the thresholds. Both hold for the whole province, so only province admins
add, change or delete them (``access.province_only``); HR admins and the viewer read them.
The flags themselves are shown in the review queue (desk/pages/worklogs.py) and the
built-in report ``kiem_tra_nhat_ky``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.navigation import HR, item
from thanhhoa_kpi.worklogs.models import PlausibilityThresholds, PublicHoliday


class PublicHolidayAdmin(ScopedAdmin):
    list_display = ["date", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and access.is_province_admin(request.user)


class PlausibilityThresholdsAdmin(ScopedAdmin):
    """One row: added once, then changed (the checks read the defaults until it exists)."""

    # One row: the search and filter every desk list has are of little use here.
    search_fields = ["working_day_minutes"]
    list_filter = ["updated_at"]
    list_display = ["__str__", "working_day_minutes", "burst_days", "burst_percent", "late_percent",
                    "rate_median_multiple", "self_registered_percent"]  # fmt: skip
    fieldsets = [
        ("Ngày làm việc", {"fields": ["working_day_minutes"]}),
        ("Trong tháng", {"fields": ["min_month_lines", "burst_days", "burst_percent", "late_percent",
                                    "self_registered_percent"]}),  # fmt: skip
        ("Năng suất so với nhóm nhiệm vụ tương đồng", {"fields": ["rate_median_multiple", "rate_min_peers",
                                                                  "rate_percentile", "percentile_min_peers"]}),
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        allowed = super().has_add_permission(request) and access.is_province_admin(request.user)
        return allowed and not PlausibilityThresholds.objects.exists()


NAVIGATION = [
    (
        86,
        "Cấu hình",
        [
            item(
                "Lịch nghỉ lễ, Tết",
                "event_busy",
                "worklogs_publicholiday",
                "worklogs.view_publicholiday",
                who=[HR],
                rank=40,
            ),
            item(
                "Ngưỡng kiểm tra nhật ký",
                "rule_settings",
                "worklogs_plausibilitythresholds",
                "worklogs.view_plausibilitythresholds",
                who=[HR],
                rank=45,
            ),
        ],
    )
]


def register(site: Any) -> None:
    site.register(PublicHoliday, PublicHolidayAdmin)
    site.register(PlausibilityThresholds, PlausibilityThresholdsAdmin)
