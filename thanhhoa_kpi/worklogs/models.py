"""Work periods, assignments (giao việc) and work-log lines with their review (SPEC 3.6–3.7).

An assignment and a log line copy the coefficient of the catalogue item at creation
(``coefficient``), so the score of a past month never changes when a catalogue does. The
review of a line (accepted quantity, quality failures, delays and their exemptions) is
kept on the line itself, with its history.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.catalogue.models import COEFFICIENT_DIGITS, CatalogueItem
from thanhhoa_kpi.core.models import TimeStampedModel
from thanhhoa_kpi.formats.numbers import decimal_text
from thanhhoa_kpi.organization.models import Official, OrgUnit

QUANTITY_DIGITS = {"max_digits": 12, "decimal_places": 2}
MINUTES_PER_DAY = 24 * 60


class PeriodStatus(models.TextChoices):
    OPEN = "OPEN", "Đang mở"
    CLOSED = "CLOSED", "Đã khóa"


class WorkPeriod(TimeStampedModel):
    """A calendar month of work. Appraisal periods (month, quarter, year) build on these."""

    year = models.PositiveSmallIntegerField("Năm", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField("Tháng", validators=[MinValueValidator(1), MaxValueValidator(12)])
    status = models.CharField("Trạng thái", max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Người khóa kỳ",
    )  # fmt: skip
    closed_at = models.DateTimeField("Khóa lúc", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "kỳ công việc (tháng)"
        verbose_name_plural = "kỳ công việc (tháng)"
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="uniq_work_period_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="work_period_month_1_12"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="work_period_year_range"),
        ]

    def __str__(self) -> str:
        return f"Tháng {self.month:02d}/{self.year}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def is_open(self) -> bool:
        return self.status == PeriodStatus.OPEN

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def document_key(number: str | None) -> str:
    """«123 / ubnd-vp » and «123/UBND-VP» are one number: upper case, no spaces."""
    return "".join(str(number or "").split()).upper()


class Origin(models.TextChoices):
    PLAN = "PLAN", "Theo kế hoạch"
    AD_HOC = "AD_HOC", "Đột xuất"
    SELF_REGISTERED = "SELF_REGISTERED", "Tự đăng ký"


class Assignment(TimeStampedModel):
    """Giao việc: an item, a quantity and a deadline for one official in one month."""

    catalogue_item = models.ForeignKey(
        CatalogueItem, on_delete=models.PROTECT, related_name="assignments", verbose_name="Đầu công việc"
    )
    assignee = models.ForeignKey(
        Official, on_delete=models.PROTECT, related_name="work_assignments", verbose_name="Người thực hiện"
    )
    assigner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Người giao",
    )  # fmt: skip
    period = models.ForeignKey(WorkPeriod, on_delete=models.PROTECT, related_name="assignments", verbose_name="Kỳ")
    quantity = models.DecimalField("Số lượng giao", **QUANTITY_DIGITS)
    deadline = models.DateField("Hạn hoàn thành", null=True, blank=True)
    origin = models.CharField("Nguồn giao việc", max_length=20, choices=Origin.choices, default=Origin.PLAN)
    approved = models.BooleanField(
        "Đã được duyệt", default=False, help_text="Việc tự đăng ký chỉ được tính khi lãnh đạo phụ trách duyệt."
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Người duyệt",
    )  # fmt: skip
    approved_at = models.DateTimeField("Duyệt lúc", null=True, blank=True)
    coefficient = models.DecimalField(
        "Hệ số quy đổi (lưu khi giao)", **COEFFICIENT_DIGITS, help_text="Sao chép từ danh mục lúc giao việc."
    )
    note = models.CharField("Ghi chú", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "giao việc"
        verbose_name_plural = "giao việc"
        ordering = ["-period__year", "-period__month", "assignee__full_name", "pk"]
        indexes = [
            models.Index(fields=["assignee", "period"]),
            models.Index(fields=["period", "approved"]),
            # Scoring a whole month (appraisals.batch): the approved assignments of a month
            # per official, read from the index alone.
            models.Index(
                fields=["period", "approved", "assignee", "catalogue_item", "coefficient", "quantity"],
                name="assignment_month_scoring",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="assignment_quantity_positive"),
            models.CheckConstraint(condition=Q(coefficient__gt=0), name="assignment_coefficient_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.catalogue_item.code} × {decimal_text(self.quantity)} — {self.assignee.full_name} ({self.period})"

    def clean(self) -> None:
        if self.quantity is not None and self.quantity <= 0:
            raise ValidationError({"quantity": "Số lượng giao phải lớn hơn 0."})


class LineStatus(models.TextChoices):
    DRAFT = "DRAFT", "Chưa duyệt"
    REVIEWED = "REVIEWED", "Đã duyệt"


class WorkLogLine(TimeStampedModel):
    """One line of the personal work log (nhật ký cá nhân) and its review."""

    official = models.ForeignKey(
        Official, on_delete=models.PROTECT, related_name="work_log_lines", verbose_name="Cán bộ"
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="Đơn vị (lúc ghi)",
    )  # fmt: skip
    date = models.DateField("Ngày")
    period = models.ForeignKey(WorkPeriod, on_delete=models.PROTECT, related_name="lines", verbose_name="Kỳ")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="lines", verbose_name="Việc được giao"
    )
    catalogue_item = models.ForeignKey(
        CatalogueItem, on_delete=models.PROTECT, related_name="work_log_lines", verbose_name="Đầu công việc"
    )
    quantity = models.DecimalField("Số lượng thực hiện", **QUANTITY_DIGITS)
    minutes = models.PositiveIntegerField(
        "Thời gian thực hiện (phút)", default=0, validators=[MaxValueValidator(MINUTES_PER_DAY)]
    )
    description = models.TextField("Nội dung", blank=True)
    evidence = models.FileField("Tệp minh chứng", upload_to="worklogs/evidence/%Y/%m/", blank=True)
    evidence_sha256 = models.CharField(
        "Mã băm SHA-256 của tệp minh chứng", max_length=64, blank=True, db_index=True, editable=False
    )
    document_number = models.CharField(
        "Số văn bản / hồ sơ", max_length=120, blank=True, help_text="Số hiệu trên hệ thống văn bản điều hành, một cửa."
    )
    document_key = models.CharField(
        "Số văn bản / hồ sơ (chuẩn hóa để so trùng)", max_length=120, blank=True, db_index=True, editable=False,
        default="", db_default="",  # bulk INSERTs that do not name it (generate_demo) leave it blank
    )  # fmt: skip
    coefficient = models.DecimalField("Hệ số quy đổi (lưu khi ghi)", **COEFFICIENT_DIGITS)
    status = models.CharField(
        "Trạng thái", max_length=10, choices=LineStatus.choices, default=LineStatus.DRAFT, db_index=True
    )
    custom = models.JSONField("Trường tùy biến", default=dict, blank=True)

    accepted_quantity = models.DecimalField("Số lượng được chấp nhận", **QUANTITY_DIGITS, null=True, blank=True)
    quality_failures = models.PositiveSmallIntegerField("Số lỗi chất lượng", default=0)
    delays = models.PositiveSmallIntegerField("Số lần chậm tiến độ", default=0)
    exempt_quality_failures = models.PositiveSmallIntegerField("Lỗi chất lượng được miễn trừ", default=0)
    exempt_delays = models.PositiveSmallIntegerField("Chậm tiến độ được miễn trừ", default=0)
    exemption_reason = models.TextField("Lý do miễn trừ (nguyên nhân khách quan)", blank=True)
    exemption_confirmed_by = models.CharField("Người xác nhận miễn trừ", max_length=255, blank=True)
    exemption_attachment = models.FileField(
        "Tệp minh chứng miễn trừ", upload_to="worklogs/exemptions/%Y/%m/", blank=True
    )
    review_comment = models.TextField("Nhận xét", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Người duyệt",
    )  # fmt: skip
    reviewed_at = models.DateTimeField("Duyệt lúc", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "dòng nhật ký công việc"
        verbose_name_plural = "nhật ký công việc"
        ordering = ["-date", "-pk"]
        permissions = [("review_worklogline", "Duyệt nhật ký công việc, giao việc cho người khác")]
        indexes = [
            models.Index(fields=["official", "date"]),
            models.Index(fields=["period", "status"]),
            models.Index(fields=["unit", "period"]),
            # Scoring a whole month (appraisals.batch): the reviewed lines of a month, per
            # official, item and copied coefficient, read from the index alone, in order.
            models.Index(
                fields=[
                    "period",
                    "status",
                    "official",
                    "catalogue_item",
                    "coefficient",
                    "accepted_quantity",
                    "quality_failures",
                    "exempt_quality_failures",
                    "delays",
                    "exempt_delays",
                ],
                name="worklog_month_scoring",
            ),  # fmt: skip
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="worklog_quantity_positive"),
            models.CheckConstraint(condition=Q(coefficient__gt=0), name="worklog_coefficient_positive"),
            models.CheckConstraint(condition=Q(minutes__lte=MINUTES_PER_DAY), name="worklog_minutes_one_day"),
            models.CheckConstraint(
                condition=Q(accepted_quantity__isnull=True) | Q(accepted_quantity__gte=0),
                name="worklog_accepted_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(exempt_quality_failures__lte=F("quality_failures")), name="worklog_exempt_failures_le"
            ),
            models.CheckConstraint(condition=Q(exempt_delays__lte=F("delays")), name="worklog_exempt_delays_le"),
            models.CheckConstraint(
                condition=Q(status=LineStatus.DRAFT) | Q(accepted_quantity__isnull=False, reviewed_at__isnull=False),
                name="worklog_reviewed_has_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.catalogue_item.code} × {decimal_text(self.quantity)}"

    @property
    def is_reviewed(self) -> bool:
        return self.status == LineStatus.REVIEWED

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The number as the plausibility checks compare it, indexed: one row's own invariant.
        self.document_key = document_key(self.document_number)
        if kwargs.get("update_fields") and "document_number" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "document_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.quantity is not None and self.quantity <= 0:
            raise ValidationError({"quantity": "Số lượng thực hiện phải lớn hơn 0."})
        if self.exempt_quality_failures > self.quality_failures:
            raise ValidationError({"exempt_quality_failures": "Không được lớn hơn số lỗi chất lượng."})
        if self.exempt_delays > self.delays:
            raise ValidationError({"exempt_delays": "Không được lớn hơn số lần chậm tiến độ."})


# ------------------------------------------------------------------ plausibility (issue 15)


class HolidayKind(models.TextChoices):
    HOLIDAY = "HOLIDAY", "Nghỉ lễ, Tết"
    DAY_OFF = "DAY_OFF", "Nghỉ bù, nghỉ hoán đổi"
    WORKDAY = "WORKDAY", "Ngày làm việc bù (thứ Bảy, Chủ nhật đi làm)"


class PublicHoliday(TimeStampedModel):
    """One day of the public calendar (Bộ luật Lao động 2019 Điều 112 and the yearly
    decisions moving days off): a holiday or a day off is not a working day; a weekend day
    worked in exchange (``WORKDAY``) is one. Read by the plausibility checks only."""

    date = models.DateField("Ngày", unique=True)
    name = models.CharField("Tên ngày lễ / lý do", max_length=200)
    kind = models.CharField("Loại ngày", max_length=10, choices=HolidayKind.choices, default=HolidayKind.HOLIDAY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ngày nghỉ lễ, Tết"
        verbose_name_plural = "lịch nghỉ lễ, Tết"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.name}"


def _percent(label: str, default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, default=default, validators=[MinValueValidator(1),
                                            MaxValueValidator(100)])  # fmt: skip


class PlausibilityThresholds(TimeStampedModel):
    """The thresholds of the plausibility checks (one row; defaults when none is saved).

    Kept here rather than in a rule set's ``params``: the checks never change a score, so
    they are no legal number of the scoring core (whose parser refuses unknown keys), and a
    province admin tunes them without the two-person approval a rule set needs.
    """

    working_day_minutes = models.PositiveSmallIntegerField(
        "Số phút một ngày làm việc", default=480, validators=[MinValueValidator(60), MaxValueValidator(MINUTES_PER_DAY)]
    )
    burst_days = models.PositiveSmallIntegerField(
        "Số ngày cuối tháng xét dồn việc", default=5, validators=[MinValueValidator(1), MaxValueValidator(15)]
    )
    burst_percent = _percent("Tỷ lệ khối lượng ghi dồn cuối tháng vượt (%)", 60)
    late_percent = _percent("Tỷ lệ khối lượng ghi sau hạn việc được giao vượt (%)", 50)
    min_month_lines = models.PositiveSmallIntegerField(
        "Số dòng tối thiểu trong tháng để xét tỷ lệ", default=6, validators=[MinValueValidator(1)]
    )
    rate_median_multiple = models.DecimalField(
        "Năng suất quy đổi/giờ vượt bao nhiêu lần trung vị của nhóm", max_digits=5, decimal_places=2,
        default=3, validators=[MinValueValidator(1)],
    )  # fmt: skip
    rate_percentile = models.PositiveSmallIntegerField(
        "Phân vị năng suất của nhóm (khi nhóm đủ lớn)", default=99, validators=[MinValueValidator(50),
                                                                               MaxValueValidator(100)],
    )  # fmt: skip
    rate_min_peers = models.PositiveSmallIntegerField(
        "Số người tối thiểu của nhóm để so sánh năng suất", default=5, validators=[MinValueValidator(2)]
    )
    percentile_min_peers = models.PositiveSmallIntegerField(
        "Số người tối thiểu của nhóm để xét phân vị", default=100, validators=[MinValueValidator(2)]
    )
    self_registered_percent = _percent("Tỷ lệ việc tự đăng ký / không được giao vượt (%)", 70)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ngưỡng kiểm tra tính hợp lý"
        verbose_name_plural = "ngưỡng kiểm tra tính hợp lý của nhật ký"

    def __str__(self) -> str:
        return "Ngưỡng kiểm tra tính hợp lý của nhật ký"
