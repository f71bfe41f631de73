"""Uploaded files are served only to people who may see the row that holds them.

``MEDIA_URL`` points here, so every ``FileField.url`` and stored custom attachment links to
:func:`download`, which finds the row that references the requested path through the one
door of :mod:`thanhhoa_kpi.accounts.access` and answers 404 when the caller's scope does
not reach it (a guessed path such as ``worklogs/evidence/2026/11/bao-cao.pdf`` reveals
nothing). Files are always sent as downloads with ``nosniff``, so an uploaded document can
never run as a page of this site. ``MEDIA_ROOT`` must not be served by the web server.
Written here because the owner of each path is a project rule no storage library knows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.customfields.registry import HOSTS
from thanhhoa_kpi.customfields.types import ATTACHMENT_PREFIX


def _file_rows(model_label: str, *fields: str) -> Callable[[Any, str], bool]:
    """Paths stored in file fields of a scoped model: visible when one row in scope holds it."""

    def visible(user: Any, name: str) -> bool:
        model = apps.get_model(model_label)
        holds = Q()
        for field_name in fields:
            holds |= Q(**{field_name: name})
        return access.scoped(model._default_manager.filter(holds), user).exists()

    return visible


def _own_catalogue_import(user: Any, name: str) -> bool:
    """An uploaded catalogue workbook: its uploader and system admins only."""
    from thanhhoa_kpi.catalogue.models import CatalogueImport

    rows = CatalogueImport.objects.filter(file=name)
    scope = access.scope_for(user)
    if not scope.is_system_admin:
        rows = rows.filter(created_by=user)
    return rows.exists()


def _custom_attachment(user: Any, name: str) -> bool:
    """``custom/<doctype>/<key>/<file>``: visible with the host row whose value it is."""
    parts = name[len(ATTACHMENT_PREFIX) :].split("/")
    if len(parts) < 3 or parts[0] not in HOSTS or not parts[1].isidentifier():
        return False
    model = HOSTS[parts[0]]
    return access.scoped(model._default_manager.filter(**{f"custom__{parts[1]}": name}), user).exists()


OWNERS: tuple[tuple[str, Callable[[Any, str], bool]], ...] = (
    ("worklogs/evidence/", _file_rows("worklogs.WorkLogLine", "evidence")),
    ("worklogs/exemptions/", _file_rows("worklogs.WorkLogLine", "exemption_attachment")),
    ("appraisals/disqualifiers/", _file_rows("appraisals.AppraisalDisqualifier", "attachment")),
    ("catalogue_imports/", _own_catalogue_import),
    (ATTACHMENT_PREFIX, _custom_attachment),
)


def may_download(user: Any, name: str) -> bool:
    if ".." in name.split("/") or name.startswith("/"):
        return False
    for prefix, visible in OWNERS:
        if name.startswith(prefix):
            return visible(user, name)
    return False  # a path no row owns is nobody's to read


@require_safe
@never_cache
@login_required
def download(request: HttpRequest, name: str) -> FileResponse:
    if not may_download(request.user, name) or not default_storage.exists(name):
        raise Http404("Không tìm thấy tệp hoặc bạn không có quyền tải tệp này.")
    response = FileResponse(default_storage.open(name, "rb"), as_attachment=True, filename=name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
