"""The audit trail on the desk: a read-only list for system admins and the chain check.

Entries are never added, changed or deleted here (nor anywhere: thanhhoa_kpi/audit); the
page «Kiểm tra chuỗi» walks both hash chains as ``manage.py verify_audit`` does and says
whether they are whole or where the first broken link is.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from thanhhoa_kpi.accounts.access import scope_for
from thanhhoa_kpi.audit.chain import verify
from thanhhoa_kpi.audit.models import AuditEntry
from thanhhoa_kpi.desk.navigation import ADMIN, item
from thanhhoa_kpi.desk.pages.worklogs import ReadOnlyPage


def _system_admin(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and scope_for(request.user).is_system_admin)


class AuditEntryAdmin(ReadOnlyPage, ModelAdmin):  # never added, changed or deleted, by anyone
    list_display = ["seq", "kind", "document", "actor", "recorded_at", "short_hash"]
    list_filter = ["kind", "document_type", "recorded_at"]
    search_fields = ["=document_id", "=seq", "hash"]
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    actions_list = ["verify_chain"]
    show_full_result_count = False  # a long trail: no second COUNT(*) per page

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _system_admin(request) and super().has_view_permission(request, obj)

    def has_verify_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    @display(description="Tài liệu")
    def document(self, obj: AuditEntry) -> str:
        return f"{obj.document_type} #{obj.document_id}"

    @display(description="Mã băm")
    def short_hash(self, obj: AuditEntry) -> str:
        return obj.hash[:12] + "…"

    @action(description="Kiểm tra chuỗi", icon="verified_user", permissions=["verify"], url_path="verify")
    def verify_chain(self, request: HttpRequest) -> HttpResponse:
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": "Kiểm tra chuỗi nhật ký kiểm toán",
            "opts": self.model._meta,
            "verdict": verify(),
        }
        return TemplateResponse(request, "desk/audit_verify.html", context)


NAVIGATION = [
    (
        90,
        "Quản trị",
        [item("Nhật ký kiểm toán", "fact_check", "audit_auditentry", "audit.view_auditentry", who=[ADMIN], rank=50)],
    )
]


def register(site: Any) -> None:
    site.register(AuditEntry, AuditEntryAdmin)
