"""Periodic core jobs for rq's cron (imported by :mod:`thanhhoa_kpi.cron`).

Every five minutes the outbox sends what waited while Redis was down; with Redis down
the cron process itself cannot enqueue, so this runs again as soon as it is back.
"""

from rq import cron

from thanhhoa_kpi.core import jobs

cron.register(jobs.flush_outbox, queue_name="default", cron="*/5 * * * *")
