from django.urls import include, path
from rest_framework.routers import DefaultRouter

from thanhhoa_kpi.api import views

router = DefaultRouter(trailing_slash=True)
router.register("org-units", views.OrgUnitViewSet, basename="org-unit")
router.register("officials", views.OfficialViewSet, basename="official")
router.register("positions", views.JobPositionViewSet, basename="position")
router.register("competency-frameworks", views.CompetencyFrameworkViewSet, basename="competency-framework")

urlpatterns = [
    path("auth/token/", views.auth_token, name="auth-token"),
    path("me/", views.me, name="me"),
    path("", include(router.urls)),
]
