"""The API's cheaper row reading (api/fastread.py) gives DRF's own output, for every
serializer of the API, on the access matrix's real rows (every model the API shows)."""

from __future__ import annotations

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

import thanhhoa_kpi.api.urls  # noqa: F401  (imports every serializer of the API)
from tests.security.matrix_data import build_rows
from thanhhoa_kpi.api import fastread

pytestmark = pytest.mark.django_db


def _every_serializer() -> list[type[fastread.ModelSerializer]]:
    found, todo = [], list(fastread.ModelSerializer.__subclasses__())
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo += kind.__subclasses__()
    return sorted(set(found), key=lambda kind: kind.__qualname__)


def test_every_api_serializer_reads_rows_as_drf_does(cast, work):
    from rest_framework.request import Request

    from tests.security.policy import PERSONAS

    build_rows(cast, work, {name: None if name == "anonymous" else getattr(cast, name) for name in PERSONAS})
    wsgi = APIRequestFactory().get("/api/v1/")
    wsgi.user = cast.sysadmin
    request = Request(wsgi)
    request.user = cast.sysadmin
    compared, without_rows = 0, []
    for kind in _every_serializer():
        rows = list(kind.Meta.model._default_manager.all()[:20])
        if not rows:
            without_rows.append(kind.__qualname__)
            continue
        serializer = kind(context={"request": request})
        for row in rows:
            fast = fastread.ModelSerializer.to_representation(serializer, row)
            drf = serializers.ModelSerializer.to_representation(serializer, row)
            assert fast == drf, f"{kind.__qualname__} #{row.pk}"
            assert list(fast) == list(drf), f"{kind.__qualname__} #{row.pk}: key order"
            compared += 1
    assert len(_every_serializer()) >= 20
    # Every serializer but a handful had rows to read (the matrix makes one of each model).
    assert len(without_rows) <= 3, without_rows
    assert compared >= 80


def test_a_plan_reads_plain_columns_and_foreign_key_ids_directly():
    from thanhhoa_kpi.api.worklogs_api import WorkLogLineSerializer

    plan = {name: (attname, field) for name, attname, field in fastread.read_plan(WorkLogLineSerializer())}
    assert plan["official"] == ("official_id", None)  # the stored id, no PKOnlyObject
    assert plan["quantity"][0] == "quantity" and plan["quantity"][1] is not None
    assert plan["evidence"][0] is None  # a file: DRF's own path
    assert plan["custom"][0] == "custom"
