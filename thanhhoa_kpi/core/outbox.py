"""The outbox: jobs recorded in the database, then put on RQ — none lost while Redis is down.

A service calls :func:`outbox_enqueue` inside its transaction: the row is written with the
rest (a rolled-back transition leaves no job) and enqueued once the transaction commits.
If Redis cannot be reached then, the row stays pending with the error and the attempt
count; :func:`outbox_flush` — the ``outbox_flush`` command and a cron job — sends every
pending row once Redis is back. Delivery is at least once: a job must tolerate running
again (the workflow's ``transition_notify`` checks the document's state first).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import django_rq
from django.db import transaction
from django.utils import timezone

from thanhhoa_kpi.core.models import OutboxJob
from thanhhoa_kpi.core.outage import OUTAGE_ERRORS

log = logging.getLogger(__name__)


def outbox_enqueue(*, func: str, kwargs: dict[str, Any] | None = None, queue: str = "default") -> OutboxJob:
    """Record the job ``func(**kwargs)`` (a dotted path) now and enqueue it after commit."""
    job = OutboxJob.objects.create(func=func, kwargs=kwargs or {}, queue=queue)
    # robust: a failure here must never undo or break the caller's committed work.
    transaction.on_commit(partial(outbox_send, job_id=job.pk), robust=True)
    return job


def outbox_send(*, job_id: int) -> bool:
    """Put one pending row on its queue; True when sent, False when Redis refused (the
    row stays pending) or another process sent it already."""
    with transaction.atomic():
        job = OutboxJob.objects.select_for_update().filter(pk=job_id, sent_at__isnull=True).first()
        if job is None:
            return False
        job.attempts += 1
        try:
            # "auto": enqueue now; we are already after the caller's commit.
            django_rq.get_queue(job.queue, commit_mode="auto").enqueue(job.func, **job.kwargs)
        except OUTAGE_ERRORS as exc:
            job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            job.save(update_fields=["attempts", "last_error"])
            log.warning("Outbox job %s left pending, Redis unreachable: %s", job.pk, exc)
            return False
        job.sent_at = timezone.now()
        job.save(update_fields=["attempts", "sent_at"])
    return True


def outbox_flush(*, limit: int = 1000) -> tuple[int, int]:
    """Send pending rows, oldest first; stops at the first refusal (Redis still down).
    Returns (sent, still pending)."""
    sent = 0
    for job_id in OutboxJob.objects.filter(sent_at__isnull=True).order_by("pk").values_list("pk", flat=True)[:limit]:
        if not outbox_send(job_id=job_id):
            if OutboxJob.objects.filter(pk=job_id, sent_at__isnull=True).exists():
                break
            continue
        sent += 1
    return sent, OutboxJob.objects.filter(sent_at__isnull=True).count()
