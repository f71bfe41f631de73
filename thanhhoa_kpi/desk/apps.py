from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "thanhhoa_kpi.desk"
    label = "desk"
    verbose_name = "Bàn làm việc"

    def ready(self) -> None:
        from thanhhoa_kpi.desk import numbers, related_links

        numbers.install()
        related_links.install()
