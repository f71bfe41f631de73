"""Inbound events from the systems where the work is done (issue 15, item 2).

- :class:`IntegrationSource`: a sending system (the province's e-office for văn bản đi/đến,
  the one-stop-shop system for dossiers) with the HMAC secret it signs with. The secret is
  stored as such (an HMAC is checked with the secret itself, not a hash of it), never shown
  after it is made, and kept out of the history. After a rotation the previous secret stays
  valid for :data:`SECRET_GRACE` so the sender can switch without losing events.
- :class:`MatchingRule`: (source, document type or procedure code) → catalogue item, edited
  by HR admins in the desk.
- :class:`InboundEvent`: one event, kept once per (source, ``event_id``) — the idempotency
  key — with what matching made of it: a proposed work-log line for its handler, or a row
  of the HR queue (handler unknown, no rule). The work-log line itself is written only when
  the official confirms, through the worklogs service.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.core.models import TimeStampedModel
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.worklogs.models import MINUTES_PER_DAY, QUANTITY_DIGITS, WorkLogLine

# How long the secret replaced by a rotation still signs valid events.
SECRET_GRACE = timedelta(hours=24)


def new_secret() -> str:
    """256 random bits, URL-safe text (what the sending system stores in its settings)."""
    return secrets.token_urlsafe(32)


def match_key(value: str | None) -> str:
    """Document types and procedure codes compare upper case, without spaces."""
    return "".join(str(value or "").split()).upper()


class SourceKind(models.TextChoices):
    E_OFFICE = "E_OFFICE", "Hệ thống quản lý văn bản và điều hành (văn bản đi, đến)"
    ONE_STOP = "ONE_STOP", "Hệ thống thông tin giải quyết thủ tục hành chính (một cửa)"


class IntegrationSource(TimeStampedModel):
    code = models.SlugField("Mã hệ thống", max_length=40, unique=True, help_text="Dùng trong địa chỉ nhận sự kiện.")
    name = models.CharField("Tên hệ thống", max_length=200)
    kind = models.CharField("Loại hệ thống", max_length=10, choices=SourceKind.choices)
    active = models.BooleanField("Đang nhận sự kiện", default=True)
    secret = models.CharField("Khóa bí mật", max_length=128, default=new_secret, editable=False)
    previous_secret = models.CharField("Khóa bí mật trước", max_length=128, blank=True, editable=False)
    previous_valid_until = models.DateTimeField("Khóa trước còn hiệu lực đến", null=True, blank=True, editable=False)
    rotated_at = models.DateTimeField("Đổi khóa lúc", null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["secret", "previous_secret"])

    class Meta:
        verbose_name = "hệ thống gửi sự kiện"
        verbose_name_plural = "hệ thống gửi sự kiện"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class MatchingRule(TimeStampedModel):
    """A document type (e-office) or procedure code (one-stop shop) counted as a catalogue item.

    Several rules may share a key with items of different catalogues: an event takes the
    first active one whose item is in force for its handler's unit on the event's date.
    """

    source = models.ForeignKey(
        IntegrationSource, on_delete=models.PROTECT, related_name="rules", verbose_name="Hệ thống"
    )
    key = models.CharField(
        "Loại văn bản / mã thủ tục",
        max_length=60,
        help_text="Như trường type_code của sự kiện, ví dụ CONG_VAN, 1.004227.",
    )
    catalogue_item = models.ForeignKey(
        CatalogueItem, on_delete=models.PROTECT, related_name="+", verbose_name="Đầu công việc"
    )
    minutes = models.PositiveIntegerField(
        "Thời gian đề xuất cho mỗi văn bản, hồ sơ (phút)", default=30,
        validators=[MinValueValidator(0), MaxValueValidator(MINUTES_PER_DAY)],
    )  # fmt: skip
    active = models.BooleanField("Đang áp dụng", default=True)
    note = models.CharField("Ghi chú", max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "quy tắc đối chiếu"
        verbose_name_plural = "quy tắc đối chiếu sự kiện"
        ordering = ["source__code", "key", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "key", "catalogue_item"], name="uniq_matching_rule"),
            models.CheckConstraint(condition=Q(minutes__lte=MINUTES_PER_DAY), name="matching_rule_minutes_one_day"),
        ]

    def __str__(self) -> str:
        return f"{self.source.code}: {self.key} → {self.catalogue_item.code}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.key = match_key(self.key)  # the row's own invariant: keys compare normalised
        super().save(*args, **kwargs)


class DocumentKind(models.TextChoices):
    INCOMING = "VAN_BAN_DEN", "Văn bản đến"
    OUTGOING = "VAN_BAN_DI", "Văn bản đi"
    DOSSIER = "HO_SO", "Hồ sơ thủ tục hành chính"


class EventStatus(models.TextChoices):
    UNKNOWN_HANDLER = "UNKNOWN_HANDLER", "Chưa xác định người xử lý"
    UNMATCHED = "UNMATCHED", "Chưa có quy tắc đối chiếu"
    PROPOSED = "PROPOSED", "Đề xuất, chờ cán bộ xác nhận"
    CONFIRMED = "CONFIRMED", "Đã xác nhận, đã ghi nhật ký"
    REJECTED = "REJECTED", "Cán bộ từ chối"


WAITING_FOR_HR = (EventStatus.UNKNOWN_HANDLER, EventStatus.UNMATCHED)


class InboundEvent(TimeStampedModel):
    source = models.ForeignKey(
        IntegrationSource, on_delete=models.PROTECT, related_name="events", verbose_name="Hệ thống"
    )
    event_id = models.CharField("Mã sự kiện (khóa chống trùng)", max_length=100)
    body_sha256 = models.CharField("Mã băm nội dung gửi", max_length=64, editable=False)
    document_number = models.CharField("Số văn bản / hồ sơ", max_length=120)
    document_kind = models.CharField("Loại", max_length=12, choices=DocumentKind.choices)
    type_code = models.CharField("Loại văn bản / mã thủ tục", max_length=60)
    date = models.DateField("Ngày xử lý")
    handler_code = models.CharField("Mã CBCCVC người xử lý", max_length=40, blank=True)
    handler_email = models.CharField("Thư điện tử người xử lý", max_length=254, blank=True)
    on_time = models.BooleanField("Đúng hạn", null=True, blank=True)
    quantity = models.DecimalField("Số lượng", **QUANTITY_DIGITS, default=1)
    title = models.CharField("Trích yếu", max_length=500, blank=True)
    link = models.URLField("Liên kết", max_length=500, blank=True)

    status = models.CharField("Trạng thái", max_length=16, choices=EventStatus.choices, db_index=True)
    official = models.ForeignKey(
        Official, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="Người xử lý"
    )
    catalogue_item = models.ForeignKey(
        CatalogueItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="Đầu công việc"
    )
    rule = models.ForeignKey(
        MatchingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Quy tắc đã áp dụng",
    )  # fmt: skip
    minutes = models.PositiveIntegerField("Thời gian đề xuất (phút)", default=0)
    line = models.OneToOneField(
        WorkLogLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_event",
        verbose_name="Dòng nhật ký đã ghi",
    )  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Người quyết định",
    )  # fmt: skip
    decided_at = models.DateTimeField("Quyết định lúc", null=True, blank=True)
    reject_reason = models.CharField("Lý do từ chối", max_length=500, blank=True)
    answer = models.JSONField("Trả lời hệ thống gửi (lần đầu)", default=dict, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "sự kiện từ hệ thống nghiệp vụ"
        verbose_name_plural = "sự kiện từ hệ thống nghiệp vụ"
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "event_id"], name="uniq_inbound_event_key"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inbound_event_quantity_positive"),
        ]
        indexes = [models.Index(fields=["official", "status"])]

    def __str__(self) -> str:
        return f"{self.get_document_kind_display()} {self.document_number} ({self.date:%d/%m/%Y})"

    @property
    def waits_for_hr(self) -> bool:
        return self.status in WAITING_FOR_HR
