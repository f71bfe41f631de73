from django.apps import AppConfig


class CustomfieldsConfig(AppConfig):
    name = "thanhhoa_kpi.customfields"
    label = "customfields"
    verbose_name = "Trường tùy biến"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import access
        from thanhhoa_kpi.customfields import models as m
        from thanhhoa_kpi.customfields.registry import register_host
        from thanhhoa_kpi.organization.models import JobPosition, Official

        # Definitions are read by everyone (forms, API, reports); province admins change them.
        access.register(m.FieldDefinition, via="public", write=access.province_only)
        access.register(m.BuiltinOverride, via="public", write=access.province_only)
        register_host("official", Official)
        register_host("position", JobPosition)
