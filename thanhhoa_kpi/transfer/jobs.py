"""RQ adapters of the transfer services (STYLE 8): one line each, tests run them inline."""

from __future__ import annotations

import django_rq

from thanhhoa_kpi.transfer import services


def run_import(job_id: int) -> None:
    services.import_job_run(job_id=job_id)


def enqueue_import(job_id: int) -> None:
    # Called from transaction.on_commit by the service, so enqueue at once ("auto").
    django_rq.get_queue("default", commit_mode="auto").enqueue(run_import, job_id, job_timeout=3600)
