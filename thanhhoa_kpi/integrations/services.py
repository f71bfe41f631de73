"""Writes of the inbound API: receiving an event, matching it, the official's decision,
the HR queue and the rotation of a source's secret.

Receiving checks, in this order, and writes nothing until every check passed: the source
exists (404), the request carries a timestamp and a signature (401), the timestamp is
fresh (401), the signature matches the source's secret or, during the grace period after a
rotation, the previous one (401), the source is active (403), the body follows the schema
(400). An event already received under its ``event_id`` is answered as it was the first
time and changes nothing; the same key with another body is refused (409).

Confirming a proposal writes the work-log line through
:func:`thanhhoa_kpi.worklogs.services.worklog_create`, as the official typing it would, so
the month's lock, the catalogue in force, the date rules and the plausibility checks all
apply. Lock order: the event row, then what the worklogs service locks (the month in share
mode, assignments, lines); nothing locks events after a month, so no cycle.
"""

from __future__ import annotations

import hashlib
import json
import time
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.catalogue.selectors import item_is_usable
from thanhhoa_kpi.core.errors import Conflict, DomainError, FieldError, NotFound, PermissionRefused, ValidationFailed
from thanhhoa_kpi.integrations import signing
from thanhhoa_kpi.integrations.models import (
    SECRET_GRACE,
    WAITING_FOR_HR,
    EventStatus,
    InboundEvent,
    IntegrationSource,
    MatchingRule,
    match_key,
    new_secret,
)
from thanhhoa_kpi.integrations.payload import Event, parse_body, parse_event
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.worklogs.models import MINUTES_PER_DAY
from thanhhoa_kpi.worklogs.services import worklog_create

DEFAULT_MINUTES = 30  # an item chosen by HR without a rule of the same key
REASON_MAX_LENGTH = 500


class SignatureRefused(DomainError):
    """401: the request does not prove it comes from the source."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(code=code, message=message, errors=[FieldError("signature", message)], http_status=401)


def _invalid(field: str, message: str, code: str = "VALIDATION_ERROR") -> ValidationFailed:
    return ValidationFailed(message, [FieldError(field, message)], code=code)


# ------------------------------------------------------------------ receiving


def _source(code: str) -> IntegrationSource:
    source = IntegrationSource.objects.filter(code=code).first() if code.isascii() else None
    if source is None:
        raise NotFound("Không có hệ thống gửi sự kiện với mã này.", code="UNKNOWN_SOURCE")
    return source


def signature_check(source: IntegrationSource, body: bytes, timestamp: str, given: str, now: float) -> None:
    """Refuse (401) a request not signed by ``source`` just now; see :mod:`.signing`."""
    if not timestamp or not given:
        raise SignatureRefused("Thiếu chữ ký (X-KPI-Signature) hoặc thời điểm ký (X-KPI-Timestamp).",
                               "SIGNATURE_MISSING")  # fmt: skip
    if not signing.timestamp_fresh(timestamp, now):
        raise SignatureRefused(
            f"Thời điểm ký lệch quá {signing.TOLERANCE_SECONDS // 60} phút so với máy chủ (chống gửi lại).",
            "TIMESTAMP_STALE",
        )
    if signing.matches(source.secret, timestamp, body, given):
        return
    grace = source.previous_valid_until is not None and timezone.now() < source.previous_valid_until
    if grace and signing.matches(source.previous_secret, timestamp, body, given):
        return
    raise SignatureRefused("Chữ ký không đúng với khóa bí mật của hệ thống gửi.", "SIGNATURE_INVALID")


def _canonical_sha256(data: dict[str, Any]) -> str:
    """The same event re-serialised (keys in another order, other spacing) hashes the same."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_receive(
    *, source_code: str, body: bytes, timestamp: str | None, signature: str | None, now: float | None = None
) -> tuple[dict[str, Any], bool]:
    """Check, keep and match one event; returns (the answer, whether it is new)."""
    source = _source(source_code)
    signature_check(source, body, timestamp or "", signature or "", time.time() if now is None else now)
    if not source.active:
        raise PermissionRefused("Hệ thống gửi đang bị tạm ngừng nhận sự kiện.", code="SOURCE_INACTIVE")
    data = parse_body(body)
    event = parse_event(data)
    return _keep(source, event, _canonical_sha256(data))


def _replayed(row: InboundEvent, digest: str) -> tuple[dict[str, Any], bool]:
    if row.body_sha256 != digest:
        raise Conflict(
            "Mã sự kiện (event_id) này đã được dùng cho một sự kiện có nội dung khác; không có gì được ghi.",
            code="EVENT_ID_REUSED",
        )
    return row.answer, False


@transaction.atomic
def _keep(source: IntegrationSource, event: Event, digest: str) -> tuple[dict[str, Any], bool]:
    existing = InboundEvent.objects.filter(source=source, event_id=event.event_id).first()
    if existing is not None:
        return _replayed(existing, digest)
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin's INSERT wins, this one answers like it
            row = InboundEvent.objects.create(
                source=source, event_id=event.event_id, body_sha256=digest, document_number=event.document_number,
                document_kind=event.document_kind, type_code=match_key(event.type_code), date=event.date,
                handler_code=event.handler_code, handler_email=event.handler_email, on_time=event.on_time,
                quantity=event.quantity, title=event.title, link=event.link, status=EventStatus.UNKNOWN_HANDLER,
            )  # fmt: skip
    except IntegrityError:
        return _replayed(InboundEvent.objects.get(source=source, event_id=event.event_id), digest)
    _match(row)
    row.answer = _answer(row)
    row.save()
    return row.answer, True


_MESSAGES = {
    EventStatus.PROPOSED: "Đã nhận; đã đề xuất một dòng nhật ký cho người xử lý xác nhận.",
    EventStatus.UNMATCHED: "Đã nhận; chưa có quy tắc đối chiếu loại văn bản / thủ tục này, chờ quản trị nhân sự.",
    EventStatus.UNKNOWN_HANDLER: "Đã nhận; chưa xác định được người xử lý, chờ quản trị nhân sự.",
}


def _answer(row: InboundEvent) -> dict[str, Any]:
    return {"status": "OK", "id": row.pk, "event_id": row.event_id, "result": row.status,
            "message": _MESSAGES.get(row.status, "Đã nhận.")}  # fmt: skip


# ------------------------------------------------------------------ matching


def handler_of(event: InboundEvent) -> Official | None:
    """The official named by the event: by national CBCCVC code, else by a unique e-mail."""
    if event.handler_code:
        found = Official.objects.filter(code__iexact=event.handler_code).first()
        if found is not None:
            return found
    if event.handler_email:
        rows = list(Official.objects.filter(Q(email__iexact=event.handler_email)
                                            | Q(user__email__iexact=event.handler_email)).distinct()[:2])  # fmt: skip
        if len(rows) == 1:
            return rows[0]
    return None


def _rule_for(event: InboundEvent, official: Official) -> MatchingRule | None:
    """The first active rule of the event's key whose item is in force for the official."""
    rules = MatchingRule.objects.filter(source_id=event.source_id, key=match_key(event.type_code), active=True)
    for rule in rules.select_related("catalogue_item").order_by("pk"):
        if item_is_usable(official=official, item=rule.catalogue_item, on=event.date):
            return rule
    return None


def _minutes(per_unit: int, quantity: Decimal) -> int:
    return min(MINUTES_PER_DAY, int(per_unit * quantity))


def _match(row: InboundEvent, *, item: CatalogueItem | None = None) -> None:
    """Set handler, item and status (not saved). ``item`` is HR's choice over the rules."""
    if row.official_id is None:
        row.official = handler_of(row)
    row.catalogue_item, row.rule = None, None
    if row.official is None:
        row.status = EventStatus.UNKNOWN_HANDLER
        return
    if item is not None:
        if not item_is_usable(official=row.official, item=item, on=row.date):
            raise _invalid("catalogue_item", "Đầu công việc không thuộc danh mục đang có hiệu lực của đơn vị người "
                           "xử lý vào ngày này.", code="ITEM_NOT_IN_FORCE")  # fmt: skip
        same_key = MatchingRule.objects.filter(source_id=row.source_id, key=row.type_code, catalogue_item=item).first()
        row.catalogue_item, row.rule = item, same_key
        row.minutes = _minutes(same_key.minutes if same_key else DEFAULT_MINUTES, row.quantity)
        row.status = EventStatus.PROPOSED
        return
    rule = _rule_for(row, row.official)
    if rule is None:
        row.status = EventStatus.UNMATCHED
        return
    row.catalogue_item, row.rule = rule.catalogue_item, rule
    row.minutes = _minutes(rule.minutes, row.quantity)
    row.status = EventStatus.PROPOSED


def _lock(event: InboundEvent) -> InboundEvent:
    return InboundEvent.objects.select_for_update().select_related("source", "official").get(pk=event.pk)


@transaction.atomic
def event_assign(
    *, event: InboundEvent, user: Any, official: Official | None = None, catalogue_item: CatalogueItem | None = None
) -> InboundEvent:
    """HR settles a waiting event: names the handler and/or the item, then matches it again."""
    event = _lock(event)
    if not access.can_change(user, event):
        raise PermissionRefused(
            "Chỉ quản trị nhân sự quản lý người xử lý (hoặc quản trị cấp tỉnh) được xử lý sự kiện này."
        )
    if event.status not in WAITING_FOR_HR:
        raise Conflict("Sự kiện không còn chờ quản trị nhân sự xử lý.", code="EVENT_NOT_WAITING")
    if official is not None:
        if not access.writable(Official.objects.filter(pk=official.pk), user).exists():
            raise _invalid("official", "Cán bộ này ngoài phạm vi quản lý của bạn.")
        event.official = official
    _match(event, item=catalogue_item)
    event._history_user = user
    event.save()
    return event


@transaction.atomic
def events_rematch(*, user: Any, events: list[InboundEvent]) -> int:
    """Match waiting events again (after a rule was added or an official's code corrected);
    returns how many became proposals. Events the user may not settle are left alone."""
    ids = sorted(e.pk for e in events)
    rows = access.writable(InboundEvent.objects.filter(pk__in=ids, status__in=WAITING_FOR_HR), user)
    proposed = 0
    for row in InboundEvent.objects.select_for_update().filter(pk__in=list(rows.values_list("pk", flat=True))):
        _match(row)
        row._history_user = user
        row.save()
        proposed += row.status == EventStatus.PROPOSED
    return proposed


# ------------------------------------------------------------------ the official's decision


def _own_proposal(event: InboundEvent, user: Any) -> InboundEvent:
    event = _lock(event)
    official_id = access.scope_for(user).official_id
    if official_id is None or event.official_id != official_id:
        raise PermissionRefused("Chỉ người xử lý văn bản, hồ sơ mới xác nhận hoặc từ chối đề xuất này.",
                                code="NOT_YOUR_PROPOSAL")  # fmt: skip
    if event.status != EventStatus.PROPOSED:
        raise Conflict(f"Đề xuất đã được xử lý trước đó ({event.get_status_display().lower()}).",
                       code="PROPOSAL_DECIDED")  # fmt: skip
    return event


def line_description(event: InboundEvent) -> str:
    parts = [f"{event.get_document_kind_display()} số {event.document_number}"]
    if event.title:
        parts.append(event.title)
    if not event.on_time:
        parts.append("hệ thống nguồn ghi nhận trễ hạn")
    parts.append(f"nguồn: {event.source.name}")
    if event.link:
        parts.append(event.link)
    return " — ".join(parts)


@transaction.atomic
def proposal_confirm(*, event: InboundEvent, user: Any) -> InboundEvent:
    """The official confirms: one work-log line, written by the worklogs service."""
    event = _own_proposal(event, user)
    line = worklog_create(
        user=user, date=event.date, catalogue_item=event.catalogue_item, quantity=event.quantity,
        minutes=event.minutes, description=line_description(event), document_number=event.document_number,
    )  # fmt: skip
    event.line, event.status = line, EventStatus.CONFIRMED
    event.decided_by, event.decided_at = user, timezone.now()
    event._history_user = user
    event.save()
    return event


@transaction.atomic
def proposal_reject(*, event: InboundEvent, user: Any, reason: str = "") -> InboundEvent:
    """The official declines: nothing is logged; the reason is kept."""
    event = _own_proposal(event, user)
    reason = " ".join(str(reason or "").split())
    if len(reason) > REASON_MAX_LENGTH:
        raise _invalid("reason", f"Lý do từ chối tối đa {REASON_MAX_LENGTH} ký tự.")
    event.status, event.reject_reason = EventStatus.REJECTED, reason
    event.decided_by, event.decided_at = user, timezone.now()
    event._history_user = user
    event.save()
    return event


# ------------------------------------------------------------------ secrets


@transaction.atomic
def source_rotate_secret(*, source: IntegrationSource, user: Any) -> str:
    """A new secret, returned once; the replaced one stays valid for ``SECRET_GRACE``."""
    if not access.can_change(user, source):
        raise PermissionRefused("Chỉ quản trị cấp tỉnh hoặc quản trị hệ thống được đổi khóa bí mật.")
    source = IntegrationSource.objects.select_for_update().get(pk=source.pk)
    now = timezone.now()
    source.previous_secret, source.previous_valid_until = source.secret, now + SECRET_GRACE
    source.secret, source.rotated_at = new_secret(), now
    source._history_user = user
    source.save()
    return source.secret
