"""Workflow rows (SPEC 4): versioned definitions, the document mixin, history, notices.

The decisions live in the pure :mod:`thanhhoa_kpi.workflow.engine`; these rows hold its
input and its output. A document keeps the definition version it started with
(:class:`WorkflowDocument.workflow`), every transition is a :class:`TransitionLog` row and
every notice to a user a :class:`Notification` row.

:class:`JobDescription` is the first host: the job-description approval of SPEC 3.3.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.core.models import TimeStampedModel
from thanhhoa_kpi.workflow.engine import WorkflowDef, parse_definition

if TYPE_CHECKING:
    from thanhhoa_kpi.organization.models import Official, OrgUnit


class DocType(models.TextChoices):
    APPRAISAL = "appraisal", "Phiếu đánh giá"
    CATALOGUE = "catalogue", "Danh mục đầu công việc"
    JOB_DESCRIPTION = "job_description", "Bản mô tả vị trí việc làm"
    DEFINITION_CHANGE = "definition_change", "Đề xuất thay đổi quy định"
    COMPETENCY_ASSESSMENT = "competency_assessment", "Phiếu đánh giá năng lực"
    UNIT_APPRAISAL = "unit_appraisal", "Đánh giá cơ quan, tổ chức, đơn vị"
    UNIT_RULES = "unit_rules", "Quy chế đánh giá của đơn vị"


class VersionStatus(models.TextChoices):
    """Where one version of a province-wide definition (workflow, rule set) stands.

    A change made in the desk is PROPOSED and takes effect (IN_FORCE) only when another
    province-level admin approves it (:mod:`thanhhoa_kpi.workflow.governance`); the
    version it replaces becomes RETIRED. ``is_current`` mirrors IN_FORCE (a database
    check keeps them together) because every reader filters on it.
    """

    PROPOSED = "proposed", "Đề xuất, chờ duyệt"
    IN_FORCE = "in_force", "Đang áp dụng"
    RETIRED = "retired", "Đã thay thế"
    REJECTED = "rejected", "Không được duyệt"


def version_status_field() -> models.CharField:
    return models.CharField(
        "Tình trạng", max_length=10, choices=VersionStatus.choices, default=VersionStatus.IN_FORCE, db_index=True
    )


def version_status_check(prefix: str) -> models.CheckConstraint:
    """``is_current`` exactly when IN_FORCE: a proposal is never read as the rule in force."""
    in_force = models.Q(is_current=True, status=VersionStatus.IN_FORCE)
    other = models.Q(is_current=False) & ~models.Q(status=VersionStatus.IN_FORCE)
    return models.CheckConstraint(condition=in_force | other, name=f"{prefix}_current_is_in_force")


# Parsed definitions by (pk, updated_at): a used version is never edited in place (a
# change creates the next version), so the key changes whenever the content does.
_PARSED: dict[tuple[int, Any], WorkflowDef] = {}


class WorkflowDefinitionQuerySet(models.QuerySet):
    def current(self, code: str) -> WorkflowDefinition | None:
        return self.filter(code=code, is_current=True).order_by("-version").first()


class WorkflowDefinition(TimeStampedModel):
    code = models.CharField("Mã quy trình", max_length=40)
    version = models.PositiveIntegerField("Phiên bản", default=1)
    name = models.CharField("Tên quy trình", max_length=255)
    doctype = models.CharField("Loại tài liệu", max_length=30, choices=DocType.choices)
    definition = models.JSONField("Định nghĩa", help_text="Trạng thái và bước chuyển (xem SPEC 4).")
    is_current = models.BooleanField("Phiên bản đang dùng", default=True)
    status = version_status_field()
    history = HistoricalRecords()

    objects = WorkflowDefinitionQuerySet.as_manager()
    # What a proposal changes: the desk shows these old → new before anyone approves.
    governed_fields: ClassVar[tuple[str, ...]] = ("name", "definition")

    class Meta:
        verbose_name = "quy trình phê duyệt"
        verbose_name_plural = "quy trình phê duyệt"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_workflow_version"),
            version_status_check("workflow"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def as_mapping(self) -> dict[str, Any]:
        """The engine's JSON form: the row's identity plus its states and transitions."""
        body = self.definition if isinstance(self.definition, dict) else {}
        return {
            "code": self.code,
            "version": self.version,
            "name": self.name,
            "doctype": self.doctype,
            "states": body.get("states", []),
            "transitions": body.get("transitions", []),
        }

    def parsed(self) -> WorkflowDef:
        """The engine's view of this version (cached; rows are validated when saved)."""
        key = (self.pk, self.updated_at)
        found = _PARSED.get(key) if self.pk else None
        if found is None:
            found = parse_definition(self.as_mapping())
            if self.pk:
                _PARSED[key] = found
        return found


class WorkflowDocument(models.Model):
    """Mixin of every document that goes through a workflow (appraisal, catalogue, ...).

    The host sets ``workflow_doctype`` (a :class:`DocType`) and ``workflow_code`` (the
    definition it starts with), and implements :meth:`workflow_subject_official` and
    :meth:`workflow_subject_unit`; the approver rules of
    :mod:`thanhhoa_kpi.workflow.resolvers` are resolved from those two. It may list in
    ``workflow_related`` the ``select_related`` paths those two methods follow, so the
    inbox reads a page of documents in a fixed number of queries.

    Only :mod:`thanhhoa_kpi.workflow.services` writes ``workflow`` and ``state``.
    """

    workflow = models.ForeignKey(
        WorkflowDefinition, on_delete=models.PROTECT, related_name="+", verbose_name="Quy trình (phiên bản)"
    )
    state = models.CharField("Trạng thái", max_length=40, db_index=True)
    state_changed_at = models.DateTimeField("Chuyển trạng thái lúc", null=True, blank=True, editable=False)

    workflow_doctype: ClassVar[str] = ""
    workflow_code: ClassVar[str] = ""
    workflow_related: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def workflow_subject_official(self) -> Official | None:
        """The official whose document this is (SUBJECT); None when it is nobody's own."""
        raise NotImplementedError

    def workflow_subject_unit(self) -> OrgUnit:
        """The unit the approver rules start from (the subject's unit, the owner unit)."""
        raise NotImplementedError

    def workflow_subject_user_id(self) -> int | None:
        """The account the document is about when it is nobody's official record (a
        proposal's author); None: the account of :meth:`workflow_subject_official`."""
        return None

    def workflow_title(self) -> str:
        return str(self)

    def workflow_deadline(self) -> date | None:
        """The deadline of the current step, for reminders; None when there is none."""
        return None

    @classmethod
    def workflow_due(cls, *, until: date) -> QuerySet:
        """Documents whose current step ends on or before ``until`` (reminders)."""
        return cls._default_manager.none()

    def workflow_state_label(self) -> str:
        state = next((s for s in self.workflow.parsed().states if s.code == self.state), None)
        return state.label if state else self.state

    def workflow_desk_url(self) -> str:
        opts = self._meta
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.pk])
        except NoReverseMatch:
            return ""


class TransitionLog(models.Model):
    """One line of a document's history: who took which action, when, from where to where."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name="Loại tài liệu")
    object_id = models.PositiveBigIntegerField("Mã tài liệu")
    document = GenericForeignKey("content_type", "object_id")
    workflow = models.ForeignKey(WorkflowDefinition, on_delete=models.PROTECT, verbose_name="Quy trình (phiên bản)")
    action = models.CharField("Thao tác", max_length=40)
    action_label = models.CharField("Tên thao tác", max_length=120)
    from_state = models.CharField("Từ trạng thái", max_length=40)
    to_state = models.CharField("Đến trạng thái", max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="Người thực hiện"
    )
    comment = models.TextField("Ý kiến", blank=True)
    created_at = models.DateTimeField("Thời điểm", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "lịch sử xử lý"
        verbose_name_plural = "lịch sử xử lý"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action_label}: {self.state_label(self.from_state)} → {self.state_label(self.to_state)}"

    def state_label(self, code: str) -> str:
        state = next((s for s in self.workflow.parsed().states if s.code == code), None)
        return state.label if state else code


class Notification(models.Model):
    """A notice in the desk (the email copy is sent by the same job)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="Người nhận"
    )
    title = models.CharField("Tiêu đề", max_length=255)
    body = models.TextField("Nội dung", blank=True)
    url = models.CharField("Đường dẫn", max_length=500, blank=True)
    created_at = models.DateTimeField("Thời điểm", auto_now_add=True)
    read_at = models.DateTimeField("Đã đọc lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class JobDescription(WorkflowDocument, TimeStampedModel):
    """A job position's description drafted in a unit and approved (SPEC 3.3).

    When it is published its texts are copied into the job position (see
    :func:`thanhhoa_kpi.workflow.job_descriptions.apply_to_position`, the effect of «publish»).
    """

    position = models.ForeignKey(
        "organization.JobPosition",
        on_delete=models.PROTECT,
        related_name="descriptions",
        verbose_name="Vị trí việc làm",
    )
    unit = models.ForeignKey(
        "organization.OrgUnit",
        on_delete=models.PROTECT,
        related_name="job_descriptions",
        verbose_name="Đơn vị xây dựng",
    )
    duties = models.TextField("Nhiệm vụ", blank=True)
    output_products = models.TextField("Sản phẩm đầu ra", blank=True)
    working_conditions = models.TextField("Điều kiện làm việc", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="Người soạn"
    )
    deadline = models.DateField("Hạn phê duyệt", null=True, blank=True)
    history = HistoricalRecords()

    workflow_doctype = DocType.JOB_DESCRIPTION.value
    workflow_code = "JOB_DESCRIPTION"
    workflow_related = ("unit", "position", "author__official")

    class Meta:
        verbose_name = "bản mô tả vị trí việc làm"
        verbose_name_plural = "bản mô tả vị trí việc làm"
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"Mô tả «{self.position.name}» — {self.unit.name}"

    def workflow_subject_official(self) -> Official | None:
        # The author's own official record: an HR admin without one drafts for the unit,
        # and then nobody is the subject (no self-action to forbid).
        return getattr(self.author, "official", None)

    def workflow_subject_unit(self) -> OrgUnit:
        return self.unit

    def workflow_deadline(self) -> date | None:
        return self.deadline

    @classmethod
    def workflow_due(cls, *, until: date) -> QuerySet:
        return cls._default_manager.filter(deadline__isnull=False, deadline__lte=until)


class DefinitionChange(WorkflowDocument, TimeStampedModel):
    """A proposed new version of a province-wide definition, awaiting a second admin.

    ``target`` is the proposed version (a :class:`WorkflowDefinition` or a rule set, in
    status PROPOSED). The DEFINITION_CHANGE workflow decides who may approve it: another
    province-level admin, never the proposer (the proposer is the document's subject).
    Approval puts the version in force (:mod:`thanhhoa_kpi.workflow.governance`).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name="Loại quy định")
    object_id = models.PositiveBigIntegerField("Mã phiên bản đề xuất")
    target = GenericForeignKey("content_type", "object_id")
    summary = models.CharField("Nội dung đề xuất", max_length=255)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="Người đề xuất"
    )
    history = HistoricalRecords()

    workflow_doctype = DocType.DEFINITION_CHANGE.value
    workflow_code = "DEFINITION_CHANGE"
    workflow_related = ("proposer",)

    class Meta:
        verbose_name = "đề xuất thay đổi quy định"
        verbose_name_plural = "đề xuất thay đổi quy định"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id"], name="uniq_definition_change")]

    def __str__(self) -> str:
        return self.summary

    def workflow_subject_official(self) -> Official | None:
        return None

    def workflow_subject_user_id(self) -> int | None:
        return self.proposer_id

    def workflow_subject_unit(self) -> OrgUnit:
        from thanhhoa_kpi.organization.models import OrgUnit

        # Province-wide: the first root of the tree (the province). The approver rule
        # (PROVINCE_ADMIN) does not depend on it; ROLE:<x> entries would start there.
        # Before any unit exists (a fresh install), an unsaved placeholder: no unit-based
        # rule matches it, PROVINCE_ADMIN still does.
        return OrgUnit.objects.filter(depth=1).order_by("path").first() or OrgUnit(path="", bloc="")
