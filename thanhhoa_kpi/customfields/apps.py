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

        # Definitions are read by everyone (forms, API, reports); only HR and system
        # admins change them (access.writable on "public" rows needs an HR scope).
        access.register(m.FieldDefinition, via="public")
        access.register(m.BuiltinOverride, via="public")
        register_host("official", Official)
        register_host("position", JobPosition)
