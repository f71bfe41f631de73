"""Appraisal periods (SPEC 3.8): create, change deadlines, open, close, unlock, delete.

A period belongs to one bloc and is created, opened and closed by that bloc's authority
(or a system admin). Opening queues the job that creates the appraisals
(:mod:`thanhhoa_kpi.appraisals.services.opening`) after the transaction commits.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from thanhhoa_kpi.appraisals import jobs, rights
from thanhhoa_kpi.appraisals.choices import OpeningStatus, PeriodKind, PeriodStatus
from thanhhoa_kpi.appraisals.models import AppraisalPeriod, RuleSet
from thanhhoa_kpi.core.errors import Conflict, FieldError, ValidationFailed
from thanhhoa_kpi.organization.choices import Bloc
from thanhhoa_kpi.scoring import parse_params
from thanhhoa_kpi.scoring.calendar import default_deadlines
from thanhhoa_kpi.worklogs.services import unlock_reason, work_period_ensure

DEADLINES = ("self_assessment_deadline", "unit_review_deadline", "approval_deadline")
# An opening job stamps the period at every batch of 500 (seconds apart); ten minutes
# without a stamp means its worker died (SIGKILL, a lost host) and it may be queued again.
OPENING_STALLED_AFTER = timedelta(minutes=10)
_LIMITS = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}


def default_dates(kind: str, year: int, number: int) -> tuple[date, date]:
    """First and last day of the month, quarter or year."""
    if kind == PeriodKind.MONTH:
        first, last = number, number
    elif kind == PeriodKind.QUARTER:
        first, last = 3 * number - 2, 3 * number
    else:
        first, last = 1, 12
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def _identity_errors(kind: str, bloc: str, year: Any, number: Any) -> list[FieldError]:
    errors = []
    if kind not in PeriodKind.values:
        errors.append(FieldError("kind", "Loại kỳ phải là MONTH, QUARTER hoặc YEAR."))
    if bloc not in Bloc.values:
        errors.append(FieldError("bloc", "Khối không hợp lệ (DANG, CHINH_QUYEN, MTTQ)."))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.append(FieldError("year", "Năm phải từ 2000 đến 2100."))
    high = _LIMITS.get(kind, 1)
    if not isinstance(number, int) or not 1 <= number <= high:
        errors.append(FieldError("number", f"Với loại kỳ này, số thứ tự phải từ 1 đến {high}."))
    return errors


def _deadline_errors(values: dict[str, Any], start: date) -> list[FieldError]:
    errors = []
    previous: tuple[str, date] | None = None
    for name in DEADLINES:
        day = values.get(name)
        if day is None:
            continue
        if day < start:
            errors.append(FieldError(name, "Hạn không được trước ngày bắt đầu kỳ."))
        if previous is not None and day < previous[1]:
            errors.append(FieldError(name, "Hạn của bước sau không được trước hạn của bước trước."))
        previous = (name, day)
    return errors


def _rule_set_errors(code: str) -> list[FieldError]:
    if RuleSet.objects.filter(code=code, is_current=True).exists():
        return []
    return [FieldError("rule_set_code", f"Bộ quy tắc «{code}» không tồn tại.")]


def _given(deadlines: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in deadlines.items() if value is not None}


def _with_defaults(given: dict[str, Any], defaults: dict[str, date], start: date) -> dict[str, Any]:
    """The calendar's deadlines under those given, unless mixing them breaks the order of
    the steps (a given date past a later step's default): then the given ones alone."""
    merged = {**defaults, **given}
    return given if _deadline_errors(merged, start) else merged


def calendar_deadlines(rule_set_code: str, kind: str, year: int, end: date) -> dict[str, date]:
    """The step deadlines the rule set's calendar gives a period ending on ``end``
    (:mod:`thanhhoa_kpi.scoring.calendar`): a month or quarter falls due on set days of
    the next month, a year on the classification deadline."""
    rule_set = RuleSet.objects.get(code=rule_set_code, is_current=True)
    params = parse_params(rule_set.params)
    annual = (params.classification_deadline_day, params.classification_deadline_month)
    return default_deadlines(params.calendar, annual, kind=kind, year=year, end=end)


def link_work_periods(period: AppraisalPeriod) -> None:
    """The calendar months the period covers, opened when missing (by the period's authority)."""
    rows = [work_period_ensure(year, month) for year, month in period.months()]
    period.work_periods.set(rows)


@transaction.atomic
def period_create(
    *, user: Any, kind: str, bloc: str, year: int, number: int = 1, start_date: date | None = None,
    end_date: date | None = None, rule_set_code: str = "ND335", **deadlines: Any,
) -> AppraisalPeriod:  # fmt: skip
    """Create a DRAFT period of ``bloc``; dates default to the month, quarter or year, and
    each step deadline left empty to the rule set's calendar (:func:`calendar_deadlines`)."""
    rights.require_period_manager(user, bloc)
    unknown = sorted(set(deadlines) - set(DEADLINES))
    errors = [FieldError(name, "Trường này không có trong kỳ đánh giá.") for name in unknown]
    errors += _identity_errors(kind, bloc, year, number)
    if not errors:
        default_start, default_end = default_dates(kind, year, number)
        start_date, end_date = start_date or default_start, end_date or default_end
        if end_date < start_date:
            errors.append(FieldError("end_date", "Ngày kết thúc phải sau ngày bắt đầu."))
        errors += _rule_set_errors(rule_set_code)
        if not errors:
            deadlines = _with_defaults(
                _given(deadlines), calendar_deadlines(rule_set_code, kind, year, end_date), start_date
            )
        errors += _deadline_errors(deadlines, start_date)
        if AppraisalPeriod.objects.filter(bloc=bloc, kind=kind, year=year, number=number).exists():
            errors.append(FieldError("number", "Khối này đã có kỳ đánh giá này."))
    if errors:
        raise ValidationFailed("Chưa tạo được kỳ đánh giá.", errors)
    period = AppraisalPeriod(
        kind=kind, bloc=bloc, year=year, number=number, start_date=start_date, end_date=end_date,
        rule_set_code=rule_set_code, created_by=user, **deadlines,
    )  # fmt: skip
    period._history_user = user
    period.save()
    link_work_periods(period)
    return period


def _lock(period: AppraisalPeriod) -> AppraisalPeriod:
    return AppraisalPeriod.objects.select_for_update().get(pk=period.pk)


@transaction.atomic
def period_update(*, user: Any, period: AppraisalPeriod, **fields: Any) -> AppraisalPeriod:
    """Change the step deadlines, and the default rule set while the period is a draft."""
    locked = _lock(period)
    rights.require_period_manager(user, locked.bloc)
    allowed = {*DEADLINES, "rule_set_code"}
    errors = [FieldError(name, "Không sửa được trường này.") for name in sorted(set(fields) - allowed)]
    if "rule_set_code" in fields and locked.status != PeriodStatus.DRAFT:
        errors.append(FieldError("rule_set_code", "Chỉ đổi được bộ quy tắc khi kỳ chưa mở."))
    if locked.status == PeriodStatus.CLOSED:
        errors.append(FieldError("status", "Kỳ đã khóa, không sửa được."))
    if "rule_set_code" in fields:
        errors += _rule_set_errors(fields["rule_set_code"])
    merged = {name: fields.get(name, getattr(locked, name)) for name in DEADLINES}
    errors += _deadline_errors(merged, locked.start_date)
    if errors:
        raise ValidationFailed("Chưa lưu được kỳ đánh giá.", errors)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked._history_user = user
    locked.save()
    return locked


@transaction.atomic
def period_open(*, user: Any, period: AppraisalPeriod) -> AppraisalPeriod:
    """Open the period and queue the creation of its appraisals (idempotent).

    Opening again (e.g. after new officials joined) only creates the missing
    appraisals; while a creation is queued or running nothing new is queued, unless it
    has stalled (no progress for ``OPENING_STALLED_AFTER``: its worker died), when it is
    queued again — safe, as the job skips what exists. A year has no appraisals of its
    own: its classification list rolls up the months.
    """
    locked = _lock(period)
    rights.require_period_manager(user, locked.bloc)
    if locked.status == PeriodStatus.CLOSED:
        raise Conflict(f"Kỳ đánh giá {locked.label} đã khóa; hãy «Mở khóa kỳ» và ghi lý do.", code="PERIOD_CLOSED")
    if opening_in_progress(locked):
        return locked
    link_work_periods(locked)
    locked.status = PeriodStatus.OPEN
    locked.opening_total = locked.opening_done = locked.opening_created = 0
    locked.opening_error, locked.opening_started_at, locked.opening_finished_at = "", None, None
    locked.opening_status = OpeningStatus.DONE if locked.kind == PeriodKind.YEAR else OpeningStatus.QUEUED
    locked._history_user = user
    locked.save()
    if locked.kind != PeriodKind.YEAR:
        transaction.on_commit(lambda: jobs.enqueue_period_open(locked.pk))
    return locked


def opening_in_progress(period: AppraisalPeriod) -> bool:
    """Queued or running, with progress within ``OPENING_STALLED_AFTER``."""
    waiting = period.opening_status in (OpeningStatus.QUEUED, OpeningStatus.RUNNING)
    return waiting and period.updated_at >= timezone.now() - OPENING_STALLED_AFTER


@transaction.atomic
def period_close(*, user: Any, period: AppraisalPeriod) -> AppraisalPeriod:
    """Close the period: no more appraisals are created and their content no longer changes."""
    locked = _lock(period)
    rights.require_period_manager(user, locked.bloc)
    if opening_in_progress(locked):
        raise Conflict("Đang tạo phiếu đánh giá cho kỳ này; hãy chờ xong rồi khóa kỳ.", code="OPENING_RUNNING")
    locked.status = PeriodStatus.CLOSED
    locked._history_user = user
    locked._change_reason = "Khóa kỳ"
    locked.save()
    return locked


@transaction.atomic
def period_reopen(*, user: Any, period: AppraisalPeriod, reason: str) -> AppraisalPeriod:
    """Unlock a closed period, by the authority that may close it; the reason is required
    and kept in the period's history (its appraisals can be changed again)."""
    locked = _lock(period)
    rights.require_period_manager(user, locked.bloc)
    if locked.status != PeriodStatus.CLOSED:
        raise Conflict(f"Kỳ đánh giá {locked.label} chưa khóa.", code="PERIOD_NOT_CLOSED")
    locked._change_reason = unlock_reason(reason)
    locked.status = PeriodStatus.OPEN
    locked._history_user = user
    locked.save()
    return locked


@transaction.atomic
def period_delete(*, user: Any, period: AppraisalPeriod) -> None:
    """Delete a draft period that has no appraisal yet."""
    locked = _lock(period)
    rights.require_period_manager(user, locked.bloc)
    if locked.status != PeriodStatus.DRAFT or locked.appraisals.exists():
        raise Conflict("Chỉ xóa được kỳ đánh giá chưa mở và chưa có phiếu nào.", code="NOT_DELETABLE")
    locked.delete()


def period_progress(period: AppraisalPeriod) -> dict[str, Any]:
    """The opening job's progress, as the desk's progress page and the API show it."""
    row = AppraisalPeriod.objects.get(pk=period.pk)
    return {
        "id": row.pk,
        "status": row.status,
        "opening_status": row.opening_status,
        "opening_status_label": row.get_opening_status_display(),
        "total": row.opening_total,
        "done": row.opening_done,
        "created": row.opening_created,
        "percent": row.opening_percent,
        "finished": row.opening_finished,
        "error": row.opening_error,
        "appraisals": row.appraisals.count(),
        "checked_at": timezone.now().isoformat(),
    }
