"""``/api/v1/reports/``: saved reports of the report builder (SPEC 6, 8.1).

Listed: own reports and those shared with one of the caller's roles or units. Only the
owner changes or deletes a report. ``GET /reports/{id}/run/?format=json|xlsx|csv|pdf``
runs it with the CALLER's scope; ``POST /reports/preview/`` runs an unsaved definition;
``/reports/builtin/`` and ``/reports/builtin/{code}/?format=...`` are the built-in reports.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from thanhhoa_kpi.api import fastread
from thanhhoa_kpi.core.errors import FieldError, NotFound, ValidationFailed
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.reports import exports, services
from thanhhoa_kpi.reports.builtin import BUILTINS, builtin_run
from thanhhoa_kpi.reports.engine import ReportResult
from thanhhoa_kpi.reports.models import SavedReport

DEFINITION_PARTS = ("doctype", "columns", "filters", "group_by", "aggregates", "sort", "chart")
FORMAT = OpenApiParameter(
    "format", str, enum=["json", *exports.FORMATS], description="json (mặc định), xlsx, csv hoặc pdf"
)


class FileFormatNegotiation(DefaultContentNegotiation):
    """``?format=xlsx`` picks the file type of the answer, not a DRF renderer."""

    def select_renderer(self, request: Request, renderers: list[Any], format_suffix: str | None = None) -> Any:
        return renderers[0], renderers[0].media_type


class SavedReportSerializer(fastread.ModelSerializer):
    columns = serializers.JSONField(required=False)
    filters = serializers.JSONField(required=False)
    group_by = serializers.JSONField(required=False)
    aggregates = serializers.JSONField(required=False)
    sort = serializers.JSONField(required=False)
    chart = serializers.JSONField(required=False)
    shared_with = serializers.JSONField(
        required=False, help_text='{"roles": ["HEAD", ...], "units": [id, ...]}: ai được xem báo cáo.'
    )
    owner = serializers.CharField(source="owner.username", read_only=True)
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = SavedReport
        fields = [
            "id", "name", "doctype", "columns", "filters", "group_by", "aggregates", "sort", "chart", "shared_with",
            "owner", "can_edit", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"name": {"required": False, "allow_blank": True}}  # the service names a missing name

    def get_can_edit(self, obj: SavedReport) -> bool:
        return services.can_edit_report(self.context["request"].user, obj)

    def to_representation(self, instance: SavedReport) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["shared_with"] = {
            "roles": instance.shared_with_roles,
            "units": sorted(u.pk for u in instance.shared_with_units.all()),
        }
        return data

    def _sharing(self, validated: dict[str, Any]) -> dict[str, Any]:
        if "shared_with" not in validated:
            return {}
        shared = validated.pop("shared_with") or {}
        if not isinstance(shared, dict):
            raise ValidationFailed(
                "Chia sẻ báo cáo không hợp lệ.", [FieldError("shared_with", "Phải là {roles, units}.")]
            )
        ids = shared.get("units") or []
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise ValidationFailed(
                "Chia sẻ báo cáo không hợp lệ.", [FieldError("shared_with.units", "Phải là danh sách số hiệu đơn vị.")]
            )
        units = list(OrgUnit.objects.filter(pk__in=ids))
        if len(units) != len(set(ids)):
            raise ValidationFailed(
                "Chia sẻ báo cáo không hợp lệ.", [FieldError("shared_with.units", "Có đơn vị không tồn tại.")]
            )
        return {"shared_roles": shared.get("roles") or [], "shared_units": units}

    def create(self, validated: dict[str, Any]) -> SavedReport:
        sharing = self._sharing(validated)
        definition = {part: validated[part] for part in DEFINITION_PARTS if part in validated}
        user = self.context["request"].user
        return services.saved_report_create(
            owner=user, name=validated.get("name", ""), definition=definition, **sharing
        )

    def update(self, instance: SavedReport, validated: dict[str, Any]) -> SavedReport:
        sharing = self._sharing(validated)
        definition = {part: validated[part] for part in DEFINITION_PARTS if part in validated}
        return services.saved_report_update(
            report=instance, user=self.context["request"].user, name=validated.get("name"),
            definition=definition or None, **sharing,
        )  # fmt: skip


class OwnerWrites(BasePermission):
    message = "Chỉ người tạo báo cáo được sửa hoặc xóa báo cáo này."

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return request.method in SAFE_METHODS or services.can_edit_report(request.user, obj)


class PreviewSerializer(serializers.Serializer):
    definition = serializers.JSONField(help_text="Định nghĩa báo cáo như khi lưu: doctype, columns, filters, ...")


def _file_format(request: Request, suffix: dict[str, Any]) -> str:
    """``?format=`` or the router's URL suffix (``builtin/x.csv/``; DRF passes it as the
    ``format`` keyword, which the actions must accept: ``builtin/1.2/`` reads as code "1")."""
    return str(request.query_params.get("format") or suffix.get("format") or "")


def _answer(result: ReportResult, fmt: str) -> Any:
    if fmt in ("", "json"):
        return Response(result.as_json())
    if fmt not in exports.FORMATS:
        raise ValidationFailed("Định dạng không hỗ trợ.", [FieldError("format", "Chỉ json, xlsx, csv hoặc pdf.")])
    content, mime, extension = exports.export(result, fmt)
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(result.title, extension)}"'
    return response


class SavedReportViewSet(viewsets.ModelViewSet):
    serializer_class = SavedReportSerializer
    permission_classes = [IsAuthenticated, OwnerWrites]
    filterset_fields = ["doctype"]
    search_fields = ["name"]
    ordering_fields = ["name", "updated_at"]

    def get_queryset(self) -> Any:
        return services.reports_visible(self.request.user).select_related("owner").prefetch_related("shared_with_units")

    @transaction.atomic
    def perform_destroy(self, instance: SavedReport) -> None:
        services.saved_report_delete(report=instance, user=self.request.user)

    @extend_schema(parameters=[FORMAT], responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], content_negotiation_class=FileFormatNegotiation,
            renderer_classes=[JSONRenderer])  # fmt: skip
    def run(self, request: Request, pk: Any = None, **suffix: Any) -> Any:
        report = self.get_object()
        return _answer(services.report_run(report=report, user=request.user), _file_format(request, suffix))

    @extend_schema(request=PreviewSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"])
    def preview(self, request: Request, **suffix: Any) -> Response:
        form = PreviewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        result = services.report_preview(definition=form.validated_data["definition"], user=request.user)
        return Response(result.as_json())

    @extend_schema(operation_id="v1_reports_builtin_list", responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"], url_path="builtin")
    def builtin(self, request: Request, **suffix: Any) -> Response:
        return Response(
            [{"code": r.code, "title": r.title, "description": r.description, "params": r.params}
             for r in BUILTINS.values()]
        )  # fmt: skip

    @extend_schema(
        operation_id="v1_reports_builtin_run",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH), FORMAT],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"], url_path=r"builtin/(?P<code>[a-z0-9_]+)",
            content_negotiation_class=FileFormatNegotiation, renderer_classes=[JSONRenderer])  # fmt: skip
    def builtin_report(self, request: Request, code: str, **suffix: Any) -> Any:
        if code not in BUILTINS:
            raise NotFound("Không có báo cáo có sẵn này.")
        params = {k: v for k, v in request.query_params.items() if k != "format"}
        result = builtin_run(code=code, user=request.user, params=params)
        return _answer(result, _file_format(request, suffix))
