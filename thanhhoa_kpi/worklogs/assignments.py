"""Writes to assignments (giao việc): assign, bulk assign, self-register, approve, copy a month.

A head assigns to anyone of their unit's subtree, a deputy to the officials of their unit
within their fields; such assignments count at once. An official may register work for
themself (``SELF_REGISTERED``); it counts only once the head or the deputy in charge of
the item's field approves it. The item's coefficient is copied at creation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.catalogue.selectors import item_is_usable, items_usable_by
from thanhhoa_kpi.core.errors import Conflict, PermissionRefused
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.worklogs import rights
from thanhhoa_kpi.worklogs.models import Assignment, Origin, WorkPeriod
from thanhhoa_kpi.worklogs.services import invalid, periods_share_lock, positive_decimal, require_open


def reference_day(period: WorkPeriod) -> date:
    """The day on which the catalogue in force is looked up for a period: today, within it."""
    return min(max(timezone.localdate(), period.first_day), period.last_day)


def _check_item(assignee: Official, item: CatalogueItem, period: WorkPeriod) -> None:
    if not item_is_usable(official=assignee, item=item, on=reference_day(period)):
        raise invalid(
            "catalogue_item",
            f"Đầu công việc {item.code} không thuộc danh mục đang có hiệu lực của đơn vị {assignee.full_name}.",
            code="ITEM_NOT_IN_FORCE",
        )


def _check_deadline(deadline: date | None, period: WorkPeriod) -> None:
    # Imports and jobs hand over raw cells: anything but a date is a clear field error.
    if deadline is not None and (not isinstance(deadline, date) or isinstance(deadline, datetime)):
        raise invalid("deadline", "Hạn hoàn thành phải là một ngày (dd/mm/yyyy).")
    if deadline is not None and deadline < period.first_day:
        raise invalid("deadline", f"Hạn hoàn thành không được trước ngày đầu của {period}.")


def _build(
    *, user: Any, item: CatalogueItem, assignee: Official, quantity: Decimal, period: WorkPeriod,
    deadline: date | None, origin: str, note: str,
) -> Assignment:  # fmt: skip
    own = rights.official_of(user)
    if origin == Origin.SELF_REGISTERED:
        if own is None or own.pk != assignee.pk:
            raise PermissionRefused("Chỉ tự đăng ký được công việc cho chính mình.")
        approved = False
    else:
        if origin not in Origin.values:
            raise invalid("origin", "Nguồn giao việc không hợp lệ.")
        if not rights.can_direct(user, assignee, item.field):
            raise PermissionRefused(f"Bạn không phụ trách giao việc lĩnh vực “{item.field}” cho {assignee.full_name}.")
        approved = True
    _check_item(assignee, item, period)
    now = timezone.now()
    return Assignment(
        catalogue_item=item,
        assignee=assignee,
        assigner=user,
        period=period,
        quantity=quantity,
        deadline=deadline,
        origin=origin,
        approved=approved,
        approved_by=user if approved else None,
        approved_at=now if approved else None,
        coefficient=item.coefficient,
        note=note or "",
    )


def _locked_open_period(period: WorkPeriod | None) -> WorkPeriod:
    if period is None:
        raise invalid("period", "Chọn kỳ (tháng) giao việc.")
    period = periods_share_lock([period.pk])[0]
    require_open(period, field="period")
    return period


@transaction.atomic
def assignment_create(
    *, user: Any, catalogue_item: CatalogueItem, assignee: Official, quantity: Any, period: WorkPeriod | None,
    deadline: date | None = None, origin: str = Origin.PLAN, note: str = "",
) -> Assignment:  # fmt: skip
    number = positive_decimal(quantity, "quantity", "Số lượng giao")
    period = _locked_open_period(period)
    _check_deadline(deadline, period)
    assignment = _build(
        user=user, item=catalogue_item, assignee=assignee, quantity=number, period=period,
        deadline=deadline, origin=origin, note=note,
    )  # fmt: skip
    assignment.save()
    return assignment


@transaction.atomic
def assignment_bulk_create(
    *, user: Any, catalogue_item: CatalogueItem, assignees: list[Official], quantity: Any,
    period: WorkPeriod | None, deadline: date | None = None, origin: str = Origin.PLAN, note: str = "",
) -> list[Assignment]:  # fmt: skip
    """One item to many officials; refused as a whole if any of them may not get it."""
    if not assignees:
        raise invalid("assignees", "Chọn ít nhất một người thực hiện.")
    if origin == Origin.SELF_REGISTERED:
        raise invalid("origin", "Giao việc hàng loạt không dùng cho việc tự đăng ký.")
    number = positive_decimal(quantity, "quantity", "Số lượng giao")
    period = _locked_open_period(period)
    _check_deadline(deadline, period)
    built = [
        _build(user=user, item=catalogue_item, assignee=a, quantity=number, period=period, deadline=deadline,
               origin=origin, note=note)
        for a in sorted(set(assignees), key=lambda o: o.pk)
    ]  # fmt: skip
    return bulk_create_with_history(built, Assignment, default_user=user)


def _lock(assignment: Assignment) -> Assignment:
    locked = Assignment.objects.select_for_update().select_related("period", "catalogue_item", "assignee")
    return locked.get(pk=assignment.pk)


def _may_manage(user: Any, assignment: Assignment) -> bool:
    own = rights.official_of(user)
    self_pending = (
        own is not None and own.pk == assignment.assignee_id and assignment.origin == Origin.SELF_REGISTERED
        and not assignment.approved
    )  # fmt: skip
    return self_pending or rights.can_direct(user, assignment.assignee, assignment.catalogue_item.field)


@transaction.atomic
def assignment_approve(*, assignment: Assignment, user: Any) -> Assignment:
    periods_share_lock([assignment.period_id])
    assignment = _lock(assignment)
    require_open(assignment.period, field="period")
    if assignment.approved:
        raise Conflict("Việc này đã được duyệt.", code="ALREADY_APPROVED")
    if assignment.assignee.user_id == user.pk:
        raise PermissionRefused("Không ai tự duyệt việc mình tự đăng ký.", code="SELF_APPROVAL")
    if not rights.can_direct(user, assignment.assignee, assignment.catalogue_item.field):
        raise PermissionRefused("Chỉ người đứng đầu hoặc cấp phó phụ trách lĩnh vực mới được duyệt.")
    assignment.approved, assignment.approved_by, assignment.approved_at = True, user, timezone.now()
    assignment.save(update_fields=["approved", "approved_by", "approved_at", "updated_at"])
    return assignment


@transaction.atomic
def assignment_update(
    *, assignment: Assignment, user: Any, quantity: Any = None, deadline: Any = ..., note: str | None = None
) -> Assignment:
    """Change quantity, deadline or note (the item, person, month and coefficient stay)."""
    periods_share_lock([assignment.period_id])
    assignment = _lock(assignment)
    require_open(assignment.period, field="period")
    if not _may_manage(user, assignment):
        raise PermissionRefused("Bạn không được sửa việc giao này.")
    if quantity is not None:
        assignment.quantity = positive_decimal(quantity, "quantity", "Số lượng giao")
    if deadline is not ...:
        _check_deadline(deadline, assignment.period)
        assignment.deadline = deadline
    if note is not None:
        assignment.note = note
    assignment.save()
    return assignment


@transaction.atomic
def assignment_delete(*, assignment: Assignment, user: Any) -> None:
    periods_share_lock([assignment.period_id])
    assignment = _lock(assignment)
    require_open(assignment.period, field="period")
    if not _may_manage(user, assignment):
        raise PermissionRefused("Bạn không được xóa việc giao này.")
    if assignment.lines.exists():
        raise Conflict("Đã có nhật ký ghi theo việc này, không thể xóa.", code="ASSIGNMENT_IN_USE")
    assignment.delete()


@dataclass
class CopyResult:
    created: list[Assignment] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@transaction.atomic
def assignment_copy_month(*, user: Any, source: WorkPeriod, target: WorkPeriod) -> CopyResult:
    """Copy last month's plan (approved PLAN assignments the user directs) to ``target``.

    Each item is looked up again in the catalogue in force for ``target`` (same catalogue
    code and item code), so a new catalogue version brings its new coefficient; rows whose
    item no longer exists are reported as skipped.
    """
    target = _locked_open_period(target)
    if source.pk == target.pk:
        raise invalid("target", "Kỳ nhận phải khác kỳ nguồn.")
    rows = (
        Assignment.objects.filter(period=source, origin=Origin.PLAN, approved=True)
        .select_related("catalogue_item__catalogue", "assignee")
        .order_by("pk")
    )
    result = CopyResult()
    day = reference_day(target)
    for row in rows:
        if not rights.can_direct(user, row.assignee, row.catalogue_item.field):
            continue
        item = (
            items_usable_by(official=row.assignee, on=day)
            .filter(catalogue__code=row.catalogue_item.catalogue.code, code=row.catalogue_item.code)
            .first()
        )
        if item is None:
            result.skipped.append(f"{row.assignee.full_name}: {row.catalogue_item.code} không còn trong danh mục")
            continue
        built = _build(
            user=user, item=item, assignee=row.assignee, quantity=row.quantity, period=target,
            deadline=None, origin=Origin.PLAN, note=row.note,
        )  # fmt: skip
        built.save()
        result.created.append(built)
    return result
