"""Background jobs of the catalogue app: one-line adapters to services (RQ)."""

from __future__ import annotations

import logging

import django_rq
from rq import Worker

from thanhhoa_kpi.catalogue import imports

log = logging.getLogger(__name__)


def run_catalogue_import(import_id: int) -> None:
    imports.catalogue_import_run(import_id=import_id)


def enqueue_catalogue_import(import_id: int) -> None:
    """Queue the import; without a listening worker (the demo) run it here instead."""
    try:
        queue = django_rq.get_queue("default")
        if not queue.is_async or Worker.count(queue=queue) > 0:
            queue.enqueue(run_catalogue_import, import_id, job_timeout=3600)
            return
    except Exception:  # Redis down: the import must still happen
        log.warning("RQ unavailable; running catalogue import %s inline", import_id, exc_info=True)
    run_catalogue_import(import_id)
