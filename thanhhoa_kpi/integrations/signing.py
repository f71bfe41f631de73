"""The signature of an inbound event (pure: standard library only).

The sending system computes ``HMAC-SHA256(secret, "<timestamp>." + raw body)`` and sends it
hex-encoded in ``X-KPI-Signature: sha256=<hex>`` with the Unix time in ``X-KPI-Timestamp``.
Signing the timestamp with the body means a captured request cannot be replayed later
with a fresh timestamp; a timestamp further than :data:`TOLERANCE_SECONDS` from our clock
is refused (the window a replay could use; the idempotency key covers repeats inside it).
"""

from __future__ import annotations

import hashlib
import hmac

TOLERANCE_SECONDS = 300
PREFIX = "sha256="


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of ``timestamp + "." + body`` under ``secret``."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return PREFIX + mac.hexdigest()


def matches(secret: str, timestamp: str, body: bytes, given: str) -> bool:
    """Constant-time comparison of ``given`` with the signature under ``secret``."""
    if not secret:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), given.strip().lower())


def timestamp_fresh(timestamp: str, now: float) -> bool:
    """``timestamp`` is whole Unix seconds within :data:`TOLERANCE_SECONDS` of ``now``."""
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    return abs(now - int(timestamp)) <= TOLERANCE_SECONDS
