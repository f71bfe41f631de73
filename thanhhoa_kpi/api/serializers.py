"""Serializers of the org model and competency frameworks (fields in English snake_case)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.api import fastread
from thanhhoa_kpi.api.custom import CustomFieldSerializerMixin
from thanhhoa_kpi.competencies import services as competency_services
from thanhhoa_kpi.competencies.models import Competency, CompetencyFramework, PositionRequirement, ProficiencyLevel
from thanhhoa_kpi.organization import services
from thanhhoa_kpi.organization.models import JobPosition, Official, OfficialAssignment, OrgUnit


class OrgUnitSerializer(fastread.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True)

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "bloc",
            "level",
            "kind",
            "parent",
            "depth",
            "active_from",
            "active_to",
        ]
        read_only_fields = ["depth"]

    def to_representation(self, instance: OrgUnit) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["parent"] = self._parent_ids().get(instance.path[: -OrgUnit.steplen]) if instance.depth > 1 else None
        return data

    def _parent_ids(self) -> dict[str, int]:
        """Parent path → id for the page (a list), or for the one unit: one query either way."""
        holder = self.parent if isinstance(getattr(self.parent, "instance", None), list | tuple) else self
        if not hasattr(holder, "_parent_ids_found"):
            units = holder.instance if isinstance(holder.instance, list | tuple) else [holder.instance]
            paths = {u.path[: -OrgUnit.steplen] for u in units if u is not None and u.depth > 1}
            rows = OrgUnit.objects.filter(path__in=sorted(paths)).values_list("path", "pk") if paths else []
            holder._parent_ids_found = dict(rows)
        return holder._parent_ids_found  # type: ignore[no-any-return]

    def validate_parent(self, parent: OrgUnit | None) -> OrgUnit | None:
        user = self.context["request"].user
        if parent is not None and not access.can_change(user, parent):
            raise serializers.ValidationError("Bạn không quản lý đơn vị cấp trên này.")
        if parent is None and not access.scope_for(user).everything:
            raise serializers.ValidationError("Chỉ quản trị hệ thống được tạo đơn vị gốc.")
        return parent

    def create(self, validated: dict[str, Any]) -> OrgUnit:
        parent = validated.pop("parent", None)
        return services.org_unit_create(by=self.context["request"].user, parent=parent, **validated)

    def update(self, instance: OrgUnit, validated: dict[str, Any]) -> OrgUnit:
        user = self.context["request"].user
        parent_given = "parent" in validated
        parent = validated.pop("parent", None)
        instance = services.org_unit_update(by=user, unit=instance, **validated)
        if parent_given and parent != OrgUnit.objects.get_parent(instance):
            instance = services.org_unit_move(by=user, unit=instance, new_parent=parent)
        return instance


class AssignmentSerializer(fastread.ModelSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    position = serializers.PrimaryKeyRelatedField(queryset=JobPosition.objects.all())

    class Meta:
        model = OfficialAssignment
        fields = [
            "id",
            "unit",
            "position",
            "leadership_role",
            "fields_in_charge",
            "task_group",
            "start_date",
            "end_date",
        ]
        read_only_fields = ["task_group"]

    def validate_unit(self, unit: OrgUnit) -> OrgUnit:
        if not access.can_change(self.context["request"].user, unit):
            raise serializers.ValidationError("Bạn không quản lý đơn vị này.")
        return unit

    def validate_fields_in_charge(self, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise serializers.ValidationError("Phải là danh sách tên lĩnh vực.")
        return value


class OfficialSerializer(CustomFieldSerializerMixin, fastread.ModelSerializer):
    custom_doctype = "official"
    assignments = AssignmentSerializer(many=True, read_only=True)
    assignment = AssignmentSerializer(write_only=True, required=False)

    class Meta:
        model = Official
        fields = [
            "id", "code", "full_name", "birth_date", "gender", "email", "phone", "category",
            "rule_set_code", "assignments", "assignment", "custom",
        ]  # fmt: skip

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            self.instance is None
            and "assignment" not in attrs
            and not access.scope_for(self.context["request"].user).everything
        ):
            raise serializers.ValidationError({"assignment": "Cần khai báo đơn vị và vị trí công tác."})
        return attrs

    def validate_birth_date(self, value: date | None) -> date | None:
        # Someone in office: born after 1900 and of working age (18) — a typo like 6623 is refused.
        latest = timezone.localdate().year - 18
        if value is not None and not 1900 <= value.year <= latest:
            raise serializers.ValidationError(f"Năm sinh phải từ 1900 đến {latest}.")
        return value

    def create(self, validated: dict[str, Any]) -> Official:
        return services.official_create(by=self.context["request"].user, **validated)

    def update(self, instance: Official, validated: dict[str, Any]) -> Official:
        validated.pop("assignment", None)
        return services.official_update(by=self.context["request"].user, official=instance, **validated)


class JobPositionSerializer(CustomFieldSerializerMixin, fastread.ModelSerializer):
    custom_doctype = "position"

    class Meta:
        model = JobPosition
        fields = [
            "id", "code", "name", "group", "bloc", "professional_level", "duties", "output_products",
            "working_conditions", "custom",
        ]  # fmt: skip

    def create(self, validated: dict[str, Any]) -> JobPosition:
        return services.position_save(by=self.context["request"].user, **validated)

    def update(self, instance: JobPosition, validated: dict[str, Any]) -> JobPosition:
        return services.position_save(by=self.context["request"].user, position=instance, **validated)


class LevelSerializer(fastread.ModelSerializer):
    class Meta:
        model = ProficiencyLevel
        fields = ["level", "description"]


class CompetencySerializer(fastread.ModelSerializer):
    levels = LevelSerializer(many=True, read_only=True)

    class Meta:
        model = Competency
        fields = ["id", "code", "name", "kind", "levels"]


class RequirementSerializer(fastread.ModelSerializer):
    position = serializers.SlugRelatedField(slug_field="code", read_only=True)
    competency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PositionRequirement
        fields = ["position", "competency", "required_level"]


class CompetencyFrameworkSerializer(fastread.ModelSerializer):
    competencies = CompetencySerializer(many=True, read_only=True)
    requirements = RequirementSerializer(many=True, read_only=True)

    class Meta:
        model = CompetencyFramework
        fields = ["id", "code", "version", "name", "effective_from", "is_active", "competencies", "requirements"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Province-wide: refused before anything is written (updates also by the object permission).
        competency_services.require_editor(self.context["request"].user)
        return attrs
