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
from rq.job import Job

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
    """One range of officials; the result carries the heads' and deputies' inputs for the last job."""
    from thanhhoa_kpi.appraisals.batch import score_chunk

    outcome = score_chunk(period_id, low, high)
    return {**outcome.as_dict(), "leaders": outcome.leaders, "peak_rss_mib": _peak_mib()}


def run_score_leaders(period_id: int, chunk_ids: list[str]) -> dict[str, object]:
    """The heads and deputies the chunks ``chunk_ids`` read, once the chunks are done."""
    from thanhhoa_kpi.appraisals.batch import score_leaders

    chunks = Job.fetch_many(chunk_ids, connection=django_rq.get_connection("default"))
    leaders = [leader for job in chunks if job is not None for leader in job.return_value()["leaders"]]
    return {**score_leaders(period_id, leaders).as_dict(), "peak_rss_mib": _peak_mib()}


def workers() -> int:
    """Workers listening on the default queue (at least 1): how many chunks run side by side."""
    try:
        return max(1, Worker.count(queue=django_rq.get_queue("default")))
    except Exception:  # Redis down: one process scores
        return 1


# A chunk's result (its leaders' inputs) must outlive the other chunks.
_RESULT_TTL = 24 * 3600


def enqueue_period_score(period_id: int, ranges: list[tuple[int, int]]) -> list[str]:
    """Queue one job per official-id range and, depending on all of them, the leaders' job.

    Returns the job ids, the leaders' last. Without Redis, or without a listening
    worker, the jobs run here one after the other (the same results, one core).
    """
    from thanhhoa_kpi.appraisals.batch import score_chunk, score_leaders

    try:
        queue = django_rq.get_queue("default", commit_mode="auto")
        if not queue.is_async or Worker.count(queue=queue) > 0:
            chunks = [
                queue.enqueue(run_score_chunk, period_id, low, high, job_timeout=3600, result_ttl=_RESULT_TTL)
                for low, high in ranges
            ]
            ids = [job.id for job in chunks]
            leaders = queue.enqueue(run_score_leaders, period_id, ids, depends_on=chunks or None, job_timeout=3600)
            return [*ids, leaders.id]
    except Exception:  # Redis down: the period must still be scored
        log.warning("RQ unavailable; scoring appraisal period %s inline", period_id, exc_info=True)
    found = [leader for low, high in ranges for leader in score_chunk(period_id, low, high).leaders]
    score_leaders(period_id, found)
    return []
