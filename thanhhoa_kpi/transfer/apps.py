from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "thanhhoa_kpi.transfer"
    label = "transfer"
    verbose_name = "Nhập, xuất Excel"
