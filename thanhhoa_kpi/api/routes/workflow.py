"""Workflow endpoints: ``inbox/``, ``notifications/``, ``job-descriptions/`` (+ transition, history)."""

from django.urls import path

from thanhhoa_kpi.api import workflow_api


def register(router):
    router.register("job-descriptions", workflow_api.JobDescriptionViewSet, basename="job-description")
    router.register("notifications", workflow_api.NotificationViewSet, basename="notification")


urlpatterns = [
    path("inbox/", workflow_api.InboxView.as_view(), name="inbox"),
]
