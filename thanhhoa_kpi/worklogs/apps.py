from django.apps import AppConfig


class WorklogsConfig(AppConfig):
    name = "thanhhoa_kpi.worklogs"
    label = "worklogs"
    verbose_name = "Giao việc và nhật ký công việc"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import access
        from thanhhoa_kpi.customfields.registry import register_host
        from thanhhoa_kpi.worklogs import holidays, loaders  # noqa: F401  (register fixture loaders)
        from thanhhoa_kpi.worklogs import models as m

        access.register(m.WorkPeriod, via="public")
        access.register(m.Assignment, via="official", prefix="assignee__")
        access.register(m.WorkLogLine, via="official", prefix="official__")
        register_host("worklog", m.WorkLogLine)
        # The holiday calendar and the plausibility thresholds hold for the whole province.
        access.register(m.PublicHoliday, via="public", write=access.province_only)
        access.register(m.PlausibilityThresholds, via="public", write=access.province_only)
