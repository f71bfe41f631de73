"""Writes to work periods and work-log lines, including their review.

Lock order (to avoid deadlocks): work period, then assignment, then lines in primary-key
order. Writers take the month's row in share mode (:func:`periods_share_lock`): saves and
reviews in the same month do not wait for each other, while closing the month
(:func:`work_period_set_status`, an exclusive lock) waits for the writes in flight and
they wait for it, so no line is written in a month being closed.

Each write is one transaction, run again from the start if MariaDB or Galera refuses it
(a deadlock or certification conflict: :mod:`thanhhoa_kpi.core.retry`); a retried save
is still one line, since the refused attempt left nothing.

An official writes only their own lines and only until they are reviewed; no line is
written in a closed period or in the future; an item comes from a catalogue in force of
the official's unit (or an ancestor, or its bloc).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet, Sum
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.catalogue.selectors import item_is_usable
from thanhhoa_kpi.core import memo
from thanhhoa_kpi.core.errors import Conflict, FieldError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.core.retry import retry_transaction
from thanhhoa_kpi.customfields import selectors as custom_fields
from thanhhoa_kpi.customfields.services import custom_values_validate
from thanhhoa_kpi.formats.numbers import decimal_text
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.workflow import notifications
from thanhhoa_kpi.worklogs import hooks, rights
from thanhhoa_kpi.worklogs.evidence import check_evidence, evidence_sha256
from thanhhoa_kpi.worklogs.models import (
    MINUTES_PER_DAY,
    QUANTITY_DIGITS,
    Assignment,
    LineStatus,
    PeriodStatus,
    WorkLogLine,
    WorkPeriod,
)

LINE_FIELDS = ("date", "quantity", "minutes", "description", "assignment", "catalogue_item", "evidence",
               "document_number", "custom")  # fmt: skip
CUSTOM_DOCTYPE = "worklog"


def invalid(field: str, message: str, code: str = "VALIDATION_ERROR") -> ValidationFailed:
    return ValidationFailed(message, [FieldError(field, message)], code=code)


# The columns hold 12 digits, 2 after the point (worklogs/models.py QUANTITY_DIGITS).
QUANTITY_LIMIT = Decimal(10) ** (QUANTITY_DIGITS["max_digits"] - QUANTITY_DIGITS["decimal_places"])


def positive_decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid(field, f"{label} phải là một số.") from None
    if not number.is_finite() or number <= 0:
        raise invalid(field, f"{label} phải lớn hơn 0.")
    if number >= QUANTITY_LIMIT:
        raise invalid(field, f"{label} quá lớn: phải nhỏ hơn 10 tỷ.")
    if number != number.quantize(Decimal("0.01")):
        raise invalid(field, f"{label} có tối đa 2 chữ số thập phân.")
    return number


# ------------------------------------------------------------------ periods


def work_period_ensure(year: int, month: int) -> WorkPeriod:
    """Open a month: the one place that creates work periods.

    Called for the current month (opened on first use: today can always be logged), and by
    the appraisal-period services when an authority opens a period covering other months.
    A work-log date never creates its month (a back-dated line cannot open a past month and
    feed the year's roll-up).
    """
    period, _ = WorkPeriod.objects.get_or_create(year=year, month=month)
    return period


def work_period_current() -> WorkPeriod:
    today = timezone.localdate()
    return work_period_ensure(today.year, today.month)


def _share_locked(rows: QuerySet[WorkPeriod]) -> list[WorkPeriod]:
    """``rows`` read with a shared lock held to the end of the transaction.

    Django has no share-mode ``select_for_update``; MariaDB's ``LOCK IN SHARE MODE`` is
    appended to the query Django compiles. SQLite (the demo) locks the whole file for a
    writer already (``BEGIN IMMEDIATE``), so the plain read is enough there.
    """
    sql, params = rows.query.sql_with_params()
    if connection.vendor == "mysql":
        sql += " LOCK IN SHARE MODE"
    return list(WorkPeriod.objects.raw(sql, params))


def periods_share_lock(ids: list[int]) -> list[WorkPeriod]:
    """Lock months before assignments and lines (the documented order), shared: the month
    cannot close under a write, and writers in the same month do not queue behind each other."""
    return _share_locked(WorkPeriod.objects.filter(pk__in=sorted(set(ids))).order_by("pk"))


def work_period_for(day: date, *, lock: bool = False, field: str = "date") -> WorkPeriod:
    """The existing month containing ``day``; refused when that month was never opened.

    With ``lock`` the row is read once, in share mode (see the module docstring).
    """
    today = timezone.localdate()
    rows = WorkPeriod.objects.filter(year=day.year, month=day.month)
    found = _share_locked(rows) if lock else list(rows[:1])
    if not found and (day.year, day.month) == (today.year, today.month):
        work_period_current()  # the current month opens on first use
        found = _share_locked(rows) if lock else list(rows[:1])
    if not found:
        raise invalid(
            field,
            f"Tháng {day.month:02d}/{day.year} chưa được mở để ghi nhật ký; chỉ ghi được vào các tháng đang mở.",
            code="PERIOD_NOT_OPEN",
        )
    return found[0]


def require_open(period: WorkPeriod, field: str = "date") -> None:
    if not period.is_open:
        raise invalid(field, f"{period} đã khóa, không thể ghi hoặc sửa.", code="PERIOD_CLOSED")


# simple_history keeps the reason in ``history_change_reason``, a 100-character column.
REASON_MAX_LENGTH = 100


def unlock_reason(value: Any) -> str:
    """The reason for re-opening a closed period: required, kept in the period's history."""
    reason = " ".join(str(value or "").split())
    if not reason:
        raise invalid("reason", "Mở khóa kỳ phải ghi rõ lý do.", code="REASON_REQUIRED")
    if len(reason) > REASON_MAX_LENGTH:
        raise invalid("reason", f"Lý do mở khóa tối đa {REASON_MAX_LENGTH} ký tự.")
    return reason


@retry_transaction
@transaction.atomic
def work_period_set_status(*, period: WorkPeriod, user: Any, status: str, reason: str = "") -> WorkPeriod:
    """Close a month, or re-open a closed one with a reason; only a system administrator
    does this. The reason of a re-opening is kept in the month's history."""
    scope = access.scope_for(user)
    if not scope.is_system_admin:
        raise PermissionRefused("Chỉ quản trị hệ thống được khóa hoặc mở lại kỳ.")
    if status not in PeriodStatus.values:
        raise invalid("status", "Trạng thái kỳ không hợp lệ.")
    period = WorkPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status == status:
        return period
    if status == PeriodStatus.OPEN:
        period._change_reason = unlock_reason(reason)
    else:
        period._change_reason = "Khóa kỳ"
    period.status = status
    period.closed_by = user if status == PeriodStatus.CLOSED else None
    period.closed_at = timezone.now() if status == PeriodStatus.CLOSED else None
    period._history_user = user
    period.save()
    return period


# ------------------------------------------------------------------ lines


def _own_official(user: Any) -> Official:
    official = rights.official_of(user)
    if official is None:
        raise PermissionRefused("Tài khoản chưa gắn với hồ sơ cán bộ nên không ghi được nhật ký.")
    return official


def _check_values(values: dict[str, Any]) -> None:
    values["quantity"] = positive_decimal(values.get("quantity"), "quantity", "Số lượng thực hiện")
    try:
        minutes = int(values.get("minutes") or 0)
    except (TypeError, ValueError):
        raise invalid("minutes", "Thời gian thực hiện phải là số phút.") from None
    if not 0 <= minutes <= MINUTES_PER_DAY:
        raise invalid("minutes", f"Thời gian thực hiện phải từ 0 đến {MINUTES_PER_DAY} phút.")
    values["minutes"] = minutes
    day = values.get("date")
    if not isinstance(day, date):
        raise invalid("date", "Ngày không hợp lệ.")
    if day > timezone.localdate():
        raise invalid("date", "Không được ghi nhật ký cho ngày trong tương lai.", code="FUTURE_DATE")
    evidence = values.get("evidence")
    if evidence and not isinstance(evidence, FieldFile):
        check_evidence(evidence)
    if not isinstance(values.get("custom") or {}, dict):
        raise invalid("custom", "Trường tùy biến phải là một đối tượng JSON.")


def _units_on(official: Official, day: date) -> list[Any]:
    """The official's units on ``day``, latest posting first; read once per request
    (:mod:`thanhhoa_kpi.core.memo`): the custom fields that apply, the unit stored on the
    line and the catalogues in force all come from it."""

    def load() -> list[Any]:
        rows = access.current_assignments(day).filter(official=official).select_related("unit")
        return [row.unit for row in rows.order_by("-start_date")]

    return memo.remembered(("postings", official.pk, day), load)


def _unit_on(official: Official, day: date) -> Any:
    units = _units_on(official, day)
    return units[0] if units else None


def _matching_assignment(official: Official, item: CatalogueItem, period: WorkPeriod) -> Assignment | None:
    """The official's assignment of ``item`` in ``period`` that a line of that item counts toward.

    Logging against a catalogue item the official was given (or registered) this month is
    doing that assignment: the first one not yet fully logged (approved first, then by
    deadline), else the first one, so its progress and coefficient follow. None when the
    official holds no assignment of the item in the month.
    """
    rows = list(
        Assignment.objects.filter(assignee=official, period=period, catalogue_item=item)
        .annotate(logged=Sum("lines__quantity", default=Decimal(0)))
        .order_by("-approved", F("deadline").asc(nulls_last=True), "pk")
    )
    return next((row for row in rows if row.logged < row.quantity), rows[0] if rows else None)


def _resolve_item(official: Official, values: dict[str, Any], period: WorkPeriod) -> tuple[CatalogueItem, Decimal]:
    """The item and the coefficient to copy: the assignment's, or the item's in force.

    A line of an item without an assignment is linked to the official's matching
    assignment of the month (``values["assignment"]`` is set), whatever adapter wrote it.
    """
    if values.get("assignment") is None and values.get("catalogue_item") is not None:
        values["assignment"] = _matching_assignment(official, values["catalogue_item"], period)
    assignment: Assignment | None = values.get("assignment")
    item: CatalogueItem | None = values.get("catalogue_item")
    day: date = values["date"]
    if assignment is not None:
        if assignment.assignee_id != official.pk:
            raise invalid("assignment", "Việc này không được giao cho bạn.")
        if assignment.period_id != period.pk:
            raise invalid(
                "date",
                f"Ngày {day:%d/%m/%Y} nằm ngoài kỳ của việc được giao ({assignment.period}).",
                code="DATE_OUTSIDE_PERIOD",
            )
        if item is not None and item.pk != assignment.catalogue_item_id:
            raise invalid("catalogue_item", "Đầu công việc khác với đầu công việc của việc được giao.")
        return assignment.catalogue_item, assignment.coefficient
    if item is None:
        raise invalid("catalogue_item", "Chọn việc được giao hoặc một đầu công việc trong danh mục.")
    if not item_is_usable(official=official, item=item, on=day, units=_units_on(official, day)):
        raise invalid(
            "catalogue_item",
            "Đầu công việc không thuộc danh mục đang có hiệu lực (đã phê duyệt) của đơn vị bạn.",
            code="ITEM_NOT_IN_FORCE",
        )
    return item, item.coefficient


@retry_transaction
@transaction.atomic
def worklog_create(*, user: Any, **fields: Any) -> WorkLogLine:
    with memo.request_memo():
        return _create(user, fields)


def _create(user: Any, fields: dict[str, Any]) -> WorkLogLine:
    official = _own_official(user)
    values = {key: fields.get(key) for key in LINE_FIELDS}
    _check_values(values)
    values["custom"] = custom_values_validate(
        doctype=CUSTOM_DOCTYPE, values=values.get("custom") or {}, host=_unit_on(official, values["date"])
    )
    period = work_period_for(values["date"], lock=True)
    require_open(period)
    item, coefficient = _resolve_item(official, values, period)
    line = WorkLogLine(
        official=official,
        unit=_unit_on(official, values["date"]),
        period=period,
        assignment=values["assignment"],
        catalogue_item=item,
        coefficient=coefficient,
        date=values["date"],
        quantity=values["quantity"],
        minutes=values["minutes"],
        description=values.get("description") or "",
        evidence=values.get("evidence") or "",
        evidence_sha256=evidence_sha256(values.get("evidence")),
        document_number=values.get("document_number") or "",
        custom=values.get("custom") or {},
    )
    line._history_user = user  # simple_history: the person, also outside a desk request
    line.save()
    return line


def _lock_own_draft(line: WorkLogLine, user: Any) -> WorkLogLine:
    official = _own_official(user)
    months = {period.pk: period for period in periods_share_lock([line.period_id])}
    # The line alone: a join would lock the month's row too (MariaDB has no FOR UPDATE OF)
    # and two writers holding it in share mode would deadlock wanting it exclusively.
    line = WorkLogLine.objects.select_for_update().get(pk=line.pk)
    line.period = months.get(line.period_id) or WorkPeriod.objects.get(pk=line.period_id)
    if line.official_id != official.pk:
        raise PermissionRefused("Chỉ người ghi nhật ký mới được sửa hoặc xóa dòng này.")
    if line.is_reviewed:
        raise Conflict("Dòng nhật ký đã được duyệt, không thể sửa hoặc xóa.", code="LINE_REVIEWED")
    require_open(line.period)
    return line


@retry_transaction
@transaction.atomic
def worklog_update(*, line: WorkLogLine, user: Any, **fields: Any) -> WorkLogLine:
    line = _lock_own_draft(line, user)
    values = {key: getattr(line, key) for key in LINE_FIELDS}
    values.update({key: value for key, value in fields.items() if key in LINE_FIELDS})
    if "assignment" in fields and fields["assignment"] is None and "catalogue_item" not in fields:
        values["catalogue_item"] = line.catalogue_item
    if "catalogue_item" in fields and "assignment" not in fields and line.assignment_id:
        values["assignment"] = None  # picking another item detaches the line from its assignment
    _check_values(values)
    if "custom" in fields:  # a partial dict: keys left out keep their value
        values["custom"] = custom_values_validate(doctype=CUSTOM_DOCTYPE, values=fields["custom"], instance=line)
    period = work_period_for(values["date"], lock=True)
    require_open(period)
    item, coefficient = _resolve_item(line.official, values, period)
    item_changed = item.pk != line.catalogue_item_id or values["assignment"] != line.assignment
    for key in ("date", "quantity", "minutes", "description", "document_number", "assignment"):
        setattr(line, key, values[key] if key != "description" else (values[key] or ""))
    line.custom = values.get("custom") or {}
    line.evidence_sha256 = evidence_sha256(values.get("evidence"), line.evidence_sha256)
    line.evidence = values.get("evidence") or ""
    line.period, line.catalogue_item = period, item
    if item_changed:
        # The coefficient is copied only when the line moves to another item or assignment.
        line.coefficient = coefficient
    line._history_user = user
    line.save()
    return line


@retry_transaction
@transaction.atomic
def worklog_delete(*, line: WorkLogLine, user: Any) -> None:
    line = _lock_own_draft(line, user)
    line.delete()


@retry_transaction
@transaction.atomic
def worklog_copy(*, line: WorkLogLine, user: Any, on: date | None = None) -> WorkLogLine:
    """A new draft line like ``line`` (without its evidence file), dated ``on`` or today."""
    official = _own_official(user)
    if line.official_id != official.pk:
        raise PermissionRefused("Chỉ sao chép được dòng nhật ký của chính mình.")
    day = on or timezone.localdate()
    assignment = line.assignment if line.assignment and line.assignment.period.contains(day) else None
    with memo.request_memo():  # the postings on ``day`` are read once, here and by worklog_create
        return _copy(user, line, official, day, assignment)


def _copy(user: Any, line: WorkLogLine, official: Official, day: date, assignment: Assignment | None) -> WorkLogLine:
    return worklog_create(
        user=user,
        date=day,
        assignment=assignment,
        catalogue_item=None if assignment else line.catalogue_item,
        quantity=line.quantity,
        minutes=line.minutes,
        description=line.description,
        document_number="",
        custom=_active_custom(line.custom, _unit_on(official, day)),
    )


def _active_custom(stored: dict[str, Any] | None, line_unit: Any = None) -> dict[str, Any]:
    """The values of the fields still in use here (a retired field's value is not copied)."""
    active = {d.key for d in custom_fields.definitions(CUSTOM_DOCTYPE, host=line_unit)}
    return {key: value for key, value in (stored or {}).items() if key in active}


# ------------------------------------------------------------------ review


def _count(value: Any, field: str, label: str) -> int:
    if value in (None, ""):
        return 0
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else Decimal("-1")
    except (InvalidOperation, ValueError):
        number = Decimal("-1")
    if not number.is_finite() or number < 0 or number != number.to_integral_value() or number > 1000:
        raise invalid(field, f"{label} phải là số nguyên không âm (tối đa 1000).")
    return int(number)


def _review_values(line: WorkLogLine, reviewer: Any, given: dict[str, Any]) -> dict[str, Any]:
    accepted_raw = given.get("accepted_quantity")
    accepted = line.quantity if accepted_raw in (None, "") else accepted_raw
    try:
        accepted = Decimal(str(accepted))
    except (InvalidOperation, ValueError):
        raise invalid("accepted_quantity", "Số lượng được chấp nhận phải là một số.") from None
    if not accepted.is_finite() or accepted < 0:
        raise invalid("accepted_quantity", "Số lượng được chấp nhận không được âm.")
    if accepted > line.quantity:
        raise invalid("accepted_quantity", f"Không được lớn hơn số lượng đã thực hiện ({decimal_text(line.quantity)}).")
    values = {"accepted_quantity": accepted}
    labels = {
        "quality_failures": "Số lỗi chất lượng",
        "delays": "Số lần chậm tiến độ",
        "exempt_quality_failures": "Số lỗi chất lượng được miễn trừ",
        "exempt_delays": "Số lần chậm tiến độ được miễn trừ",
    }
    for key, label in labels.items():
        values[key] = _count(given.get(key), key, label)
    if values["exempt_quality_failures"] > values["quality_failures"]:
        raise invalid("exempt_quality_failures", "Không được lớn hơn số lỗi chất lượng.")
    if values["exempt_delays"] > values["delays"]:
        raise invalid("exempt_delays", "Không được lớn hơn số lần chậm tiến độ.")
    exempt = values["exempt_quality_failures"] + values["exempt_delays"]
    reason = (given.get("exemption_reason") or "").strip()
    if exempt and not reason:
        raise invalid("exemption_reason", "Miễn trừ phải ghi rõ nguyên nhân khách quan.")
    attachment = given.get("exemption_attachment")
    if attachment and not isinstance(attachment, FieldFile):
        check_evidence(attachment, field="exemption_attachment")
    confirmed = (given.get("exemption_confirmed_by") or "").strip()
    values.update(
        exemption_reason=reason if exempt else "",
        exemption_confirmed_by=(confirmed or reviewer.get_full_name() or reviewer.username) if exempt else "",
        review_comment=(given.get("comment") or "").strip(),
    )
    if attachment:
        values["exemption_attachment"] = attachment
    return values


def _review_locked(line: WorkLogLine, reviewer: Any, given: dict[str, Any]) -> WorkLogLine:
    require_open(line.period, field="period")
    if line.official.user_id == reviewer.pk:
        raise PermissionRefused("Không ai tự duyệt nhật ký của chính mình.", code="SELF_REVIEW")
    if not rights.can_direct(reviewer, line.official, line.catalogue_item.field):
        raise PermissionRefused(
            "Chỉ người đứng đầu đơn vị hoặc cấp phó phụ trách lĩnh vực của công việc mới được duyệt dòng này."
        )
    for key, value in _review_values(line, reviewer, given).items():
        setattr(line, key, value)
    line.status = LineStatus.REVIEWED
    line.reviewed_by = reviewer
    line.reviewed_at = timezone.now()
    line._history_user = reviewer
    line.save()
    return line


def _lock_lines(ids: list[int]) -> list[WorkLogLine]:
    periods_share_lock(list(WorkLogLine.objects.filter(pk__in=ids).values_list("period_id", flat=True)))
    # Lock the lines alone, then read what they point to: with the joins in the locking
    # query MariaDB (no FOR UPDATE OF) would lock the month, the official and the item
    # exclusively as well, so two reviews in one month deadlocked on the month's row that
    # both hold in share mode, and saves of the official's lines waited on reviews.
    locked = list(
        WorkLogLine.objects.select_for_update()
        .filter(pk__in=sorted(set(ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(
        WorkLogLine.objects.select_related("period", "official", "catalogue_item").filter(pk__in=locked).order_by("pk")
    )


@retry_transaction
@transaction.atomic
def worklog_review(*, line: WorkLogLine, reviewer: Any, **given: Any) -> WorkLogLine:
    """Record the review of one line: accepted quantity, failures, delays, exemptions."""
    locked = _lock_lines([line.pk])
    if not locked:
        raise invalid("line", "Không tìm thấy dòng nhật ký.")
    reviewed = _review_locked(locked[0], reviewer, given)
    hooks.lines_reviewed([reviewed], reviewer)
    notifications.lines_reviewed_notify_later(lines=[reviewed])  # the official hears of failures and delays
    return reviewed


@retry_transaction
@transaction.atomic
def worklog_review_bulk(*, lines: list[WorkLogLine], reviewer: Any, **given: Any) -> list[WorkLogLine]:
    """Review many lines at once with the same values; all of them or none.

    Without ``accepted_quantity`` each line is accepted in full (its own quantity).
    """
    locked = _lock_lines([line.pk for line in lines])
    reviewed = []
    for line in locked:
        try:
            reviewed.append(_review_locked(line, reviewer, dict(given)))
        except (ValidationFailed, PermissionRefused) as error:
            error.message = f"Dòng ngày {line.date:%d/%m/%Y} của {line.official.full_name}: {error.message}"
            raise
    hooks.lines_reviewed(reviewed, reviewer)
    notifications.lines_reviewed_notify_later(lines=reviewed)  # the official hears of failures and delays
    return reviewed
