"""The API's ``?search=``: DRF's search filter, ignoring accents and case (đ = d).

Text fields of a view's ``search_fields`` are searched with ``fold_contains``
(:mod:`thanhhoa_kpi.core.search`); prefixed entries (``^``, ``=``, ``@``, ``$``) and
other fields keep DRF's own lookups.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.filters import SearchFilter

from thanhhoa_kpi.core.search import folded_lookup


class FoldedSearchFilter(SearchFilter):
    def construct_search(self, field_name: str, queryset: QuerySet) -> Any:
        return super().construct_search(folded_lookup(queryset.model, field_name), queryset)
