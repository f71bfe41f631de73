from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "thanhhoa_kpi.catalogue"
    label = "catalogue"
    verbose_name = "Danh mục đầu công việc"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import access
        from thanhhoa_kpi.catalogue import approval, loaders  # noqa: F401  (guard CATALOGUE_READY, fixture loaders)
        from thanhhoa_kpi.catalogue import models as m
        from thanhhoa_kpi.customfields.registry import register_host

        # Catalogues are reference data read by every official (their unit's, their
        # ancestors' and their bloc's); who may change them is decided in selectors, who
        # may approve them by the workflow engine (the inbox checks each candidate's
        # approver rules, so "public" never puts another bloc's catalogue in an inbox).
        access.register(m.Catalogue, via="public")
        access.register(m.CatalogueItem, via="public")
        register_host("catalogue_item", m.CatalogueItem)
