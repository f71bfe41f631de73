"""The desk's sidebar, grouped by what people do rather than by app label."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse_lazy


def _perm(codename: str):
    def check(request: HttpRequest) -> bool:
        return request.user.has_perm(codename)

    return check


def _item(title: str, icon: str, url: str, perm: str) -> dict[str, Any]:
    return {"title": title, "icon": icon, "link": reverse_lazy(url), "permission": _perm(perm)}


def sidebar(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "title": "Tổ chức bộ máy",
            "collapsible": False,
            "items": [
                _item("Đơn vị", "account_tree", "admin:organization_orgunit_changelist", "organization.view_orgunit"),
                _item(
                    "Nhóm nhiệm vụ tương đồng",
                    "groups",
                    "admin:organization_similartaskgroup_changelist",
                    "organization.view_similartaskgroup",
                ),
                _item(
                    "Cơ quan phê duyệt của khối",
                    "verified",
                    "admin:organization_blocauthority_changelist",
                    "organization.view_blocauthority",
                ),
            ],
        },
        {
            "title": "Cán bộ, công chức, viên chức",
            "items": [
                _item("Hồ sơ cán bộ", "badge", "admin:organization_official_changelist", "organization.view_official"),
                _item(
                    "Quá trình công tác",
                    "work_history",
                    "admin:organization_officialassignment_changelist",
                    "organization.view_officialassignment",
                ),
                _item("Thời gian nghỉ", "beach_access", "admin:organization_leaveperiod_changelist", "organization.view_leaveperiod"),
            ],
        },
        {
            "title": "Vị trí việc làm và năng lực",
            "items": [
                _item("Vị trí việc làm", "work", "admin:organization_jobposition_changelist", "organization.view_jobposition"),
                _item(
                    "Khung năng lực",
                    "psychology",
                    "admin:competencies_competencyframework_changelist",
                    "competencies.view_competencyframework",
                ),
                _item(
                    "Yêu cầu năng lực theo vị trí",
                    "rule",
                    "admin:competencies_positionrequirement_changelist",
                    "competencies.view_positionrequirement",
                ),
            ],
        },
        {
            "title": "Quản trị",
            "items": [
                _item("Người dùng", "person", "admin:accounts_user_changelist", "accounts.view_user"),
                _item("Phân quyền vai trò", "admin_panel_settings", "admin:accounts_rolegrant_changelist", "accounts.view_rolegrant"),
                _item("Bản vá dữ liệu", "build", "admin:core_appliedpatch_changelist", "core.view_appliedpatch"),
            ],
        },
    ]
