"""The desk: one unfold admin site that every signed-in user may enter.

Unlike Django's default, entry does not depend on ``is_staff``: an official uses the
desk too, and what each person sees is scoped by :mod:`thanhhoa_kpi.accounts.access`.
"""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models.base import ModelBase
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from unfold.dataclasses import SearchResult
from unfold.sites import UnfoldAdminSite

from thanhhoa_kpi.accounts.access import scope_for
from thanhhoa_kpi.core.search import fold
from thanhhoa_kpi.desk.history import ReadOnlyHistoryMixin, history_views_are_read_only
from thanhhoa_kpi.desk.login import DeskLoginForm, SecondFactorView, desk_login


def _refuse_writes_to_log_view(model_admin: Any) -> None:
    """Pages without simple-history keep Django's change-log view, which reads only; it
    answers 405 to anything but GET/HEAD so that no page's history ever takes a POST, and
    draws with the desk's template (full names, local time)."""
    if isinstance(model_admin, ReadOnlyHistoryMixin):
        return
    # Full names and Việt Nam time, like the desk's own timelines (Django's shows logins).
    model_admin.object_history_template = model_admin.object_history_template or "desk/object_history.html"
    log_view = model_admin.history_view

    def history_view(request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return log_view(request, object_id, extra_context)

    model_admin.history_view = history_view


class DeskSite(UnfoldAdminSite):
    site_header = "Hệ thống đánh giá KPI CBCCVC tỉnh Thanh Hóa"
    site_title = "KPI Thanh Hóa"
    index_title = "Bàn làm việc"
    login_form = DeskLoginForm
    login_template = "desk/login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_staff or scope_for(user).roles))

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Username and password; accounts with a two-factor device go on to ``login_code``."""
        return desk_login(self, request, extra_context)

    def register(self, model_or_iterable, admin_class=None, **options) -> None:  # type: ignore[no-untyped-def]
        """Refuse a page whose history views are not the desk's read-only, scoped ones
        (simple-history's own form saves what is posted back: issue 9, finding 1)."""
        super().register(model_or_iterable, admin_class, **options)
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        for model in models:
            model_admin = self._registry[model]
            _refuse_writes_to_log_view(model_admin)
            if not history_views_are_read_only(model_admin):
                self.unregister(model)
                raise ImproperlyConfigured(
                    f"{type(model_admin).__name__}: a desk page with history must use "
                    "thanhhoa_kpi.desk.history.ReadOnlyHistoryMixin (e.g. through ScopedAdmin)."
                )

    def _search_apps(self, app_list: list[dict[str, Any]], search_term: str) -> list[SearchResult]:
        """The sidebar search, ignoring accents and case, đ = d ("danh muc" finds "Danh mục").

        Unfold compares the lower-cased term with the names; the sections and pages are
        chosen here on folded names, and unfold (given an empty term, which every name
        contains) builds its results from them, with their names as written.
        """
        term = fold(search_term)
        found = []
        for app in app_list:
            if term in fold(str(app["name"])):
                found.append(app)
                continue
            models = [model for model in app["models"] if term in fold(str(model["name"]))]
            if models:
                found.append({**app, "models": models})
        return super()._search_apps(found, "")

    def get_urls(self) -> list[URLPattern]:
        # Django's "view on site" shortcut (r/<content type>/<pk>/) loads a row of ANY model
        # without scope; the desk's answers only for rows the caller's page lists.
        urls = [url for url in super().get_urls() if getattr(url, "name", None) != "view_on_site"]
        shortcut = path(
            "r/<int:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site"
        )
        # Step 2 of the login: only a session waiting for its code gets this page.
        second_factor = path("login/code/", SecondFactorView.as_view(site=self), name="login_code")
        return [shortcut, second_factor, *urls]

    def view_on_site(self, request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
        """Redirect to a row's public page, only for a row of a desk page the caller may see."""
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type else None
        model_admin = self._registry.get(model) if model else None
        if model_admin is None:
            raise Http404("Không tìm thấy bản ghi.")
        try:
            obj = model_admin.get_queryset(request).filter(pk=object_id).first()
        except (ValueError, ValidationError):
            obj = None
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            raise Http404("Không tìm thấy bản ghi hoặc bạn không có quyền xem.")
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
        # A page of this site only, never an open redirect elsewhere.
        if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
            raise Http404("Bản ghi này không có trang xem riêng.")
        return HttpResponseRedirect(url)


desk_site = DeskSite(name="admin")
