"""Appending to the two hash chains, and walking them back.

An event marks its record (:func:`mark`); just before the transaction commits
(:mod:`thanhhoa_kpi.core.precommit`) :func:`flush` reads each marked record as the
transaction leaves it, builds its payload and appends the entries that say something new,
all under the lock of the chain head. A record that a rolled-back savepoint removed is no
longer there to read, and a full rollback drops the marks: nothing is written for an event
that did not happen.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from thanhhoa_kpi.audit.models import AuditEntry, ChainHead
from thanhhoa_kpi.core import precommit

HEAD_PK = 1
# kind → reader: (pks) → {pk: Event}; registered by recorders.py.
Reader = Callable[[list[int]], dict[int, "Event"]]
READERS: dict[str, Reader] = {}
# Kinds whose every mark is an event of its own (a transition log line); the others are
# states of a record, appended only when they differ from the last one recorded.
EVERY_MARK: set[str] = set()


@dataclass(frozen=True)
class Event:
    document_type: str
    document_id: int
    payload: dict[str, Any]


# ----------------------------------------------------------------------------- canonical form


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} không biểu diễn được trong nhật ký kiểm toán")


def canonical(value: Any) -> str:
    """One text per value: sorted keys, no spaces, UTF-8 kept, decimals as exact strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(entry: AuditEntry) -> str:
    """sha256 over everything the entry says, its payload text and both previous hashes."""
    body = [
        entry.seq, entry.document_type, entry.document_id, entry.kind, entry.actor_id,
        stamp(entry.recorded_at), entry.payload, entry.prev_hash_document, entry.prev_hash_global,
    ]  # fmt: skip
    return hashlib.sha256(canonical(body).encode()).hexdigest()


# ----------------------------------------------------------------------------- appending

_PENDING = "_audit_pending"


def _pending(connection: Any) -> dict[tuple[str, int], int | None]:
    marks = getattr(connection, _PENDING, None)
    if marks is None:
        marks = {}
        setattr(connection, _PENDING, marks)
    return marks


def mark(kind: str, pk: int, *, actor_id: int | None, using: str = "default") -> None:
    """Record that ``kind``'s record ``pk`` changed in the current transaction."""
    connection = connections[using]
    marks = _pending(connection)
    key = (kind, pk)
    if key in marks and kind not in EVERY_MARK:
        actor_id = actor_id or marks[key]
    marks[key] = actor_id
    if connection.get_autocommit() or not precommit.supported(connection):
        # No transaction to wait for (the event is already committed), or a backend without
        # the pre-commit hook: append now, in the event's transaction when there is one.
        with transaction.atomic(using=using):
            flush(connection)


def discard(connection: Any) -> None:
    _pending(connection).clear()


def flush(connection: Any) -> None:
    """Append the entries of the marked records (see the module docstring)."""
    marks = _pending(connection)
    if not marks:
        return
    ordered = list(marks.items())
    marks.clear()
    events = _read(ordered)
    if events:
        _append(events, connection.alias)


def _read(ordered: list[tuple[tuple[str, int], int | None]]) -> list[tuple[str, Event, int | None]]:
    by_kind: dict[str, list[int]] = {}
    for (kind, pk), _actor in ordered:
        by_kind.setdefault(kind, []).append(pk)
    found = {kind: READERS[kind](pks) for kind, pks in by_kind.items()}
    return [(kind, found[kind][pk], actor) for (kind, pk), actor in ordered if pk in found[kind]]


def _append(events: list[tuple[str, Event, int | None]], using: str) -> None:
    heads = ChainHead.objects.using(using).select_for_update().filter(pk=HEAD_PK)
    head = heads.first()
    if head is None:
        # The first append ever: of two at once, one inserts and the other waits for it.
        ChainHead.objects.using(using).bulk_create([ChainHead(pk=HEAD_PK)], ignore_conflicts=True)
        head = heads.get()
    seq, last = head.seq, head.hash
    now = timezone.now()
    for kind, event, actor_id in events:
        payload = canonical(event.payload)
        previous = (
            AuditEntry.objects.using(using)
            .filter(document_type=event.document_type, document_id=event.document_id)
            .order_by("-seq")
            .values_list("kind", "payload", "hash")
        )
        before = previous.first()
        if kind not in EVERY_MARK and _same_as_last(previous, before, kind, payload):
            continue
        seq += 1
        entry = AuditEntry(
            seq=seq, document_type=event.document_type, document_id=event.document_id, kind=kind,
            actor_id=actor_id, recorded_at=now, payload=payload,
            prev_hash_document=before[2] if before else "", prev_hash_global=last,
        )  # fmt: skip
        entry.hash = last = entry_hash(entry)
        entry.save(using=using, force_insert=True)
    if seq != head.seq:
        head.seq, head.hash = seq, last
        head.save(using=using, update_fields=["seq", "hash"])


def _same_as_last(previous: Any, before: tuple[str, str, str] | None, kind: str, payload: str) -> bool:
    if before is not None and before[0] == kind:
        return before[1] == payload
    same_kind = previous.filter(kind=kind).first()
    return same_kind is not None and same_kind[1] == payload


precommit.before_commit(flush, discard=discard)


# ----------------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class Verdict:
    checked: int
    seq: int | None = None  # the entry where the chain breaks (None: intact)
    entry_id: int | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.seq is None and not self.message


def _entries(using: str) -> Iterator[AuditEntry]:
    return AuditEntry.objects.using(using).order_by("seq").iterator(chunk_size=2000)


def _broken(entry: AuditEntry, what: str) -> str:
    return (
        f"Chuỗi kiểm toán bị phá vỡ tại mục số {entry.seq} (mã {entry.pk}; {entry.get_kind_display().lower()}, "
        f"{entry.document_type} #{entry.document_id}): {what}"
    )


def _check(entry: AuditEntry, expected_seq: int, last: str, documents: dict[tuple[str, int], str]) -> str:
    if entry.seq != expected_seq:
        return _broken(
            entry,
            f"thiếu mục số {expected_seq}" + (f" đến {entry.seq - 1}" if entry.seq - 1 > expected_seq else "")
            + " (đã bị xóa).",
        )  # fmt: skip
    if entry.prev_hash_global != last:
        return _broken(entry, f"mã băm của mục trước trong chuỗi toàn hệ thống không khớp mục số {expected_seq - 1}.")
    if entry.prev_hash_document != documents.get((entry.document_type, entry.document_id), ""):
        return _broken(entry, "mã băm của mục trước cùng tài liệu không khớp (một mục của tài liệu bị sửa hoặc xóa).")
    if entry_hash(entry) != entry.hash:
        return _broken(entry, "nội dung không khớp mã băm đã ghi (mục đã bị sửa trực tiếp trong cơ sở dữ liệu).")
    return ""


def verify(using: str = "default") -> Verdict:
    """Walk the global chain in ``seq`` order, and each document's chain within it."""
    documents: dict[tuple[str, int], str] = {}
    last, checked = "", 0
    for entry in _entries(using):
        problem = _check(entry, checked + 1, last, documents)
        if problem:
            return Verdict(checked, entry.seq, entry.pk, problem)
        checked += 1
        last = documents[(entry.document_type, entry.document_id)] = entry.hash
    head = ChainHead.objects.using(using).filter(pk=HEAD_PK).first()
    if head is not None and (head.seq, head.hash) != (checked, last):
        return Verdict(
            checked,
            message=f"Chuỗi kiểm toán bị phá vỡ ở cuối: đầu chuỗi ghi mục số {head.seq}, nhưng mục cuối còn lại là số "
            f"{checked} (các mục cuối đã bị xóa hoặc sửa).",
        )
    return Verdict(checked)
