from thanhhoa_kpi.api import views


def register(router):
    router.register("org-units", views.OrgUnitViewSet, basename="org-unit")
    router.register("officials", views.OfficialViewSet, basename="official")
    router.register("positions", views.JobPositionViewSet, basename="position")
    router.register("competency-frameworks", views.CompetencyFrameworkViewSet, basename="competency-framework")
