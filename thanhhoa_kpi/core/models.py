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
