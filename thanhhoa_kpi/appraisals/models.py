"""Rule sets, appraisal periods, appraisals and unit appraisals (SPEC 3.8–3.10, 5).

Rule sets: every scoring parameter of SPEC 5 as versioned data.

A rule set row is never edited in place once used: saving a change creates the next
version (see :func:`thanhhoa_kpi.appraisals.rulesets.rule_set_save`), and each appraisal
copies the parameters it was scored with, so later edits never change published results.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, QuerySet
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.appraisals import states
from thanhhoa_kpi.appraisals.choices import (
    DOCTYPE,
    WORKFLOW_CODE,
    ClassificationChoices,
    DisqualifierCode,
    OpeningStatus,
    PeriodKind,
    PeriodStatus,
    ScoreStatus,
    classification_label,
)
from thanhhoa_kpi.core.models import TimeStampedModel
from thanhhoa_kpi.organization.choices import Bloc, LeadershipRole
from thanhhoa_kpi.workflow.engine import states_tagged
from thanhhoa_kpi.workflow.models import WorkflowDocument, version_status_check, version_status_field


class RuleSet(TimeStampedModel):
    code = models.CharField("Mã bộ quy tắc", max_length=20, help_text="ND335, ND233, QD366...")
    version = models.PositiveIntegerField("Phiên bản", default=1)
    name = models.CharField("Tên", max_length=255)
    legal_basis = models.CharField("Căn cứ pháp lý", max_length=255, blank=True)
    params = models.JSONField(
        "Tham số", help_text="Trọng số, ngưỡng xếp loại, tỷ lệ trừ, tỷ lệ xuất sắc... (xem SPEC 5)"
    )
    is_current = models.BooleanField("Phiên bản đang dùng", default=True)
    # PROPOSED until a second province-level admin approves (workflow/governance.py).
    status = version_status_field()
    history = HistoricalRecords()
    # What a proposal changes: the desk shows these old → new before anyone approves.
    governed_fields = ("name", "legal_basis", "params")

    class Meta:
        verbose_name = "bộ quy tắc chấm điểm"
        verbose_name_plural = "bộ quy tắc chấm điểm"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_rule_set_version"),
            version_status_check("rule_set"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} — {self.name}"


# ----------------------------------------------------------------------------- periods

SCORE = {"max_digits": 7, "decimal_places": 2, "null": True, "blank": True}
CONVERTED = {"max_digits": 16, "decimal_places": 2, "null": True, "blank": True}
PERCENT = {"max_digits": 5, "decimal_places": 2, "null": True, "blank": True}


class AppraisalPeriod(TimeStampedModel):
    """Kỳ đánh giá (SPEC 3.8): a month, quarter or year of one bloc, with step deadlines.

    Opening it creates every appraisal in the background; ``opening_*`` record the job's
    progress so the desk and the API can show it. The work periods it covers are the
    calendar months whose reviewed work logs feed the scores.
    """

    kind = models.CharField("Loại kỳ", max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    bloc = models.CharField("Khối", max_length=20, choices=Bloc.choices, db_index=True)
    year = models.PositiveSmallIntegerField("Năm", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    number = models.PositiveSmallIntegerField(
        "Số thứ tự trong năm", default=1, help_text="Tháng 1–12, quý 1–4; kỳ năm là 1."
    )
    start_date = models.DateField("Từ ngày")
    end_date = models.DateField("Đến ngày")
    self_assessment_deadline = models.DateField("Hạn tự đánh giá", null=True, blank=True)
    unit_review_deadline = models.DateField("Hạn đơn vị xem xét", null=True, blank=True)
    approval_deadline = models.DateField("Hạn cơ quan tổ chức cán bộ phê duyệt", null=True, blank=True)
    rule_set_code = models.CharField(
        "Bộ quy tắc mặc định", max_length=20, default="ND335",
        help_text="Dùng cho cán bộ chưa có bộ quy tắc riêng (ND335, ND233, QD366).",
    )  # fmt: skip
    status = models.CharField(
        "Trạng thái", max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.DRAFT, db_index=True
    )
    work_periods = models.ManyToManyField(
        "worklogs.WorkPeriod", related_name="appraisal_periods", blank=True, verbose_name="Kỳ công việc (tháng)"
    )
    opening_status = models.CharField(
        "Tiến trình tạo phiếu", max_length=10, choices=OpeningStatus.choices, default=OpeningStatus.IDLE
    )
    opening_total = models.PositiveIntegerField("Số phiếu cần tạo", default=0)
    opening_done = models.PositiveIntegerField("Số phiếu đã xử lý", default=0)
    opening_created = models.PositiveIntegerField("Số phiếu tạo mới", default=0)
    opening_error = models.TextField("Lỗi khi tạo phiếu", blank=True)
    opening_started_at = models.DateTimeField("Bắt đầu tạo phiếu lúc", null=True, blank=True)
    opening_finished_at = models.DateTimeField("Tạo xong phiếu lúc", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Người tạo",
    )  # fmt: skip
    history = HistoricalRecords(excluded_fields=["opening_done", "opening_created"])

    class Meta:
        verbose_name = "kỳ đánh giá"
        verbose_name_plural = "kỳ đánh giá"
        ordering = ["-year", "-start_date", "bloc", "kind"]
        permissions = [("open_appraisalperiod", "Mở, khóa kỳ đánh giá và tạo phiếu")]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "kind", "year", "number"], name="uniq_appraisal_period"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="appraisal_period_dates"),
            models.CheckConstraint(
                condition=Q(kind=PeriodKind.MONTH, number__gte=1, number__lte=12)
                | Q(kind=PeriodKind.QUARTER, number__gte=1, number__lte=4)
                | Q(kind=PeriodKind.YEAR, number=1),
                name="appraisal_period_number",
            ),
            models.CheckConstraint(condition=Q(opening_done__lte=F("opening_total")), name="appraisal_opening_le"),
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.get_bloc_display()}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"Tháng {self.number:02d}/{self.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"Quý {self.number}/{self.year}"
        return f"Năm {self.year}"

    @property
    def opening_percent(self) -> int:
        if self.opening_status == OpeningStatus.DONE:
            return 100
        return int(100 * self.opening_done / self.opening_total) if self.opening_total else 0

    @property
    def opening_finished(self) -> bool:
        return self.opening_status in (OpeningStatus.DONE, OpeningStatus.FAILED, OpeningStatus.IDLE)

    def months(self) -> list[tuple[int, int]]:
        """The (year, month) pairs the period covers, in order."""
        first = self.start_date.year * 12 + self.start_date.month - 1
        last = self.end_date.year * 12 + self.end_date.month - 1
        return [(index // 12, index % 12 + 1) for index in range(first, last + 1)]

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "Ngày kết thúc phải sau ngày bắt đầu."})
        limits = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}
        high = limits.get(self.kind, 1)
        if self.number is not None and not 1 <= self.number <= high:
            raise ValidationError({"number": f"Với loại kỳ này, số thứ tự phải từ 1 đến {high}."})


# --------------------------------------------------------------------------- appraisals


class Appraisal(WorkflowDocument, TimeStampedModel):
    """Phiếu đánh giá (SPEC 3.9) of one official for one period, moved by the APPRAISAL workflow.

    The unit, similar-task group and leadership role are a snapshot taken at opening, so
    a transfer afterwards does not move the appraisal; the rule set is copied at opening
    and again at each scoring, and a published appraisal is never scored again, so a
    later edit of the rule set never changes it. Only the services write these rows.
    """

    official = models.ForeignKey(
        "organization.Official", on_delete=models.PROTECT, related_name="appraisals", verbose_name="Cán bộ"
    )
    period = models.ForeignKey(
        AppraisalPeriod, on_delete=models.PROTECT, related_name="appraisals", verbose_name="Kỳ đánh giá"
    )
    unit = models.ForeignKey(
        "organization.OrgUnit", on_delete=models.PROTECT, related_name="appraisals", verbose_name="Đơn vị (khi mở kỳ)"
    )
    position = models.ForeignKey(
        "organization.JobPosition", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Vị trí việc làm (khi mở kỳ)",
    )  # fmt: skip
    leadership_role = models.CharField(
        "Chức vụ lãnh đạo (khi mở kỳ)", max_length=10, choices=LeadershipRole.choices, default=LeadershipRole.NONE
    )
    fields_in_charge = models.JSONField("Lĩnh vực phụ trách (khi mở kỳ)", default=list, blank=True)
    task_group = models.ForeignKey(
        "organization.SimilarTaskGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Nhóm nhiệm vụ tương đồng (khi mở kỳ)",
    )  # fmt: skip
    quota_unit = models.ForeignKey(
        "organization.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="Đơn vị xét tỷ lệ"
    )
    quota_group = models.CharField("Nhóm xét tỷ lệ", max_length=40, db_index=True)
    quota_group_label = models.CharField("Tên nhóm xét tỷ lệ", max_length=255, blank=True)

    rule_set_code = models.CharField("Bộ quy tắc", max_length=20)
    rule_set_version = models.PositiveIntegerField("Phiên bản bộ quy tắc")
    # rule_params, explanation and scored_items are stored compressed on MariaDB (migration
    # 0007): they made each row ~7 KB; an AlterField on them must compress them again.
    rule_params = models.JSONField("Tham số đã áp dụng (bản sao)")
    # The unit's own approved rules the copy carries (None: the rule set's own); an
    # appraisal scored under other rules is scored again one by one, its lines following.
    unit_rules = models.ForeignKey(
        "UnitRules", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False,
        verbose_name="Quy chế của đơn vị đã áp dụng",
    )  # fmt: skip

    unit_d = models.DecimalField("Kết quả của đơn vị, d (%)", **PERCENT)
    unit_dd = models.DecimalField("Tổ chức thực hiện nhiệm vụ, đ (%)", **PERCENT)
    unit_e = models.DecimalField("Đoàn kết nội bộ, e (%)", **PERCENT)
    unit_criteria_reason = models.TextField("Lý do chấm đ, e", blank=True)
    unit_criteria_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Người chấm đ, e",
    )  # fmt: skip
    exceeded_share = models.DecimalField(
        "Tỷ lệ nhiệm vụ vượt (0–1, QĐ 366)", max_digits=5, decimal_places=4, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )  # fmt: skip
    decision_rank = models.PositiveSmallIntegerField(
        "Thứ tự ưu tiên do thủ trưởng quyết định", null=True, blank=True,
        help_text="Dùng khi bằng điểm trong xét tỷ lệ xuất sắc (1 = ưu tiên nhất).",
    )  # fmt: skip
    self_comment = models.TextField("Tự nhận xét", blank=True)
    reviewer_comment = models.TextField("Nhận xét của người đánh giá", blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Người đánh giá",
    )  # fmt: skip

    score_status = models.CharField(
        "Tình trạng tính điểm", max_length=20, choices=ScoreStatus.choices, default=ScoreStatus.NOT_SCORED,
        blank=True,
    )  # fmt: skip
    assigned_converted = models.DecimalField("Khối lượng giao (quy đổi)", **CONVERTED)
    completed_converted = models.DecimalField("Khối lượng hoàn thành (quy đổi)", **CONVERTED)
    quality_converted = models.DecimalField("Khối lượng đạt chất lượng (quy đổi)", **CONVERTED)
    progress_converted = models.DecimalField("Khối lượng đúng tiến độ (quy đổi)", **CONVERTED)
    a = models.DecimalField("Tỷ lệ số lượng, a (%)", **SCORE)
    b = models.DecimalField("Tỷ lệ chất lượng, b (%)", **SCORE)
    c = models.DecimalField("Tỷ lệ tiến độ, c (%)", **SCORE)
    task_percent = models.DecimalField("Tỷ lệ hoàn thành nhiệm vụ (%)", **SCORE)
    task_score = models.DecimalField("Điểm kết quả thực hiện nhiệm vụ (≤ 70)", **SCORE)
    general_score = models.DecimalField("Điểm tiêu chí chung (≤ 30)", **SCORE)
    self_general_score = models.DecimalField("Điểm tiêu chí chung tự chấm", **SCORE)
    total = models.DecimalField("Tổng điểm", **SCORE)
    proposed_classification = models.CharField(
        "Xếp loại theo điểm", max_length=30, choices=ClassificationChoices.choices, blank=True, db_index=True
    )
    final_classification = models.CharField(
        "Xếp loại chính thức", max_length=30, choices=ClassificationChoices.choices, blank=True, db_index=True
    )
    explanation = models.JSONField("Diễn giải cách tính", default=list, blank=True)
    scored_items = models.JSONField("Số liệu theo đầu công việc", default=list, blank=True)
    scored_at = models.DateTimeField("Tính điểm lúc", null=True, blank=True)
    quota_reason = models.TextField("Lý do hạ mức theo tỷ lệ xuất sắc", blank=True)
    head_cap_reason = models.TextField("Lý do hạ mức theo xếp loại đơn vị", blank=True)
    published_at = models.DateTimeField("Công khai lúc", null=True, blank=True)
    custom = models.JSONField("Trường tùy biến", default=dict, blank=True)
    history = HistoricalRecords()

    workflow_doctype = DOCTYPE
    workflow_code = WORKFLOW_CODE
    workflow_related = ("official", "unit", "period")

    class Meta:
        verbose_name = "phiếu đánh giá"
        verbose_name_plural = "phiếu đánh giá"
        ordering = ["-period__year", "-period__start_date", "unit__path", "official__full_name", "pk"]
        permissions = [("publish_appraisal", "Xét tỷ lệ, công khai phiếu đánh giá theo đơn vị")]
        indexes = [
            models.Index(fields=["period", "state"]),
            models.Index(fields=["period", "quota_unit", "quota_group"]),
            # Scoring a whole period (appraisals.batch) reads what it needs of each row from
            # here: an appraisal row is wide (the copied rule set, the explanation).
            models.Index(
                fields=[
                    "period",
                    "official",
                    "leadership_role",
                    "rule_set_code",
                    "rule_set_version",
                    "workflow",
                    "state",
                    "unit",
                    "unit_dd",
                    "unit_e",
                    "exceeded_share",
                    "scored_at",
                ],
                name="appraisal_period_scoring",
            ),  # fmt: skip
        ]
        constraints = [
            models.UniqueConstraint(fields=["official", "period"], name="uniq_appraisal_official_period"),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__gte=0, total__lte=100), name="appraisal_total_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"Phiếu đánh giá {self.official.full_name} — {self.period.label}"

    @property
    def is_leader(self) -> bool:
        return self.leadership_role in (LeadershipRole.HEAD, LeadershipRole.DEPUTY)

    @property
    def classification(self) -> str:
        """The final level when decided, else the level the score gives."""
        return self.final_classification or self.proposed_classification

    @property
    def classification_label(self) -> str:
        return classification_label(self.classification)

    def workflow_subject_official(self) -> Any:
        return self.official

    def workflow_subject_unit(self) -> Any:
        return self.unit

    def workflow_title(self) -> str:
        return f"{self.official.full_name} — {self.period.label}"

    def workflow_deadline(self) -> date | None:
        # The deadline the current state names in the definition (e.g. "unit_review").
        return states.deadline_of(self)

    @classmethod
    def workflow_due(cls, *, until: date) -> QuerySet:
        return cls._default_manager.filter(states.due_q(until))


class AppraisalCriterion(models.Model):
    """One line of the general-criteria form: the self score beside the reviewer's."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="criteria", verbose_name="Phiếu")
    group_code = models.CharField("Nhóm", max_length=20)
    code = models.CharField("Mã tiêu chí", max_length=20)
    name = models.CharField("Tiêu chí", max_length=500)
    max_points = models.DecimalField("Điểm tối đa", max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField("Thứ tự", default=0)
    self_score = models.DecimalField("Tự chấm", max_digits=5, decimal_places=2, null=True, blank=True)
    reviewer_score = models.DecimalField("Người đánh giá chấm", max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.CharField("Nhận xét", max_length=1000, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tiêu chí chung"
        verbose_name_plural = "tiêu chí chung"
        ordering = ["appraisal", "order", "code"]
        # Scoring a whole period adds the lines up per appraisal and group from the index alone.
        indexes = [
            models.Index(
                fields=["appraisal", "group_code", "reviewer_score", "self_score"], name="criterion_period_scoring"
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "code"], name="uniq_appraisal_criterion"),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True) | Q(self_score__gte=0, self_score__lte=F("max_points")),
                name="criterion_self_in_range",
                violation_error_message="Điểm tự chấm phải từ 0 đến điểm tối đa của tiêu chí.",
            ),
            models.CheckConstraint(
                condition=Q(reviewer_score__isnull=True)
                | Q(reviewer_score__gte=0, reviewer_score__lte=F("max_points")),
                name="criterion_reviewer_in_range",
                violation_error_message="Điểm của người đánh giá phải từ 0 đến điểm tối đa của tiêu chí.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AppraisalDisqualifier(models.Model):
    """A fact forcing "Không hoàn thành nhiệm vụ" (ND 335 Điều 20 khoản 4), with its evidence."""

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="disqualifiers", verbose_name="Phiếu"
    )
    code = models.CharField("Trường hợp", max_length=30, choices=DisqualifierCode.choices)
    evidence = models.TextField("Căn cứ (kết luận, quyết định)")
    attachment = models.FileField("Tệp minh chứng", upload_to="appraisals/disqualifiers/%Y/%m/", blank=True)
    decided_on = models.DateField(
        "Ngày quyết định kỷ luật", null=True, blank=True,
        help_text="Bắt buộc với trường hợp bị kỷ luật: kỷ luật tính vào năm có quyết định.",
    )  # fmt: skip
    counted_year = models.PositiveSmallIntegerField(
        "Hành vi đã được tính khi xếp loại năm", null=True, blank=True,
        help_text="Nếu cùng hành vi vi phạm đã làm một năm trước bị xếp không hoàn thành (hoặc đã bị kỷ luật Đảng "
        "năm khác), ghi năm đó: quyết định sau không tính lại.",
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="Người ghi nhận"
    )
    recorded_at = models.DateTimeField("Ghi nhận lúc", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "trường hợp không hoàn thành nhiệm vụ"
        verbose_name_plural = "trường hợp không hoàn thành nhiệm vụ"
        ordering = ["appraisal", "code"]
        constraints = [models.UniqueConstraint(fields=["appraisal", "code"], name="uniq_appraisal_disqualifier")]

    def __str__(self) -> str:
        return self.get_code_display()


class UnitAppraisal(WorkflowDocument, TimeStampedModel):
    """Đánh giá cơ quan, tổ chức, đơn vị (SPEC 3.10; issue 14, item 1): the agency's own
    30/70 score and level for a year.

    The general criteria are the agency's self-assessment (entered); the task result and
    the shares of the planned work come from the year's appraisals of its officials
    (:mod:`thanhhoa_kpi.appraisals.agency`), the level from the rule set's conditions
    (:mod:`thanhhoa_kpi.scoring.agency`), and the bloc authority approves and publishes
    it through the UNIT_APPRAISAL workflow, applying the agencies' quota. It caps the
    level of the unit's head (SPEC 5.7) and, when excellent, raises the excellence quota
    of its officials to the exception rate (SPEC 5.6).
    """

    unit = models.ForeignKey(
        "organization.OrgUnit", on_delete=models.PROTECT, related_name="unit_appraisals", verbose_name="Đơn vị"
    )
    year = models.PositiveSmallIntegerField("Năm", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    general_score = models.DecimalField(
        "Điểm tiêu chí chung (≤ 30)", max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(30)],
    )  # fmt: skip
    task_score = models.DecimalField(
        "Điểm kết quả thực hiện nhiệm vụ (≤ 70)", max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(70)],
    )  # fmt: skip
    total = models.DecimalField("Tổng điểm", max_digits=5, decimal_places=2)
    score_classification = models.CharField("Xếp loại theo điểm", max_length=30, choices=ClassificationChoices.choices)
    classification = models.CharField("Xếp loại", max_length=30, choices=ClassificationChoices.choices)
    notes = models.TextField("Ghi chú, căn cứ", blank=True)
    rule_set_code = models.CharField("Bộ quy tắc", max_length=20, default="ND335")
    task_percent = models.DecimalField("Kết quả thực hiện nhiệm vụ (%)", **PERCENT)
    months_counted = models.PositiveIntegerField("Số phiếu tháng/quý đã tính", default=0)
    planned_converted = models.DecimalField("Khối lượng được giao (quy đổi)", **CONVERTED)
    done_converted = models.DecimalField("Khối lượng hoàn thành (quy đổi)", **CONVERTED)
    on_time_converted = models.DecimalField("Khối lượng đúng tiến độ (quy đổi)", **CONVERTED)
    quality_converted = models.DecimalField("Khối lượng đạt chất lượng (quy đổi)", **CONVERTED)
    exceeded_converted = models.DecimalField("Khối lượng vượt kế hoạch (quy đổi)", **CONVERTED)
    failing_units = models.JSONField("Đơn vị trực thuộc không hoàn thành", default=list, blank=True)
    conditions_classification = models.CharField(
        "Xếp loại theo điểm và điều kiện", max_length=30, choices=ClassificationChoices.choices, blank=True
    )
    quota_reason = models.TextField("Lý do hạ mức theo tỷ lệ xuất sắc", blank=True)
    quota_outstanding = models.TextField("Trường hợp nổi trội (tỷ lệ ngoại lệ), lý do", blank=True)
    explanation = models.JSONField("Diễn giải cách tính", default=list, blank=True)
    scored_at = models.DateTimeField("Tính điểm lúc", null=True, blank=True)
    approved_at = models.DateTimeField("Phê duyệt lúc", null=True, blank=True)
    published_at = models.DateTimeField("Công khai lúc", null=True, blank=True)
    deadline = models.DateField(
        "Hạn xếp loại", null=True, blank=True,
        help_text="Hạn xếp loại hằng năm của bộ quy tắc (ví dụ 15/12): nhắc việc, đánh dấu quá hạn đến khi phê duyệt.",
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Người nhập",
    )  # fmt: skip
    history = HistoricalRecords()

    class Meta:
        verbose_name = "đánh giá đơn vị"
        verbose_name_plural = "đánh giá đơn vị"
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="uniq_unit_appraisal_year"),
            models.CheckConstraint(
                condition=Q(general_score__gte=0, general_score__lte=30, task_score__gte=0, task_score__lte=70),
                name="unit_appraisal_scores_range",
            ),
        ]

    workflow_doctype = "unit_appraisal"
    workflow_code = "UNIT_APPRAISAL"
    workflow_related = ("unit",)

    def workflow_subject_official(self) -> None:
        return None  # the agency's, nobody's own

    def workflow_subject_unit(self) -> Any:
        return self.unit

    def workflow_title(self) -> str:
        return f"Đánh giá {self.unit.name} — năm {self.year}"

    def workflow_deadline(self) -> date | None:
        """The year's classification deadline, until the authority has approved it."""
        decided = states_tagged(self.workflow.parsed(), "approved") | states_tagged(self.workflow.parsed(), "published")
        return None if self.state in decided else self.deadline

    @classmethod
    def workflow_due(cls, *, until: date) -> QuerySet:
        return cls._default_manager.filter(deadline__isnull=False, deadline__lte=until)

    def __str__(self) -> str:
        return f"{self.unit.name} — năm {self.year}: {self.get_classification_display()}"

    @property
    def is_excellent(self) -> bool:
        return self.classification == ClassificationChoices.HOAN_THANH_XUAT_SAC


class UnitRules(WorkflowDocument, TimeStampedModel):
    """Quy chế đánh giá của đơn vị (issue 14, item 3): a public service unit's own split of
    the general criteria and its own reduced value of d, đ and e, within the frame of its
    rule set (``params.unit_rules``; ND 233/2026/NĐ-CP Điều 12 khoản 5).

    Entered by the unit (its HR admin or head) as a draft, approved by the bloc authority
    on the UNIT_RULES workflow (:mod:`thanhhoa_kpi.appraisals.unit_rules`); once in force it
    applies to the appraisals of the unit and of the units under it that have none of
    their own, scored from then on, and is never edited again: a change is a new document
    that replaces it when approved.
    """

    unit = models.ForeignKey(
        "organization.OrgUnit", on_delete=models.PROTECT, related_name="scoring_rules", verbose_name="Đơn vị"
    )
    rule_set_code = models.CharField("Bộ quy tắc", max_length=20, default="ND233")
    reference = models.CharField(
        "Văn bản ban hành quy chế", max_length=200, help_text="Số, ngày quyết định ban hành quy chế của đơn vị."
    )
    weights = models.JSONField(
        "Điểm tối đa của từng nhóm tiêu chí chung", default=dict, blank=True,
        help_text="Theo mã nhóm của bộ quy tắc; tổng bằng điểm tối đa tiêu chí chung (30).",
    )  # fmt: skip
    reduced = models.DecimalField(
        "Giá trị d, đ, e khi không đạt (%)", max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    notes = models.TextField("Ghi chú", blank=True)
    in_force = models.BooleanField("Đang áp dụng", default=False, editable=False)
    approved_at = models.DateTimeField("Phê duyệt lúc", null=True, blank=True, editable=False)
    superseded_at = models.DateTimeField("Hết hiệu lực lúc", null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="Người nhập", editable=False,
    )  # fmt: skip
    history = HistoricalRecords()

    class Meta:
        verbose_name = "quy chế đánh giá của đơn vị"
        verbose_name_plural = "quy chế đánh giá của đơn vị"
        ordering = ["unit__path", "-created_at"]
        indexes = [models.Index(fields=["rule_set_code", "in_force"], name="unit_rules_in_force")]
        constraints = [
            models.CheckConstraint(condition=Q(reduced__gte=0, reduced__lte=100), name="unit_rules_reduced_range"),
        ]

    workflow_doctype = "unit_rules"
    workflow_code = "UNIT_RULES"
    workflow_related = ("unit",)

    def workflow_subject_official(self) -> None:
        return None  # the unit's, nobody's own

    def workflow_subject_unit(self) -> Any:
        return self.unit

    def workflow_title(self) -> str:
        return f"Quy chế đánh giá của {self.unit.name} ({self.reference})"

    def __str__(self) -> str:
        return f"{self.unit.name} — {self.reference}"
