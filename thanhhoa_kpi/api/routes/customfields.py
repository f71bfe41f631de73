from thanhhoa_kpi.api import customfields_api


def register(router):
    router.register("custom-fields", customfields_api.FieldDefinitionViewSet, basename="custom-field")
