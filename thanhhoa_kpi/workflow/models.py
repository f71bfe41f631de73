"""Workflow definitions as versioned rows (SPEC 4), edited by HR admins in the desk.

The decisions live in the pure :mod:`thanhhoa_kpi.workflow.engine`; these rows hold its
input. A document keeps the definition version it started with.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.core.models import TimeStampedModel


class DocType(models.TextChoices):
    APPRAISAL = "appraisal", "Phiếu đánh giá"
    CATALOGUE = "catalogue", "Danh mục đầu công việc"
    JOB_DESCRIPTION = "job_description", "Bản mô tả vị trí việc làm"


class WorkflowDefinition(TimeStampedModel):
    code = models.CharField("Mã quy trình", max_length=40)
    version = models.PositiveIntegerField("Phiên bản", default=1)
    name = models.CharField("Tên quy trình", max_length=255)
    doctype = models.CharField("Loại tài liệu", max_length=30, choices=DocType.choices)
    definition = models.JSONField("Định nghĩa", help_text="Trạng thái và bước chuyển (xem SPEC 4).")
    is_current = models.BooleanField("Phiên bản đang dùng", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "quy trình phê duyệt"
        verbose_name_plural = "quy trình phê duyệt"
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="uniq_workflow_version")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"
