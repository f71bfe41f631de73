"""Writes to catalogues. Each service owns its transaction and checks who may act.

Every new catalogue (created here, copied as a new version, imported from Excel) starts
on the current CATALOGUE workflow in DRAFT. Approval is not a service of this module: it
is the workflow's transitions (:func:`thanhhoa_kpi.workflow.services.workflow_transition`,
from the desk panel, ``POST /api/v1/catalogues/{id}/transition/`` or the inbox): submit,
approve by the head of the owner unit, publish by the authority of the owner's bloc,
return with a reason. Publishing is what makes a catalogue take effect
(:mod:`thanhhoa_kpi.catalogue.approval`).

A catalogue's content may change only while it is in an editable workflow state (DRAFT,
including after a return) and not in force. PUBLISHED is terminal, with no re-opening: a
catalogue in force changes only through its next version (:func:`catalogue_new_version`),
so assignments and work logs that copied a coefficient keep pointing at the item they used.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from thanhhoa_kpi.catalogue import selectors
from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueItem, CatalogueStatus, bloc_subject_unit
from thanhhoa_kpi.core.errors import Conflict, FieldError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.customfields.services import custom_values_validate
from thanhhoa_kpi.organization.models import JobPosition
from thanhhoa_kpi.workflow.engine import initial_state
from thanhhoa_kpi.workflow.selectors import transition_history
from thanhhoa_kpi.workflow.services import workflow_start

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


def _require_editable(catalogue: Catalogue) -> None:
    if not catalogue.is_draft:
        raise Conflict(
            "Danh mục đã công khai, đang có hiệu lực nên không được sửa; hãy tạo phiên bản mới.",
            code="CATALOGUE_NOT_DRAFT",
        )
    if not catalogue.is_editable:
        raise Conflict(
            f"Danh mục đang ở bước «{catalogue.workflow_state_label()}» nên không được sửa; "
            "người xét duyệt cần trả lại về «Nháp» trước.",
            code="CATALOGUE_NOT_EDITABLE",
        )


# Fields the workflow sets when the catalogue starts it (not validated before that).
WORKFLOW_FIELDS = ["workflow", "state"]


def require_reviewer(catalogue: Catalogue) -> None:
    """A bloc-owned catalogue needs a unit of its bloc to be reviewed in (see the model)."""
    if not catalogue.owner_unit_id and bloc_subject_unit(catalogue.owner_bloc) is None:
        raise ValidationFailed(
            "Khối sở hữu chưa có đơn vị nào để xét duyệt danh mục.",
            [FieldError("owner_bloc", "Hãy khai báo cơ quan phê duyệt của khối trước.")],
        )


@transaction.atomic
def catalogue_create(*, user: Any, **fields: Any) -> Catalogue:
    """A draft catalogue, started on the current CATALOGUE workflow (state DRAFT)."""
    catalogue = Catalogue(**{k: v for k, v in fields.items() if k in CATALOGUE_FIELDS})
    catalogue.owner_bloc = catalogue.owner_bloc or ""
    if not selectors.unit_can_manage(user=user, unit=catalogue.owner_unit, bloc=catalogue.owner_bloc):
        raise PermissionRefused("Bạn không quản lý đơn vị (hoặc khối) sở hữu danh mục này.")
    catalogue.status = CatalogueStatus.DRAFT
    catalogue.created_by = user if getattr(user, "pk", None) else None
    _full_clean(catalogue, exclude=WORKFLOW_FIELDS)
    require_reviewer(catalogue)
    workflow_start(document=catalogue)
    return catalogue


@transaction.atomic
def catalogue_update(*, catalogue: Catalogue, user: Any, **fields: Any) -> Catalogue:
    catalogue = Catalogue.objects.select_for_update().get(pk=catalogue.pk)
    _require_manager(user, catalogue)
    _require_editable(catalogue)
    for key, value in fields.items():
        if key in CATALOGUE_FIELDS:
            setattr(catalogue, key, value)
    if not selectors.unit_can_manage(user=user, unit=catalogue.owner_unit, bloc=catalogue.owner_bloc):
        raise PermissionRefused("Bạn không quản lý đơn vị (hoặc khối) sở hữu danh mục này.")
    _full_clean(catalogue)
    catalogue.save()
    return catalogue


def _untouched(catalogue: Catalogue) -> bool:
    in_initial = catalogue.is_draft and catalogue.state == initial_state(catalogue.workflow.parsed())
    return in_initial and not transition_history(document=catalogue).exists()


def may_delete(*, user: Any, catalogue: Catalogue) -> bool:
    """A draft that never left its initial state, by a manager of its owner."""
    return _untouched(catalogue) and selectors.catalogue_can_manage(user=user, catalogue=catalogue)


@transaction.atomic
def catalogue_delete(*, catalogue: Catalogue, user: Any) -> None:
    """Delete a draft that was never submitted; anything with history stays."""
    catalogue = Catalogue.objects.select_for_update().get(pk=catalogue.pk)
    _require_manager(user, catalogue)
    _require_editable(catalogue)
    if not _untouched(catalogue):
        raise Conflict("Danh mục đã qua xét duyệt nên không xóa được; hãy sửa nội dung.", code="NOT_DELETABLE")
    catalogue.delete()


@transaction.atomic
def catalogue_item_save(
    *, catalogue: Catalogue, user: Any, item: CatalogueItem | None = None, positions: Any = None, **fields: Any
) -> CatalogueItem:
    """Create (``item`` None) or change an item of a draft catalogue; ``custom`` is a partial dict."""
    catalogue = Catalogue.objects.select_for_update().get(pk=catalogue.pk)
    _require_manager(user, catalogue)
    _require_editable(catalogue)
    if item is not None and item.catalogue_id != catalogue.pk:
        raise ValidationFailed("Đầu công việc không thuộc danh mục này.", [FieldError("catalogue", "Sai danh mục.")])
    item = item or CatalogueItem(catalogue=catalogue)
    custom = fields.pop("custom", None)
    for key, value in fields.items():
        if key in ITEM_FIELDS:
            setattr(item, key, value)
    if custom is not None or item.pk is None:
        # A partial dict: keys left out keep their value; defaults and required fields apply (SPEC 7).
        item.custom = custom_values_validate(doctype="catalogue_item", values=custom or {}, instance=item)
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
    _require_editable(catalogue)
    item.delete()


@transaction.atomic
def catalogue_new_version(*, catalogue: Catalogue, user: Any, effective_from: date | None = None) -> Catalogue:
    """A draft copy of ``catalogue`` and all its items, numbered after the latest version.

    The copy starts on the current CATALOGUE workflow; it takes effect (and the version in
    force closes) only when the workflow publishes it.
    """
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
    _full_clean(copy, exclude=WORKFLOW_FIELDS)
    workflow_start(document=copy)
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


def next_version_number(code: str) -> int:
    return (Catalogue.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0) + 1


def positions_by_code() -> dict[str, int]:
    return dict(JobPosition.objects.values_list("code", "pk"))
