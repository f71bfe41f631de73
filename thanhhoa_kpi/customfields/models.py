"""Custom field definitions and overrides of built-in fields (SPEC 7).

Values live in the host model's ``custom`` JSON field, keyed by ``FieldDefinition.key``:
adding a field is a row here, never a schema change or a restart. A field is retired
(``active = False``), never deleted, so old values and their history keep their meaning.

A field is owned by a scope: the whole province (no owner), a bloc (``owner_bloc``) or a
unit subtree (``owner_unit``). It applies (forms, validation, required) only to host rows
in that scope; :func:`thanhhoa_kpi.customfields.selectors.definitions` is the one place
that decides, so a ward's required field never blocks a save in another ward.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.core.models import TimeStampedModel
from thanhhoa_kpi.customfields.registry import DOCTYPES
from thanhhoa_kpi.customfields.types import FIELD_TYPE_CHOICES
from thanhhoa_kpi.organization.choices import Bloc

DOCTYPE_CHOICES = list(DOCTYPES.items())
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,49}$"
KEY_HELP = "Chữ thường không dấu, chữ số và dấu gạch dưới, bắt đầu bằng chữ cái; không đổi sau khi tạo."


class FieldDefinition(TimeStampedModel):
    doctype = models.CharField("Loại tài liệu", max_length=20, choices=DOCTYPE_CHOICES)
    key = models.CharField(
        "Mã trường",
        max_length=50,
        validators=[RegexValidator(KEY_PATTERN, "Mã trường không hợp lệ.")],
        help_text=KEY_HELP,
    )
    label = models.CharField("Nhãn", max_length=150)
    field_type = models.CharField("Kiểu dữ liệu", max_length=20, choices=FIELD_TYPE_CHOICES)
    required = models.BooleanField("Bắt buộc", default=False)
    default = models.JSONField("Giá trị mặc định", null=True, blank=True)
    help_text = models.CharField("Hướng dẫn", max_length=255, blank=True)
    options = models.JSONField("Các lựa chọn", default=list, blank=True, help_text="Chỉ dùng cho kiểu «Lựa chọn».")
    order = models.PositiveIntegerField("Thứ tự", default=0)
    show_in_list = models.BooleanField("Hiện trong danh sách", default=False)
    show_in_filters = models.BooleanField("Dùng làm bộ lọc", default=False)
    active = models.BooleanField("Đang sử dụng", default=True)
    owner_unit = models.ForeignKey(
        "organization.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Đơn vị sở hữu",
        help_text="Trường chỉ áp dụng cho đơn vị này và các đơn vị trực thuộc.",
    )
    owner_bloc = models.CharField(
        "Khối sở hữu",
        max_length=20,
        choices=Bloc.choices,
        blank=True,
        help_text="Trường chỉ áp dụng cho các đơn vị của khối này. Để trống cả hai: áp dụng toàn tỉnh.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "trường tùy biến"
        verbose_name_plural = "trường tùy biến"
        ordering = ["doctype", "order", "id"]
        # Keys stay unique per document type across scopes: values of a record that moves
        # from one unit to another never collide in its ``custom`` dict.
        constraints = [
            models.UniqueConstraint(fields=["doctype", "key"], name="uniq_custom_field_key"),
            models.CheckConstraint(
                condition=models.Q(owner_unit__isnull=True) | models.Q(owner_bloc=""),
                name="custom_field_one_owner",
            ),
        ]
        indexes = [models.Index(fields=["doctype", "active", "order"])]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_doctype_display()})"

    @property
    def is_province_wide(self) -> bool:
        return self.owner_unit_id is None and not self.owner_bloc

    @property
    def owner_label(self) -> str:
        if self.owner_unit_id is not None:
            return f"Đơn vị: {self.owner_unit}"
        if self.owner_bloc:
            return str(self.get_owner_bloc_display())
        return "Toàn tỉnh"

    @property
    def form_name(self) -> str:
        """Name of the field in desk forms and list filters."""
        return f"custom__{self.key}"


class BuiltinOverride(TimeStampedModel):
    """Changes the label, help, required and hidden flags of a built-in field of a host."""

    doctype = models.CharField("Loại tài liệu", max_length=20, choices=DOCTYPE_CHOICES)
    field_name = models.CharField("Trường có sẵn", max_length=60)
    label = models.CharField("Nhãn mới", max_length=150, blank=True)
    help_text = models.CharField("Hướng dẫn mới", max_length=255, blank=True)
    required = models.BooleanField(
        "Bắt buộc", null=True, blank=True, help_text="Để trống: giữ như mặc định; chỉ có thể bắt buộc thêm."
    )
    hidden = models.BooleanField("Ẩn khỏi biểu mẫu", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tùy chỉnh trường có sẵn"
        verbose_name_plural = "tùy chỉnh trường có sẵn"
        ordering = ["doctype", "field_name"]
        constraints = [models.UniqueConstraint(fields=["doctype", "field_name"], name="uniq_builtin_override")]

    def __str__(self) -> str:
        return f"{self.get_doctype_display()}: {self.field_name}"
