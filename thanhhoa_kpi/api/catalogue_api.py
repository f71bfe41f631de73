"""API of task catalogues and their items (SPEC 8.1): thin views over the catalogue services.

Catalogue approval is the CATALOGUE workflow: ``POST /api/v1/catalogues/{id}/transition/
{action, comment}`` (submit, approve, publish, return) and ``GET .../history/``; a
catalogue's detail lists the ``available_actions`` of the caller. There is no separate
approve endpoint: publishing is what makes a catalogue take effect.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.api import fastread
from thanhhoa_kpi.api.custom import CustomFieldSerializerMixin
from thanhhoa_kpi.api.workflow_api import WorkflowActionsMixin, WorkflowStateSerializer
from thanhhoa_kpi.catalogue import imports, selectors, services
from thanhhoa_kpi.catalogue.excel import write_catalogue
from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueImport, CatalogueItem
from thanhhoa_kpi.organization.choices import Bloc
from thanhhoa_kpi.organization.models import JobPosition, Official, OrgUnit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@extend_schema_field({"type": "string", "enum": ["", *Bloc.values], "description": "Khối (danh mục dùng chung)"})
class OwnerBlocField(serializers.ChoiceField):
    """The bloc of a shared catalogue; the same choices as ``bloc`` elsewhere, inline in the schema."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Bloc.choices, allow_blank=True, required=False, **kwargs)


class CatalogueSerializer(WorkflowStateSerializer, fastread.ModelSerializer):
    owner_bloc = OwnerBlocField()
    owner_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True)
    owner_unit_code = serializers.CharField(source="owner_unit.code", read_only=True, default=None)
    item_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Catalogue
        fields = [
            "id", "code", "version", "name", "owner_unit", "owner_unit_code", "owner_bloc", "effective_from",
            "effective_to", "standard_product", "standard_minutes", "status", "state", "state_label", "workflow",
            "available_actions", "created_by", "approved_by", "approved_at", "item_count",
        ]  # fmt: skip
        read_only_fields = ["status", "created_by", "approved_by", "approved_at"]
        validators: list[Any] = []  # uniqueness of (code, version) is checked by the service

    def create(self, validated: dict[str, Any]) -> Catalogue:
        return services.catalogue_create(user=self.context["request"].user, **validated)

    def update(self, instance: Catalogue, validated: dict[str, Any]) -> Catalogue:
        return services.catalogue_update(catalogue=instance, user=self.context["request"].user, **validated)


class CatalogueListSerializer(CatalogueSerializer):
    """Lists leave out ``available_actions`` (one org-chart lookup per row); details have them.

    ``status`` is a plain string here: the DRAFT/APPROVED enum is named once, after the
    detail (two components sharing it would collide with the other ``status`` enums).
    """

    available_actions = None
    status = serializers.CharField(read_only=True, help_text="DRAFT (chưa có hiệu lực) hoặc APPROVED (có hiệu lực)")

    class Meta(CatalogueSerializer.Meta):
        fields = [name for name in CatalogueSerializer.Meta.fields if name != "available_actions"]


class CatalogueItemSerializer(CustomFieldSerializerMixin, fastread.ModelSerializer):
    custom_doctype = "catalogue_item"
    positions = serializers.SlugRelatedField(
        slug_field="code", queryset=JobPosition.objects.all(), many=True, required=False
    )
    coefficient = serializers.DecimalField(max_digits=10, decimal_places=4)

    class Meta:
        model = CatalogueItem
        fields = [
            "id", "catalogue", "code", "field", "task", "detailed_work", "output_product", "unit_of_measure",
            "complexity_group", "coefficient", "standard_minutes", "positions", "custom",
        ]  # fmt: skip
        validators: list[Any] = []

    def validate_coefficient(self, value: Any) -> Any:
        if value <= 0:
            raise serializers.ValidationError("Hệ số quy đổi phải lớn hơn 0.")
        return value

    def create(self, validated: dict[str, Any]) -> CatalogueItem:
        positions = validated.pop("positions", None)
        catalogue = validated.pop("catalogue")
        return services.catalogue_item_save(
            catalogue=catalogue, user=self.context["request"].user, positions=positions, **validated
        )

    def update(self, instance: CatalogueItem, validated: dict[str, Any]) -> CatalogueItem:
        positions = validated.pop("positions", None)
        validated.pop("catalogue", None)
        return services.catalogue_item_save(
            catalogue=instance.catalogue, user=self.context["request"].user, item=instance, positions=positions,
            **validated,
        )  # fmt: skip


class CatalogueImportSerializer(fastread.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = CatalogueImport
        fields = ["id", "original_name", "status", "total_rows", "processed_rows", "percent", "errors", "message",
                  "catalogue", "created_at", "started_at", "finished_at"]  # fmt: skip
        read_only_fields = fields


class CatalogueImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(label="Tệp Excel (.xlsx)")


class CatalogueViewSet(WorkflowActionsMixin, viewsets.ModelViewSet):
    """Catalogues are readable by every signed-in user; the services decide who may write,
    the workflow engine who may take each approval step."""

    permission_classes = [IsAuthenticated]
    serializer_class = CatalogueSerializer
    filterset_fields = ["status", "state", "owner_unit", "owner_bloc", "code", "version"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "version", "effective_from"]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return CatalogueListSerializer if self.action == "list" else CatalogueSerializer

    def get_queryset(self) -> QuerySet[Catalogue]:
        rows = (
            Catalogue.objects.select_related("owner_unit", "workflow", "created_by__official")
            .annotate(item_count=Count("items"))
            .order_by("code", "-version")
        )
        return access.scoped(rows, self.request.user)

    def perform_destroy(self, instance: Catalogue) -> None:
        services.catalogue_delete(catalogue=instance, user=self.request.user)

    @extend_schema(request=None, responses={201: CatalogueSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request: Request, pk: Any = None) -> Response:
        copy = services.catalogue_new_version(catalogue=self.get_object(), user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=copy.pk)).data, status=201)

    @extend_schema(responses={(200, XLSX): bytes})
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: Any = None) -> HttpResponse:
        catalogue = self.get_object()
        response = HttpResponse(write_catalogue(catalogue), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{catalogue.code}_v{catalogue.version}.xlsx"'
        return response

    @extend_schema(
        request={"multipart/form-data": CatalogueImportUploadSerializer}, responses={202: CatalogueImportSerializer}
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_file(self, request: Request) -> Response:
        form = CatalogueImportUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        record = imports.catalogue_import_start(user=request.user, upload=form.validated_data["file"])
        record.refresh_from_db()
        return Response(CatalogueImportSerializer(record).data, status=202)


class CatalogueImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Progress and row errors of the caller's imports."""

    permission_classes = [IsAuthenticated]
    serializer_class = CatalogueImportSerializer
    queryset = CatalogueImport.objects.none()  # the model, for the schema; rows come from get_queryset
    filterset_fields = ["status"]

    def get_queryset(self) -> QuerySet[CatalogueImport]:
        if getattr(self, "swagger_fake_view", False):
            return CatalogueImport.objects.none()
        rows = CatalogueImport.objects.order_by("-created_at")
        return rows if access.scope_for(self.request.user).everything else rows.filter(created_by=self.request.user)


class CatalogueItemViewSet(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = CatalogueItemSerializer
    filterset_fields = ["catalogue", "catalogue__code", "field", "complexity_group", "code"]
    search_fields = ["code", "task", "field", "detailed_work"]
    ordering_fields = ["code", "coefficient"]

    @extend_schema(parameters=[OpenApiParameter("usable", bool, description="Chỉ các mục tôi được dùng hôm nay")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[CatalogueItem]:
        rows = access.scoped(CatalogueItem.objects.prefetch_related("positions").order_by("catalogue", "code"),
                             self.request.user)  # fmt: skip
        if self.request.query_params.get("usable") in {"1", "true"}:
            official_id = access.scope_for(self.request.user).official_id
            official = Official.objects.filter(pk=official_id).first() if official_id else None
            if official is None:
                return rows.none()
            usable = selectors.items_usable_by(official=official, on=timezone.localdate()).values("pk")
            rows = rows.filter(pk__in=usable)
        return rows

    def perform_destroy(self, instance: CatalogueItem) -> None:
        services.catalogue_item_delete(item=instance, user=self.request.user)
