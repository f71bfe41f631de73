"""The API's filter backend (api/filtering.py): django-filter's answers, its class built once."""

from __future__ import annotations

import pytest
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tests.factories.worklogs import log
from thanhhoa_kpi.api.filtering import FilterBackend
from thanhhoa_kpi.api.worklogs_api import WorkLogViewSet
from thanhhoa_kpi.worklogs.models import WorkLogLine

pytestmark = pytest.mark.django_db


def _view(query: str) -> tuple[WorkLogViewSet, Request]:
    request = Request(APIRequestFactory().get(f"/api/v1/worklogs/{query}"))
    view = WorkLogViewSet(action="list", request=request, format_kwarg=None)
    return view, request


@pytest.mark.parametrize("query", ["", "?status=DRAFT", "?status=REVIEWED", "?date__gte=2000-01-01", "?ordering=date"])
def test_the_backend_filters_as_django_filter_does(cast, work, query):
    log(cast.official, work.culture)
    log(cast.colleague, work.sport)
    view, request = _view(query)
    rows = WorkLogLine.objects.order_by("pk")
    ours = list(FilterBackend().filter_queryset(request, rows, view))
    theirs = list(DjangoFilterBackend().filter_queryset(request, rows, view))
    assert ours == theirs
    assert len(ours) >= (0 if "REVIEWED" in query else 1)


def test_a_bad_filter_value_is_still_refused(cast, work):
    from rest_framework.exceptions import ValidationError

    view, request = _view("?date=not-a-date")
    with pytest.raises(ValidationError):
        FilterBackend().filter_queryset(request, WorkLogLine.objects.all(), view)


def test_the_filter_set_class_is_built_once_per_view(cast):
    view, _ = _view("")
    first = FilterBackend().get_filterset_class(view, WorkLogLine.objects.all())
    again = FilterBackend().get_filterset_class(_view("?status=DRAFT")[0], WorkLogLine.objects.all())
    assert first is again and "status" in first.base_filters
    assert DjangoFilterBackend().get_filterset_class(view, WorkLogLine.objects.all()) is not first
