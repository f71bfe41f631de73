from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "thanhhoa_kpi.core"
    label = "core"
    verbose_name = "Hệ thống"
