from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "thanhhoa_kpi.reports"
    label = "reports"
    verbose_name = "Báo cáo"

    def ready(self) -> None:
        from thanhhoa_kpi.reports import builtin, builtin_work, sources, sources_work

        sources.register_org_sources()
        sources_work.register_work_sources()
        builtin.register_org_builtins()
        builtin_work.register_work_builtins()
