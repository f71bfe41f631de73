"""Periodic workflow jobs, run by rq's built-in cron::

    python manage.py rqcron thanhhoa_kpi.workflow.cron

Times are local (Asia/Ho_Chi_Minh: rq evaluates cron in the process's time zone, which
Django sets from TIME_ZONE). Reminders go out before the digest, so the digest a user
reads at 07:00 already lists what the reminders were about.
"""

from rq import cron

from thanhhoa_kpi.workflow import jobs

cron.register(jobs.send_deadline_reminders, queue_name="default", cron="30 6 * * *")
cron.register(jobs.send_daily_digest, queue_name="default", cron="0 7 * * *")
