"""What the states of an appraisal's workflow mean, asked of the definition's tags.

The APPRAISAL definitions an HR admin edits in the desk name their states freely; what
the rest of the app needs to know ("waiting for the bloc authority", "published") is a
tag the definition puts on a state (``fixtures/base/workflows.json``), kept by the
contract registered in :mod:`thanhhoa_kpi.appraisals.services.transitions`. Each
appraisal keeps the definition version it started with, so filters are built per
version: ``(workflow = v, state in v's tagged states)`` or'ed together.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from thanhhoa_kpi.appraisals.choices import DOCTYPE
from thanhhoa_kpi.workflow import tags as workflow_tags
from thanhhoa_kpi.workflow.engine import find_state
from thanhhoa_kpi.workflow.models import WorkflowDefinition

# The tags (ND 335/2025/NĐ-CP Điều 18, 19: self-assessment, the unit's review, the
# authority's decision and publication).
SELF_ASSESSMENT = "self_assessment"
APPROVAL = "approval"
PUBLISHED = "published"
TAGS = (SELF_ASSESSMENT, APPROVAL, PUBLISHED)

# The deadline a state may name, and the period's date that holds it.
DEADLINE_FIELDS = {
    "self_assessment": "self_assessment_deadline",
    "unit_review": "unit_review_deadline",
    "approval": "approval_deadline",
}


def _definitions() -> list[WorkflowDefinition]:
    return list(WorkflowDefinition.objects.filter(doctype=DOCTYPE))


# Matches no appraisal, without the EmptyResultSet an empty ``pk__in`` raises inside
# aggregate filters: the start of every "or" built below.
_NOTHING = Q(pk__isnull=True)


def tagged_q(*tags: str) -> Q:
    """Appraisals in a state their own definition tags with any of ``tags``."""
    return workflow_tags.tagged_q(DOCTYPE, *tags)


def has_tag(appraisal: Any, tag: str) -> bool:
    """Whether ``appraisal`` now stands in a state its own definition tags ``tag``."""
    return workflow_tags.has_tag(appraisal, tag)


def is_published(appraisal: Any) -> bool:
    return has_tag(appraisal, PUBLISHED)


def awaits_approval(appraisal: Any) -> bool:
    return has_tag(appraisal, APPROVAL)


def deadline_of(appraisal: Any) -> Any:
    """The period's deadline for the step the appraisal waits in; None when it names none."""
    state = find_state(appraisal.workflow.parsed(), appraisal.state)
    field = DEADLINE_FIELDS.get(state.deadline) if state else None
    return getattr(appraisal.period, field) if field else None


def due_q(until: Any) -> Q:
    """Appraisals whose current step's deadline falls on or before ``until``."""
    found = _NOTHING
    for definition in _definitions():
        for state in definition.parsed().states:
            field = DEADLINE_FIELDS.get(state.deadline)
            if field:
                found |= Q(workflow_id=definition.pk, state=state.code, **{f"period__{field}__lte": until})
    return found
