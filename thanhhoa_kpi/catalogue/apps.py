from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "thanhhoa_kpi.catalogue"
    label = "catalogue"
    verbose_name = "Danh mục đầu công việc"
