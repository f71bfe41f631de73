"""API permissions: reads follow the scope; writes need a writable scope (HR, system admin)."""

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from thanhhoa_kpi.accounts import access


class ScopedMasterData(BasePermission):
    message = "Bạn không có quyền thay đổi dữ liệu danh mục này."

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or access.can_write_master(request.user)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return request.method in SAFE_METHODS or access.can_change(request.user, obj)
