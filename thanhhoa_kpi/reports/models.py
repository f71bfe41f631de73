"""Saved reports of the report builder and their email schedules (SPEC 6).

A saved report is data: a source code, columns, filters, group-by, aggregates, sort and a
chart, validated by :mod:`thanhhoa_kpi.reports.definition` on every save and run. Running
it always uses the scope of the person running it (or of a schedule's owner).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.core.models import TimeStampedModel


class SavedReport(TimeStampedModel):
    name = models.CharField("Tên báo cáo", max_length=200)
    doctype = models.CharField("Loại dữ liệu", max_length=40, db_index=True)
    columns = models.JSONField("Cột", default=list, blank=True)
    filters = models.JSONField("Bộ lọc", default=list, blank=True)
    group_by = models.JSONField("Nhóm theo", default=list, blank=True)
    aggregates = models.JSONField("Tổng hợp", default=list, blank=True)
    sort = models.JSONField("Sắp xếp", default=list, blank=True)
    chart = models.JSONField("Biểu đồ", default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_reports", verbose_name="Người tạo"
    )
    shared_with_roles = models.JSONField("Chia sẻ với vai trò", default=list, blank=True)
    shared_with_units = models.ManyToManyField(
        "organization.OrgUnit", blank=True, related_name="shared_reports", verbose_name="Chia sẻ với đơn vị"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "báo cáo đã lưu"
        verbose_name_plural = "báo cáo đã lưu"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def definition(self) -> dict:
        return {
            "doctype": self.doctype,
            "columns": self.columns,
            "filters": self.filters,
            "group_by": self.group_by,
            "aggregates": self.aggregates,
            "sort": self.sort,
            "chart": self.chart,
        }


class Frequency(models.TextChoices):
    DAILY = "daily", "Hằng ngày"
    WEEKLY = "weekly", "Hằng tuần"
    MONTHLY = "monthly", "Hằng tháng"


class ScheduleFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    PDF = "pdf", "PDF"
    CSV = "csv", "CSV"


WEEKDAYS = [
    (0, "Thứ Hai"),
    (1, "Thứ Ba"),
    (2, "Thứ Tư"),
    (3, "Thứ Năm"),
    (4, "Thứ Sáu"),
    (5, "Thứ Bảy"),
    (6, "Chủ nhật"),
]


class ReportSchedule(TimeStampedModel):
    """Emails a saved report's result on a schedule, run with the owner's scope."""

    report = models.ForeignKey(SavedReport, on_delete=models.CASCADE, related_name="schedules", verbose_name="Báo cáo")
    frequency = models.CharField("Tần suất", max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    weekday = models.PositiveSmallIntegerField("Thứ trong tuần", choices=WEEKDAYS, null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(
        "Ngày trong tháng", null=True, blank=True, help_text="1–31; tháng ngắn hơn thì gửi vào ngày cuối tháng."
    )
    hour = models.PositiveSmallIntegerField("Giờ gửi", default=7, help_text="0–23, giờ Việt Nam.")
    format = models.CharField(
        "Định dạng tệp", max_length=5, choices=ScheduleFormat.choices, default=ScheduleFormat.XLSX
    )
    recipients = models.JSONField("Người nhận", default=list, help_text="Danh sách địa chỉ thư điện tử.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_schedules", verbose_name="Người lập"
    )
    active = models.BooleanField("Đang hoạt động", default=True)
    last_sent_at = models.DateTimeField("Lần gửi gần nhất", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "lịch gửi báo cáo"
        verbose_name_plural = "lịch gửi báo cáo"
        ordering = ["report__name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hour__lte=23), name="schedule_hour_0_23"),
            models.CheckConstraint(condition=Q(weekday__isnull=True) | Q(weekday__lte=6), name="schedule_weekday_0_6"),
            models.CheckConstraint(
                condition=Q(day_of_month__isnull=True) | Q(day_of_month__gte=1, day_of_month__lte=31),
                name="schedule_day_1_31",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} — {self.get_frequency_display()} {self.hour:02d}:00"
