"""Writes to catalogues. Each service owns its transaction and checks who may act.

Only a draft catalogue may change; an approved one is changed by creating its next
version (:func:`catalogue_new_version`), so assignments and work logs that copied a
coefficient keep pointing at the item they used.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.catalogue import selectors
from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueItem, CatalogueStatus
from thanhhoa_kpi.core.errors import Conflict, FieldError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization.models import JobPosition

CATALOGUE_FIELDS = (
    "code", "version", "name", "owner_unit", "owner_bloc", "effective_from", "effective_to",
    "standard_product", "standard_minutes",
)  # fmt: skip
ITEM_FIELDS = (
    "code", "field", "task", "detailed_work", "output_product", "unit_of_measure",
    "complexity_group", "coefficient", "standard_minutes", "custom",
)  # fmt: skip


def validation_failed(error: ValidationError, message: str = "Dữ liệu không hợp lệ.") -> ValidationFailed:
    """Django's model validation error as a domain error naming each field."""
    errors = [FieldError(name, text) for name, texts in error.message_dict.items() for text in texts]
    return ValidationFailed(message, errors)


def _full_clean(obj: Any, **kwargs: Any) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        raise validation_failed(error) from None


def _require_manager(user: Any, catalogue: Catalogue) -> None:
    if not selectors.catalogue_can_manage(user=user, catalogue=catalogue):
        raise PermissionRefused("Bạn không quản lý danh mục của đơn vị này.")


def _require_draft(catalogue: Catalogue) -> None:
    if not catalogue.is_draft:
        raise Conflict("Danh mục đã phê duyệt không được sửa; hãy tạo phiên bản mới.", code="CATALOGUE_NOT_DRAFT")


@transaction.atomic
def catalogue_create(*, user: Any, **fields: Any) -> Catalogue:
    catalogue = Catalogue(**{k: v for k, v in fields.items() if k in CATALOGUE_FIELDS})
    catalogue.owner_bloc = catalogue.owner_bloc or ""
    if not selectors.unit_can_manage(user=user, unit=catalogue.owner_unit, bloc=catalogue.owner_bloc):
        raise PermissionRefused("Bạn không quản lý đơn vị (hoặc khối) sở hữu danh mục này.")
    catalogue.status = CatalogueStatus.DRAFT
    catalogue.created_by = user if getattr(user, "pk", None) else None
    _full_clean(catalogue)
    catalogue.save()
    return catalogue


@transaction.atomic
def catalogue_update(*, catalogue: Catalogue, user: Any, **fields: Any) -> Catalogue:
    catalogue = Catalogue.objects.select_for_update().get(pk=catalogue.pk)
    _require_manager(user, catalogue)
    _require_draft(catalogue)
    for key, value in fields.items():
        if key in CATALOGUE_FIELDS:
            setattr(catalogue, key, value)
    if not selectors.unit_can_manage(user=user, unit=catalogue.owner_unit, bloc=catalogue.owner_bloc):
        raise PermissionRefused("Bạn không quản lý đơn vị (hoặc khối) sở hữu danh mục này.")
    _full_clean(catalogue)
    catalogue.save()
    return catalogue


@transaction.atomic
def catalogue_delete(*, catalogue: Catalogue, user: Any) -> None:
    catalogue = Catalogue.objects.select_for_update().get(pk=catalogue.pk)
    _require_manager(user, catalogue)
    _require_draft(catalogue)
    catalogue.delete()


@transaction.atomic
def catalogue_item_save(
    *, catalogue: Catalogue, user: Any, item: CatalogueItem | None = None, positions: Any = None, **fields: Any
) -> CatalogueItem:
    """Create (``item`` None) or change an item of a draft catalogue."""
    catalogue = Catalogue.objects.select_for_update().get(pk=catalogue.pk)
    _require_manager(user, catalogue)
    _require_draft(catalogue)
    if item is not None and item.catalogue_id != catalogue.pk:
        raise ValidationFailed("Đầu công việc không thuộc danh mục này.", [FieldError("catalogue", "Sai danh mục.")])
    item = item or CatalogueItem(catalogue=catalogue)
    for key, value in fields.items():
        if key in ITEM_FIELDS:
            setattr(item, key, value)
    if item.custom is None:
        item.custom = {}
    _full_clean(item, validate_unique=True)
    item.save()
    if positions is not None:
        item.positions.set(positions)
    return item


@transaction.atomic
def catalogue_item_delete(*, item: CatalogueItem, user: Any) -> None:
    catalogue = Catalogue.objects.select_for_update().get(pk=item.catalogue_id)
    _require_manager(user, catalogue)
    _require_draft(catalogue)
    item.delete()


@transaction.atomic
def catalogue_new_version(*, catalogue: Catalogue, user: Any, effective_from: date | None = None) -> Catalogue:
    """A draft copy of ``catalogue`` and all its items, numbered after the latest version."""
    _require_manager(user, catalogue)
    # Lock every version of the code so two people cannot both create version N+1.
    versions = list(Catalogue.objects.select_for_update().filter(code=catalogue.code).order_by("pk"))
    latest = max(v.version for v in versions)
    source = next(v for v in versions if v.pk == catalogue.pk)
    copy = Catalogue(
        code=source.code,
        version=latest + 1,
        name=source.name,
        owner_unit=source.owner_unit,
        owner_bloc=source.owner_bloc,
        effective_from=effective_from or max(timezone.localdate(), source.effective_from),
        standard_product=source.standard_product,
        standard_minutes=source.standard_minutes,
        status=CatalogueStatus.DRAFT,
        created_by=user if getattr(user, "pk", None) else None,
    )
    _full_clean(copy)
    copy.save()
    items = list(source.items.prefetch_related("positions"))
    clones = [CatalogueItem(catalogue=copy, **{name: getattr(item, name) for name in ITEM_FIELDS}) for item in items]
    clones = bulk_create_with_history(clones, CatalogueItem, batch_size=500, default_user=copy.created_by)
    by_code = {clone.code: clone.pk for clone in clones}
    through = CatalogueItem.positions.through
    through.objects.bulk_create(
        [
            through(catalogueitem_id=by_code[item.code], jobposition_id=position.pk)
            for item in items
            for position in item.positions.all()
        ],
        batch_size=1000,
    )
    return copy


@transaction.atomic
def catalogue_approve(*, catalogue: Catalogue, user: Any) -> Catalogue:
    """Approve a draft so that it takes effect (SPEC 3.5).

    Until the workflow engine carries catalogue approval, this is the explicit action of
    the bloc authority of the owner's bloc; the author never approves their own draft.
    The previous version of the same code stops the day before this one starts.
    """
    versions = list(Catalogue.objects.select_for_update().filter(code=catalogue.code).order_by("pk"))
    catalogue = next(v for v in versions if v.pk == catalogue.pk)
    if catalogue.status != CatalogueStatus.DRAFT:
        raise Conflict("Danh mục này đã được phê duyệt.", code="CATALOGUE_NOT_DRAFT")
    bloc = selectors.owner_bloc(catalogue)
    if bloc not in access.scope_for(user).authority_blocs:
        raise PermissionRefused("Chỉ cơ quan tổ chức cán bộ của khối sở hữu mới được phê duyệt danh mục.")
    if catalogue.created_by_id and catalogue.created_by_id == user.pk:
        raise PermissionRefused("Người lập danh mục không được tự phê duyệt.", code="SELF_APPROVAL")
    if not catalogue.items.exists():
        raise ValidationFailed("Danh mục chưa có đầu công việc nào.", [FieldError("items", "Cần ít nhất một dòng.")])
    for previous in versions:
        open_ended = previous.effective_to is None or previous.effective_to >= catalogue.effective_from
        if previous.pk != catalogue.pk and previous.status != CatalogueStatus.DRAFT and open_ended:
            if previous.effective_from >= catalogue.effective_from:
                raise ValidationFailed(
                    "Phiên bản mới phải có hiệu lực sau phiên bản đang áp dụng.",
                    [FieldError("effective_from", f"Phải sau ngày {previous.effective_from:%d/%m/%Y}.")],
                )
            previous.effective_to = catalogue.effective_from - timedelta(days=1)
            previous.save(update_fields=["effective_to", "updated_at"])
    catalogue.status = CatalogueStatus.APPROVED
    catalogue.approved_by = user
    catalogue.approved_at = timezone.now()
    catalogue.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return catalogue


def next_version_number(code: str) -> int:
    return (Catalogue.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0) + 1


def positions_by_code() -> dict[str, int]:
    return dict(JobPosition.objects.values_list("code", "pk"))
