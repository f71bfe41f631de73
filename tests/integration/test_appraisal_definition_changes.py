"""Any APPRAISAL definition the desk accepts keeps the appraisal's rules (issue 10, item 2).

What a transition does is declared in the definition (effects, state tags, deadlines) and
kept by the contract the appraisal app registers. These tests change the definition the
way a province HR admin would (an added deputy step saved in the desk, renamed states, a
removed step) and walk an appraisal through it: self-assessment is still required,
scoring still happens, reminders still find the waiting step, the quota guards still
bind publication, and a published result stays frozen. A definition that drops a rule
is refused in the desk, naming the transition and what it lacks.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from tests.factories.appraisals import appraisal_of, month_period, opened, prepare_appraisals, self_assess
from tests.factories.workflow import definition_in_force, with_deputy_review
from thanhhoa_kpi.appraisals import states
from thanhhoa_kpi.appraisals.choices import ScoreStatus
from thanhhoa_kpi.appraisals.models import Appraisal
from thanhhoa_kpi.appraisals.services import appraisal_score, period_publish_unit
from thanhhoa_kpi.core.errors import Conflict, ValidationFailed
from thanhhoa_kpi.workflow.models import WorkflowDefinition
from thanhhoa_kpi.workflow.services import workflow_definition_approve, workflow_transition

pytestmark = pytest.mark.django_db

DEADLINES = {
    "self_assessment_deadline": date(2026, 10, 5),
    "unit_review_deadline": date(2026, 10, 10),
    "approval_deadline": date(2026, 10, 15),
}


def current() -> WorkflowDefinition:
    found = WorkflowDefinition.objects.current("APPRAISAL")
    assert found is not None
    return found


def body_of(row: WorkflowDefinition) -> dict[str, Any]:
    return copy.deepcopy({key: row.definition[key] for key in ("states", "transitions")})


def save_in_desk(client: Any, cast: Any, body: dict[str, Any]) -> Any:
    row = current()
    client.force_login(cast.province_hr)
    return client.post(
        f"/admin/workflow/workflowdefinition/{row.pk}/change/",
        {"name": row.name, "definition": json.dumps(body, ensure_ascii=False), "_save": "1"},
    )


def october(cast: Any) -> Appraisal:
    return appraisal_of(cast.official, opened(cast, month_period(cast, year=2026, month=10, **DEADLINES)))


def test_an_added_deputy_step_saved_in_the_desk_keeps_self_assessment_scoring_reminders_and_freezing(cast, client):
    prepare_appraisals()
    response = save_in_desk(client, cast, with_deputy_review(body_of(current())))
    assert response.status_code == 302, response.content.decode()[:2000]
    proposed = WorkflowDefinition.objects.get(code="APPRAISAL", version=2)
    workflow_definition_approve(proposal=proposed, by=cast.sysadmin)
    appraisal = october(cast)
    assert appraisal.workflow_id == proposed.pk

    # Not self-assessed: the official cannot send it on, into the new step or anywhere.
    with pytest.raises(ValidationFailed) as refused:
        workflow_transition(document=appraisal, action="submit", user=cast.official)
    assert refused.value.code == "SELF_ASSESSMENT_INCOMPLETE"
    assert Appraisal.objects.get(pk=appraisal.pk).state == "DRAFT"

    self_assess(appraisal, cast.official)
    workflow_transition(document=appraisal, action="submit", user=cast.official)
    appraisal.refresh_from_db()
    assert appraisal.state == "DEPUTY_REVIEW"
    assert appraisal.score_status != ScoreStatus.NOT_SCORED  # scored on leaving the draft
    # Reminders: the new step waits on the unit's review deadline.
    assert appraisal.workflow_deadline() == DEADLINES["unit_review_deadline"]
    assert appraisal in Appraisal.workflow_due(until=DEADLINES["unit_review_deadline"])
    assert appraisal not in Appraisal.workflow_due(until=date(2026, 10, 9))

    workflow_transition(document=appraisal, action="forward", user=cast.deputy)
    workflow_transition(document=appraisal, action="approve", user=cast.head)
    appraisal.refresh_from_db()
    assert appraisal.state == "HOME_AFFAIRS" and states.awaits_approval(appraisal)
    assert all(line.reviewer_score == line.self_score for line in appraisal.criteria.all())

    workflow_transition(document=appraisal, action="publish", user=cast.authority)
    appraisal.refresh_from_db()
    assert appraisal.published_at is not None
    assert appraisal.final_classification == appraisal.proposed_classification
    with pytest.raises(Conflict) as frozen:
        appraisal_score(appraisal=appraisal, user=cast.authority)
    assert frozen.value.code == "APPRAISAL_PUBLISHED"


def renamed(body: dict[str, Any]) -> dict[str, Any]:
    """HOME_AFFAIRS → SO_NOI_VU and PUBLISHED → CONG_KHAI, everywhere they are named."""
    names = {"HOME_AFFAIRS": "SO_NOI_VU", "PUBLISHED": "CONG_KHAI"}
    for entry in body["states"]:
        entry["code"] = names.get(entry["code"], entry["code"])
    for entry in body["transitions"]:
        entry["from"] = [names.get(code, code) for code in entry["from"]]
        entry["to"] = names.get(entry["to"], entry["to"])
    return body


def test_renamed_states_keep_publication_the_quota_guards_and_the_frozen_result(cast):
    prepare_appraisals()
    row = current()
    definition_in_force(code=row.code, name=row.name, doctype=row.doctype, definition=renamed(body_of(row)))
    appraisal = october(cast)
    self_assess(appraisal, cast.official)
    workflow_transition(document=appraisal, action="submit", user=cast.official)
    workflow_transition(document=appraisal, action="approve", user=cast.head)
    appraisal.refresh_from_db()
    assert appraisal.state == "SO_NOI_VU"

    # The authority's batch publication finds it by its tag, not by a state code.
    outcome = period_publish_unit(period=appraisal.period, unit=appraisal.unit, user=cast.authority)
    assert appraisal.pk in [row.pk for row in outcome.published]
    appraisal.refresh_from_db()
    assert appraisal.state == "CONG_KHAI" and states.is_published(appraisal) and appraisal.published_at
    with pytest.raises(Conflict):
        appraisal_score(appraisal=appraisal, user=cast.authority)

    workflow_transition(document=appraisal, action="reopen", user=cast.authority, comment="Sai sót điểm.")
    appraisal.refresh_from_db()
    assert (appraisal.state, appraisal.final_classification, appraisal.published_at) == ("UNIT_REVIEW", "", None)


def without_unit_review(body: dict[str, Any]) -> dict[str, Any]:
    """The draft goes straight to the authority: the submit must now do what approving did."""
    body["states"] = [entry for entry in body["states"] if entry["code"] != "UNIT_REVIEW"]
    body["transitions"] = [entry for entry in body["transitions"] if "UNIT_REVIEW" not in entry["from"]]
    for entry in body["transitions"]:
        if entry["action"] == "submit":
            entry["to"] = "HOME_AFFAIRS"
        if entry["action"] == "reopen":
            entry["to"] = "DRAFT"
    return body


def test_a_removed_review_step_is_refused_until_the_submit_takes_on_the_reviewers_effects(cast, client):
    prepare_appraisals()
    body = without_unit_review(body_of(current()))
    response = save_in_desk(client, cast, body)
    assert response.status_code == 200
    page = response.content.decode()
    assert "«submit»" in page and "«accept_self_scores»" in page
    assert WorkflowDefinition.objects.filter(code="APPRAISAL").count() == 1

    submit = next(entry for entry in body["transitions"] if entry["action"] == "submit")
    submit["effects"] = ["require_self_assessment", "accept_self_scores", "score"]
    row = current()
    definition_in_force(code=row.code, name=row.name, doctype=row.doctype, definition=body)
    appraisal = october(cast)
    self_assess(appraisal, cast.official)
    workflow_transition(document=appraisal, action="submit", user=cast.official)
    appraisal.refresh_from_db()
    assert appraisal.state == "HOME_AFFAIRS"
    assert all(line.reviewer_score == line.self_score for line in appraisal.criteria.all())
    assert appraisal.score_status != ScoreStatus.NOT_SCORED


@pytest.mark.parametrize(
    ("action", "key", "drop", "missing"),
    [
        ("submit", "effects", "require_self_assessment", "«require_self_assessment»"),
        ("approve", "effects", "score", "«score»"),
        ("publish", "guards", "QUOTA_HOLDS", "«QUOTA_HOLDS»"),
        ("publish", "effects", "publish", "«publish»"),
        ("reopen", "effects", "unpublish", "«unpublish»"),
    ],
)
def test_the_desk_refuses_a_definition_that_drops_a_rule(cast, client, action, key, drop, missing):
    prepare_appraisals()
    body = body_of(current())
    for entry in body["transitions"]:
        if entry["action"] == action:
            entry[key].remove(drop)
    response = save_in_desk(client, cast, body)
    assert response.status_code == 200
    assert f"«{action}»" in response.content.decode() and missing in response.content.decode()
    assert WorkflowDefinition.objects.filter(code="APPRAISAL").count() == 1
