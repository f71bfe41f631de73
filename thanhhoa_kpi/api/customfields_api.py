"""``/api/v1/custom-fields/``: custom field definitions (SPEC 7, 8.1).

Everyone signed in reads them (clients build their forms from them); HR admins and system
admins write. DELETE retires a field (``active: false``): values and history are kept.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.api import fastread
from thanhhoa_kpi.api.permissions import ScopedMasterData
from thanhhoa_kpi.customfields import services
from thanhhoa_kpi.customfields.models import FieldDefinition
from thanhhoa_kpi.organization.choices import Bloc


@extend_schema_field({"type": "string", "enum": ["", *Bloc.values], "description": "Khối sở hữu (trống: không)"})
class OwnerBlocField(serializers.ChoiceField):
    """The bloc owning a field (inline in the schema, like the catalogue's owner bloc)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Bloc.choices, allow_blank=True, required=False, **kwargs)


class FieldDefinitionSerializer(fastread.ModelSerializer):
    owner_bloc = OwnerBlocField()
    options = serializers.ListField(child=serializers.CharField(allow_blank=True), required=False)
    default = serializers.JSONField(required=False, allow_null=True)

    class Meta:
        model = FieldDefinition
        fields = [
            "id", "doctype", "key", "label", "field_type", "required", "default", "help_text", "options", "order",
            "show_in_list", "show_in_filters", "active", "owner_unit", "owner_bloc", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []  # uniqueness of (doctype, key) is checked by the service, in Vietnamese
        # blank labels and bad keys reach the service, which reports every problem at once
        extra_kwargs = {"key": {"validators": []}, "label": {"allow_blank": True}, "order": {"required": False}}

    def create(self, validated: dict[str, Any]) -> FieldDefinition:
        validated.pop("active", None)
        return services.field_definition_create(by=self.context["request"].user, **validated)

    def update(self, instance: FieldDefinition, validated: dict[str, Any]) -> FieldDefinition:
        return services.field_definition_update(by=self.context["request"].user, definition=instance, **validated)


class FieldDefinitionViewSet(viewsets.ModelViewSet):
    serializer_class = FieldDefinitionSerializer
    permission_classes = [IsAuthenticated, ScopedMasterData]
    filterset_fields = ["doctype", "field_type", "active", "key"]
    search_fields = ["key", "label"]
    ordering_fields = ["doctype", "order", "key"]

    def get_queryset(self) -> Any:
        return access.scoped(FieldDefinition.objects.order_by("doctype", "order", "id"), self.request.user)

    @transaction.atomic
    def perform_destroy(self, instance: FieldDefinition) -> None:
        services.field_definition_retire(by=self.request.user, definition=instance)
