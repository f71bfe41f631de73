from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "thanhhoa_kpi.integrations"
    label = "integrations"
    verbose_name = "Kết nối hệ thống nghiệp vụ"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import access
        from thanhhoa_kpi.integrations import loaders  # noqa: F401  (register fixture loaders)
        from thanhhoa_kpi.integrations import models as m
        from thanhhoa_kpi.integrations.selectors import event_write_rows

        # A source and its secret serve the whole province: province admins only.
        access.register(m.IntegrationSource, via="public", write=access.province_only)
        # Matching rules: every HR admin reads and writes them (the desk, without code).
        access.register(m.MatchingRule, via="public")
        # Events belong to their handler; HR admins of the handler's unit work the queue.
        access.register(m.InboundEvent, via="official", prefix="official__", write=event_write_rows)
