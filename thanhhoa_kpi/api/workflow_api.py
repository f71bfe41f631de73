"""REST endpoints of the workflow layer: inbox, notifications, job descriptions.

Host viewsets (appraisals, catalogues) add :class:`WorkflowActionsMixin` to get
``POST {id}/transition/`` and ``GET {id}/history/``, and :class:`AvailableActionsField`
for the ``available_actions`` of their detail. Refusals are domain errors, so the one
exception handler gives them the SPEC 8.1 body (403 not yours to take, 409 not from this
state or a guard failed, 400 bad action or missing comment).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.api import fastread
from thanhhoa_kpi.api.pagination import Pagination
from thanhhoa_kpi.organization.models import JobPosition, OrgUnit
from thanhhoa_kpi.workflow import job_descriptions, selectors, services
from thanhhoa_kpi.workflow.models import JobDescription, Notification, TransitionLog, WorkflowDocument
from thanhhoa_kpi.workflow.selectors import ActionOption


def actions_data(actions: list[ActionOption] | tuple[ActionOption, ...]) -> list[dict[str, Any]]:
    return [option._asdict() for option in actions]


class ActionOptionSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    comment_required = serializers.BooleanField()


@extend_schema_field(ActionOptionSerializer(many=True))
class AvailableActionsField(serializers.Field):
    """Read-only ``available_actions`` of a workflow document for the requesting user."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, document: WorkflowDocument) -> list[dict[str, Any]]:
        user = self.context["request"].user
        return actions_data(services.available_actions(document=document, user=user))


class WorkflowStateSerializer(serializers.Serializer):
    """The fields every workflow document shows: state, its label, the version, actions."""

    state = serializers.CharField(read_only=True)
    state_label = serializers.CharField(source="workflow_state_label", read_only=True)
    workflow = serializers.SerializerMethodField()
    available_actions = AvailableActionsField()

    def get_workflow(self, document: WorkflowDocument) -> dict[str, Any]:
        return {"code": document.workflow.code, "version": document.workflow.version}


class TransitionRequest(serializers.Serializer):
    action = serializers.CharField(label="Thao tác", max_length=40)
    comment = serializers.CharField(label="Ý kiến", required=False, allow_blank=True, default="")


class TransitionLogSerializer(fastread.ModelSerializer):
    actor = serializers.CharField(source="actor.username", help_text="Tên đăng nhập của người thực hiện.")
    actor_name = serializers.SerializerMethodField(help_text="Họ và tên người thực hiện (như trên bàn làm việc).")
    from_label = serializers.SerializerMethodField()
    to_label = serializers.SerializerMethodField()

    class Meta:
        model = TransitionLog
        fields = ["id", "action", "action_label", "from_state", "from_label", "to_state", "to_label", "actor",
                  "actor_name", "comment", "created_at"]  # fmt: skip

    def get_actor_name(self, log: TransitionLog) -> str:
        return log.actor.get_full_name() or log.actor.username

    def get_from_label(self, log: TransitionLog) -> str:
        return log.state_label(log.from_state)

    def get_to_label(self, log: TransitionLog) -> str:
        return log.state_label(log.to_state)


class WorkflowActionsMixin:
    """``POST {id}/transition/ {action, comment}`` and ``GET {id}/history/`` for a host viewset."""

    @extend_schema(request=TransitionRequest, responses=WorkflowStateSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: Any = None) -> Response:
        document = self.get_object()  # type: ignore[attr-defined]
        form = TransitionRequest(data=request.data)
        form.is_valid(raise_exception=True)
        services.workflow_transition(
            document=document,
            action=form.validated_data["action"],
            user=request.user,
            comment=form.validated_data["comment"],
        )
        return Response(WorkflowStateSerializer(document, context={"request": request}).data)

    @extend_schema(responses=TransitionLogSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: Any = None) -> Response:
        document = self.get_object()  # type: ignore[attr-defined]
        rows = selectors.transition_history(document=document)
        return Response(TransitionLogSerializer(rows, many=True).data)


# --------------------------------------------------------------------------- inbox


class InboxItemSerializer(serializers.Serializer):
    doctype = serializers.CharField()
    id = serializers.IntegerField(source="document.pk")
    title = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    waiting_since = serializers.DateTimeField(allow_null=True)
    available_actions = serializers.SerializerMethodField()

    @extend_schema_field(ActionOptionSerializer(many=True))
    def get_available_actions(self, item: selectors.InboxItem) -> list[dict[str, Any]]:
        return actions_data(item.actions)


class InboxPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InboxItemSerializer(many=True)


class InboxView(APIView):
    """``GET /api/v1/inbox/?doctype=&state=&page=&page_size=``: the documents awaiting the caller."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=InboxPageSerializer,
        parameters=[
            OpenApiParameter("doctype", str, description="Loại tài liệu, ví dụ job_description"),
            OpenApiParameter("state", str, description="Mã trạng thái, ví dụ UNIT_REVIEW"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description=Pagination.page_size_query_description),
        ],
    )
    def get(self, request: Request) -> Response:
        items = selectors.inbox_for(
            user=request.user,
            doctype=request.query_params.get("doctype") or None,
            state=request.query_params.get("state") or None,
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(InboxItemSerializer(page, many=True).data)


# ---------------------------------------------------------------------- notifications


class NotificationSerializer(fastread.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "created_at", "read_at"]


class NotificationReadRequest(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True, default=None)


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's own notifications; ``POST read/ {ids}`` marks them read (all when no ids)."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="Chỉ thông báo chưa đọc")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        unread = self.request.query_params.get("unread") in ("1", "true")
        return selectors.notifications_for(user=self.request.user, unread_only=unread)

    @extend_schema(request=NotificationReadRequest, responses={200: dict})
    @action(detail=False, methods=["post"])
    def read(self, request: Request) -> Response:
        form = NotificationReadRequest(data=request.data)
        form.is_valid(raise_exception=True)
        count = services.notifications_mark_read(user=request.user, ids=form.validated_data["ids"])
        return Response({"marked": count})


# ------------------------------------------------------------------- job descriptions


class JobDescriptionSerializer(WorkflowStateSerializer, fastread.ModelSerializer):
    position = serializers.PrimaryKeyRelatedField(queryset=JobPosition.objects.all())
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = JobDescription
        fields = ["id", "position", "unit", "duties", "output_products", "working_conditions", "deadline", "author",
                  "state", "state_label", "workflow", "available_actions", "created_at", "updated_at"]  # fmt: skip

    def validate_unit(self, unit: OrgUnit) -> OrgUnit:
        user = self.context["request"].user
        if not job_descriptions.draftable_units(user=user, units=OrgUnit.objects.filter(pk=unit.pk)).exists():
            raise serializers.ValidationError("Bạn chỉ được soạn bản mô tả cho đơn vị mình công tác hoặc quản lý.")
        return unit

    def create(self, validated: dict[str, Any]) -> JobDescription:
        return job_descriptions.job_description_create(user=self.context["request"].user, **validated)

    def update(self, instance: JobDescription, validated: dict[str, Any]) -> JobDescription:
        user = self.context["request"].user
        return job_descriptions.job_description_update(user=user, job_description=instance, **validated)


class JobDescriptionListSerializer(JobDescriptionSerializer):
    """Lists leave out ``available_actions`` (one org-chart lookup per row); details have them."""

    available_actions = None

    class Meta(JobDescriptionSerializer.Meta):
        fields = [name for name in JobDescriptionSerializer.Meta.fields if name != "available_actions"]


class JobDescriptionViewSet(WorkflowActionsMixin, viewsets.ModelViewSet):
    """Job descriptions in the caller's scope; writes are checked by the services."""

    serializer_class = JobDescriptionSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["state", "unit", "position"]
    search_fields = ["position__name", "position__code", "unit__name"]
    ordering_fields = ["updated_at", "created_at"]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return JobDescriptionListSerializer if self.action == "list" else JobDescriptionSerializer

    def get_queryset(self) -> QuerySet:
        rows = JobDescription.objects.select_related("workflow", "unit", "position", "author__official")
        return access.scoped(rows, self.request.user)

    def perform_destroy(self, instance: JobDescription) -> None:
        job_descriptions.job_description_delete(user=self.request.user, job_description=instance)
