"""API of assignments, work logs, their review, the live score and the hours summary (SPEC 8.1).

Rows are read through the scoped access door; every write calls a worklogs service, which
decides who may do what and raises domain errors that the exception handler turns into
the SPEC 8.1 error body.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.api import fastread
from thanhhoa_kpi.api.custom import CustomFieldSerializerMixin
from thanhhoa_kpi.api.months import MONTH_PARAM, month_param
from thanhhoa_kpi.appraisals.live import live_score as compute_live_score
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.core.errors import FieldError, NotFound, ValidationFailed
from thanhhoa_kpi.organization.models import Official, OrgUnit
from thanhhoa_kpi.worklogs import assignments, rights, selectors, services
from thanhhoa_kpi.worklogs.models import Assignment, Origin, WorkLogLine, WorkPeriod

# Free text has a length a person writes, not what a script can post (the parsers cap every
# string at TEXT_MAX; these are the fields' own limits, shown in the schema).
TEXT_LENGTH = 4000
COUNT_MAX = 1000  # failures, delays and their exemptions: the service's own bound
ID_MAX = 2**63 - 1

REVIEW_FIELDS = [
    "accepted_quantity", "quality_failures", "delays", "exempt_quality_failures", "exempt_delays",
    "exemption_reason", "exemption_confirmed_by", "review_comment", "reviewed_by", "reviewed_at",
]  # fmt: skip


class ScopedOfficialField(serializers.PrimaryKeyRelatedField):
    """An official the caller can see (others do not exist for them)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Official.objects.all())  # the model, for the schema
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Official]:
        return access.scoped(Official.objects.all(), self.context["request"].user)


class OwnAssignmentField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Assignment.objects.all())  # the model, for the schema
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Assignment]:
        return selectors.assignment_list(user=self.context["request"].user)


class WorkPeriodSerializer(fastread.ModelSerializer):
    class Meta:
        model = WorkPeriod
        fields = ["id", "year", "month", "status", "closed_at"]
        read_only_fields = fields


class WorkAssignmentSerializer(fastread.ModelSerializer):
    assignee = ScopedOfficialField()
    catalogue_item = serializers.PrimaryKeyRelatedField(queryset=CatalogueItem.objects.all())
    period = serializers.PrimaryKeyRelatedField(queryset=WorkPeriod.objects.all(), required=False)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        model = Assignment
        fields = [
            "id", "catalogue_item", "assignee", "assigner", "quantity", "deadline", "period", "origin",
            "approved", "approved_by", "approved_at", "coefficient", "note",
        ]  # fmt: skip
        read_only_fields = ["assigner", "approved", "approved_by", "approved_at", "coefficient"]

    def create(self, validated: dict[str, Any]) -> Assignment:
        period = validated.pop("period", None) or selectors.current_period()
        return assignments.assignment_create(user=self.context["request"].user, period=period, **validated)

    def update(self, instance: Assignment, validated: dict[str, Any]) -> Assignment:
        changes: dict[str, Any] = {k: validated[k] for k in ("quantity", "note") if k in validated}
        if "deadline" in validated:
            changes["deadline"] = validated["deadline"]
        return assignments.assignment_update(assignment=instance, user=self.context["request"].user, **changes)


class BulkAssignSerializer(serializers.Serializer):
    catalogue_item = serializers.PrimaryKeyRelatedField(queryset=CatalogueItem.objects.all())
    assignees = ScopedOfficialField(many=True)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    period = serializers.PrimaryKeyRelatedField(queryset=WorkPeriod.objects.all())
    deadline = serializers.DateField(required=False, allow_null=True)
    origin = serializers.ChoiceField(choices=[Origin.PLAN, Origin.AD_HOC], default=Origin.PLAN)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class CopyMonthSerializer(serializers.Serializer):
    source = serializers.PrimaryKeyRelatedField(queryset=WorkPeriod.objects.all())
    target = serializers.PrimaryKeyRelatedField(queryset=WorkPeriod.objects.all())


class WorkLogLineSerializer(CustomFieldSerializerMixin, fastread.ModelSerializer):
    custom_doctype = "worklog"
    assignment = OwnAssignmentField(required=False, allow_null=True)
    catalogue_item = serializers.PrimaryKeyRelatedField(queryset=CatalogueItem.objects.all(), required=False)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    minutes = serializers.IntegerField(required=False, default=0)
    description = serializers.CharField(label="Nội dung", required=False, allow_blank=True, max_length=TEXT_LENGTH)
    evidence = serializers.FileField(required=False, allow_null=True)

    class Meta:
        model = WorkLogLine
        fields = [
            "id", "official", "unit", "date", "period", "assignment", "catalogue_item", "quantity", "minutes",
            "description", "evidence", "document_number", "coefficient", "status", "custom", *REVIEW_FIELDS,
        ]  # fmt: skip
        read_only_fields = ["official", "unit", "period", "coefficient", "status", *REVIEW_FIELDS]

    def create(self, validated: dict[str, Any]) -> WorkLogLine:
        return services.worklog_create(user=self.context["request"].user, **validated)

    def update(self, instance: WorkLogLine, validated: dict[str, Any]) -> WorkLogLine:
        if validated.get("evidence") is None:
            validated.pop("evidence", None)
        return services.worklog_update(line=instance, user=self.context["request"].user, **validated)


class ReviewSerializer(serializers.Serializer):
    accepted_quantity = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    quality_failures = serializers.IntegerField(required=False, default=0, min_value=0, max_value=COUNT_MAX)
    delays = serializers.IntegerField(required=False, default=0, min_value=0, max_value=COUNT_MAX)
    exempt_quality_failures = serializers.IntegerField(required=False, default=0, min_value=0, max_value=COUNT_MAX)
    exempt_delays = serializers.IntegerField(required=False, default=0, min_value=0, max_value=COUNT_MAX)
    exemption_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_LENGTH)
    exemption_confirmed_by = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    exemption_attachment = serializers.FileField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_LENGTH)


class BulkReviewSerializer(serializers.Serializer):
    lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX), allow_empty=False, max_length=1000
    )


class CopySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, allow_null=True)


class WorkPeriodViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = WorkPeriodSerializer
    queryset = WorkPeriod.objects.all()
    filterset_fields = ["year", "month", "status"]


class AssignmentViewSet(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = WorkAssignmentSerializer
    filterset_fields = ["period", "assignee", "catalogue_item", "origin", "approved"]
    search_fields = ["assignee__full_name", "assignee__code", "catalogue_item__code", "catalogue_item__task"]
    ordering_fields = ["deadline", "quantity"]

    def get_queryset(self) -> QuerySet[Assignment]:
        return selectors.assignment_list(user=self.request.user)

    def perform_destroy(self, instance: Assignment) -> None:
        assignments.assignment_delete(assignment=instance, user=self.request.user)

    @extend_schema(request=None, responses=WorkAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        row = assignments.assignment_approve(assignment=self.get_object(), user=request.user)
        return Response(self.get_serializer(row).data)

    @extend_schema(request=BulkAssignSerializer, responses={201: WorkAssignmentSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        form = BulkAssignSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        rows = assignments.assignment_bulk_create(user=request.user, **form.validated_data)
        return Response(self.get_serializer(rows, many=True).data, status=201)

    @extend_schema(request=CopyMonthSerializer, responses={201: WorkAssignmentSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="copy-month")
    def copy_month(self, request: Request) -> Response:
        form = CopyMonthSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        result = assignments.assignment_copy_month(user=request.user, **form.validated_data)
        return Response({"created": self.get_serializer(result.created, many=True).data, "skipped": result.skipped},
                        status=201)  # fmt: skip


class WorkLogViewSet(viewsets.ModelViewSet):
    """The caller's lines and, for heads and deputies, those of the people they direct."""

    permission_classes = [IsAuthenticated]
    serializer_class = WorkLogLineSerializer
    filterset_fields = {
        "date": ["exact", "gte", "lte"],
        "period": ["exact"],
        "status": ["exact"],
        "official": ["exact"],
        "catalogue_item": ["exact"],
        "assignment": ["exact"],
    }
    search_fields = ["description", "document_number", "catalogue_item__code", "catalogue_item__task"]
    ordering_fields = ["date", "quantity", "minutes"]

    def get_queryset(self) -> QuerySet[WorkLogLine]:
        if getattr(self, "swagger_fake_view", False):  # the schema is generated without a database
            return WorkLogLine.objects.none()
        params, user = self.request.query_params, self.request.user
        if params.get("awaiting_review") in {"1", "true"}:
            lines = selectors.worklog_awaiting_review(user=user)  # every open month
        else:
            lines = selectors.worklog_list(user=user)
            if self.action == "list":
                lines = self._of_month(lines)
            if params.get("mine") in {"1", "true"}:
                lines = lines.filter(official_id=access.scope_for(user).official_id)
        if self.action == "list":
            # A row shows its official, unit, month, assignment and item as ids: joining
            # them in and building five objects per row was half the list's CPU (bench/).
            lines = lines.select_related(None)
        return lines

    def _of_month(self, lines: QuerySet[WorkLogLine]) -> QuerySet[WorkLogLine]:
        """The list shows one month: ``?month=``, else the current one unless ``period`` or a
        date filter chooses the lines."""
        chosen = month_param(self.request)
        if chosen is not None:
            return selectors.worklog_list_of_month(user=self.request.user, year=chosen[0], month=chosen[1])
        if any(self.request.query_params.get(name) for name in ("period", "date", "date__gte", "date__lte")):
            return lines
        return selectors.lines_of_month(lines, selectors.current_period())

    @extend_schema(parameters=[
        OpenApiParameter("mine", bool, description="Chỉ dòng của tôi"),
        OpenApiParameter("awaiting_review", bool,
                         description="Chỉ các dòng tôi được duyệt, đang chờ duyệt (mọi tháng đang mở)"),
        MONTH_PARAM,
    ], description=(
        "Dòng nhật ký trong phạm vi của người gọi. Mặc định chỉ tháng hiện tại; chọn tháng khác bằng "
        "`month` (YYYY-MM), `period` hoặc lọc theo `date`."
    ))  # fmt: skip
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_destroy(self, instance: WorkLogLine) -> None:
        services.worklog_delete(line=instance, user=self.request.user)

    @extend_schema(request=ReviewSerializer, responses=WorkLogLineSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: Any = None) -> Response:
        form = ReviewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = {k: v for k, v in form.validated_data.items() if k != "exemption_attachment" or v}
        line = services.worklog_review(line=self.get_object(), reviewer=request.user, **data)
        return Response(self.get_serializer(line).data)

    @extend_schema(request=BulkReviewSerializer, responses=WorkLogLineSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="review-bulk")
    def review_bulk(self, request: Request) -> Response:
        form = BulkReviewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ids = form.validated_data["lines"]
        lines = list(self.get_queryset().filter(pk__in=ids))
        if len(lines) != len(set(ids)):
            raise NotFound("Không tìm thấy một số dòng nhật ký hoặc bạn không có quyền xem.")
        done = services.worklog_review_bulk(lines=lines, reviewer=request.user)
        return Response(self.get_serializer(done, many=True).data)

    @extend_schema(request=CopySerializer, responses={201: WorkLogLineSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: Any = None) -> Response:
        form = CopySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        line = services.worklog_copy(line=self.get_object(), user=request.user, on=form.validated_data.get("date"))
        return Response(self.get_serializer(line).data, status=201)


def _query_id(request: Request, name: str, label: str) -> int | None:
    """The id given in query parameter ``name`` (None when absent); anything else is a 400 naming it."""
    value = request.query_params.get(name)
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise ValidationFailed(f"{label} không hợp lệ.", [FieldError(name, f"{label} phải là một mã số (id).")])
    return int(value)


def _period(request: Request) -> WorkPeriod:
    pk = _query_id(request, "period", "Kỳ công việc")
    return selectors.current_period() if pk is None else get_object_or_404(WorkPeriod, pk=pk)


SCORE_RESPONSE = inline_serializer(
    "LiveScore",
    {
        "official": serializers.CharField(), "period": serializers.DictField(), "rule_set": serializers.CharField(),
        "role": serializers.CharField(), "status": serializers.CharField(),
        "a": serializers.FloatField(allow_null=True), "b": serializers.FloatField(allow_null=True),
        "c": serializers.FloatField(allow_null=True), "task_percent": serializers.FloatField(allow_null=True),
        "task_score": serializers.FloatField(allow_null=True), "items": serializers.ListField(),
        "explanation": serializers.ListField(child=serializers.CharField()), "notes": serializers.ListField(),
    },
)  # fmt: skip


@extend_schema(parameters=[OpenApiParameter("period", int)], responses=SCORE_RESPONSE)
@api_view(["GET"])
def live_score(request: Request) -> Response:
    """The caller's task score so far for a month (default: this month), from reviewed lines."""
    official = rights.official_of(request.user)
    if official is None:
        raise NotFound("Tài khoản chưa gắn với hồ sơ cán bộ.")
    return Response(compute_live_score(official=official, period=_period(request)))


HOURS_RESPONSE = inline_serializer(
    "HoursSummary",
    {"period": serializers.DictField(), "by_unit": serializers.ListField(), "by_official": serializers.ListField()},
)


@extend_schema(parameters=[OpenApiParameter("period", int), OpenApiParameter("unit", int)], responses=HOURS_RESPONSE)
@api_view(["GET"])
def hours_summary(request: Request) -> Response:
    """Bảng tổng hợp giờ làm việc: minutes and hours per unit and per person for a month."""
    period = _period(request)
    unit, unit_id = None, _query_id(request, "unit", "Đơn vị")
    if unit_id is not None:
        unit = access.scoped(OrgUnit.objects.all(), request.user).filter(pk=unit_id).first()
        if unit is None:
            raise NotFound("Không tìm thấy đơn vị hoặc bạn không có quyền xem.")
    return Response(
        {
            "period": {"id": period.pk, "year": period.year, "month": period.month, "label": str(period)},
            "by_unit": selectors.hours_by_unit(user=request.user, period=period, unit=unit),
            "by_official": selectors.hours_by_official(user=request.user, period=period, unit=unit),
        }
    )
