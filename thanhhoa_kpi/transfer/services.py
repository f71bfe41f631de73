"""Excel import and export of master data: org units, officials, positions, competencies.

The rules (SPEC 9): every row is checked before anything is written; every error is
listed with its Excel row and column header, in Vietnamese; nothing is written when any
row fails; long imports run on RQ and show their progress.

Why not django-import-export's ``Resource.import_data``: its dry run *writes* every row
inside a transaction it then rolls back (history rows, tree paths and all), which is not
the pure check the desk shows before confirming; its errors name model fields rather
than the column headers people see in Excel; and it has no way to place treebeard nodes,
transfer an official (closing a posting) or read a two-sheet framework. The declarative
specs, the reader and the planners here cost less than bending it, and openpyxl (which it
uses too) is all the file handling needed.

Flow: :func:`import_validate` reads, converts and plans (no writes) and returns an
:class:`ImportReport`. :func:`import_apply` does the same inside one transaction and
writes only when the report is clean; otherwise it raises :class:`ImportInvalid` (a
``ValidationFailed`` carrying the report), so nothing is ever half-written. The
``import_job_*`` services keep one upload as an :class:`ImportJob`: checked on upload,
run after confirmation, inline when small and on RQ when large.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.text import get_valid_filename

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.errors import Conflict, DomainError, FieldError, NotFound, PermissionRefused, ValidationFailed
from thanhhoa_kpi.core.outbox import outbox_enqueue
from thanhhoa_kpi.transfer import workbook
from thanhhoa_kpi.transfer.custom import with_custom_columns
from thanhhoa_kpi.transfer.kinds import HANDLERS
from thanhhoa_kpi.transfer.kinds.base import CREATE, UPDATE, Change
from thanhhoa_kpi.transfer.models import ImportJob, ImportStatus
from thanhhoa_kpi.transfer.report import ImportInvalid, ImportReport
from thanhhoa_kpi.transfer.specs import SPECS, Spec

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
PROGRESS_STEP = 50  # rows between two progress reports
INLINE_MAX_ROWS = 200  # up to this many rows an import runs in the request; beyond, on RQ
PROGRESS_TTL = 24 * 3600


def get_spec(kind: str) -> Spec:
    """The kind's layout, with the custom fields HR admins have added as extra columns."""
    spec = SPECS.get(kind)
    if spec is None:
        known = ", ".join(SPECS)
        raise ValidationFailed(
            "Loại dữ liệu không được hỗ trợ.", [FieldError("kind", f"Chọn một trong: {known}.")], code="UNKNOWN_KIND"
        )
    return with_custom_columns(spec)


def require_importer(user: Any) -> None:
    """Only HR admins and system admins import; their scope then limits each row."""
    if not access.can_write_master(user):
        raise PermissionRefused("Chỉ quản trị nhân sự hoặc quản trị hệ thống được nhập dữ liệu.")


# --- checking and applying -------------------------------------------------------------------
def import_validate(*, kind: str, content: bytes, user: Any) -> ImportReport:
    """Check every row against the database and the user's scope; writes nothing."""
    spec = get_spec(kind)
    require_importer(user)
    report, _changes = _plan(spec, content, user)
    return report


def import_apply(*, kind: str, content: bytes, user: Any, progress: Progress | None = None) -> ImportReport:
    """Check everything, then write every row in one transaction; raise :class:`ImportInvalid` on any error."""
    spec = get_spec(kind)
    require_importer(user)
    with transaction.atomic():
        report, changes = _plan(spec, content, user)
        if not report.ok:
            raise report.failure()
        _write(changes, report, progress)
    return report


def _plan(spec: Spec, content: bytes, user: Any) -> tuple[ImportReport, list[Change]]:
    report = ImportReport(kind=spec.kind)
    with translation.override("vi"):
        sheets = workbook.read(spec, content, report)
        if sheets is None:
            return report, []
        changes = HANDLERS[spec.kind].plan(sheets, user, report)
    report.created = sum(1 for c in changes if c.action == CREATE)
    report.updated = sum(1 for c in changes if c.action == UPDATE)
    report.unchanged = len(changes) - report.created - report.updated
    return report, changes


def _write(changes: list[Change], report: ImportReport, progress: Progress | None) -> None:
    total = len(changes)
    for done, change in enumerate(changes, start=1):
        if change.write is not None:
            try:
                with translation.override("vi"):
                    change.write()
            # The plan checked all this already; a rule only the model or a service knows
            # still ends the whole import, named by row, and the transaction rolls back.
            except (DjangoValidationError, DomainError) as exc:
                report.add(change.row, "", _describe(exc), change.sheet)
                raise report.failure() from exc
        if progress is not None and (done % PROGRESS_STEP == 0 or done == total):
            progress(done, total)


def _describe(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return " ".join([exc.message, *(f"{e.field}: {e.message}" for e in exc.errors)])
    assert isinstance(exc, DjangoValidationError)
    return " ".join(exc.messages)


# --- export -------------------------------------------------------------------------------------
def export_rows(*, kind: str, user: Any) -> bytes:
    """An .xlsx of every row of ``kind`` in the user's scope, in the import layout."""
    spec = get_spec(kind)
    if access.scope_for(user).user_id is None:
        raise PermissionRefused("Bạn cần đăng nhập để xuất dữ liệu.")
    with translation.override("vi"):
        return workbook.write(spec, HANDLERS[kind].export(user))


def export_filename(kind: str) -> str:
    return f"{kind}-{date.today():%Y%m%d}.xlsx"


def export_template(*, kind: str) -> bytes:
    """An empty workbook of ``kind``: headers and the guide sheet."""
    return workbook.write(get_spec(kind), {})


# --- import jobs ----------------------------------------------------------------------------------
def import_job_create(*, kind: str, content: bytes, filename: str, user: Any) -> ImportJob:
    """Check an upload and keep it: PENDING (waiting for confirmation) or FAILED with its errors."""
    report = import_validate(kind=kind, content=content, user=user)
    job = ImportJob(
        kind=kind,
        created_by=user,
        original_name=os.path.basename(filename or "")[:255],
        total_rows=report.rows,
        created_rows=report.created,
        updated_rows=report.updated,
        errors=report.error_dicts(),
        differences=report.difference_dicts(),
    )
    if report.ok:
        job.status = ImportStatus.PENDING
        job.file.save(_stored_name(filename), ContentFile(content), save=False)
    else:
        job.status = ImportStatus.FAILED
        job.finished_at = timezone.now()
    job.save()
    return job


def _stored_name(filename: str) -> str:
    stem, extension = os.path.splitext(os.path.basename(filename or ""))
    suffix = ".csv" if extension.lower() == ".csv" else ".xlsx"
    return f"{get_valid_filename(stem[:80]) or 'import'}{suffix}"


def import_job_confirm(*, job: ImportJob, user: Any) -> ImportJob:
    """Run a checked upload: now when small, on RQ (after commit) when large."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.created_by_id != user.pk:
            raise PermissionRefused("Chỉ người tải tệp lên mới xác nhận được lượt nhập này.")
        if locked.status != ImportStatus.PENDING:
            raise Conflict("Lượt nhập này đã được xác nhận hoặc đã kết thúc.", code="IMPORT_NOT_PENDING")
        locked.status = ImportStatus.QUEUED
        locked.save(update_fields=["status"])
        if locked.total_rows > INLINE_MAX_ROWS:
            # Through the outbox: recorded with the QUEUED status, sent to RQ after the commit,
            # and kept until Redis answers if it is down (issue 13: no job lost).
            outbox_enqueue(func="thanhhoa_kpi.transfer.jobs.run_import", kwargs={"import_id": locked.pk})
            return locked
    return import_job_run(job_id=locked.pk)


def import_job_run(*, job_id: int) -> ImportJob:
    """The body of the RQ job (and of a small inline import)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportStatus.QUEUED:
            return job  # delivered twice, or already handled: never import twice
        job.status, job.started_at, job.processed_rows = ImportStatus.RUNNING, timezone.now(), 0
        job.save(update_fields=["status", "started_at", "processed_rows"])
    publish_progress(job.pk, 0, job.total_rows)
    try:
        with job.file.open("rb") as handle:
            content = handle.read()
        report = import_apply(
            kind=job.kind, content=content, user=job.created_by, progress=partial(publish_progress, job.pk)
        )
    except ImportInvalid as exc:
        return _finish(job, ImportStatus.FAILED, exc.report)
    except DomainError as exc:
        return _finish(job, ImportStatus.FAILED, errors=[{"field": "Tệp", "message": exc.message}])
    except Exception:  # a bug or an outage must still end the job visibly, not leave it RUNNING
        logger.exception("Import job %s failed", job.pk)
        message = "Lỗi hệ thống khi nhập; không có dữ liệu nào được ghi. Hãy báo quản trị hệ thống."
        return _finish(job, ImportStatus.FAILED, errors=[{"field": "Tệp", "message": message}])
    return _finish(job, ImportStatus.DONE, report)


def _finish(job: ImportJob, status: str, report: ImportReport | None = None, errors: list | None = None) -> ImportJob:
    job.status = status
    job.finished_at = timezone.now()
    if report is not None:
        job.errors = report.error_dicts()
        job.total_rows = report.rows
    if errors is not None:
        job.errors = errors
    if status == ImportStatus.DONE and report is not None:
        job.processed_rows, job.created_rows, job.updated_rows = report.rows, report.created, report.updated
    job.save()
    cache.delete(_progress_key(job.pk))
    return job


def _progress_key(job_id: int) -> str:
    return f"transfer:import:{job_id}:processed"


def publish_progress(job_id: int, done: int, total: int) -> None:
    """Rows written so far. The cache, not the job row: the rows are written in one
    transaction, and an update of the job row inside it would stay invisible until the end."""
    cache.set(_progress_key(job_id), done, timeout=PROGRESS_TTL)


def import_job_progress(job: ImportJob) -> dict[str, Any]:
    """Where the job stands; the status says running as soon as the job has started or
    written a row, so a progress bar never sits beside «Đang chờ chạy»."""
    processed = job.processed_rows
    if job.status == ImportStatus.RUNNING:
        processed = int(cache.get(_progress_key(job.pk), processed))
    status = ImportStatus(job.status)
    if status == ImportStatus.QUEUED and (job.started_at or processed):
        status = ImportStatus.RUNNING
    total = job.total_rows
    percent = 100 if status == ImportStatus.DONE else (min(100, round(100 * processed / total)) if total else 0)
    return {
        "id": job.pk,
        "kind": job.kind,
        "kind_label": job.get_kind_display(),
        "file_name": job.original_name,
        "status": status.value,
        "status_label": status.label,
        "finished": job.finished,
        "total_rows": total,
        "processed_rows": processed,
        "percent": percent,
        "created_rows": job.created_rows,
        "updated_rows": job.updated_rows,
        "unchanged_rows": job.unchanged_rows,
        "error_count": len(job.errors or []),
        "errors": job.errors or [],
        "differences": job.differences or [],
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


def import_jobs_visible(user: Any) -> QuerySet:
    """Import jobs a user may see: their own; everything for those who see everything."""
    scope = access.scope_for(user)
    jobs = ImportJob.objects.select_related("created_by")
    if scope.user_id is None:
        return jobs.none()
    return jobs if scope.everything else jobs.filter(created_by_id=scope.user_id)


def import_job_get(*, user: Any, pk: Any) -> ImportJob:
    try:
        return import_jobs_visible(user).get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise NotFound("Không tìm thấy lượt nhập hoặc bạn không có quyền xem.") from None
