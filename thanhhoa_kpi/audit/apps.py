from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "thanhhoa_kpi.audit"
    label = "audit"
    verbose_name = "Nhật ký kiểm toán"

    def ready(self) -> None:
        from thanhhoa_kpi.audit import recorders

        recorders.connect()
