"""RQ jobs of the workflow layer: one-line adapters to :mod:`notifications` (STYLE 8).

Enqueued with ``django_rq.enqueue`` (after commit) or by rq's cron
(:mod:`thanhhoa_kpi.workflow.cron`); tests run them inline with ``RQ_ASYNC=0``.
"""

from __future__ import annotations

from thanhhoa_kpi.workflow import notifications


def notify_transition(log_id: int) -> int:
    return notifications.transition_notify(log_id=log_id)


def notify_lines_reviewed(lines: list[list[object]]) -> int:
    return notifications.lines_reviewed_notify(lines=lines)


def send_deadline_reminders(days: int | None = None) -> int:
    return notifications.reminders_send(days=days)


def send_daily_digest() -> int:
    return notifications.digest_send()
