"""Inbound events of the e-office and one-stop-shop systems, and the officials' proposals
(issue 15, item 2; docs/integrations.md)."""

from django.urls import path

from thanhhoa_kpi.api import integrations_api


def register(router):
    router.register("integration-proposals", integrations_api.ProposalViewSet, basename="integration-proposal")


urlpatterns = [
    # str, not slug: an unknown code (whatever its spelling) is answered 404 UNKNOWN_SOURCE.
    path("integrations/<str:source>/events/", integrations_api.InboundEventView.as_view(), name="integration-events"),
]
