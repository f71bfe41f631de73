"""The org model of SPEC 3.1–3.3: units as a tree, officials, dated assignments, leave.

Units use treebeard's materialised path so that "the unit subtree" is one indexed
``path LIKE 'prefix%'`` query on MariaDB (django-mptt is unmaintained). Paths are
append-only (see ``OrgUnit``): lists order by path, i.e. by tree and insertion order.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager

from thanhhoa_kpi.core.models import TimeStampedModel
from thanhhoa_kpi.organization.choices import (
    Bloc,
    Category,
    Gender,
    LeadershipRole,
    LeaveKind,
    Level,
    PositionGroup,
    UnitKind,
)

CODE_HELP = "Mã ổn định, chữ in hoa không dấu, dùng làm khóa tự nhiên khi nhập dữ liệu."


class OrgUnitManager(MP_NodeManager):
    def get_by_natural_key(self, code: str) -> OrgUnit:
        return self.get(code=code)

    def move(self, node: Any, target: Any, pos: str | None = None) -> Any:
        """treebeard's move rewrites the subtree's paths without signals: scopes built from
        the old paths are dropped (core.refcache)."""
        from thanhhoa_kpi.core import refcache

        moved = super().move(node, target, pos)
        refcache.bump()
        return moved


class OrgUnit(MP_Node):
    code = models.CharField("Mã đơn vị", max_length=40, unique=True, help_text=CODE_HELP)
    name = models.CharField("Tên đơn vị", max_length=255)
    short_name = models.CharField("Tên viết tắt", max_length=120, blank=True)
    bloc = models.CharField("Khối", max_length=20, choices=Bloc.choices, db_index=True)
    level = models.CharField("Cấp", max_length=10, choices=Level.choices)
    kind = models.CharField("Loại hình", max_length=20, choices=UnitKind.choices)
    active_from = models.DateField("Hoạt động từ", null=True, blank=True)
    active_to = models.DateField("Hoạt động đến", null=True, blank=True)
    history = HistoricalRecords()

    # No node_order_by: new units are appended, so adding a unit never renumbers the
    # stored paths of its siblings (and their subtrees) nor invalidates a computed scope.
    objects = OrgUnitManager()

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active_to__isnull=True)
                | models.Q(active_from__isnull=True)
                | models.Q(active_to__gte=models.F("active_from")),
                name="orgunit_active_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class BlocAuthority(models.Model):
    """The approving authority of a bloc (SPEC 1): Sở Nội vụ, Ban Tổ chức Tỉnh ủy, UB MTTQ tỉnh."""

    bloc = models.CharField("Khối", max_length=20, choices=Bloc.choices, unique=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, verbose_name="Cơ quan phê duyệt")

    class Meta:
        verbose_name = "cơ quan phê duyệt của khối"
        verbose_name_plural = "cơ quan phê duyệt của khối"
        ordering = ["bloc"]

    def __str__(self) -> str:
        return f"{self.get_bloc_display()}: {self.unit}"


class SimilarTaskGroup(models.Model):
    """Nhóm có nhiệm vụ tương đồng: the excellence quota is applied per unit and group."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="task_groups", verbose_name="Đơn vị")
    code = models.CharField("Mã nhóm", max_length=40)
    name = models.CharField("Tên nhóm", max_length=255)

    class Meta:
        verbose_name = "nhóm nhiệm vụ tương đồng"
        verbose_name_plural = "nhóm nhiệm vụ tương đồng"
        ordering = ["unit__path", "code"]
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="uniq_task_group_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit.short_name or self.unit.name})"


class JobPosition(TimeStampedModel):
    code = models.CharField("Mã vị trí", max_length=40, unique=True, help_text=CODE_HELP)
    name = models.CharField("Tên vị trí việc làm", max_length=255)
    group = models.CharField("Nhóm vị trí", max_length=30, choices=PositionGroup.choices)
    bloc = models.CharField("Khối", max_length=20, choices=Bloc.choices)
    professional_level = models.PositiveSmallIntegerField(
        "Hạng chức danh nghề nghiệp (viên chức)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    duties = models.TextField("Nhiệm vụ", blank=True)
    output_products = models.TextField("Sản phẩm đầu ra", blank=True)
    working_conditions = models.TextField("Điều kiện làm việc", blank=True)
    custom = models.JSONField("Trường tùy biến", default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "vị trí việc làm"
        verbose_name_plural = "vị trí việc làm"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(professional_level__isnull=True)
                | models.Q(professional_level__gte=1, professional_level__lte=5),
                name="position_level_1_5",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Official(TimeStampedModel):
    code = models.CharField(
        "Mã CBCCVC", max_length=40, unique=True, help_text="Mã định danh trong CSDL CBCCVC quốc gia."
    )
    full_name = models.CharField("Họ và tên", max_length=150, db_index=True)
    birth_date = models.DateField("Ngày sinh", null=True, blank=True)
    gender = models.CharField("Giới tính", max_length=10, choices=Gender.choices, blank=True)
    email = models.EmailField("Thư điện tử", blank=True)
    phone = models.CharField("Điện thoại", max_length=30, blank=True)
    category = models.CharField("Đối tượng", max_length=20, choices=Category.choices, default=Category.CONG_CHUC)
    rule_set_code = models.CharField(
        "Bộ quy tắc chấm điểm", max_length=20, blank=True, help_text="Để trống: theo bộ quy tắc của kỳ đánh giá."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="official",
        verbose_name="Tài khoản",
    )
    custom = models.JSONField("Trường tùy biến", default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "cán bộ, công chức, viên chức"
        verbose_name_plural = "cán bộ, công chức, viên chức"
        ordering = ["full_name", "code"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.code})"


class OfficialAssignment(TimeStampedModel):
    """A dated posting: unit, job position, leadership role and fields in charge.

    An open assignment has no ``end_date``; a transfer ends it and opens a new one, so the
    history of postings is never overwritten.
    """

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="assignments", verbose_name="Cán bộ")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="assignments", verbose_name="Đơn vị")
    position = models.ForeignKey(JobPosition, on_delete=models.PROTECT, verbose_name="Vị trí việc làm")
    leadership_role = models.CharField(
        "Chức vụ lãnh đạo", max_length=10, choices=LeadershipRole.choices, default=LeadershipRole.NONE
    )
    fields_in_charge = models.JSONField(
        "Lĩnh vực phụ trách",
        default=list,
        blank=True,
        help_text="Danh sách lĩnh vực (khớp với lĩnh vực trong danh mục).",
    )
    task_group = models.ForeignKey(
        SimilarTaskGroup, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="Nhóm nhiệm vụ tương đồng"
    )
    start_date = models.DateField("Từ ngày")
    end_date = models.DateField("Đến ngày", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "quá trình công tác"
        verbose_name_plural = "quá trình công tác"
        ordering = ["official", "-start_date"]
        indexes = [models.Index(fields=["unit", "end_date"]), models.Index(fields=["official", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="assignment_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.official.full_name} — {self.position} — {self.unit}"

    def clean(self) -> None:
        if not isinstance(self.fields_in_charge, list) or not all(isinstance(f, str) for f in self.fields_in_charge):
            raise ValidationError({"fields_in_charge": "Lĩnh vực phụ trách phải là danh sách tên lĩnh vực."})
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "Ngày kết thúc phải sau ngày bắt đầu."})


class LeavePeriod(TimeStampedModel):
    """Leave (maternity, sick, training) used by the roll-up rules (ND 335 Điều 21)."""

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="leaves", verbose_name="Cán bộ")
    kind = models.CharField("Loại nghỉ", max_length=20, choices=LeaveKind.choices)
    start_date = models.DateField("Từ ngày")
    end_date = models.DateField("Đến ngày")
    note = models.CharField("Ghi chú", max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "thời gian nghỉ"
        verbose_name_plural = "thời gian nghỉ"
        ordering = ["official", "-start_date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="leave_dates_ordered")
        ]

    def __str__(self) -> str:
        return (
            f"{self.official.full_name}: {self.get_kind_display()} {self.start_date:%d/%m/%Y}–{self.end_date:%d/%m/%Y}"
        )

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "Ngày kết thúc phải sau ngày bắt đầu."})
