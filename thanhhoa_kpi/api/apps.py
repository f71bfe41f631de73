from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "thanhhoa_kpi.api"
    label = "api"
    verbose_name = "API"
