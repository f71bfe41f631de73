"""Periodic jobs of the reports app, run by rq's built-in cron::

    python manage.py rqcron thanhhoa_kpi.reports.cron

Every hour on the hour (local time, Asia/Ho_Chi_Minh): sends the saved reports whose
schedule is due (:func:`thanhhoa_kpi.reports.schedules.send_due_reports`); a missed hour
is caught up by the next run.
"""

from rq import cron

from thanhhoa_kpi.reports import jobs

cron.register(jobs.send_due_reports, queue_name="default", cron="0 * * * *")
