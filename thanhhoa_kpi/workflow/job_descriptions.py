"""Job descriptions (SPEC 3.3): drafted in a unit, approved through the workflow.

Who may draft one: an official for a unit they work in, an HR admin (or system admin)
for a unit they manage. Who may edit it: its author or such an HR admin, and only while
its state is editable. When it is published, its texts become the job position's
description (the effect ``apply_to_position`` below); a later re-opening does not undo that until the next
publication replaces them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.errors import Conflict, FieldError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization.models import JobPosition, OrgUnit
from thanhhoa_kpi.workflow.effects import register_contract, register_effect
from thanhhoa_kpi.workflow.engine import ContractRule, Decision, initial_state, is_editable
from thanhhoa_kpi.workflow.guards import register_guard
from thanhhoa_kpi.workflow.models import DocType, JobDescription
from thanhhoa_kpi.workflow.selectors import transition_history
from thanhhoa_kpi.workflow.services import workflow_start

DESCRIPTION_COMPLETE = "DESCRIPTION_COMPLETE"
TEXT_FIELDS = ("duties", "output_products", "working_conditions")
EDITABLE_FIELDS = frozenset({"position", "unit", "deadline", *TEXT_FIELDS})


def description_complete(job_description: JobDescription) -> str | None:
    """Guard DESCRIPTION_COMPLETE: duties and output products are written."""
    missing = [
        label
        for name, label in (("duties", "nhiệm vụ"), ("output_products", "sản phẩm đầu ra"))
        if not getattr(job_description, name).strip()
    ]
    return f"bản mô tả chưa có {' và '.join(missing)}" if missing else None


register_guard(DESCRIPTION_COMPLETE, DocType.JOB_DESCRIPTION.value, description_complete)


def draftable_units(*, user: Any, units: QuerySet) -> QuerySet:
    """The units of ``units`` the user may draft a description for."""
    managed = access.writable(OrgUnit.objects.all(), user).values("pk")
    return units.filter(Q(pk__in=list(access.scope_for(user).member_unit_ids)) | Q(pk__in=managed))


def _may_draft(user: Any, unit: OrgUnit) -> bool:
    return unit.pk in access.scope_for(user).member_unit_ids or access.can_change(user, unit)


def _may_edit(user: Any, job_description: JobDescription) -> bool:
    return job_description.author_id == user.pk or access.can_change(user, job_description.unit)


def may_edit(*, user: Any, job_description: JobDescription) -> bool:
    """Whether the user may change the description now (who they are, and its state)."""
    editable = is_editable(job_description.workflow.parsed(), job_description.state)
    return editable and _may_edit(user, job_description)


def _refuse_unit(user: Any, unit: OrgUnit) -> None:
    if not _may_draft(user, unit):
        raise PermissionRefused("Bạn chỉ được soạn bản mô tả cho đơn vị mình công tác hoặc quản lý.")


@transaction.atomic
def job_description_create(
    *,
    user: Any,
    position: JobPosition,
    unit: OrgUnit,
    duties: str = "",
    output_products: str = "",
    working_conditions: str = "",
    deadline: date | None = None,
) -> JobDescription:
    """Draft a description and start it on the current JOB_DESCRIPTION workflow."""
    _refuse_unit(user, unit)
    job_description = JobDescription(
        position=position,
        unit=unit,
        author=user,
        duties=duties,
        output_products=output_products,
        working_conditions=working_conditions,
        deadline=deadline,
    )
    job_description.full_clean(exclude=["workflow", "state"])
    return workflow_start(document=job_description)


def _locked_for_edit(user: Any, job_description: JobDescription) -> JobDescription:
    locked = JobDescription.objects.select_for_update().select_related("unit").get(pk=job_description.pk)
    if not _may_edit(user, locked):
        raise PermissionRefused("Chỉ người soạn hoặc quản trị nhân sự của đơn vị được sửa bản mô tả này.")
    return locked


@transaction.atomic
def job_description_update(*, user: Any, job_description: JobDescription, **fields: Any) -> JobDescription:
    """Change a description while its state is editable (author or HR admin of the unit)."""
    unknown = sorted(set(fields) - EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            "Có trường không được phép sửa.", [FieldError(name, "Trường này không sửa được.") for name in unknown]
        )
    locked = _locked_for_edit(user, job_description)
    if not is_editable(locked.workflow.parsed(), locked.state):
        raise Conflict(
            f"Bản mô tả đang ở trạng thái «{locked.workflow_state_label()}», không được sửa.", code="NOT_EDITABLE"
        )
    if "unit" in fields and fields["unit"].pk != locked.unit_id:
        _refuse_unit(user, fields["unit"])
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    return locked


def _untouched(job_description: JobDescription) -> bool:
    in_initial = job_description.state == initial_state(job_description.workflow.parsed())
    return in_initial and not transition_history(document=job_description).exists()


def may_delete(*, user: Any, job_description: JobDescription) -> bool:
    """A draft that never left its initial state, by its author or an HR admin of the unit."""
    return _may_edit(user, job_description) and _untouched(job_description)


@transaction.atomic
def job_description_delete(*, user: Any, job_description: JobDescription) -> None:
    """Delete a draft that never left its initial state; anything with history stays."""
    locked = _locked_for_edit(user, job_description)
    if not _untouched(locked):
        raise Conflict("Bản mô tả đã qua xử lý nên không xóa được; hãy sửa nội dung.", code="NOT_DELETABLE")
    locked.delete()


def apply_to_position(job_description: JobDescription, decision: Decision, user: Any) -> None:
    """Effect ``apply_to_position`` (publication): the texts become the job position's description."""
    position = JobPosition.objects.select_for_update().get(pk=job_description.position_id)
    for name in TEXT_FIELDS:
        setattr(position, name, getattr(job_description, name))
    position._history_user = user  # simple_history: record who published, not "system"
    position.save()


register_effect("apply_to_position", DocType.JOB_DESCRIPTION.value, apply_to_position)
register_contract(
    DocType.JOB_DESCRIPTION.value,
    tags=("published",),
    rules=(ContractRule("ONE_STATE", "published"), ContractRule("ENTERING", "published", ("apply_to_position",))),
)
