"""RQ jobs of the reports app: one-line adapters (STYLE 8); tests run them inline."""

from __future__ import annotations

from thanhhoa_kpi.reports import schedules


def send_due_reports() -> int:
    return schedules.send_due_reports()
