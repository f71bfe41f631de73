"""Excel import of a catalogue: every row checked first, then all written or nothing.

:func:`catalogue_import_file` is the whole import for one workbook (used by the job, the
benchmark and tests); :func:`catalogue_import_start` records an upload and queues the
job; :func:`catalogue_import_run` is the job's body and keeps the progress record
up to date while rows are checked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from thanhhoa_kpi.catalogue import selectors
from thanhhoa_kpi.catalogue.excel import HEADER_SHEET, CellError, ParsedCatalogue, read_catalogue
from thanhhoa_kpi.catalogue.models import (
    Catalogue,
    CatalogueImport,
    CatalogueItem,
    CatalogueStatus,
    ImportStatus,
)
from thanhhoa_kpi.catalogue.services import WORKFLOW_FIELDS, positions_by_code, require_reviewer
from thanhhoa_kpi.core.errors import DomainError, FieldError, ValidationFailed
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.workflow.services import workflow_start

log = logging.getLogger(__name__)
ITEM_VALUES = (
    "field", "task", "detailed_work", "output_product", "unit_of_measure", "complexity_group", "coefficient",
    "standard_minutes",
)  # fmt: skip
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportInvalid(ValidationFailed):
    """The workbook has errors; ``cells`` locates each by sheet, row and column."""

    def __init__(self, cells: list[CellError]):
        self.cells = cells
        super().__init__(
            f"Tệp có {len(cells)} lỗi; chưa ghi dữ liệu nào. Hãy sửa các ô được chỉ ra rồi nhập lại.",
            [FieldError(cell.where, cell.message) for cell in cells],
            code="IMPORT_INVALID",
        )


def _permission_errors(parsed: ParsedCatalogue, user: Any) -> list[CellError]:
    header = parsed.header
    unit = OrgUnit.objects.filter(code=header["owner_unit"]).first() if header["owner_unit"] else None
    if not selectors.unit_can_manage(user=user, unit=unit, bloc=header["owner_bloc"]):
        return [CellError(HEADER_SHEET, 0, "B", "Đơn vị sở hữu", "Bạn không quản lý đơn vị (hoặc khối) này.")]
    existing = Catalogue.objects.filter(code=header["code"], version=header["version"]).first()
    if existing is not None and not existing.is_editable:
        return [CellError(HEADER_SHEET, 0, "B", "Phiên bản", _not_editable(existing))]
    if existing is not None and not selectors.catalogue_can_manage(user=user, catalogue=existing):
        return [CellError(HEADER_SHEET, 0, "B", "Mã danh mục", "Bạn không quản lý danh mục này.")]
    return []


def _not_editable(existing: Catalogue) -> str:
    if not existing.is_draft:
        return (
            f"Phiên bản {existing.version} của danh mục {existing.code} đã phê duyệt (đang có hiệu lực); "
            "hãy ghi số phiên bản mới để nhập thành bản nháp."
        )
    return (
        f"Phiên bản {existing.version} của danh mục {existing.code} đang ở bước "
        f"«{existing.workflow_state_label()}», không nhập đè được; cần được trả lại về «Nháp» trước."
    )


def catalogue_import_file(
    *, user: Any, source: str | IO[bytes], progress: Callable[[int, int], None] | None = None
) -> Catalogue:
    """Import one workbook as a draft catalogue (created, or replaced while still editable).

    A new catalogue starts on the CATALOGUE workflow in DRAFT, like one created by hand.
    """
    parsed = read_catalogue(
        source,
        known_units=lambda code: OrgUnit.objects.filter(code=code).exists(),
        known_positions=positions_by_code(),
        progress=progress,
    )
    errors = parsed.errors or _permission_errors(parsed, user)
    if errors:
        raise ImportInvalid(errors)
    return _write(parsed, user)


@transaction.atomic
def _write(parsed: ParsedCatalogue, user: Any) -> Catalogue:
    header = parsed.header
    values = {
        "name": header["name"],
        "owner_unit": OrgUnit.objects.get(code=header["owner_unit"]) if header["owner_unit"] else None,
        "owner_bloc": header["owner_bloc"] if not header["owner_unit"] else "",
        "effective_from": header["effective_from"],
        "effective_to": header["effective_to"],
        "standard_product": header["standard_product"],
        "standard_minutes": header["standard_minutes"],
    }
    catalogue = Catalogue.objects.select_for_update().filter(code=header["code"], version=header["version"]).first()
    if catalogue is None:
        catalogue = Catalogue(code=header["code"], version=header["version"], created_by=user, **values)
    elif not catalogue.is_editable:  # submitted or approved between the check and the lock
        raise ValidationFailed(_not_editable(catalogue), code="CATALOGUE_NOT_DRAFT")
    for key, value in values.items():
        setattr(catalogue, key, value)
    catalogue.status = CatalogueStatus.DRAFT
    catalogue.full_clean(validate_unique=False, exclude=WORKFLOW_FIELDS)
    if catalogue.pk is None:
        require_reviewer(catalogue)
        workflow_start(document=catalogue)
    else:
        catalogue.save()
    _write_items(catalogue, parsed.items, user)
    return catalogue


def _write_items(catalogue: Catalogue, rows: list[dict[str, Any]], user: Any) -> None:
    existing = {item.code: item for item in catalogue.items.all()}
    wanted = {row["code"] for row in rows}
    stale = [item.pk for code, item in existing.items() if code not in wanted]
    if stale:
        CatalogueItem.objects.filter(pk__in=stale).delete()
    created, changed = [], []
    for row in rows:
        item = existing.get(row["code"])
        if item is None:
            created.append(CatalogueItem(catalogue=catalogue, code=row["code"], custom={},
                                         **{k: row[k] for k in ITEM_VALUES}))  # fmt: skip
        elif any(getattr(item, k) != row[k] for k in ITEM_VALUES):
            for key in ITEM_VALUES:
                setattr(item, key, row[key])
            changed.append(item)
    history_user = user if getattr(user, "pk", None) else None
    if created:
        bulk_create_with_history(created, CatalogueItem, batch_size=1000, default_user=history_user)
    if changed:
        bulk_update_with_history(changed, CatalogueItem, list(ITEM_VALUES), batch_size=1000, default_user=history_user)
    _write_positions(catalogue, rows)


def _write_positions(catalogue: Catalogue, rows: list[dict[str, Any]]) -> None:
    through = CatalogueItem.positions.through
    ids = dict(catalogue.items.values_list("code", "pk"))
    wanted = {(ids[row["code"]], position) for row in rows for position in row["positions"]}
    current = set(
        through.objects.filter(catalogueitem__catalogue=catalogue).values_list("catalogueitem_id", "jobposition_id")
    )
    for item_id, position_id in current - wanted:
        through.objects.filter(catalogueitem_id=item_id, jobposition_id=position_id).delete()
    through.objects.bulk_create(
        [through(catalogueitem_id=i, jobposition_id=p) for i, p in sorted(wanted - current)], batch_size=2000
    )


# ------------------------------------------------------------------ the progress record


def catalogue_import_start(*, user: Any, upload: Any) -> CatalogueImport:
    """Record an uploaded workbook and queue its import (run inline if no worker listens)."""
    from thanhhoa_kpi.catalogue import jobs

    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise ValidationFailed("Chỉ nhận tệp Excel .xlsx.", [FieldError("file", "Chỉ nhận tệp Excel .xlsx.")])
    if getattr(upload, "size", 0) > MAX_UPLOAD_BYTES:
        raise ValidationFailed("Tệp quá lớn.", [FieldError("file", "Tệp lớn hơn 20 MB.")])
    with transaction.atomic():
        record = CatalogueImport.objects.create(file=upload, original_name=name[:255], created_by=user)
        transaction.on_commit(lambda: jobs.enqueue_catalogue_import(record.pk))
    return record


def _progress_saver(record_id: int) -> Callable[[int, int], None]:
    def save(done: int, total: int) -> None:
        # Outside any transaction: each update is committed at once, so the desk page
        # polling this record sees the rows advance.
        CatalogueImport.objects.filter(pk=record_id).update(total_rows=total, processed_rows=done)

    return save


def catalogue_import_run(*, import_id: int) -> CatalogueImport:
    record = CatalogueImport.objects.select_related("created_by").get(pk=import_id)
    if record.finished:
        return record
    CatalogueImport.objects.filter(pk=import_id).update(status=ImportStatus.VALIDATING, started_at=timezone.now())
    outcome: dict[str, Any] = {"finished_at": timezone.now()}
    try:
        with record.file.open("rb") as handle:
            catalogue = catalogue_import_file(
                user=record.created_by, source=handle, progress=_progress_saver(import_id)
            )
    except ImportInvalid as error:
        outcome.update(status=ImportStatus.FAILED, errors=[c.as_dict() for c in error.cells], message=error.message)
    except DomainError as error:
        outcome.update(status=ImportStatus.FAILED, message=error.message[:500])
    except Exception:
        log.exception("catalogue import %s failed", import_id)
        outcome.update(status=ImportStatus.FAILED, message="Lỗi hệ thống khi nhập; đã ghi nhật ký lỗi.")
    else:
        count = catalogue.items.count()
        outcome.update(
            status=ImportStatus.SUCCEEDED,
            catalogue=catalogue,
            message=f"Đã nhập {count} đầu công việc vào {catalogue} (bản nháp).",
        )
    outcome["finished_at"] = timezone.now()
    CatalogueImport.objects.filter(pk=import_id).update(**outcome)
    record.refresh_from_db()
    return record
