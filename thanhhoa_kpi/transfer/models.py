"""One Excel import as a row: who uploaded which file, its validation errors and progress.

An import is checked when the file is uploaded (PENDING, or FAILED with its errors), runs
after the uploader confirms (QUEUED, RUNNING) and ends DONE or FAILED. While it runs, the
live row count is published in the cache (see :mod:`thanhhoa_kpi.transfer.services`)
because the rows are written in one transaction that would hide an update of this row.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

from thanhhoa_kpi.transfer.specs import kind_choices


@deconstructible(path="thanhhoa_kpi.transfer.models.PrivateImportStorage")
class PrivateImportStorage(FileSystemStorage):
    """Uploaded workbooks hold personal data: kept outside MEDIA_ROOT, which a web server
    may serve, and never given a URL. ``PRIVATE_MEDIA_ROOT`` (default: next to MEDIA_ROOT)
    must be shared by the web servers and the RQ workers."""

    @cached_property
    def base_location(self) -> str:
        default = Path(settings.MEDIA_ROOT).parent / "private"
        return str(getattr(settings, "PRIVATE_MEDIA_ROOT", default))

    def url(self, name: str | None) -> str:
        raise ValueError("Tệp nhập dữ liệu không được cấp đường dẫn công khai.")


private_storage = PrivateImportStorage()


class ImportStatus(models.TextChoices):
    PENDING = "PENDING", "Đã kiểm tra, chờ xác nhận"
    QUEUED = "QUEUED", "Đang chờ chạy"
    RUNNING = "RUNNING", "Đang nhập"
    FAILED = "FAILED", "Thất bại"
    DONE = "DONE", "Hoàn thành"


class ImportJob(models.Model):
    kind = models.CharField("Loại dữ liệu", max_length=40, choices=kind_choices())
    file = models.FileField("Tệp Excel", upload_to="imports/%Y/%m/", storage=private_storage, blank=True)
    original_name = models.CharField("Tên tệp", max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs", verbose_name="Người nhập"
    )
    status = models.CharField(
        "Trạng thái", max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING, db_index=True
    )
    total_rows = models.PositiveIntegerField("Số dòng", default=0)
    processed_rows = models.PositiveIntegerField("Số dòng đã xử lý", default=0)
    # Planned counts once checked, actual counts once done.
    created_rows = models.PositiveIntegerField("Thêm mới", default=0)
    updated_rows = models.PositiveIntegerField("Cập nhật", default=0)
    errors = models.JSONField("Lỗi", default=list, blank=True)
    # What applying changes, listed when the file is checked (kinds that compare a whole
    # file with the database, e.g. the national CBCCVC export): report.Difference dicts.
    differences = models.JSONField("Khác biệt", default=list, blank=True)
    created_at = models.DateTimeField("Tạo lúc", auto_now_add=True)
    started_at = models.DateTimeField("Bắt đầu lúc", null=True, blank=True)
    finished_at = models.DateTimeField("Kết thúc lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lượt nhập Excel"
        verbose_name_plural = "lượt nhập Excel"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(processed_rows__lte=models.F("total_rows")), name="importjob_progress_le_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.original_name or self.file.name} ({self.get_status_display()})"

    @property
    def unchanged_rows(self) -> int:
        return max(0, self.total_rows - self.created_rows - self.updated_rows)

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
