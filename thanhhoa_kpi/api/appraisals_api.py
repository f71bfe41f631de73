"""REST endpoints of appraisal periods, appraisals and unit appraisals (SPEC 8.1).

Rows are read through the scoped access door; every write calls an appraisals service,
which decides who may do what and raises domain errors that the one exception handler
turns into the SPEC 8.1 body. Workflow actions come from :class:`WorkflowActionsMixin`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.api import fastread
from thanhhoa_kpi.api.custom import CustomFieldSerializerMixin
from thanhhoa_kpi.api.months import current_month, month_param
from thanhhoa_kpi.api.workflow_api import WorkflowActionsMixin, WorkflowStateSerializer
from thanhhoa_kpi.appraisals import rights, selectors, services, unit_rules
from thanhhoa_kpi.appraisals.choices import PeriodKind, classification_label
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalDisqualifier, AppraisalPeriod, UnitAppraisal, UnitRules
from thanhhoa_kpi.core.errors import FieldError, NotFound, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization.choices import Bloc
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.scoring import CLASSIFICATION_LABELS

UNIT_PARAM = OpenApiParameter("unit", int, description="Mã (id) đơn vị; gồm cả đơn vị trực thuộc")
PERIOD_WRITABLE = ["self_assessment_deadline", "unit_review_deadline", "approval_deadline", "rule_set_code"]


def _unit(request: Request, *, required: bool = False) -> OrgUnit | None:
    body = request.data if request.method == "POST" and isinstance(request.data, dict) else {}
    raw = request.query_params.get("unit") or body.get("unit")
    if not raw:
        if required:
            raise ValidationFailed("Thiếu đơn vị.", [FieldError("unit", "Hãy chọn đơn vị.")])
        return None
    try:
        return access.access_object(request.user, OrgUnit, int(raw))
    except (TypeError, ValueError):
        raise ValidationFailed("Đơn vị không hợp lệ.", [FieldError("unit", "Phải là mã số đơn vị.")]) from None


# ----------------------------------------------------------------------------- periods


class PeriodSerializer(fastread.ModelSerializer):
    label = serializers.CharField(read_only=True)
    work_periods = serializers.SerializerMethodField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    number = serializers.IntegerField(min_value=1, max_value=12, default=1)

    class Meta:
        model = AppraisalPeriod
        fields = ["id", "kind", "bloc", "year", "number", "label", "start_date", "end_date",
                  "self_assessment_deadline", "unit_review_deadline", "approval_deadline", "rule_set_code", "status",
                  "opening_status", "opening_total", "opening_done", "opening_created", "work_periods",
                  "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["status", "opening_status", "opening_total", "opening_done", "opening_created"]
        extra_kwargs = {"start_date": {"required": False}, "end_date": {"required": False}}
        validators: list[Any] = []  # the service checks uniqueness and names the field

    def get_work_periods(self, period: AppraisalPeriod) -> list[dict[str, int]]:
        return [{"id": row.pk, "year": row.year, "month": row.month} for row in period.work_periods.all()]

    def create(self, validated: dict[str, Any]) -> AppraisalPeriod:
        validated.setdefault("kind", PeriodKind.MONTH)  # the model's default, left out of validated data
        return services.period_create(user=self.context["request"].user, **validated)

    def update(self, instance: AppraisalPeriod, validated: dict[str, Any]) -> AppraisalPeriod:
        fixed = sorted(
            name for name in validated if name not in PERIOD_WRITABLE and validated[name] != getattr(instance, name)
        )
        if fixed:
            raise ValidationFailed(
                "Không sửa được các trường này sau khi tạo kỳ.", [FieldError(name, "Không sửa được.") for name in fixed]
            )
        changes = {name: value for name, value in validated.items() if name in PERIOD_WRITABLE}
        return services.period_update(user=self.context["request"].user, period=instance, **changes)


class ProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    opening_status = serializers.CharField()
    opening_status_label = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    created = serializers.IntegerField()
    percent = serializers.IntegerField()
    finished = serializers.BooleanField()
    error = serializers.CharField()
    appraisals = serializers.IntegerField()
    checked_at = serializers.CharField()


def _level(code: str) -> dict[str, str] | None:
    return {"code": code, "label": classification_label(code)} if code else None


def _group_data(group: Any) -> dict[str, Any]:
    figures = getattr(group, "figures", group)
    return {
        "unit": {"id": group.quota_unit.pk, "code": group.quota_unit.code, "name": group.quota_unit.name},
        "code": group.code, "label": group.label, "unit_excellent": group.unit_excellent,
        "candidates": getattr(figures, "candidates", 0), "good": getattr(figures, "good", 0),
        "limit": getattr(figures, "limit", 0), "explanation": getattr(figures, "explanation", ""),
    }  # fmt: skip


def _row_data(row: Any) -> dict[str, Any]:
    return {
        "official": {"id": row.official.pk, "code": row.official.code, "full_name": row.official.full_name},
        "appraisal": row.appraisal.pk if row.appraisal else None,
        "unit": row.appraisal.unit.name if row.appraisal else None,
        "months_worked": row.months_worked, "months_excluded": row.months_excluded,
        "months_missing": row.months_missing, "total": row.mean, "task_score": row.task_mean,
        "by_score": _level(row.by_score), "after_quota": _level(row.after_quota), "final": _level(row.final),
        "quota_reason": row.quota_reason or None, "head_cap_reason": row.head_cap_reason or None,
        "explanation": _explanation(row),
    }  # fmt: skip


def _explanation(row: Any) -> list[str]:
    """The row's explanation; an appraisal of the period scored in bulk has it built now (once)."""
    if row.explanation or row.appraisal is None:
        return list(row.explanation)
    return list(services.explained(row.appraisal).explanation)


def _member_data(member: Any) -> dict[str, Any]:
    appraisal = member.appraisal
    return {
        "appraisal": appraisal.pk, "official": appraisal.official.full_name, "unit": appraisal.unit.name,
        "state": appraisal.state, "total": appraisal.total, "task_score": appraisal.task_score,
        "by_score": _level(member.by_score), "after_quota": _level(member.after_quota), "final": _level(member.final),
        "quota_reason": member.quota_reason or None, "head_cap_reason": member.head_cap_reason or None,
    }  # fmt: skip


class PeriodViewSet(viewsets.ModelViewSet):
    """Appraisal periods: everyone reads; the bloc's authority (or a system admin) writes."""

    serializer_class = PeriodSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["kind", "bloc", "year", "status"]
    ordering_fields = ["year", "start_date"]

    def get_queryset(self) -> QuerySet:
        return selectors.period_list(user=self.request.user).prefetch_related("work_periods")

    def perform_destroy(self, instance: AppraisalPeriod) -> None:
        services.period_delete(user=self.request.user, period=instance)

    # The right is checked before the input: a caller who may not manage periods gets 403,
    # never a validation answer about a body they may not send (the service checks again).
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not any(rights.may_manage_periods(request.user, bloc) for bloc in Bloc.values):
            raise PermissionRefused("Chỉ cơ quan tổ chức cán bộ của khối hoặc quản trị hệ thống được tạo kỳ đánh giá.")
        return super().create(request, *args, **kwargs)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rights.require_period_manager(request.user, self.get_object().bloc)
        return super().update(request, *args, **kwargs)

    @extend_schema(request=None, responses={202: ProgressSerializer})
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: Any = None) -> Response:
        """Open the period; the appraisals are created in the background (see ``status/``)."""
        period = services.period_open(user=request.user, period=self.get_object())
        data = services.period_progress(period)
        data["progress_url"] = request.build_absolute_uri(reverse("appraisal-period-status", args=[period.pk]))
        return Response(data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=ProgressSerializer)
    @action(detail=True, methods=["get"])
    def status(self, request: Request, pk: Any = None) -> Response:
        return Response(services.period_progress(self.get_object()))

    @extend_schema(request=None, responses=PeriodSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        period = services.period_close(user=request.user, period=self.get_object())
        return Response(PeriodSerializer(period, context={"request": request}).data)

    @extend_schema(parameters=[UNIT_PARAM], responses={200: dict})
    @action(detail=True, methods=["get"], url_path="classification-list")
    def classification_list(self, request: Request, pk: Any = None) -> Response:
        """The classification list (a year or quarter rolls up the published months) with the quota check."""
        found = selectors.classification_list(period=self.get_object(), unit=_unit(request), user=request.user)
        return Response({
            "period": found.period.pk, "unit": found.unit.pk if found.unit else None, "rolled_up": found.rolled_up,
            "deadline": found.deadline, "counts": found.counts(), "groups": [_group_data(g) for g in found.groups],
            "results": [_row_data(row) for row in found.rows],
        })  # fmt: skip

    @extend_schema(parameters=[UNIT_PARAM], responses={200: dict})
    @action(detail=True, methods=["get"])
    def quota(self, request: Request, pk: Any = None) -> Response:
        """The excellence quota and head-versus-unit of a unit's batch, before publishing."""
        view = selectors.quota_view(period=self.get_object(), unit=_unit(request, required=True), user=request.user)
        return Response({
            "can_publish": view.can_publish, "blocking": view.blocking, "batch": len(view.batch),
            "groups": [_group_data(g) | {"members": [_member_data(m) for m in g.members],
                                         "waiting": len(g.waiting)} for g in view.groups],
            "heads": [{"appraisal": row.pk, "official": row.official.full_name,
                       "unit_classification": _level(unit.classification) if unit else None,
                       "capped": bool(member and member.capped)} for row, unit, member in view.heads],
        })  # fmt: skip

    @extend_schema(
        request=inline_serializer("PublishUnitRequest", {"unit": serializers.IntegerField()}), responses={200: dict}
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: Any = None) -> Response:
        """Publish the unit's batch waiting at HOME_AFFAIRS, applying the quota and the head cap."""
        outcome = services.period_publish_unit(
            period=self.get_object(), unit=_unit(request, required=True), user=request.user
        )
        return Response({
            "published": [appraisal.pk for appraisal in outcome.published],
            "demoted": [_member_data(member) for member in outcome.demoted],
            "capped": [_member_data(member) for member in outcome.capped],
            "would_demote": [_member_data(member) for member in outcome.would_demote],
            "would_cap": [_member_data(member) for member in outcome.would_cap],
            "warnings": outcome.warnings,
        })  # fmt: skip


# --------------------------------------------------------------------------- appraisals


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    group_code = serializers.CharField()
    name = serializers.CharField()
    max_points = serializers.DecimalField(max_digits=5, decimal_places=2)
    self_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    reviewer_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    comment = serializers.CharField()


class DisqualifierSerializer(fastread.ModelSerializer):
    code_label = serializers.CharField(source="get_code_display", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = AppraisalDisqualifier
        fields = ["id", "code", "code_label", "evidence", "attachment", "decided_on", "counted_year", "recorded_by",
                  "recorded_at"]  # fmt: skip


SCORE_FIELDS = ["score_status", "assigned_converted", "completed_converted", "quality_converted",
                "progress_converted", "a", "b", "c", "unit_d", "unit_dd", "unit_e", "task_percent", "task_score",
                "general_score", "self_general_score", "total"]  # fmt: skip


class AppraisalSerializer(CustomFieldSerializerMixin, WorkflowStateSerializer, fastread.ModelSerializer):
    custom_doctype = "appraisal"
    official = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    period_label = serializers.CharField(source="period.label", read_only=True)
    rule_set = serializers.SerializerMethodField()
    proposed = serializers.SerializerMethodField()
    final = serializers.SerializerMethodField()
    criteria = CriterionSerializer(many=True, read_only=True)
    disqualifiers = DisqualifierSerializer(many=True, read_only=True)
    editable = serializers.SerializerMethodField(help_text="Các phần người gọi được sửa lúc này")

    class Meta:
        model = Appraisal
        fields = ["id", "official", "period", "period_label", "unit", "leadership_role", "quota_group",
                  "quota_group_label", "rule_set", *SCORE_FIELDS, "proposed", "final", "unit_criteria_reason",
                  "decision_rank", "exceeded_share", "quota_reason", "head_cap_reason", "explanation",
                  "scored_items", "criteria", "disqualifiers", "self_comment", "reviewer_comment", "scored_at",
                  "published_at", "state", "state_label", "workflow", "available_actions", "editable",
                  "custom"]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, instance: Appraisal) -> Any:
        if "explanation" in self.fields:  # the detail: built now if the period was scored in bulk
            instance = services.explained(instance)
        return super().to_representation(instance)

    def get_editable(self, row: Appraisal) -> list[str]:
        return sorted(rights.editable_parts(self.context["request"].user, row))

    def get_official(self, row: Appraisal) -> dict[str, Any]:
        return {"id": row.official_id, "code": row.official.code, "full_name": row.official.full_name}

    def get_unit(self, row: Appraisal) -> dict[str, Any]:
        return {"id": row.unit_id, "code": row.unit.code, "name": row.unit.name}

    def get_rule_set(self, row: Appraisal) -> dict[str, Any]:
        return {"code": row.rule_set_code, "version": row.rule_set_version}

    def get_proposed(self, row: Appraisal) -> dict[str, str] | None:
        return _level(row.proposed_classification)

    def get_final(self, row: Appraisal) -> dict[str, str] | None:
        return _level(row.final_classification)


LIST_DROPPED = {"available_actions", "criteria", "disqualifiers", "explanation", "scored_items", "editable"}
# Wide JSON columns a list row never shows (the workflow's definition: its parsed form is
# cached by version, core of WorkflowDefinition.parsed).
LIST_DEFERRED = ("rule_params", "explanation", "scored_items", "fields_in_charge", "workflow__definition",
                 "official__custom", "position__custom")  # fmt: skip


class AppraisalListSerializer(AppraisalSerializer):
    """Lists leave out the lines, the explanation and ``available_actions`` (one lookup per row)."""

    available_actions = None
    criteria = None
    disqualifiers = None
    editable = None

    class Meta(AppraisalSerializer.Meta):
        fields = [name for name in AppraisalSerializer.Meta.fields if name not in LIST_DROPPED]
        read_only_fields = fields


class LinesRequest(serializers.Serializer):
    lines = serializers.ListField(child=serializers.DictField(), label="Các dòng tiêu chí {code, score, comment}")
    comment = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


class UnitCriteriaRequest(serializers.Serializer):
    dd = serializers.CharField(label="đ (100 hoặc 50)")
    e = serializers.CharField(label="e (100 hoặc 50)")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RankingRequest(serializers.Serializer):
    decision_rank = serializers.IntegerField(required=False, allow_null=True, default=None)
    exceeded_share = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)


class DisqualifierRequest(serializers.Serializer):
    code = serializers.CharField()
    evidence = serializers.CharField(allow_blank=True)
    attachment = serializers.FileField(required=False, allow_null=True)
    decided_on = serializers.DateField(required=False, allow_null=True, help_text="Bắt buộc với DISCIPLINE.")
    counted_year = serializers.IntegerField(required=False, allow_null=True, min_value=2000, max_value=2100)


LIST_PARAMS = [
    OpenApiParameter("period", int, description="Kỳ đánh giá (id): tháng, quý hoặc năm"),
    OpenApiParameter(
        "month",
        str,
        description="Phiếu của các kỳ đánh giá tháng này, dạng YYYY-MM. Không có `period` và `month` thì "
        "danh sách chỉ gồm phiếu của kỳ tháng hiện tại.",
    ),
    UNIT_PARAM,
    OpenApiParameter("state", str, description="Trạng thái: DRAFT, UNIT_REVIEW, HOME_AFFAIRS, PUBLISHED"),
    OpenApiParameter("classification", str, description=", ".join(code.value for code in CLASSIFICATION_LABELS)),
    OpenApiParameter("mine", bool, description="Chỉ phiếu của chính mình"),
]


class AppraisalViewSet(WorkflowActionsMixin, viewsets.ReadOnlyModelViewSet):
    """Appraisals in the caller's scope; scoring and transitions go through the services."""

    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return AppraisalListSerializer if self.action == "list" else AppraisalSerializer

    def get_queryset(self) -> QuerySet:
        params = self.request.query_params
        period = params.get("period")
        rows = selectors.appraisal_list(
            user=self.request.user, unit=_unit(self.request) if self.action == "list" else None,
            state=params.get("state") or None, classification=params.get("classification") or None,
        )  # fmt: skip
        if self.action == "list" and period:
            rows = rows.filter(period_id=int(period)) if period.isdigit() else rows.none()
        elif self.action == "list":  # one month unless a period is chosen (api/months.py)
            year, month = month_param(self.request) or current_month()
            rows = selectors.appraisals_of_month(rows, year=year, month=month)
        if params.get("mine") in ("1", "true"):
            rows = rows.filter(official__user=self.request.user)
        if self.action == "list":
            # The list shows none of these: not read, not decoded (a head's page of 50).
            return rows.defer(*LIST_DEFERRED)
        return rows.prefetch_related("criteria", "disqualifiers__recorded_by")

    @extend_schema(parameters=LIST_PARAMS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def _done(self, appraisal: Appraisal) -> Response:
        fresh = self.get_queryset().get(pk=appraisal.pk)
        return Response(AppraisalSerializer(fresh, context={"request": self.request}).data)

    @extend_schema(request=LinesRequest, responses=AppraisalSerializer)
    @action(detail=True, methods=["put"], url_path="general-criteria")
    def general_criteria(self, request: Request, pk: Any = None) -> Response:
        """The lines the caller may score: the subject's self scores, or the reviewer's scores."""
        form = LinesRequest(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        appraisal = services.appraisal_save_general(
            appraisal=self.get_object(), user=request.user, lines=data["lines"], comment=data["comment"]
        )
        return self._done(appraisal)

    @extend_schema(request=UnitCriteriaRequest, responses=AppraisalSerializer)
    @action(detail=True, methods=["put"], url_path="unit-criteria")
    def unit_criteria(self, request: Request, pk: Any = None) -> Response:
        form = UnitCriteriaRequest(data=request.data)
        form.is_valid(raise_exception=True)
        appraisal = services.appraisal_set_unit_criteria(appraisal=self.get_object(), user=request.user,
                                                         **form.validated_data)  # fmt: skip
        return self._done(appraisal)

    @extend_schema(request=RankingRequest, responses=AppraisalSerializer)
    @action(detail=True, methods=["put"])
    def ranking(self, request: Request, pk: Any = None) -> Response:
        form = RankingRequest(data=request.data)
        form.is_valid(raise_exception=True)
        appraisal = services.appraisal_set_ranking(appraisal=self.get_object(), user=request.user,
                                                   **form.validated_data)  # fmt: skip
        return self._done(appraisal)

    @extend_schema(request=DisqualifierRequest, responses={201: DisqualifierSerializer})
    @action(detail=True, methods=["post"])
    def disqualifiers(self, request: Request, pk: Any = None) -> Response:
        form = DisqualifierRequest(data=request.data)
        form.is_valid(raise_exception=True)
        row = services.appraisal_record_disqualifier(appraisal=self.get_object(), user=request.user,
                                                     **form.validated_data)  # fmt: skip
        return Response(DisqualifierSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AppraisalSerializer)
    @action(detail=True, methods=["delete"], url_path=r"disqualifiers/(?P<disqualifier_id>\d+)")
    def remove_disqualifier(self, request: Request, pk: Any = None, disqualifier_id: str = "") -> Response:
        appraisal = self.get_object()
        row = appraisal.disqualifiers.filter(pk=int(disqualifier_id)).first()
        if row is None:
            raise NotFound("Không tìm thấy trường hợp này trong phiếu.")
        return self._done(services.appraisal_remove_disqualifier(disqualifier=row, user=request.user))

    @extend_schema(request=inline_serializer("AppraisalCustomRequest", {"custom": serializers.JSONField()}),
                   responses=AppraisalSerializer)  # fmt: skip
    @action(detail=True, methods=["patch"])
    def custom(self, request: Request, pk: Any = None) -> Response:
        """Custom field values: ``{"custom": {key: value}}``; keys left out keep their value."""
        values = request.data.get("custom") if hasattr(request.data, "get") else None
        return self._done(services.appraisal_set_custom(appraisal=self.get_object(), user=request.user, values=values))

    @extend_schema(request=None, responses=AppraisalSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request: Request, pk: Any = None) -> Response:
        """Compute the scores again from the reviewed work logs (refused once published)."""
        return self._done(services.appraisal_score(appraisal=self.get_object(), user=request.user))


# ---------------------------------------------------------------------- unit appraisals


class UnitAppraisalSerializer(WorkflowStateSerializer, fastread.ModelSerializer):
    """The agency's appraisal: the general criteria (and its own task estimate) are entered
    while it is a draft; submitting scores it from the officials' results (read-only here)."""

    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    classification = serializers.CharField(required=False, allow_blank=True)
    classification_label = serializers.CharField(source="get_classification_display", read_only=True)
    conditions_classification = serializers.CharField(read_only=True)  # the same codes as score_classification
    year = serializers.IntegerField(min_value=2000, max_value=2100)

    class Meta:
        model = UnitAppraisal
        fields = ["id", "unit", "year", "general_score", "task_score", "total", "score_classification",
                  "classification", "classification_label", "notes", "rule_set_code", "task_percent",
                  "months_counted", "planned_converted", "done_converted", "on_time_converted", "quality_converted",
                  "exceeded_converted", "failing_units", "conditions_classification", "quota_reason",
                  "quota_outstanding", "explanation", "scored_at", "approved_at", "published_at", "deadline", "state",
                  "state_label", "workflow", "available_actions", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["total", "score_classification", "rule_set_code", "task_percent", "months_counted",
                            "planned_converted", "done_converted", "on_time_converted", "quality_converted",
                            "exceeded_converted", "failing_units", "conditions_classification", "quota_reason",
                            "quota_outstanding", "explanation", "scored_at", "approved_at", "published_at",
                            "deadline"]  # fmt: skip
        validators: list[Any] = []  # one per unit and year: saving again replaces it (the service upserts)

    def _save(self, validated: dict[str, Any]) -> UnitAppraisal:
        return services.unit_appraisal_save(
            user=self.context["request"].user, unit=validated["unit"], year=validated["year"],
            general_score=validated["general_score"], task_score=validated["task_score"],
            classification=validated.get("classification") or None, notes=validated.get("notes", ""),
        )  # fmt: skip

    def create(self, validated: dict[str, Any]) -> UnitAppraisal:
        return self._save(validated)

    def update(self, instance: UnitAppraisal, validated: dict[str, Any]) -> UnitAppraisal:
        current = {name: getattr(instance, name) for name in ("unit", "year", "general_score", "task_score", "notes")}
        return self._save({**current, "classification": instance.classification, **validated})


class UnitAppraisalViewSet(WorkflowActionsMixin, viewsets.ModelViewSet):
    serializer_class = UnitAppraisalSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["unit", "year", "classification"]

    def get_queryset(self) -> QuerySet:
        return access.scoped(UnitAppraisal.objects.select_related("unit", "workflow"), self.request.user)

    def perform_destroy(self, instance: UnitAppraisal) -> None:
        services.unit_appraisal_delete(user=self.request.user, unit_appraisal=instance)


# ------------------------------------------------------------------ a unit's own rules


class UnitRulesSerializer(WorkflowStateSerializer, fastread.ModelSerializer):
    """A public service unit's own rules (ND 233 Điều 12 khoản 5): ``weights`` by group code of
    the rule set and the reduced value of d, đ and e, inside the rule set's frame; entered
    as a draft, approved by the bloc authority (``transition``), then read-only."""

    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    weights = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2))

    class Meta:
        model = UnitRules
        fields = ["id", "unit", "rule_set_code", "reference", "weights", "reduced", "notes", "in_force",
                  "approved_at", "superseded_at", "state", "state_label", "workflow", "available_actions",
                  "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["in_force", "approved_at", "superseded_at"]

    def _save(self, validated: dict[str, Any], row: UnitRules | None = None) -> UnitRules:
        return unit_rules.unit_rules_save(
            user=self.context["request"].user, unit=validated["unit"], reference=validated.get("reference", ""),
            weights={code: str(value) for code, value in validated.get("weights", {}).items()},
            reduced=validated.get("reduced"), rule_set_code=validated.get("rule_set_code"),
            notes=validated.get("notes", ""), row=row,
        )  # fmt: skip

    def create(self, validated: dict[str, Any]) -> UnitRules:
        return self._save(validated)

    def update(self, instance: UnitRules, validated: dict[str, Any]) -> UnitRules:
        current = {name: getattr(instance, name) for name in ("unit", "rule_set_code", "reference", "weights",
                                                               "reduced", "notes")}  # fmt: skip
        return self._save({**current, **validated}, instance)


class UnitRulesViewSet(WorkflowActionsMixin, viewsets.ModelViewSet):
    """No delete: the history of a unit's rules is kept; a draft is returned or replaced."""

    serializer_class = UnitRulesSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["unit", "rule_set_code", "in_force"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:
        return access.scoped(UnitRules.objects.select_related("unit", "workflow"), self.request.user)
