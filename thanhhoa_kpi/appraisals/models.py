"""Rule sets: every scoring parameter of SPEC 5 as versioned data.

A rule set row is never edited in place once used: saving a change creates the next
version (see :func:`thanhhoa_kpi.appraisals.services.rule_set_save`), and each appraisal
copies the parameters it was scored with, so later edits never change published results.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.core.models import TimeStampedModel


class RuleSet(TimeStampedModel):
    code = models.CharField("Mã bộ quy tắc", max_length=20, help_text="ND335, ND233, QD366...")
    version = models.PositiveIntegerField("Phiên bản", default=1)
    name = models.CharField("Tên", max_length=255)
    legal_basis = models.CharField("Căn cứ pháp lý", max_length=255, blank=True)
    params = models.JSONField(
        "Tham số", help_text="Trọng số, ngưỡng xếp loại, tỷ lệ trừ, tỷ lệ xuất sắc... (xem SPEC 5)"
    )
    is_current = models.BooleanField("Phiên bản đang dùng", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "bộ quy tắc chấm điểm"
        verbose_name_plural = "bộ quy tắc chấm điểm"
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="uniq_rule_set_version")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} — {self.name}"
