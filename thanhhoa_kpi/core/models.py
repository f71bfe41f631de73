"""Shared model bases and the record of applied data patches."""

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("Tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("Cập nhật lúc", auto_now=True)

    class Meta:
        abstract = True


class AppliedPatch(models.Model):
    """A line of ``patches/patches.txt`` that has run once (see ``run_patches``)."""

    name = models.CharField("Bản vá", max_length=200, unique=True)
    applied_at = models.DateTimeField("Áp dụng lúc", auto_now_add=True)

    class Meta:
        verbose_name = "bản vá dữ liệu"
        verbose_name_plural = "bản vá dữ liệu"
        ordering = ["applied_at"]

    def __str__(self) -> str:
        return self.name


class OutboxJob(models.Model):
    """A job to put on an RQ queue, written in the transaction that calls for it.

    Enqueued once that transaction commits; while Redis is down the row stays pending and
    ``outbox_flush`` (command and cron job) sends it later, so no notification is lost
    (see :mod:`thanhhoa_kpi.core.outbox`).
    """

    func = models.CharField("Hàm", max_length=200, help_text="Đường dẫn Python của job")
    kwargs = models.JSONField("Tham số", default=dict, blank=True)
    queue = models.CharField("Hàng đợi", max_length=50, default="default")
    created_at = models.DateTimeField("Tạo lúc", auto_now_add=True)
    sent_at = models.DateTimeField("Đã gửi lúc", null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField("Số lần thử", default=0)
    last_error = models.TextField("Lỗi gần nhất", blank=True)

    class Meta:
        verbose_name = "việc chờ gửi"
        verbose_name_plural = "việc chờ gửi"
        ordering = ["pk"]

    def __str__(self) -> str:
        state = "đã gửi" if self.sent_at else "chờ gửi"
        return f"{self.func} ({state})"
