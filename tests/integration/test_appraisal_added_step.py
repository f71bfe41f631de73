"""The province HR admin adds a deputy pre-review step to the appraisal workflow in the desk, without
code (approved by a second admin); appraisals opened afterwards follow it, earlier ones keep their version (issue 5)."""

import json

import pytest

from tests.factories.appraisals import appraisal_of, month_period, opened, prepare_appraisals, self_assess
from tests.factories.workflow import with_deputy_review
from thanhhoa_kpi.appraisals.models import Appraisal
from thanhhoa_kpi.workflow.models import WorkflowDefinition
from thanhhoa_kpi.workflow.services import available_actions, workflow_definition_approve, workflow_transition

pytestmark = pytest.mark.django_db


def test_new_appraisals_follow_a_step_added_in_the_desk(cast, client):
    prepare_appraisals()
    before = appraisal_of(cast.official, opened(cast, month_period(cast, year=2026, month=9)))
    v1 = WorkflowDefinition.objects.current("APPRAISAL")

    client.force_login(cast.province_hr)  # a province-wide definition: province admins only
    body = json.dumps(with_deputy_review(v1.definition), ensure_ascii=False)
    response = client.post(
        f"/admin/workflow/workflowdefinition/{v1.pk}/change/", {"name": v1.name, "definition": body, "_save": "1"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    proposed = WorkflowDefinition.objects.get(code="APPRAISAL", version=v1.version + 1)
    workflow_definition_approve(proposal=proposed, by=cast.sysadmin)  # a second admin puts it in force
    v2 = WorkflowDefinition.objects.current("APPRAISAL")
    assert v2 == proposed

    after = appraisal_of(cast.official, opened(cast, month_period(cast, year=2026, month=10)))
    assert (before.workflow_id, after.workflow_id) == (v1.pk, v2.pk)
    for appraisal in (before, after):
        self_assess(appraisal, cast.official)
        workflow_transition(document=appraisal, action="submit", user=cast.official)
    assert Appraisal.objects.get(pk=before.pk).state == "UNIT_REVIEW"
    after.refresh_from_db()
    assert after.state == "DEPUTY_REVIEW"
    assert [a.action for a in available_actions(document=after, user=cast.head)] == []
    assert "forward" in [a.action for a in available_actions(document=after, user=cast.deputy)]
    workflow_transition(document=after, action="forward", user=cast.deputy)
    assert Appraisal.objects.get(pk=after.pk).state == "UNIT_REVIEW"
