from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerView

from thanhhoa_kpi.desk.sites import desk_site


def schema_file(request: HttpRequest) -> FileResponse:
    """The OpenAPI schema generated at build time (``make schema``), never per request."""
    return FileResponse(open(settings.SCHEMA_FILE, "rb"), content_type="application/vnd.oai.openapi")


urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", desk_site.urls),
    path("api/v1/", include("thanhhoa_kpi.api.urls")),
    path("api/schema/", schema_file, name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("django-rq/", include("django_rq.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
