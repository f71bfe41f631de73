from django.urls import re_path

from thanhhoa_kpi.api import scoring_api


def register(router):
    """No viewsets: the previews are plain endpoints (``urlpatterns``)."""


urlpatterns = [
    re_path(r"^scoring/preview/?$", scoring_api.preview, name="scoring-preview"),
    re_path(r"^scoring/quota-preview/?$", scoring_api.quota, name="scoring-quota-preview"),
]
