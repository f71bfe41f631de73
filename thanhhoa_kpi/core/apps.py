from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "thanhhoa_kpi.core"
    label = "core"
    verbose_name = "Hệ thống"

    def ready(self) -> None:
        from thanhhoa_kpi.core import search

        search.install()
