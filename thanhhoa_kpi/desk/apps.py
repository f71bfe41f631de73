from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "thanhhoa_kpi.desk"
    label = "desk"
    verbose_name = "Bàn làm việc"
