"""The inbound API of the systems where the work is done, and the officials' proposals.

- ``POST /api/v1/integrations/{source}/events/``: authenticated by the source's HMAC
  signature only (no session, no token, so no CSRF), throttled per source and address.
  201 with the result for a new event, 200 with the very same answer (and
  ``Idempotent-Replayed: true``) for an event already received. The raw body is what is
  signed, so the view hands the bytes to :func:`thanhhoa_kpi.integrations.services.event_receive`.
- ``/api/v1/integration-proposals/``: the caller's own proposals; ``confirm`` and ``reject``
  act on one of them (others' proposals do not exist for the caller: 404).

The schema is documented in docs/integrations.md.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from thanhhoa_kpi.api import fastread
from thanhhoa_kpi.integrations import selectors, services
from thanhhoa_kpi.integrations.models import InboundEvent
from thanhhoa_kpi.integrations.payload import KINDS, QUANTITY_LIMIT

TIMESTAMP_HEADER = "X-KPI-Timestamp"
SIGNATURE_HEADER = "X-KPI-Signature"


class IntegrationThrottle(SimpleRateThrottle):
    """Per sending system and address (rate ``integrations`` in settings)."""

    scope = "integrations"

    def get_cache_key(self, request: Request, view: Any) -> str:
        source = str(view.kwargs.get("source", ""))[:40]
        return self.cache_format % {"scope": self.scope, "ident": f"{source}:{self.get_ident(request)}"}


EVENT_REQUEST = inline_serializer(
    "InboundEventRequest",
    {
        "event_id": serializers.CharField(max_length=100, help_text="Khóa chống trùng: duy nhất trong hệ thống gửi."),
        "document_number": serializers.CharField(max_length=120, help_text="Số văn bản / mã hồ sơ."),
        "document_kind": serializers.ChoiceField(choices=KINDS, help_text="Văn bản đến, văn bản đi, hồ sơ TTHC."),
        "type_code": serializers.CharField(max_length=60, help_text="Loại văn bản (CONG_VAN…) hoặc mã thủ tục."),
        "date": serializers.DateField(help_text="Ngày người xử lý hoàn thành (YYYY-MM-DD)."),
        "handler_code": serializers.CharField(max_length=40, required=False, help_text="Mã CBCCVC người xử lý."),
        "handler_email": serializers.EmailField(required=False, help_text="Khi không có mã CBCCVC."),
        "on_time": serializers.BooleanField(help_text="Xử lý đúng hạn hay không."),
        "quantity": serializers.DecimalField(max_digits=6, decimal_places=2, required=False,
                                             max_value=QUANTITY_LIMIT, help_text="Mặc định 1."),
        "title": serializers.CharField(max_length=500, required=False, help_text="Trích yếu."),
        "link": serializers.URLField(max_length=500, required=False, help_text="Liên kết tới văn bản, hồ sơ."),
    },
)  # fmt: skip
EVENT_RESPONSE = inline_serializer(
    "InboundEventResult",
    {
        "status": serializers.CharField(),
        "id": serializers.IntegerField(),
        "event_id": serializers.CharField(),
        "result": serializers.CharField(help_text="PROPOSED / UNMATCHED / UNKNOWN_HANDLER"),
        "message": serializers.CharField(),
    },
)


class InboundEventView(APIView):
    authentication_classes: list[Any] = []  # the signature is the only credential
    permission_classes = [AllowAny]
    throttle_classes = [IntegrationThrottle]

    @extend_schema(
        operation_id="v1_integrations_events_create",
        request=EVENT_REQUEST,
        parameters=[
            OpenApiParameter(TIMESTAMP_HEADER, str, OpenApiParameter.HEADER, required=True,
                             description="Thời điểm ký, giây Unix; lệch quá 5 phút bị từ chối."),
            OpenApiParameter(SIGNATURE_HEADER, str, OpenApiParameter.HEADER, required=True,
                             description="sha256=<hex> của HMAC-SHA256(khóa bí mật, \"<timestamp>.\" + thân yêu cầu)."),
        ],
        responses={
            201: EVENT_RESPONSE,
            200: OpenApiResponse(EVENT_RESPONSE, description="Sự kiện đã nhận trước đó: trả lời như lần đầu."),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Sai lược đồ (SPEC 8.1), không ghi gì."),
            401: OpenApiResponse(OpenApiTypes.OBJECT, description="Thiếu, sai chữ ký hoặc thời điểm ký cũ."),
            403: OpenApiResponse(OpenApiTypes.OBJECT, description="Hệ thống gửi đang tạm ngừng."),
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="Không có hệ thống gửi với mã này."),
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="event_id đã dùng cho nội dung khác."),
        },
        description="Nhận một sự kiện (văn bản đi, đến; hồ sơ một cửa) đã ký HMAC. Xem docs/integrations.md.",
    )  # fmt: skip
    def post(self, request: Request, source: str) -> Response:
        answer, created = services.event_receive(
            source_code=source, body=request.body, timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER),
        )  # fmt: skip
        if created:
            return Response(answer, status=status.HTTP_201_CREATED)
        return Response(answer, status=status.HTTP_200_OK, headers={"Idempotent-Replayed": "true"})


class ProposalSerializer(fastread.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="code", read_only=True)
    catalogue_item_code = serializers.CharField(source="catalogue_item.code", read_only=True, default=None)
    catalogue_item_task = serializers.CharField(source="catalogue_item.task", read_only=True, default=None)

    class Meta:
        model = InboundEvent
        fields = [
            "id", "source", "event_id", "document_number", "document_kind", "type_code", "date", "on_time",
            "quantity", "title", "link", "status", "catalogue_item", "catalogue_item_code", "catalogue_item_task",
            "minutes", "line", "decided_at", "reject_reason",
        ]  # fmt: skip
        read_only_fields = fields


REJECT_REQUEST = inline_serializer(
    "ProposalReject", {"reason": serializers.CharField(max_length=500, required=False, allow_blank=True)}
)


class ProposalViewSet(viewsets.ReadOnlyModelViewSet):
    """Work-log lines proposed from the e-office and one-stop-shop systems, for their handler."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProposalSerializer
    filterset_fields = {"status": ["exact"], "date": ["exact", "gte", "lte"]}
    search_fields = ["document_number", "title"]
    ordering_fields = ["date"]

    def get_queryset(self) -> QuerySet[InboundEvent]:
        if getattr(self, "swagger_fake_view", False):  # the schema is generated without a database
            return InboundEvent.objects.none()
        return selectors.proposals_of(user=self.request.user)

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: Any = None) -> Response:
        """Xác nhận: ghi một dòng nhật ký (qua dịch vụ nhật ký, mọi quy tắc ghi nhật ký áp dụng)."""
        event = services.proposal_confirm(event=self.get_object(), user=request.user)
        return Response(ProposalSerializer(event).data)

    @extend_schema(request=REJECT_REQUEST, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        """Từ chối: không ghi nhật ký; lý do (nếu có) được lưu."""
        reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        event = services.proposal_reject(event=self.get_object(), user=request.user, reason=str(reason or ""))
        return Response(ProposalSerializer(event).data)
