"""Desk pages of the inbound API (issue 15, item 2; docs/integrations.md).

- «Đề xuất từ hệ thống nghiệp vụ» (the official's work-log area): their own proposed lines,
  each confirmed or rejected in one click (POST; the services check the owner).
- The HR queue: the events list, opened on what waits (unknown handler, no rule); an HR
  admin names the handler and/or the item on the event's page (the service matches it again
  and checks the scope), or re-matches selected events after adding a rule.
- Matching rules (HR admins) and sending systems (province admins), with «Đổi khóa bí mật»:
  the new secret is shown once, the old one stays valid for ``SECRET_GRACE``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from unfold.decorators import action

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.errors import DomainError
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.confirm import confirm_first
from thanhhoa_kpi.desk.navigation import HR, MINE, item
from thanhhoa_kpi.desk.service_forms import ServiceForm, adopt, with_request
from thanhhoa_kpi.integrations import selectors, services
from thanhhoa_kpi.integrations.models import (
    SECRET_GRACE,
    WAITING_FOR_HR,
    EventStatus,
    InboundEvent,
    IntegrationSource,
    MatchingRule,
)
from thanhhoa_kpi.organization.models import Official

GRACE_HOURS = int(SECRET_GRACE.total_seconds() // 3600)


def _secret_page(request: HttpRequest, model_admin: Any, source: IntegrationSource, secret: str) -> HttpResponse:
    context = {
        **model_admin.admin_site.each_context(request), "title": f"Khóa bí mật của {source.name}",
        "source": source, "secret": secret, "grace_hours": GRACE_HOURS, "opts": IntegrationSource._meta,
        "events_path": reverse("integration-events", args=[source.code]),
    }  # fmt: skip
    return render(request, "integrations/secret.html", context)


class IntegrationSourceAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "active", "rotated_at", "previous_valid_until"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "kind", "active", "rotated_at", "previous_valid_until"]
    readonly_fields = ["rotated_at", "previous_valid_until"]
    actions_detail = ["rotate_secret"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", *self.readonly_fields] if obj else list(self.readonly_fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and access.is_province_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a source with events is kept; stop it with «Đang nhận sự kiện»

    def has_rotate_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return access.is_province_admin(request.user)

    def response_add(self, request: HttpRequest, obj: IntegrationSource, post_url_continue: Any = None) -> HttpResponse:
        # The secret made with the source is shown once, here, and never again.
        return _secret_page(request, self, obj, obj.secret)

    @action(description="Đổi khóa bí mật", icon="key", permissions=["rotate"], url_path="rotate-secret")
    def rotate_secret(self, request: HttpRequest, object_id: Any) -> HttpResponse:
        source = get_object_or_404(self.get_queryset(request), pk=object_id)
        back = reverse("admin:integrations_integrationsource_change", args=[source.pk])

        def act() -> HttpResponse:
            try:
                secret = services.source_rotate_secret(source=source, user=request.user)
            except DomainError as error:
                self.report_domain_error(request, error)
                return HttpResponseRedirect(back)
            source.refresh_from_db()
            return _secret_page(request, self, source, secret)

        return confirm_first(
            request, self, title=f"Đổi khóa bí mật — {source.name}", confirm_label="Đổi khóa", back_url=back,
            question=f"Tạo khóa bí mật mới cho {source.name}?",
            detail=f"Khóa mới chỉ hiện một lần. Khóa hiện tại vẫn được chấp nhận thêm {GRACE_HOURS} giờ để hệ thống "
            "gửi kịp chuyển sang khóa mới; sau đó chỉ khóa mới hợp lệ.", act=act,
        )  # fmt: skip


class MatchingRuleAdmin(ScopedAdmin):
    list_display = ["source", "key", "catalogue_item", "minutes", "active", "note"]
    list_filter = ["source", "active"]
    search_fields = ["key", "catalogue_item__code", "catalogue_item__task", "note"]
    list_select_related = ["source", "catalogue_item"]
    autocomplete_fields = ["catalogue_item"]


class QueueFilter(admin.SimpleListFilter):
    title = "hàng chờ"
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("waiting", "Chờ quản trị nhân sự xử lý"), ("proposed", "Chờ cán bộ xác nhận")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "waiting":
            return queryset.filter(status__in=WAITING_FOR_HR)
        if self.value() == "proposed":
            return queryset.filter(status=EventStatus.PROPOSED)
        return queryset


class EventAssignForm(ServiceForm):
    """HR names the handler and/or the item; the service checks the scope and matches again."""

    class Meta:
        model = InboundEvent
        fields = ["official", "catalogue_item"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "official" in self.fields:
            self.fields["official"].queryset = access.writable(Official.objects.all(), self.request.user)
            self.fields["official"].help_text = "Người xử lý trong phạm vi quản lý của bạn."
        if "catalogue_item" in self.fields:
            self.fields["catalogue_item"].help_text = "Để trống: đối chiếu lại theo quy tắc."

    def call(self, data: dict[str, Any]) -> Model:
        official = data.get("official")
        return services.event_assign(
            event=self.instance, user=self.request.user,
            official=official if official is not None and official.pk != self.instance.official_id else None,
            catalogue_item=data.get("catalogue_item"),
        )  # fmt: skip


class InboundEventAdmin(ScopedAdmin):
    form = EventAssignForm
    list_display = ["date", "source", "document_kind", "document_number", "type_code", "handler", "status",
                    "catalogue_item"]  # fmt: skip
    list_filter = [QueueFilter, "status", "source", "document_kind", "date"]
    search_fields = ["document_number", "title", "handler_code", "handler_email", "official__full_name", "type_code"]
    list_select_related = ["source", "official", "catalogue_item"]
    autocomplete_fields = ["catalogue_item"]
    date_hierarchy = "date"
    actions = ["rematch_selected"]
    fieldsets = [
        ("Xử lý", {"fields": ["status", "official", "catalogue_item", "minutes", "line"]}),
        ("Sự kiện", {"fields": ["source", "event_id", "document_kind", "document_number", "type_code", "date",
                                "handler_code", "handler_email", "on_time", "quantity", "title", "link"]}),
        ("Quyết định của cán bộ", {"fields": ["decided_by", "decided_at", "reject_reason"]}),
    ]  # fmt: skip
    EVENT_FIELDS = ["status", "minutes", "line", "source", "event_id", "document_kind", "document_number", "type_code",
                    "date", "handler_code", "handler_email", "on_time", "quantity", "title", "link", "decided_by",
                    "decided_at", "reject_reason"]  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return selectors.event_list(user=request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.waits_for_hr and self.has_change_permission(request, obj):
            return list(self.EVENT_FIELDS)
        return [*self.EVENT_FIELDS, "official", "catalogue_item"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return with_request(request, super().get_form(request, obj, change, **kwargs))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # events arrive through the API only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # kept: the idempotency key answers repeats

    def save_model(self, request: HttpRequest, obj: InboundEvent, form: Any, change: bool) -> None:
        adopt(obj, form)  # the form's clean already called services.event_assign

    @admin.display(description="Người xử lý")
    def handler(self, obj: InboundEvent) -> str:
        return obj.official.full_name if obj.official else (obj.handler_code or obj.handler_email)

    @admin.action(description="Đối chiếu lại theo quy tắc", permissions=["change"])
    def rematch_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        proposed = services.events_rematch(user=request.user, events=list(queryset))
        self.message_user(request, f"Đã đối chiếu lại; {proposed} sự kiện thành đề xuất cho cán bộ.", messages.SUCCESS)

    def get_custom_urls(self) -> tuple:
        return (
            ("proposals/", "integrations_proposals", proposals_view),
            ("proposals/<int:pk>/confirm/", "integrations_proposal_confirm", proposal_confirm_view),
            ("proposals/<int:pk>/reject/", "integrations_proposal_reject", proposal_reject_view),
        )


# ------------------------------------------------------------------ the official's page


def proposals_view(request: HttpRequest, model_admin: Any) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if access.scope_for(request.user).official_id is None:
        messages.info(request, "Tài khoản của bạn chưa gắn với hồ sơ cán bộ nên không có đề xuất nào.")
        return HttpResponseRedirect(reverse("admin:index"))
    rows = selectors.proposals_of(user=request.user)
    waiting = list(rows.filter(status=EventStatus.PROPOSED)[:200])
    decided = list(rows.exclude(status=EventStatus.PROPOSED)[:30])
    context = {
        **model_admin.admin_site.each_context(request), "title": "Đề xuất từ hệ thống nghiệp vụ",
        "waiting": waiting, "decided": decided,
    }  # fmt: skip
    return render(request, "integrations/proposals.html", context)


def _decide(request: HttpRequest, pk: int, decide: Any, done: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    event = selectors.own_proposal(user=request.user, pk=pk)
    if event is None:
        raise Http404("Không tìm thấy đề xuất của bạn.")
    try:
        decide(event)
    except DomainError as error:
        details = "; ".join(e.message for e in error.errors if e.message != error.message)
        messages.error(request, f"{error.message} {details}".strip())
    else:
        messages.success(request, done.format(event=event, day=timezone.localdate()))
    return HttpResponseRedirect(reverse("admin:integrations_proposals"))


def proposal_confirm_view(request: HttpRequest, model_admin: Any, pk: int) -> HttpResponse:
    return _decide(request, pk, lambda e: services.proposal_confirm(event=e, user=request.user),
                   "Đã ghi vào nhật ký: {event}.")  # fmt: skip


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)


def proposal_reject_view(request: HttpRequest, model_admin: Any, pk: int) -> HttpResponse:
    form = RejectForm(request.POST or None)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _decide(request, pk, lambda e: services.proposal_reject(event=e, user=request.user, reason=reason),
                   "Đã từ chối đề xuất: {event}.")  # fmt: skip


NAVIGATION = [
    (
        1,
        "Việc của tôi",
        [
            item(
                "Đề xuất từ hệ thống nghiệp vụ",
                "move_to_inbox",
                "",
                None,
                who=[MINE],
                url="admin:integrations_proposals",
                rank=14,
            )
        ],  # fmt: skip
    ),
    (
        87,
        "Kết nối hệ thống nghiệp vụ",
        [
            item(
                "Sự kiện chờ xử lý",
                "pending_actions",
                "integrations_inboundevent",
                "integrations.view_inboundevent",
                who=[HR],
                query={"queue": "waiting"},
                rank=10,
            ),  # fmt: skip
            item(
                "Quy tắc đối chiếu sự kiện",
                "rule",
                "integrations_matchingrule",
                "integrations.view_matchingrule",
                who=[HR],
                rank=20,
            ),  # fmt: skip
            item(
                "Hệ thống gửi sự kiện",
                "hub",
                "integrations_integrationsource",
                "integrations.view_integrationsource",
                who=[HR],
                rank=30,
            ),  # fmt: skip
        ],
    ),
]


def register(site: Any) -> None:
    site.register(IntegrationSource, IntegrationSourceAdmin)
    site.register(MatchingRule, MatchingRuleAdmin)
    site.register(InboundEvent, InboundEventAdmin)
