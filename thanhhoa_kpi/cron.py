"""Every periodic job, for the single ``manage.py rqcron thanhhoa_kpi.cron`` process.

rq's cron takes one configuration module; each app keeps its own registrations and this
module only imports them.
"""

from thanhhoa_kpi.core import cron as core_cron  # noqa: F401
from thanhhoa_kpi.reports import cron as reports_cron  # noqa: F401
from thanhhoa_kpi.workflow import cron as workflow_cron  # noqa: F401
