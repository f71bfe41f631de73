"""The audit trail's rows: the append-only entries and the one head of the global chain.

Why and how: :mod:`thanhhoa_kpi.audit`. Only :mod:`thanhhoa_kpi.audit.chain` writes them.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.conf import settings
from django.db import models

APPEND_ONLY = "Nhật ký kiểm toán chỉ được ghi thêm; không được sửa hay xóa mục đã ghi."


class Kind(models.TextChoices):
    TRANSITION = "transition", "Chuyển bước quy trình"
    SCORE = "score", "Thay đổi điểm"
    REVIEW = "review", "Duyệt nhật ký công việc"
    RULE_SET = "rule_set", "Phiên bản bộ quy tắc chấm điểm"
    WORKFLOW_DEFINITION = "workflow_definition", "Phiên bản quy trình phê duyệt"


class AppendOnlyError(Exception):
    """An attempt to change or remove an entry through the ORM."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnlyError(APPEND_ONLY)


class AuditEntryQuerySet(models.QuerySet):
    # Bulk edits and deletes would bypass Model.save/delete: refused the same way.
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse


class AuditEntry(models.Model):
    """One event, chained: its hash covers its content and the hashes of the entry before
    it for the same document (``prev_hash_document``) and of the entry before it in the
    whole system (``prev_hash_global``, ``seq`` − 1)."""

    seq = models.PositiveBigIntegerField("Số thứ tự", unique=True)
    document_type = models.CharField("Loại tài liệu", max_length=60)
    document_id = models.PositiveBigIntegerField("Mã tài liệu")
    kind = models.CharField("Loại sự kiện", max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="Người thực hiện",
    )  # fmt: skip
    recorded_at = models.DateTimeField("Thời điểm ghi")
    payload = models.TextField("Nội dung (JSON chuẩn hóa)")
    prev_hash_document = models.CharField("Mã băm mục trước (cùng tài liệu)", max_length=64, blank=True)
    prev_hash_global = models.CharField("Mã băm mục trước (toàn hệ thống)", max_length=64, blank=True)
    hash = models.CharField("Mã băm SHA-256", max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "mục nhật ký kiểm toán"
        verbose_name_plural = "nhật ký kiểm toán"
        ordering = ["-seq"]
        # No change or delete permission exists for anyone, the system admin included.
        default_permissions = ("view",)
        indexes = [models.Index(fields=["document_type", "document_id", "seq"], name="audit_document_chain")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} — {self.document_type} #{self.document_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(APPEND_ONLY)

    @property
    def data(self) -> Any:
        return json.loads(self.payload)


class ChainHead(models.Model):
    """The single row every append locks (``SELECT … FOR UPDATE``): the last ``seq`` and
    ``hash`` of the global chain. Appends are serialised on it, so ``seq`` has no holes
    and no two entries share a predecessor; a deleted tail shows as a head ahead of the
    last entry."""

    seq = models.PositiveBigIntegerField("Số thứ tự cuối", default=0)
    hash = models.CharField("Mã băm cuối", max_length=64, blank=True)

    class Meta:
        verbose_name = "đầu chuỗi kiểm toán"
        verbose_name_plural = "đầu chuỗi kiểm toán"
        default_permissions = ()

    def __str__(self) -> str:
        return f"#{self.seq}"
