"""What the states of a competency assessment's workflow mean, asked of the definition's tags.

The COMPETENCY_ASSESSMENT definitions a province admin edits in the desk name their states
freely; what the rest of the app needs to know ("the official rates themself here", "the
reviewer rates here", "approved") is a tag the definition puts on a state
(``fixtures/base/workflows.json``), kept by the contract registered in
:mod:`thanhhoa_kpi.competencies.transitions`. Each assessment keeps the definition
version it started with, so filters are built per version.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from thanhhoa_kpi.workflow.engine import states_tagged
from thanhhoa_kpi.workflow.models import DocType, WorkflowDefinition

DOCTYPE = DocType.COMPETENCY_ASSESSMENT.value
SELF_ASSESSMENT = "self_assessment"
REVIEW = "review"
APPROVED = "approved"
TAGS = (SELF_ASSESSMENT, REVIEW, APPROVED)

# Matches no row, without the EmptyResultSet an empty ``pk__in`` raises: the start of every "or".
_NOTHING = Q(pk__isnull=True)


def tagged_q(tag: str, prefix: str = "") -> Q:
    """Assessments (``prefix`` = the path to one, e.g. ``assessment__``) in a state their
    own definition tags ``tag``."""
    found = _NOTHING if not prefix else Q(**{f"{prefix}pk__isnull": True})
    for definition in WorkflowDefinition.objects.filter(doctype=DOCTYPE):
        codes = states_tagged(definition.parsed(), tag)
        if codes:
            found |= Q(**{f"{prefix}workflow_id": definition.pk, f"{prefix}state__in": sorted(codes)})
    return found


def has_tag(assessment: Any, tag: str) -> bool:
    """Whether ``assessment`` now stands in a state its own definition tags ``tag``."""
    return assessment.state in states_tagged(assessment.workflow.parsed(), tag)
