"""Writes to the org model. Each service owns its transaction and checks the acting user.

Every service takes ``by``, the acting user (``user`` is an official's account field), and
checks the right itself through :mod:`thanhhoa_kpi.accounts.access` (so the desk, the API, the Excel imports and the
history pages cannot write around it):

- an HR admin changes the units, officials and postings of the subtree or bloc of their
  grant, both before and after the change (a unit cannot be moved, nor an official posted,
  outside it; a row cannot be given a bloc the admin does not manage);
- job positions are bloc-wide rows: province admins or an HR admin of that whole bloc
  (``access.bloc_rows``); root units are created by a system admin only;
- nobody changes their own postings or leadership role, nor links an official record to
  their own account (whatever their other rights);
- fixture loaders and commands pass :data:`thanhhoa_kpi.core.actors.SYSTEM`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.actors import is_system
from thanhhoa_kpi.core.errors import FieldError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization.models import JobPosition, Official, OfficialAssignment, OrgUnit, SimilarTaskGroup

UNIT_FIELDS = ("code", "name", "short_name", "bloc", "level", "kind", "active_from", "active_to")
OFFICIAL_FIELDS = ("code", "full_name", "birth_date", "gender", "email", "phone", "category", "rule_set_code",
                   "user", "custom")  # fmt: skip
POSITION_FIELDS = ("code", "name", "group", "bloc", "professional_level", "duties", "output_products",
                   "working_conditions", "custom")  # fmt: skip
ASSIGNMENT_FIELDS = ("unit", "position", "leadership_role", "fields_in_charge", "task_group", "start_date",
                     "end_date")  # fmt: skip


# ------------------------------------------------------------------ rights


def _is_sysadmin(user: Any) -> bool:
    scope = access.scope_for(user)
    return scope.is_system_admin


def _may_change(user: Any, obj: models.Model) -> bool:
    return is_system(user) or access.can_change(user, obj)


def require_master_writer(user: Any) -> None:
    """HR admins and system admins write master data; everyone else is refused here."""
    if not (is_system(user) or access.can_write_master(user)):
        raise PermissionRefused("Bạn không có quyền thay đổi dữ liệu tổ chức, cán bộ.")


def require_unit(user: Any, unit: OrgUnit, field: str = "unit") -> None:
    """The unit (as stored now) is in the user's writable scope."""
    if not _may_change(user, unit):
        raise PermissionRefused(f"{_label(field)}: bạn không quản lý đơn vị «{unit}».")


def require_not_self(user: Any, official: Official) -> None:
    """Nobody changes their own postings or leadership role (ND 335: nobody directs themself)."""
    if is_system(user):
        return
    own = access.scope_for(user).official_id
    if (own is not None and own == official.pk) or (official.user_id and official.user_id == user.pk):
        raise PermissionRefused(
            "Không ai được tự thay đổi quá trình công tác hoặc chức vụ lãnh đạo của chính mình.", code="SELF_ACTION"
        )


def require_official(user: Any, official: Official) -> None:
    require_master_writer(user)
    if official.pk and not _may_change(user, official):
        raise PermissionRefused(f"Bạn không quản lý hồ sơ của {official.full_name}.")


def require_position(user: Any, bloc: str) -> None:
    """Job positions are bloc-wide: province admins, or HR admins of that whole bloc."""
    if not (is_system(user) or access.can_manage_bloc(user, bloc)):
        raise PermissionRefused(
            "Vị trí việc làm dùng chung cho cả khối: chỉ quản trị cấp tỉnh hoặc quản trị nhân sự của khối "
            "được thêm, sửa.",
            code="PROVINCE_LEVEL_ONLY",
        )


def _label(field: str) -> str:
    return {"unit": "Đơn vị", "parent": "Đơn vị cấp trên"}.get(field, field)


def _recheck(user: Any, obj: models.Model, message: str, field: str) -> None:
    """After the write, inside the transaction: the NEW row must still be the user's to change."""
    if not _may_change(user, obj):
        raise PermissionRefused(f"{_label(field)}: {message}", code="OUT_OF_SCOPE")


def _validated(obj: models.Model, **kwargs: Any) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        errors = [FieldError(name, str(msg)) for name, msgs in error.message_dict.items() for msg in msgs]
        raise ValidationFailed("Dữ liệu không hợp lệ.", errors) from None


# ------------------------------------------------------------------ units


@transaction.atomic
def org_unit_create(*, by: Any, parent: OrgUnit | None, **fields: Any) -> OrgUnit:
    require_master_writer(by)
    if parent is None and not (is_system(by) or _is_sysadmin(by)):
        raise PermissionRefused("Chỉ quản trị hệ thống được tạo đơn vị gốc.")
    if parent is not None:
        require_unit(by, parent, "parent")
    if OrgUnit.objects.filter(code=fields.get("code")).exists():
        raise ValidationFailed("Mã đơn vị đã tồn tại.", [FieldError("code", "Mã đơn vị đã tồn tại.")])
    unit = OrgUnit(**fields)
    _validated(unit, exclude=["path", "depth", "numchild"])
    created = (
        OrgUnit.objects.add_root(instance=unit) if parent is None else OrgUnit.objects.add_child(parent, instance=unit)
    )
    _recheck(by, created, "Đơn vị mới nằm ngoài phạm vi (đơn vị, khối) bạn quản lý.", "bloc")
    return created


@transaction.atomic
def org_unit_update(*, by: Any, unit: OrgUnit, **fields: Any) -> OrgUnit:
    """Change a unit's own fields (not its place in the tree: :func:`org_unit_move`)."""
    require_master_writer(by)
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    require_unit(by, unit)
    for name, value in fields.items():
        if name not in UNIT_FIELDS:
            raise ValidationFailed("Trường không sửa được.", [FieldError(name, "Trường này không sửa được ở đây.")])
        setattr(unit, name, value)
    if OrgUnit.objects.filter(code=unit.code).exclude(pk=unit.pk).exists():
        raise ValidationFailed("Mã đơn vị đã tồn tại.", [FieldError("code", "Mã đơn vị đã tồn tại.")])
    _validated(unit, exclude=["path", "depth", "numchild"])
    unit.save()
    _recheck(by, unit, "Sau khi sửa, đơn vị nằm ngoài phạm vi (đơn vị, khối) bạn quản lý.", "bloc")
    return unit


@transaction.atomic
def org_unit_move(*, by: Any, unit: OrgUnit, new_parent: OrgUnit | None) -> OrgUnit:
    require_master_writer(by)
    require_unit(by, unit)
    if new_parent is None and not (is_system(by) or _is_sysadmin(by)):
        raise PermissionRefused("Chỉ quản trị hệ thống được đưa đơn vị lên làm đơn vị gốc.")
    if new_parent is not None:
        require_unit(by, new_parent, "parent")
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationFailed(
            "Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.",
            [FieldError("parent", "Đơn vị cấp trên không hợp lệ.")],
        )
    if new_parent is None:
        OrgUnit.objects.move(unit, OrgUnit.objects.filter(depth=1).first(), "last-sibling")
    else:
        OrgUnit.objects.move(unit, new_parent, "last-child")
    moved = OrgUnit.objects.get(pk=unit.pk)
    _recheck(by, moved, "Không thể chuyển đơn vị ra ngoài phạm vi bạn quản lý.", "parent")
    return moved


# ------------------------------------------------------------------ positions


@transaction.atomic
def position_save(*, by: Any, position: JobPosition | None = None, **fields: Any) -> JobPosition:
    """Create (``position=None``) or change a job position of a bloc."""
    if position is not None and position.pk:
        position = JobPosition.objects.select_for_update().get(pk=position.pk)
        require_position(by, position.bloc)
    else:
        position = JobPosition()
    for name, value in fields.items():
        if name not in POSITION_FIELDS:
            raise ValidationFailed("Trường không sửa được.", [FieldError(name, "Trường này không sửa được ở đây.")])
        setattr(position, name, value)
    require_position(by, position.bloc)
    _validated(position)
    position.save()
    return position


# ------------------------------------------------------------------ officials


def require_account_link(by: Any, official: Official, account: Any) -> None:
    """Nobody links an official record to their own account (it would make them that official)."""
    if is_system(by) or account is None:
        return
    account_id = getattr(account, "pk", account)
    if account_id == by.pk and official.user_id != account_id:
        raise PermissionRefused(
            "Không được tự gắn tài khoản của mình vào một hồ sơ cán bộ; đề nghị quản trị khác thực hiện.",
            code="SELF_ACTION",
        )


@transaction.atomic
def official_create(*, by: Any, assignment: dict[str, Any] | None = None, **fields: Any) -> Official:
    require_master_writer(by)
    official = Official(**fields)
    require_account_link(by, official, fields.get("user"))
    _validated(official)
    official.save()
    if assignment:
        official_assign(by=by, official=official, **assignment)
    return official


@transaction.atomic
def official_update(*, by: Any, official: Official, **fields: Any) -> Official:
    """Change an official's record (not postings: :func:`official_assign`, :func:`official_transfer`)."""
    official = Official.objects.select_for_update().get(pk=official.pk)
    require_official(by, official)
    if "user" in fields and getattr(fields["user"], "pk", fields["user"]) != official.user_id:
        require_not_self(by, official)  # nobody unlinks or relinks their own record
        require_account_link(by, official, fields["user"])
    for name, value in fields.items():
        if name not in OFFICIAL_FIELDS:
            raise ValidationFailed("Trường không sửa được.", [FieldError(name, "Trường này không sửa được ở đây.")])
        setattr(official, name, value)
    _validated(official)
    official.save()
    return official


def assignment_check(*, by: Any, assignment: OfficialAssignment, official_checked: bool = False) -> None:
    """May ``by`` store ``assignment`` as it is now (new values) — raises when not.

    Used by the services below and by the desk forms before anything is saved.
    """
    if not official_checked:
        require_official(by, assignment.official)
    require_not_self(by, assignment.official)
    if assignment.pk:
        stored = OfficialAssignment.objects.select_related("unit").get(pk=assignment.pk)
        if stored.official_id != assignment.official_id:
            raise ValidationFailed(
                "Không đổi được cán bộ của quá trình công tác.", [FieldError("official", "Không đổi được.")]
            )
        require_unit(by, stored.unit)
    if assignment.unit_id:
        require_unit(by, assignment.unit)
    group = assignment.task_group
    if group is not None and group.unit_id != assignment.unit_id:
        raise ValidationFailed(
            "Nhóm nhiệm vụ tương đồng phải thuộc đơn vị công tác.",
            [FieldError("task_group", "Nhóm nhiệm vụ tương đồng phải thuộc đơn vị công tác.")],
        )


@transaction.atomic
def official_assign(
    *,
    by: Any,
    official: Official,
    unit: OrgUnit,
    position: JobPosition,
    start_date: date,
    leadership_role: str = "NONE",
    fields_in_charge: list[str] | None = None,
    task_group: SimilarTaskGroup | None = None,
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
    return assignment_save(by=by, assignment=asg)


@transaction.atomic
def assignment_save(*, by: Any, assignment: OfficialAssignment, official_checked: bool = False) -> OfficialAssignment:
    """Store a posting (new or changed) after checking the acting user against old and new values."""
    if assignment.pk:
        OfficialAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
    assignment_check(by=by, assignment=assignment, official_checked=official_checked)
    _validated(assignment)
    assignment.save()
    return assignment


@transaction.atomic
def assignment_delete(*, by: Any, assignment: OfficialAssignment) -> None:
    stored = OfficialAssignment.objects.select_for_update().select_related("official", "unit").get(pk=assignment.pk)
    assignment_check(by=by, assignment=stored)
    stored.delete()


@transaction.atomic
def official_transfer(
    *,
    by: Any,
    official: Official,
    unit: OrgUnit,
    position: JobPosition,
    on: date,
    leadership_role: str = "NONE",
    fields_in_charge: list[str] | None = None,
) -> OfficialAssignment:
    """Close the open postings the day before ``on`` and open a new one: history is kept."""
    require_official(by, official)
    require_not_self(by, official)
    require_unit(by, unit)
    open_rows = OfficialAssignment.objects.select_for_update().filter(official=official, end_date__isnull=True)
    for row in open_rows:
        if row.start_date >= on:
            raise ValidationFailed(
                "Ngày điều động phải sau ngày bắt đầu của quá trình công tác hiện tại.",
                [FieldError("start_date", "Ngày điều động không hợp lệ.")],
            )
        row.end_date = on - timedelta(days=1)
        row.save(update_fields=["end_date", "updated_at"])
    posting = OfficialAssignment(
        official=official,
        unit=unit,
        position=position,
        start_date=on,
        leadership_role=leadership_role,
        fields_in_charge=fields_in_charge or [],
    )
    # The official was checked above, while the closed postings still placed them in scope.
    return assignment_save(by=by, assignment=posting, official_checked=True)
