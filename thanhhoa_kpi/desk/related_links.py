"""A read-only foreign key on a desk form links only to a page its reader may open.

Django's admin, and unfold after it, draw a read-only foreign key as a link to the related
row's change page whenever that page exists, whoever reads the form: an official reading
their assignment was offered «demo_head» as a link to the account page, which only a system
administrator opens (403), and a catalogue owned by a unit outside the reader's scope linked
to that unit («không tồn tại»). Django draws the field with no request at hand, so
:class:`DeskRequestMiddleware` keeps the request being answered (the page is drawn before it
returns) and :func:`install` (run from ``DeskConfig.ready()``) hands both read-only field
classes a ``get_admin_url`` that links only when the related page's own admin would show the
row to that user: its view or change permission and its scoped queryset. Otherwise the
name is shown as text.

tests/desk/test_dead_links.py follows every link of every page each persona opens.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.contrib.admin import helpers
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import quote
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from unfold.fields import UnfoldAdminReadonlyField

from thanhhoa_kpi.core.memo import remembered

_REQUEST: ContextVar[HttpRequest | None] = ContextVar("kpi_desk_request", default=None)


class DeskRequestMiddleware:
    """Keeps the request for the read-only fields drawn while answering it."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        token = _REQUEST.set(request)
        try:
            return self.get_response(request)  # a TemplateResponse is drawn before this returns
        finally:
            _REQUEST.reset(token)


def may_open(request: HttpRequest, site: Any, obj: Model) -> bool:
    """Whether ``request.user`` may open ``obj``'s change page on ``site`` (once per row and request)."""
    key = ("desk_may_open", request.user.pk, obj._meta.label, obj.pk)
    return remembered(key, lambda: _may_open(request, site, obj))


def _may_open(request: HttpRequest, site: Any, obj: Model) -> bool:
    try:
        related = site.get_model_admin(type(obj))
    except NotRegistered:
        return False
    if not related.has_view_or_change_permission(request, obj):
        return False
    rows = related.get_queryset(request)
    if not rows.query.has_filters():  # the page lists every row (reference data): no query
        return True
    return bool(rows.filter(pk=obj.pk).exists())


def _scoped(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_admin_url(self: Any, remote_field: Any, remote_obj: Model) -> Any:
        request = _REQUEST.get()
        if request is None:  # drawn outside a request (a form rendered by hand)
            return original(self, remote_field, remote_obj)
        site = self.model_admin.admin_site
        if not may_open(request, site, remote_obj):
            return str(remote_obj)  # text: the caller escapes it
        meta = remote_obj._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[quote(remote_obj.pk)],
                      current_app=site.name)  # fmt: skip
        return format_html('<a href="{}" class="text-link">{}</a>', url, str(remote_obj))

    get_admin_url.scoped = True  # type: ignore[attr-defined]
    return get_admin_url


def install() -> None:
    for cls in (helpers.AdminReadonlyField, UnfoldAdminReadonlyField):
        method = cls.__dict__["get_admin_url"]
        if not getattr(method, "scoped", False):
            cls.get_admin_url = _scoped(method)  # type: ignore[method-assign]
