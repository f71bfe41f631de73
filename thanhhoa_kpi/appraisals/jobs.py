"""RQ jobs of the appraisals app: one-line adapters to the services (STYLE 8).

Tests run them inline (``RQ_ASYNC=0``); without a listening worker (a demo started
without ``make worker``) the opening runs in the calling process instead of waiting
forever in the queue.
"""

from __future__ import annotations

import logging

import django_rq
from rq import Worker

log = logging.getLogger(__name__)


def run_period_open(period_id: int) -> int:
    from thanhhoa_kpi.appraisals.services.opening import period_open_run

    return period_open_run(period_id=period_id).opening_created


def enqueue_period_open(period_id: int) -> None:
    """Queue the creation of a period's appraisals (called after the opening commits)."""
    try:
        queue = django_rq.get_queue("default", commit_mode="auto")
        if not queue.is_async or Worker.count(queue=queue) > 0:
            queue.enqueue(run_period_open, period_id, job_timeout=3600)
            return
    except Exception:  # Redis down: the appraisals must still be created
        log.warning("RQ unavailable; opening appraisal period %s inline", period_id, exc_info=True)
    run_period_open(period_id)
