"""RQ adapters of the transfer services (STYLE 8): one line each, tests run them inline.

The import job is queued through the outbox (``import_job_confirm``), which calls
:func:`run_import` by its dotted path (its argument is not named ``job_id``, which RQ's
``enqueue`` takes as its own job id).
"""

from __future__ import annotations

from thanhhoa_kpi.transfer import services


def run_import(import_id: int) -> None:
    services.import_job_run(job_id=import_id)
