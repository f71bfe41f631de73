"""RQ jobs of the core app: one-line adapters (STYLE 8)."""

from __future__ import annotations

from thanhhoa_kpi.core import outbox


def flush_outbox() -> int:
    return outbox.outbox_flush()[0]
