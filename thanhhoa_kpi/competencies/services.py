"""Writes of competency frameworks: the shared, province-wide framework (SPEC 3.4).

A framework, its competencies, levels and position requirements are used by every unit
of the province, so only province admins change them (``access.province_only``, registered
in ``apps.py``); a ward's or a bloc's HR admin is refused here, whatever the adapter (desk,
API, Excel import). Fixture loaders pass :data:`thanhhoa_kpi.core.actors.SYSTEM`.
"""

from __future__ import annotations

from typing import Any

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.actors import is_system
from thanhhoa_kpi.core.errors import PermissionRefused

REFUSAL = "Khung năng lực dùng chung toàn tỉnh: chỉ quản trị cấp tỉnh được thêm, sửa, xóa."


def may_edit(user: Any) -> bool:
    return is_system(user) or access.is_province_admin(user)


def require_editor(user: Any) -> None:
    if not may_edit(user):
        raise PermissionRefused(REFUSAL, code="PROVINCE_LEVEL_ONLY")
