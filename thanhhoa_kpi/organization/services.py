"""Writes to the org model. Each service owns its transaction."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from thanhhoa_kpi.core.errors import FieldError, ValidationFailed
from thanhhoa_kpi.organization.models import JobPosition, Official, OfficialAssignment, OrgUnit


@transaction.atomic
def org_unit_create(*, parent: OrgUnit | None, **fields: Any) -> OrgUnit:
    if OrgUnit.objects.filter(code=fields.get("code")).exists():
        raise ValidationFailed("Mã đơn vị đã tồn tại.", [FieldError("code", "Mã đơn vị đã tồn tại.")])
    unit = OrgUnit(**fields)
    unit.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return OrgUnit.objects.add_root(instance=unit)
    return OrgUnit.objects.add_child(parent, instance=unit)


@transaction.atomic
def org_unit_move(*, unit: OrgUnit, new_parent: OrgUnit | None) -> OrgUnit:
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationFailed(
            "Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.",
            [FieldError("parent", "Đơn vị cấp trên không hợp lệ.")],
        )
    if new_parent is None:
        OrgUnit.objects.move(unit, OrgUnit.objects.filter(depth=1).first(), "last-sibling")
    else:
        OrgUnit.objects.move(unit, new_parent, "last-child")
    return OrgUnit.objects.get(pk=unit.pk)


@transaction.atomic
def official_create(
    *,
    assignment: dict[str, Any] | None = None,
    **fields: Any,
) -> Official:
    official = Official(**fields)
    official.full_clean()
    official.save()
    if assignment:
        official_assign(official=official, **assignment)
    return official


@transaction.atomic
def official_assign(
    *,
    official: Official,
    unit: OrgUnit,
    position: JobPosition,
    start_date: date,
    leadership_role: str = "NONE",
    fields_in_charge: list[str] | None = None,
    task_group: Any = None,
    end_date: date | None = None,
) -> OfficialAssignment:
    asg = OfficialAssignment(
        official=official,
        unit=unit,
        position=position,
        start_date=start_date,
        end_date=end_date,
        leadership_role=leadership_role,
        fields_in_charge=fields_in_charge or [],
        task_group=task_group,
    )
    asg.full_clean()
    asg.save()
    return asg


@transaction.atomic
def official_transfer(
    *,
    official: Official,
    unit: OrgUnit,
    position: JobPosition,
    on: date,
    leadership_role: str = "NONE",
    fields_in_charge: list[str] | None = None,
) -> OfficialAssignment:
    """Close the open postings the day before ``on`` and open a new one: history is kept."""
    open_rows = OfficialAssignment.objects.select_for_update().filter(official=official, end_date__isnull=True)
    for row in open_rows:
        if row.start_date >= on:
            raise ValidationFailed(
                "Ngày điều động phải sau ngày bắt đầu của quá trình công tác hiện tại.",
                [FieldError("start_date", "Ngày điều động không hợp lệ.")],
            )
        row.end_date = on - timedelta(days=1)
        row.save(update_fields=["end_date", "updated_at"])
    return official_assign(
        official=official,
        unit=unit,
        position=position,
        start_date=on,
        leadership_role=leadership_role,
        fields_in_charge=fields_in_charge,
    )
