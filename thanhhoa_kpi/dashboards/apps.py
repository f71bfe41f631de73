from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "thanhhoa_kpi.dashboards"
    label = "dashboards"
    verbose_name = "Bàn làm việc theo vai trò"

    def ready(self) -> None:
        from thanhhoa_kpi.dashboards import metrics, metrics_work

        metrics.register_builtin_metrics()
        metrics_work.register_work_metrics()
