"""``POST /api/v1/scoring/preview`` and ``/quota-preview``: SPEC 5.8 and 5.9.

The raw body goes to the engine's own JSON reader so that the command and the endpoint
refuse exactly the same inputs (malformed JSON, duplicate keys, NaN) with the same body.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from thanhhoa_kpi.appraisals.rulesets import rule_sets_current
from thanhhoa_kpi.scoring import ScoringInputError, parse_json_text, quota_preview, score_preview


def _run(request: Request, compute: Any) -> Response:
    try:
        result = compute(parse_json_text(request.body), rule_sets_current())
    except ScoringInputError as exc:
        return Response(exc.as_dict(), status=400)
    return Response(result)


@extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
@api_view(["POST"])
def preview(request: Request) -> Response:
    return _run(request, score_preview)


@extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
@api_view(["POST"])
def quota(request: Request) -> Response:
    return _run(request, quota_preview)
