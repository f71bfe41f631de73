"""Versioned competency frameworks (SPEC 3.4): competencies, levels 1–5, requirements."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.core.models import TimeStampedModel

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
