from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save

# Rows that make up who may see what and which fields a form shows (core/refcache.py): any
# write to one of them drops the reference data every process keeps.
REFERENCE_MODELS = (
    "accounts.RoleGrant",
    "organization.OrgUnit",
    "organization.Official",
    "organization.OfficialAssignment",
    "customfields.FieldDefinition",
    "customfields.BuiltinOverride",
)


class CoreConfig(AppConfig):
    name = "thanhhoa_kpi.core"
    label = "core"
    verbose_name = "Hệ thống"

    def ready(self) -> None:
        from thanhhoa_kpi.core import refcache, search

        search.install()
        for label in REFERENCE_MODELS:
            model = apps.get_model(label)
            post_save.connect(refcache.bump, sender=model, dispatch_uid=f"refcache-{label}-save")
            post_delete.connect(refcache.bump, sender=model, dispatch_uid=f"refcache-{label}-delete")
