from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "thanhhoa_kpi.reports"
    label = "reports"
    verbose_name = "Báo cáo"

    def ready(self) -> None:
        from thanhhoa_kpi.reports import builtin, sources

        sources.register_org_sources()
        builtin.register_org_builtins()
