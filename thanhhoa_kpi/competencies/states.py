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

from thanhhoa_kpi.workflow import tags as workflow_tags
from thanhhoa_kpi.workflow.models import DocType

DOCTYPE = DocType.COMPETENCY_ASSESSMENT.value
SELF_ASSESSMENT = "self_assessment"
REVIEW = "review"
APPROVED = "approved"
TAGS = (SELF_ASSESSMENT, REVIEW, APPROVED)


def tagged_q(tag: str, prefix: str = "") -> Q:
    """Assessments (``prefix`` = the path to one, e.g. ``assessment__``) in a state their
    own definition tags ``tag``."""
    return workflow_tags.tagged_q(DOCTYPE, tag, prefix=prefix)


def has_tag(assessment: Any, tag: str) -> bool:
    """Whether ``assessment`` now stands in a state its own definition tags ``tag``."""
    return workflow_tags.has_tag(assessment, tag)
