"""Catalogue endpoints: catalogues, items (with ``coefficient``) and Excel imports."""

from thanhhoa_kpi.api import catalogue_api


def register(router):
    router.register("catalogues", catalogue_api.CatalogueViewSet, basename="catalogue")
    router.register("catalogue-items", catalogue_api.CatalogueItemViewSet, basename="catalogue-item")
    router.register("catalogue-imports", catalogue_api.CatalogueImportViewSet, basename="catalogue-import")
