"""Work endpoints: assignments, work logs and their review, live score, hours summary."""

from django.urls import path

from thanhhoa_kpi.api import worklogs_api

urlpatterns = [
    path("worklogs/live-score/", worklogs_api.live_score, name="worklog-live-score"),
    path("me/score/", worklogs_api.live_score, name="me-score"),
    path("worklogs/hours/", worklogs_api.hours_summary, name="worklog-hours"),
]


def register(router):
    router.register("work-periods", worklogs_api.WorkPeriodViewSet, basename="work-period")
    router.register("assignments", worklogs_api.AssignmentViewSet, basename="assignment")
    router.register("worklogs", worklogs_api.WorkLogViewSet, basename="worklog")
