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
    _the_two_models_the_matrix_leaves_empty(cast)
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
    assert without_rows == []  # every serializer compared on rows of its own
    assert compared >= 80


def _the_two_models_the_matrix_leaves_empty(cast) -> None:
    """A competency's proficiency level, and a workflow history line written by the real transition."""
    from tests.factories.appraisals import self_assess
    from thanhhoa_kpi.appraisals.models import Appraisal
    from thanhhoa_kpi.competencies.models import Competency, ProficiencyLevel
    from thanhhoa_kpi.workflow.services import available_actions, workflow_transition

    ProficiencyLevel.objects.create(competency=Competency.objects.first(), level=1, description="Biết cơ bản")
    appraisal = self_assess(Appraisal.objects.get(official=cast.official_of(cast.official)), cast.official)
    action = available_actions(document=appraisal, user=cast.official)[0]
    workflow_transition(document=appraisal, action=action[0], user=cast.official, comment="Gửi phiếu")


def test_a_plan_reads_plain_columns_and_foreign_key_ids_directly():
    from thanhhoa_kpi.api.worklogs_api import WorkLogLineSerializer

    plan = {name: (attname, field) for name, attname, field in fastread.read_plan(WorkLogLineSerializer())}
    assert plan["official"] == ("official_id", None)  # the stored id, no PKOnlyObject
    assert plan["quantity"][0] == "quantity" and plan["quantity"][1] is not None
    assert plan["evidence"][0] is None  # a file: DRF's own path
    assert plan["custom"][0] == "custom"
