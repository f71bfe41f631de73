"""Who may do what to a competency assessment, from the org chart and the workflow definition.

- The subject (the official) rates themself, only while the assessment stands in the state
  its definition tags ``self_assessment``, and never rates it as the reviewer.
- The reviewer is whoever the definition lets take a step out of the state tagged
  ``review`` other than the subject (the shipped definition: the head of the official's
  unit, or of the parent unit for a unit head's own assessment, as for appraisals); the
  reviewer rates only while the assessment stands in that state. Adding ``FIELD_DEPUTY``
  to those steps in the desk makes the deputy in charge a reviewer too, without code.
- Assessments are opened for the officials of a unit subtree by an HR admin managing the
  unit, the bloc's authority or a system admin.

Content changes only in a state the definition marks editable.
"""

from __future__ import annotations

from typing import Any

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.competencies import states
from thanhhoa_kpi.competencies.models import CompetencyAssessment
from thanhhoa_kpi.core.actors import is_system
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.workflow.engine import available_transitions, is_editable, states_tagged
from thanhhoa_kpi.workflow.resolvers import actor_for, subject_of

SELF = "self"
REVIEW = "review"


def is_subject(user: Any, assessment: CompetencyAssessment) -> bool:
    owner = assessment.official.user_id
    return user is not None and owner is not None and owner == getattr(user, "pk", None)


def is_reviewer(user: Any, assessment: CompetencyAssessment) -> bool:
    """Someone the definition lets approve or return the assessment (never its subject)."""
    if user is None or not getattr(user, "pk", None) or is_subject(user, assessment):
        return False
    definition = assessment.workflow.parsed()
    subject = subject_of(assessment)
    actor = actor_for(user, subject)
    return any(
        available_transitions(definition, state=state, actor=actor, subject_owner_id=subject.owner_user_id)
        for state in states_tagged(definition, states.REVIEW)
    )


def editable_parts(user: Any, assessment: CompetencyAssessment) -> set[str]:
    """``{"self"}``, ``{"review"}`` or nothing: what the user may rate on the assessment now."""
    if not is_editable(assessment.workflow.parsed(), assessment.state):
        return set()
    if states.has_tag(assessment, states.SELF_ASSESSMENT) and is_subject(user, assessment):
        return {SELF}
    if states.has_tag(assessment, states.REVIEW) and is_reviewer(user, assessment):
        return {REVIEW}
    return set()


def may_open(user: Any, unit: OrgUnit) -> bool:
    """An HR admin managing the unit, the authority of its bloc, a system admin (or a loader)."""
    if is_system(user):
        return True
    return unit.bloc in access.scope_for(user).authority_blocs or access.can_change(user, unit)


def openable_units(user: Any) -> Any:
    """The units the user may open assessments for (the desk's picker)."""
    scope = access.scope_for(user)
    managed = access.writable(OrgUnit.objects.all(), user)
    if scope.authority_blocs:
        managed = managed | OrgUnit.objects.filter(bloc__in=sorted(scope.authority_blocs))
    return managed.distinct()
