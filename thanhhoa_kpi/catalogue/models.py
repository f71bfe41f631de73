"""Task catalogues (danh mục đầu công việc, SPEC 3.5) and their Excel imports.

A catalogue is owned by a unit (or by a bloc, for items shared by every unit of the
bloc), is versioned by ``(code, version)`` and goes through the CATALOGUE workflow (SPEC
4): it takes effect only when that workflow publishes it. Its items carry the conversion
coefficient (hệ số quy đổi) that assignments and work-log lines copy when they are
created, so a later catalogue change never rewrites history.

Two fields say where a catalogue stands. ``state`` is its workflow step (written only by
the workflow services); ``status`` is the "in force" flag the rest of the code reads:
it becomes APPROVED only when the workflow reaches PUBLISHED (see
:mod:`thanhhoa_kpi.catalogue.approval`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.core.models import TimeStampedModel
from thanhhoa_kpi.formats.numbers import decimal_text
from thanhhoa_kpi.organization.choices import Bloc
from thanhhoa_kpi.organization.models import BlocAuthority, JobPosition, Official, OrgUnit
from thanhhoa_kpi.workflow.engine import is_editable
from thanhhoa_kpi.workflow.models import DocType, WorkflowDocument

COEFFICIENT_DIGITS = {"max_digits": 10, "decimal_places": 4}


class CatalogueStatus(models.TextChoices):
    """Whether a catalogue is in force; its approval step is the workflow ``state``."""

    DRAFT = "DRAFT", "Chưa có hiệu lực"
    APPROVED = "APPROVED", "Đã công khai (có hiệu lực)"


# Statuses in which a catalogue's items may be used by assignments and work logs.
IN_FORCE_STATUSES = (CatalogueStatus.APPROVED,)


class ComplexityGroup(models.IntegerChoices):
    SIMPLE = 1, "Nhóm 1 — Đơn giản"
    ORDINARY = 2, "Nhóm 2 — Thông thường"
    ADVANCED = 3, "Nhóm 3 — Nâng cao"
    COMPLEX = 4, "Nhóm 4 — Phức tạp"
    SPECIAL = 5, "Nhóm 5 — Đặc thù"


class CatalogueQuerySet(models.QuerySet):
    def in_force(self, on: date) -> CatalogueQuerySet:
        return self.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on),
            status__in=IN_FORCE_STATUSES,
            effective_from__lte=on,
        )


def bloc_subject_unit(bloc: str) -> OrgUnit | None:
    """The unit a bloc-owned catalogue is reviewed in: the bloc authority's unit.

    Without a declared authority, the bloc's top unit (so the bloc's rules still apply).
    """
    found = BlocAuthority.objects.filter(bloc=bloc).select_related("unit").first()
    if found is not None:
        return found.unit
    return OrgUnit.objects.filter(bloc=bloc).order_by("depth", "path").first()


class Catalogue(WorkflowDocument, TimeStampedModel):
    code = models.CharField("Mã danh mục", max_length=60, help_text="Giữ nguyên qua các phiên bản.")
    version = models.PositiveIntegerField("Phiên bản", default=1)
    name = models.CharField("Tên danh mục", max_length=255)
    owner_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="catalogues",
        verbose_name="Đơn vị sở hữu",
        help_text="Để trống nếu là danh mục dùng chung của một khối.",
    )
    owner_bloc = models.CharField("Khối sở hữu (danh mục dùng chung)", max_length=20, choices=Bloc.choices, blank=True)
    effective_from = models.DateField("Hiệu lực từ")
    effective_to = models.DateField("Hiệu lực đến", null=True, blank=True)
    standard_product = models.CharField("Sản phẩm chuẩn", max_length=255, blank=True)
    standard_minutes = models.PositiveIntegerField("Thời gian chuẩn (phút)", null=True, blank=True)
    status = models.CharField(
        "Hiệu lực", max_length=20, choices=CatalogueStatus.choices, default=CatalogueStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Người lập",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Người phê duyệt",
    )
    approved_at = models.DateTimeField("Phê duyệt lúc", null=True, blank=True)
    history = HistoricalRecords()

    objects = CatalogueQuerySet.as_manager()

    workflow_doctype = DocType.CATALOGUE.value
    workflow_code = "CATALOGUE"
    workflow_related = ("owner_unit", "created_by__official")
    _bloc_unit: OrgUnit | None  # cached by workflow_subject_unit for a bloc-owned catalogue

    class Meta:
        verbose_name = "danh mục đầu công việc"
        verbose_name_plural = "danh mục đầu công việc"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_catalogue_version"),
            models.CheckConstraint(
                condition=(Q(owner_unit__isnull=False) & Q(owner_bloc=""))
                | (Q(owner_unit__isnull=True) & ~Q(owner_bloc="")),
                name="catalogue_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="catalogue_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="catalogue_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def owner_label(self) -> str:
        return str(self.owner_unit) if self.owner_unit_id else self.get_owner_bloc_display()

    @property
    def is_draft(self) -> bool:
        """Not in force (yet): the workflow has not published it."""
        return self.status == CatalogueStatus.DRAFT

    @property
    def is_editable(self) -> bool:
        """Its content may change: not in force, and in an editable workflow state (DRAFT)."""
        return self.is_draft and self.workflow_id is not None and is_editable(self.workflow.parsed(), self.state)

    # ------------------------------------------------------------ workflow host

    def workflow_subject_official(self) -> Official | None:
        # The author's own official record, so the author never approves or publishes
        # their own catalogue; an HR admin without one drafts for the unit (no subject).
        return getattr(self.created_by, "official", None) if self.created_by_id else None

    def workflow_subject_unit(self) -> OrgUnit:
        if self.owner_unit_id:
            return self.owner_unit  # type: ignore[return-value]
        if not hasattr(self, "_bloc_unit"):
            self._bloc_unit = bloc_subject_unit(self.owner_bloc)
        if self._bloc_unit is None:
            raise OrgUnit.DoesNotExist(f"Khối {self.owner_bloc} chưa có đơn vị nào để xét duyệt danh mục.")
        return self._bloc_unit

    def clean(self) -> None:
        if bool(self.owner_unit_id) == bool(self.owner_bloc):
            raise ValidationError({"owner_unit": "Chọn đúng một chủ sở hữu: một đơn vị hoặc một khối."})
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."})


class CatalogueItem(models.Model):
    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="items", verbose_name="Danh mục")
    code = models.CharField("Mã công việc", max_length=40)
    field = models.CharField("Lĩnh vực", max_length=255, db_index=True)
    task = models.CharField("Nhiệm vụ", max_length=500)
    detailed_work = models.TextField("Công việc chi tiết", blank=True)
    output_product = models.CharField("Sản phẩm đầu ra", max_length=500, blank=True)
    unit_of_measure = models.CharField("Đơn vị tính", max_length=60)
    complexity_group = models.PositiveSmallIntegerField(
        "Nhóm mức độ phức tạp",
        choices=ComplexityGroup.choices,
        default=ComplexityGroup.SIMPLE,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    coefficient = models.DecimalField(
        "Hệ số quy đổi",
        **COEFFICIENT_DIGITS,
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text="Số sản phẩm chuẩn tương ứng một sản phẩm của công việc này (lớn hơn 0).",
    )
    standard_minutes = models.PositiveIntegerField("Thời gian chuẩn (phút)", null=True, blank=True)
    positions = models.ManyToManyField(
        JobPosition, blank=True, related_name="catalogue_items", verbose_name="Vị trí việc làm áp dụng"
    )
    custom = models.JSONField("Trường tùy biến", default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "đầu công việc"
        verbose_name_plural = "đầu công việc"
        ordering = ["catalogue", "code"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="uniq_catalogue_item_code"),
            models.CheckConstraint(condition=Q(coefficient__gt=0), name="catalogue_item_coefficient_positive"),
            models.CheckConstraint(
                condition=Q(complexity_group__gte=1, complexity_group__lte=5), name="catalogue_item_complexity_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.task} (hệ số {decimal_text(self.coefficient, 4)})"

    def clean(self) -> None:
        if self.coefficient is not None and self.coefficient <= 0:
            raise ValidationError({"coefficient": "Hệ số quy đổi phải lớn hơn 0."})
        if not isinstance(self.custom, dict):
            raise ValidationError({"custom": "Trường tùy biến phải là một đối tượng JSON."})


class ImportStatus(models.TextChoices):
    PENDING = "PENDING", "Đang chờ"
    VALIDATING = "VALIDATING", "Đang kiểm tra"
    WRITING = "WRITING", "Đang ghi"
    SUCCEEDED = "SUCCEEDED", "Thành công"
    FAILED = "FAILED", "Có lỗi, không ghi dữ liệu"


class CatalogueImport(TimeStampedModel):
    """One Excel import and its progress; rows are written only if every row is valid."""

    file = models.FileField("Tệp Excel", upload_to="catalogue_imports/%Y/%m/")
    original_name = models.CharField("Tên tệp", max_length=255, blank=True)
    status = models.CharField("Trạng thái", max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField("Số dòng", default=0)
    processed_rows = models.PositiveIntegerField("Đã kiểm tra", default=0)
    errors = models.JSONField("Lỗi theo dòng, cột", default=list, blank=True)
    message = models.CharField("Kết quả", max_length=500, blank=True)
    catalogue = models.ForeignKey(
        Catalogue, on_delete=models.SET_NULL, null=True, blank=True, related_name="imports", verbose_name="Danh mục"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="Người nhập"
    )
    started_at = models.DateTimeField("Bắt đầu", null=True, blank=True)
    finished_at = models.DateTimeField("Kết thúc", null=True, blank=True)

    class Meta:
        verbose_name = "lần nhập danh mục"
        verbose_name_plural = "lần nhập danh mục"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(processed_rows__lte=models.F("total_rows")), name="import_progress_le_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name or self.file.name} — {self.get_status_display()}"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.SUCCEEDED:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.FAILED}
