from django.apps import AppConfig


class WorklogsConfig(AppConfig):
    name = "thanhhoa_kpi.worklogs"
    label = "worklogs"
    verbose_name = "Giao việc và nhật ký công việc"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import access
        from thanhhoa_kpi.customfields.registry import register_host
        from thanhhoa_kpi.worklogs import loaders  # noqa: F401  (registers fixture loaders)
        from thanhhoa_kpi.worklogs import models as m

        access.register(m.WorkPeriod, via="public")
        access.register(m.Assignment, via="official", prefix="assignee__")
        access.register(m.WorkLogLine, via="official", prefix="official__")
        register_host("worklog", m.WorkLogLine)
