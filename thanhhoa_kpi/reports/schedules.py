"""Email schedules of saved reports (Frappe's Auto Email Report, SPEC 6).

:func:`send_due_reports` runs every hour from rq's cron (:mod:`thanhhoa_kpi.reports.cron`).
A schedule is due when its latest slot (daily/weekly/monthly at ``hour``, local time) is
past and nothing was sent since that slot, so a run missed while the worker was down is
caught up by the next one, and a schedule created after today's slot waits for the next.
Each report runs WITH ITS OWNER'S SCOPE; the mail goes out after the commit.

Recipients are limited (a report carries personal data): the e-mail of an active account
of the system, or an address of a domain in ``settings.REPORT_MAIL_DOMAINS`` (and its
subdomains). Others are refused on save and skipped (and logged) at send time, since an
account may have been deactivated or the allow-list narrowed since.
"""

from __future__ import annotations

import calendar
import logging
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from thanhhoa_kpi.core.errors import DomainError, FieldError, ValidationFailed
from thanhhoa_kpi.reports import exports
from thanhhoa_kpi.reports.models import Frequency, ReportSchedule, SavedReport, ScheduleFormat
from thanhhoa_kpi.reports.services import report_run, reports_visible

log = logging.getLogger(__name__)
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
MAX_RECIPIENTS = 50
FIELDS = ("frequency", "weekday", "day_of_month", "hour", "format", "recipients", "active")


def parse_recipients(raw: Any) -> list[str]:
    """A list, or text separated by commas, semicolons or new lines."""
    items = raw if isinstance(raw, list) else re.split(r"[,;\s]+", str(raw or ""))
    return [str(item).strip() for item in items if str(item).strip()]


def _domain_allowed(address: str) -> bool:
    domain = address.rsplit("@", 1)[-1].casefold().rstrip(".")
    allowed = [str(d).casefold().strip().lstrip("@").rstrip(".") for d in settings.REPORT_MAIL_DOMAINS]
    return any(d and (domain == d or domain.endswith("." + d)) for d in allowed)


def refused_recipients(addresses: list[str]) -> list[str]:
    """The addresses that are neither an active account's e-mail nor of an allowed domain."""
    from django.contrib.auth import get_user_model
    from django.db.models.functions import Lower

    outside = [a for a in addresses if not _domain_allowed(a)]
    if not outside:
        return []
    accounts = set(
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(lower_email=Lower("email"))
        .filter(lower_email__in=sorted({a.casefold() for a in outside}))
        .values_list("lower_email", flat=True)
    )
    return [a for a in outside if a.casefold() not in accounts]


def _recipients_errors(recipients: list[str]) -> list[FieldError]:
    bad = [r for r in recipients if not EMAIL.match(r)]
    if not recipients or bad or len(recipients) > MAX_RECIPIENTS:
        detail = f"Địa chỉ không hợp lệ: {', '.join(bad)}." if bad else f"Cần 1–{MAX_RECIPIENTS} địa chỉ thư điện tử."
        return [FieldError("recipients", detail)]
    refused = refused_recipients(recipients)
    if refused:
        domains = ", ".join(settings.REPORT_MAIL_DOMAINS) or "(chưa cấu hình)"
        return [
            FieldError(
                "recipients",
                f"Không gửi được báo cáo ra ngoài hệ thống: {', '.join(refused)}. Chỉ gửi tới thư điện tử của "
                f"tài khoản đang hoạt động trong hệ thống hoặc địa chỉ thuộc tên miền: {domains}.",
            )
        ]
    return []


def report_schedule_check(schedule: ReportSchedule) -> None:
    """Checks an unsaved schedule (the desk form calls it to show errors on the fields)."""
    errors = []
    if schedule.frequency not in Frequency.values:
        errors.append(FieldError("frequency", "Tần suất phải là hằng ngày, hằng tuần hoặc hằng tháng."))
    if schedule.frequency == Frequency.WEEKLY and schedule.weekday not in range(7):
        errors.append(FieldError("weekday", "Chọn thứ trong tuần để gửi."))
    if schedule.frequency == Frequency.MONTHLY and schedule.day_of_month not in range(1, 32):
        errors.append(FieldError("day_of_month", "Chọn ngày trong tháng (1–31) để gửi."))
    if not isinstance(schedule.hour, int) or schedule.hour not in range(24):
        errors.append(FieldError("hour", "Giờ gửi từ 0 đến 23."))
    if schedule.format not in ScheduleFormat.values:
        errors.append(FieldError("format", "Định dạng phải là xlsx, pdf hoặc csv."))
    recipients = schedule.recipients if isinstance(schedule.recipients, list) else []
    errors += _recipients_errors(recipients)
    if errors:
        raise ValidationFailed("Lịch gửi báo cáo không hợp lệ.", errors)


@transaction.atomic
def report_schedule_create(*, report: SavedReport, owner: Any, **fields: Any) -> ReportSchedule:
    if not reports_visible(owner).filter(pk=report.pk).exists():
        raise ValidationFailed("Báo cáo không hợp lệ.", [FieldError("report", "Bạn không xem được báo cáo này.")])
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationFailed(
            "Lịch gửi báo cáo không hợp lệ.", [FieldError(n, "Không có thuộc tính này.") for n in unknown]
        )
    fields["recipients"] = parse_recipients(fields.get("recipients"))
    schedule = ReportSchedule(report=report, owner=owner, **fields)
    report_schedule_check(schedule)
    schedule.save()
    return schedule


@transaction.atomic
def report_schedule_update(*, schedule: ReportSchedule, user: Any, **fields: Any) -> ReportSchedule:
    if schedule.owner_id != user.pk:
        raise ValidationFailed(
            "Không sửa được lịch gửi.", [FieldError("owner", "Chỉ người lập lịch được sửa lịch này.")]
        )
    schedule = ReportSchedule.objects.select_for_update().get(pk=schedule.pk)
    for name in FIELDS:
        if name in fields:
            value = parse_recipients(fields[name]) if name == "recipients" else fields[name]
            setattr(schedule, name, value)
    report_schedule_check(schedule)
    schedule.save()
    return schedule


# --- when ------------------------------------------------------------------------------------
def latest_slot(schedule: ReportSchedule, now: datetime) -> datetime:
    """The most recent time at or before ``now`` when the schedule should have sent."""
    local = timezone.localtime(now)
    slot = local.replace(hour=schedule.hour, minute=0, second=0, microsecond=0)
    if schedule.frequency == Frequency.DAILY:
        return slot if slot <= local else slot - timedelta(days=1)
    if schedule.frequency == Frequency.WEEKLY:
        slot -= timedelta(days=(slot.weekday() - (schedule.weekday or 0)) % 7)
        return slot if slot <= local else slot - timedelta(days=7)
    return _monthly_slot(schedule, slot, local)


def _monthly_slot(schedule: ReportSchedule, slot: datetime, local: datetime) -> datetime:
    year, month = slot.year, slot.month
    for _ in range(2):
        day = min(schedule.day_of_month or 1, calendar.monthrange(year, month)[1])
        candidate = slot.replace(year=year, month=month, day=day)
        if candidate <= local:
            return candidate
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return candidate


def is_due(schedule: ReportSchedule, now: datetime) -> bool:
    slot = latest_slot(schedule, now)
    since = schedule.last_sent_at or schedule.created_at
    return schedule.active and since < slot


# --- sending -----------------------------------------------------------------------------------
def _message(schedule: ReportSchedule, now: datetime, to: list[str]) -> EmailMessage:
    result = report_run(report=schedule.report, user=schedule.owner)
    content, mime, extension = exports.export(result, schedule.format)
    stamp = timezone.localtime(now).strftime("%d/%m/%Y")
    body = (
        f"Kính gửi anh/chị,\n\nHệ thống gửi kèm báo cáo «{schedule.report.name}» ngày {stamp} "
        f"({len(result.rows)} dòng, theo phạm vi dữ liệu của người lập lịch).\n"
    )
    if result.warning:
        body += f"\nLưu ý: {result.warning}\n"
    body += "\nThư này được gửi tự động từ Hệ thống đánh giá KPI CBCCVC tỉnh Thanh Hóa."
    message = EmailMessage(
        subject=f"[KPI Thanh Hóa] {schedule.report.name} — {stamp}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach(exports.filename(schedule.report.name, extension, now), content, mime)
    return message


def _send_one(schedule_id: int, now: datetime) -> bool:
    with transaction.atomic():
        schedule = (
            ReportSchedule.objects.select_for_update().select_related("report", "owner").filter(pk=schedule_id).first()
        )
        if schedule is None or not is_due(schedule, now):
            return False  # another run sent it meanwhile
        refused = refused_recipients(schedule.recipients)
        if refused:
            log.warning("Lịch gửi báo cáo %s: bỏ qua địa chỉ ngoài danh sách cho phép: %s", schedule.pk, refused)
        to = [r for r in schedule.recipients if r not in refused]
        schedule.last_sent_at = now
        schedule.save(update_fields=["last_sent_at", "updated_at"])
        if not to:
            return False
        message = _message(schedule, now, to)
        transaction.on_commit(message.send)
    return True


def send_due_reports(now: datetime | None = None) -> int:
    """Sends every due schedule; returns how many went out. One failure does not stop the rest."""
    now = now or timezone.now()
    sent = 0
    for schedule in ReportSchedule.objects.filter(active=True).order_by("pk"):
        if not is_due(schedule, now):
            continue
        try:
            sent += _send_one(schedule.pk, now)
        except DomainError as exc:  # e.g. a custom field the report uses was retired
            log.warning("Lịch gửi báo cáo %s lỗi: %s", schedule.pk, exc)
    return sent
