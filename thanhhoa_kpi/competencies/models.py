"""Versioned competency frameworks (SPEC 3.4): competencies, levels 1–5, requirements,
and the yearly competency assessment of each official (self + reviewer)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import QuerySet
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.core.models import TimeStampedModel
from thanhhoa_kpi.workflow.models import DocType, WorkflowDocument

if TYPE_CHECKING:
    from thanhhoa_kpi.organization.models import Official, OrgUnit

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class CompetencyKind(models.TextChoices):
    CHUNG = "CHUNG", "Năng lực chung"
    CHUYEN_MON = "CHUYEN_MON", "Năng lực chuyên môn"
    QUAN_LY = "QUAN_LY", "Năng lực quản lý"


class CompetencyFramework(TimeStampedModel):
    code = models.CharField("Mã khung", max_length=40)
    version = models.PositiveIntegerField("Phiên bản", default=1)
    name = models.CharField("Tên khung năng lực", max_length=255)
    effective_from = models.DateField("Hiệu lực từ")
    is_active = models.BooleanField("Đang áp dụng", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "khung năng lực"
        verbose_name_plural = "khung năng lực"
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="uniq_framework_version")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Competency(models.Model):
    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="competencies", verbose_name="Khung năng lực"
    )
    code = models.CharField("Mã năng lực", max_length=40)
    name = models.CharField("Tên năng lực", max_length=255)
    kind = models.CharField("Nhóm năng lực", max_length=20, choices=CompetencyKind.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "năng lực"
        verbose_name_plural = "năng lực"
        ordering = ["framework", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="uniq_competency_code")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class ProficiencyLevel(models.Model):
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="levels", verbose_name="Năng lực")
    level = models.PositiveSmallIntegerField("Cấp độ", validators=LEVEL_VALIDATORS)
    description = models.TextField("Mô tả")

    class Meta:
        verbose_name = "cấp độ thành thạo"
        verbose_name_plural = "cấp độ thành thạo"
        ordering = ["competency", "level"]
        constraints = [
            models.UniqueConstraint(fields=["competency", "level"], name="uniq_competency_level"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="proficiency_level_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code} cấp {self.level}"


class PositionRequirement(models.Model):
    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="requirements", verbose_name="Khung năng lực"
    )
    position = models.ForeignKey(
        "organization.JobPosition",
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name="Vị trí việc làm",
    )
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, verbose_name="Năng lực")
    required_level = models.PositiveSmallIntegerField("Cấp độ yêu cầu", validators=LEVEL_VALIDATORS)

    class Meta:
        verbose_name = "yêu cầu năng lực của vị trí"
        verbose_name_plural = "yêu cầu năng lực của vị trí"
        ordering = ["position", "competency"]
        constraints = [
            models.UniqueConstraint(fields=["position", "competency"], name="uniq_position_competency"),
            models.CheckConstraint(
                condition=models.Q(required_level__gte=1, required_level__lte=5), name="required_level_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} — {self.competency}: cấp {self.required_level}"


# --------------------------------------------------------------------------- assessments


class CompetencyAssessment(WorkflowDocument, TimeStampedModel):
    """Phiếu đánh giá năng lực of one official for one year (SPEC 3.4), moved by the
    COMPETENCY_ASSESSMENT workflow: the official rates themself on every competency their
    position requires (levels 1–5 of the framework), the reviewer rates them again and
    approves or returns it.

    The unit and position are a snapshot taken at opening, and each line copies the level
    the position required then, so a transfer or a changed requirement never rewrites an
    assessment. Only the services write these rows (:mod:`thanhhoa_kpi.competencies.assessments`).
    """

    official = models.ForeignKey(
        "organization.Official", on_delete=models.PROTECT, related_name="competency_assessments",
        verbose_name="Cán bộ",
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(
        "Năm đánh giá", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    unit = models.ForeignKey(
        "organization.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="Đơn vị (khi mở)"
    )
    position = models.ForeignKey(
        "organization.JobPosition", on_delete=models.PROTECT, related_name="+", verbose_name="Vị trí việc làm (khi mở)"
    )
    deadline = models.DateField("Hạn hoàn thành", null=True, blank=True)
    self_comment = models.TextField("Tự nhận xét", blank=True)
    reviewer_comment = models.TextField("Nhận xét của người đánh giá", blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Người đánh giá",
    )  # fmt: skip
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Người mở phiếu",
    )  # fmt: skip
    approved_at = models.DateTimeField("Duyệt lúc", null=True, blank=True)
    history = HistoricalRecords()

    workflow_doctype = DocType.COMPETENCY_ASSESSMENT.value
    workflow_code = "COMPETENCY_ASSESSMENT"
    workflow_related = ("official", "unit")

    class Meta:
        verbose_name = "phiếu đánh giá năng lực"
        verbose_name_plural = "phiếu đánh giá năng lực"
        ordering = ["-year", "unit__path", "official__full_name", "pk"]
        indexes = [models.Index(fields=["year", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["official", "year"], name="uniq_competency_assessment_official_year")
        ]

    def __str__(self) -> str:
        return f"Đánh giá năng lực {self.official.full_name} — năm {self.year}"

    def workflow_subject_official(self) -> Official:
        return self.official

    def workflow_subject_unit(self) -> OrgUnit:
        return self.unit

    def workflow_title(self) -> str:
        return f"{self.official.full_name} — năng lực năm {self.year}"

    def workflow_deadline(self) -> date | None:
        return self.deadline

    @classmethod
    def workflow_due(cls, *, until: date) -> QuerySet:
        return cls._default_manager.filter(deadline__isnull=False, deadline__lte=until)


class CompetencyAssessmentLine(models.Model):
    """One competency of an assessment: the level required (copied at opening), the
    official's own level and the reviewer's, each with a comment."""

    assessment = models.ForeignKey(
        CompetencyAssessment, on_delete=models.CASCADE, related_name="lines", verbose_name="Phiếu"
    )
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+", verbose_name="Năng lực")
    required_level = models.PositiveSmallIntegerField("Cấp độ yêu cầu", validators=LEVEL_VALIDATORS)
    self_level = models.PositiveSmallIntegerField("Tự đánh giá", null=True, blank=True, validators=LEVEL_VALIDATORS)
    self_comment = models.TextField("Ghi chú tự đánh giá", blank=True)
    reviewer_level = models.PositiveSmallIntegerField(
        "Người đánh giá", null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    reviewer_comment = models.TextField("Nhận xét của người đánh giá", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "năng lực được đánh giá"
        verbose_name_plural = "năng lực được đánh giá"
        ordering = ["assessment", "competency__code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "competency"], name="uniq_assessment_competency"),
            models.CheckConstraint(
                condition=models.Q(required_level__gte=1, required_level__lte=5), name="assessment_required_1_5"
            ),
            models.CheckConstraint(
                condition=models.Q(self_level__isnull=True) | models.Q(self_level__gte=1, self_level__lte=5),
                name="assessment_self_level_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(reviewer_level__isnull=True)
                | models.Q(reviewer_level__gte=1, reviewer_level__lte=5),
                name="assessment_reviewer_level_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code}: yêu cầu cấp {self.required_level}"

    @property
    def gap(self) -> int | None:
        """How many levels the reviewer's level falls short of the required one (0 when met)."""
        if self.reviewer_level is None:
            return None
        return max(0, self.required_level - self.reviewer_level)
