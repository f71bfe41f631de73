from django.apps import AppConfig


class WorklogsConfig(AppConfig):
    name = "thanhhoa_kpi.worklogs"
    label = "worklogs"
    verbose_name = "Giao việc và nhật ký công việc"
