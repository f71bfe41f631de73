from thanhhoa_kpi.api import reports_api


def register(router):
    router.register("reports", reports_api.SavedReportViewSet, basename="report")
