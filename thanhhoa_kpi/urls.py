from collections.abc import Callable
from functools import wraps
from typing import Any

import django_rq.cron_views
import django_rq.stats_views
import django_rq.views
from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.generic import RedirectView
from django_rq.urls import get_admin_urlpatterns
from django_rq.utils import get_statistics
from drf_spectacular.views import SpectacularSwaggerView
from rq.exceptions import NoSuchJobError

from thanhhoa_kpi.accounts.access import scope_for
from thanhhoa_kpi.core import health
from thanhhoa_kpi.desk import file_downloads
from thanhhoa_kpi.desk.sites import desk_site


def schema_file(request: HttpRequest) -> FileResponse:
    """The OpenAPI schema generated at build time (``make schema``), never per request."""
    return FileResponse(open(settings.SCHEMA_FILE, "rb"), content_type="application/vnd.oai.openapi")


# --- django-rq's dashboard: system admins only, inside the desk ------------------------------
# django-rq checks ``is_staff`` (not how this project grants the system-admin right: roles
# do) and renders with Django's default admin site, which is not mounted here: its app list
# reverses ``admin:app_list`` for apps the desk does not serve, hence the 500 of issue 9.
# The dashboard is mounted here with our check in place of django-rq's, and draws the desk.
def is_system_admin(user: Any) -> bool:
    return scope_for(user).is_system_admin


def _without_staff_check(view: Callable) -> Callable:
    """django-rq's view under its ``staff_member_required`` layer (other checks kept)."""
    current = view
    while hasattr(current, "__wrapped__"):
        code = getattr(current, "__code__", None)
        if code is not None and "user_passes_test" in code.co_qualname:
            return current.__wrapped__
        current = current.__wrapped__
    raise ImproperlyConfigured(f"django-rq view {view.__name__} has no staff check to replace: review it.")


def system_admin_required(view: Callable) -> Callable:
    @never_cache
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not is_system_admin(request.user):
            raise PermissionDenied("Chỉ quản trị hệ thống được xem hàng đợi tác vụ.")
        return view(request, *args, **kwargs)

    return guarded


# django-rq's and Swagger UI's pages carry inline scripts; the rest of the site runs under a
# script-src without 'unsafe-inline' (settings.CONTENT_SECURITY_POLICY), so only these
# third-party pages, which render no stored user text, are let through with it.
allow_inline_scripts = csp_update({"script-src": ["'unsafe-inline'"]})


def _unknown_ids_are_404(view: Callable) -> Callable:
    """django-rq raises on a job, worker or scheduler that does not exist (or on the
    rq-scheduler pages, a package this project does not use): answer 404, not 500."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (NoSuchJobError, ValueError, ImproperlyConfigured) as error:
            raise Http404(f"Không tìm thấy tác vụ, tiến trình hoặc bộ lập lịch: {error}") from None

    return guarded


def system_admin_only(view: Callable) -> Callable:
    """A django-rq page with our check in place of its ``is_staff`` one."""
    return allow_inline_scripts(system_admin_required(_unknown_ids_are_404(_without_staff_check(view))))


@system_admin_required
def rq_stats_json(request: HttpRequest) -> JsonResponse:
    """The dashboard's JSON link (django-rq's own answers to ``is_staff`` or a shared token)."""
    return JsonResponse(get_statistics())


def _desk_context(request: HttpRequest) -> dict[str, Any]:
    return desk_site.each_context(request)


for _module in (django_rq.views, django_rq.stats_views, django_rq.cron_views):
    _module.each_context = _desk_context  # type: ignore[attr-defined]

# The dashboard's pages; django-rq's token-authenticated stats and metrics are not served.
RQ_PATTERNS = (
    [path("stats.json", rq_stats_json, name="home_json"), *get_admin_urlpatterns(view_wrapper=system_admin_only)],
    "django_rq",
)

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", desk_site.urls),
    path("api/v1/", include("thanhhoa_kpi.api.urls")),
    path("api/schema/", schema_file, name="schema"),
    path("api/docs/", allow_inline_scripts(SpectacularSwaggerView.as_view(url_name="schema")), name="swagger-ui"),
    path("django-rq/", include(RQ_PATTERNS)),
    # Uploaded files, each checked against the row that holds it (MEDIA_URL points here).
    path("files/<path:name>", file_downloads.download, name="file-download"),
    # For load balancers and supervisors: liveness and readiness (core/health.py, docs/deployment.md).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
