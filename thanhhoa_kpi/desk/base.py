"""The base admin class of the desk: scoped rows, history, unfold look."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.errors import DomainError
from thanhhoa_kpi.core.search import folded_lookups
from thanhhoa_kpi.desk.history import ReadOnlyHistoryMixin
from thanhhoa_kpi.desk.numbers import DECIMAL_INPUTS


class FoldedSearchMixin:
    """The list search and the autocompletes of a page ignore accents and case, đ = d.

    Django's search uses an entry that names its lookup as it is, so the text fields of
    ``search_fields`` are handed to it with :mod:`thanhhoa_kpi.core.search`'s
    ``fold_contains`` instead of its ``icontains``. The rest of Django's search (terms
    split on spaces, quoted phrases, every term in some field, duplicate detection) is
    unchanged; callers other than the search only test whether the list is empty.
    """

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        fields = super().get_search_fields(request)  # type: ignore[misc]
        return folded_lookups(self.model, fields)  # type: ignore[attr-defined]


class ScopedAdmin(FoldedSearchMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin, ModelAdmin):
    """Lists and forms see only the caller's scope; writes need a writable scope too.

    History is a read-only timeline of rows in that scope (:mod:`thanhhoa_kpi.desk.history`):
    simple-history's per-version form, which saved what was posted, is never served.
    """

    list_per_page = 50
    list_filter_submit = True
    formfield_overrides = DECIMAL_INPUTS  # "4,5", not a number box showing "4.50"
    compressed_fields = True
    warn_unsaved_form = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return access.scoped(super().get_queryset(request), request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or access.can_change(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or access.can_change(request.user, obj)

    def report_domain_error(self, request: HttpRequest, error: DomainError) -> None:
        """The one place where a domain error becomes a desk message."""
        details = "; ".join(f"{e.field}: {e.message}" for e in error.errors)
        self.message_user(request, f"{error.message} {details}".strip(), level=messages.ERROR)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        # Scoped models offer only rows in the caller's scope; others (e.g. user accounts,
        # which carry no org data) are left to the model permission of the page.
        if field is not None and hasattr(field, "queryset") and access.is_registered(field.queryset.model):
            field.queryset = access.scoped(field.queryset, request.user)
        return field
