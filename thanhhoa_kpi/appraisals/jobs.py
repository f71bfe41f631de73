"""RQ jobs of the appraisals app: one-line adapters to the services (STYLE 8).

Tests run them inline (``RQ_ASYNC=0``); without a listening worker (a demo started
without ``make worker``) the opening runs in the calling process instead of waiting
forever in the queue.
"""

from __future__ import annotations

import logging
import resource

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


# ------------------------------------------------------------- scoring a whole period


def _peak_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux


def run_score_chunk(period_id: int, low: int, high: int) -> dict[str, object]:
    from thanhhoa_kpi.appraisals.batch import score_chunk

    return {**score_chunk(period_id, low, high).as_dict(), "peak_rss_mib": _peak_mib()}


def run_score_leaders(period_id: int) -> dict[str, object]:
    from thanhhoa_kpi.appraisals.batch import score_leaders

    return {**score_leaders(period_id).as_dict(), "peak_rss_mib": _peak_mib()}


def workers() -> int:
    """Workers listening on the default queue (at least 1): how many chunks run side by side."""
    try:
        return max(1, Worker.count(queue=django_rq.get_queue("default")))
    except Exception:  # Redis down: one process scores
        return 1


def enqueue_period_score(period_id: int, ranges: list[tuple[int, int]]) -> list[str]:
    """Queue one job per official-id range and, depending on all of them, the leaders' job.

    Returns the job ids, the leaders' last. Without Redis, or without a listening
    worker, the jobs run here one after the other (the same results, one core).
    """
    try:
        queue = django_rq.get_queue("default", commit_mode="auto")
        if not queue.is_async or Worker.count(queue=queue) > 0:
            chunks = [queue.enqueue(run_score_chunk, period_id, low, high, job_timeout=3600) for low, high in ranges]
            leaders = queue.enqueue(run_score_leaders, period_id, depends_on=chunks or None, job_timeout=3600)
            return [job.id for job in [*chunks, leaders]]
    except Exception:  # Redis down: the period must still be scored
        log.warning("RQ unavailable; scoring appraisal period %s inline", period_id, exc_info=True)
    for low, high in ranges:
        run_score_chunk(period_id, low, high)
    run_score_leaders(period_id)
    return []
