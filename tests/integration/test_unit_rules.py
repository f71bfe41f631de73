"""A public service unit's own scoring rules, approved by the bloc authority (issue 14, item 3).

ND 233/2026/NĐ-CP Điều 12 khoản 5: the unit's Quy chế splits the 30 points of the general
criteria between the groups and sets the reduced value of d, đ and e, inside the frame of
the rule set (``params.unit_rules``). The rules go draft → authority → in force on the
UNIT_RULES workflow and, once in force, every path that scores the unit's appraisals (the
opening's lines, one appraisal, the batch) uses them and the explanation cites them.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories.appraisals import appraisal_of, lines, opened, prepare_appraisals, self_assess
from thanhhoa_kpi.appraisals import services
from thanhhoa_kpi.appraisals.models import Appraisal, RuleSet, UnitRules
from thanhhoa_kpi.appraisals.rulesets import current_rule_set, rule_set_params
from thanhhoa_kpi.appraisals.services.scoring import score_locked
from thanhhoa_kpi.appraisals.unit_rules import unit_rules_save
from thanhhoa_kpi.core.errors import Conflict, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.workflow.definition_checks import definition_errors
from thanhhoa_kpi.workflow.models import WorkflowDefinition
from thanhhoa_kpi.workflow.services import workflow_transition

pytestmark = pytest.mark.django_db

REFERENCE = "Quyết định 12/QĐ-PVH ngày 01/12/2026"
WEIGHTS = {"1": "12", "2": "8", "3": "10"}


@pytest.fixture
def team_on_nd233(cast):
    """The cast's team are viên chức: their rule set is ND 233, whose frame lets a unit set its own rules."""
    prepare_appraisals()
    Official.objects.filter(assignments__unit=cast.team).update(rule_set_code="ND233")
    return cast


def _in_force(cast, weights=None, reduced="75", reference=REFERENCE):
    row = unit_rules_save(user=cast.hr, unit=cast.team, reference=reference, weights=weights or WEIGHTS,
                          reduced=reduced)  # fmt: skip
    workflow_transition(document=row, action="submit", user=cast.hr)
    workflow_transition(document=UnitRules.objects.get(pk=row.pk), action="approve", user=cast.authority)
    return UnitRules.objects.get(pk=row.pk)


def _group_maxima(appraisal):
    found = {}
    for line in appraisal.criteria.all():
        found[line.group_code] = found.get(line.group_code, Decimal(0)) + line.max_points
    return found


def test_rules_in_force_after_the_authority_approves_shape_the_lines_the_score_and_the_explanation(team_on_nd233):
    cast = team_on_nd233
    row = unit_rules_save(user=cast.hr, unit=cast.team, reference=REFERENCE, weights=WEIGHTS, reduced="75")
    assert (row.state, row.in_force) == ("DRAFT", False)
    workflow_transition(document=row, action="submit", user=cast.hr)
    period = opened(cast)  # opened while the rules wait for the authority: the rule set's own form
    assert _group_maxima(appraisal_of(cast.official, period)) == {"1": 10, "2": 10, "3": 10}
    workflow_transition(document=UnitRules.objects.get(pk=row.pk), action="approve", user=cast.authority)
    row.refresh_from_db()
    assert (row.state, row.in_force) == ("IN_FORCE", True) and row.approved_at is not None

    # Scoring the appraisal now takes the unit's rules: its lines follow, its copy records them.
    appraisal = score_locked(appraisal_of(cast.official, period))
    assert _group_maxima(appraisal) == {"1": 12, "2": 8, "3": 10}
    assert appraisal.unit_rules_id == row.pk
    assert appraisal.rule_params["unit_rules_applied"]["reference"] == REFERENCE
    assert appraisal.rule_params["unit_criteria_values"]["reduced"] == 75
    full = [str(line.max_points) for line in appraisal.criteria.order_by("order")]
    appraisal = self_assess(appraisal, cast.official, full)
    appraisal = score_locked(appraisal)
    assert appraisal.self_general_score == 30 and appraisal.general_score == 30
    cited = [line for line in appraisal.explanation if line.startswith("Áp dụng quy chế đánh giá của")]
    assert len(cited) == 1 and REFERENCE in cited[0] and "nhóm 1 tối đa 12" in cited[0]
    assert "Điều 12 khoản 5" in cited[0]

    # d, đ, e take the unit's reduced value (75), not the rule set's 50.
    deputy = score_locked(appraisal_of(cast.deputy, period))
    with pytest.raises(ValidationFailed) as refused:
        services.appraisal_set_unit_criteria(appraisal=deputy, user=cast.head, dd="50", e="100", reason="Chậm")
    assert "75" in refused.value.errors[0].message
    deputy = services.appraisal_set_unit_criteria(appraisal=deputy, user=cast.head, dd="75", e="100",
                                                  reason="Chậm kéo dài")  # fmt: skip
    assert deputy.unit_dd == 75


def test_a_unit_opened_under_its_rules_gets_their_lines_and_the_batch_scores_as_one_by_one(
    team_on_nd233, django_capture_on_commit_callbacks
):
    cast = team_on_nd233
    row = _in_force(cast)
    period = opened(cast)
    appraisal = appraisal_of(cast.official, period)
    assert _group_maxima(appraisal) == {"1": 12, "2": 8, "3": 10} and appraisal.unit_rules_id == row.pk
    self_assess(appraisal, cast.official, ["1.5", "1.5", "1", "1"])
    with django_capture_on_commit_callbacks(execute=True):
        services.period_score_all(user=cast.authority, period=period)
    by_batch = {a.pk: (a.general_score, a.total, a.proposed_classification, a.unit_rules_id)
                for a in Appraisal.objects.filter(period=period)}  # fmt: skip
    for pk in by_batch:
        score_locked(Appraisal.objects.get(pk=pk))
    one_by_one = {a.pk: (a.general_score, a.total, a.proposed_classification, a.unit_rules_id)
                  for a in Appraisal.objects.filter(period=period)}  # fmt: skip
    assert by_batch == one_by_one
    assert by_batch[appraisal.pk][0] == Decimal("5")


def test_new_rules_replace_the_old_and_open_appraisals_follow_them_in_the_batch(
    team_on_nd233, django_capture_on_commit_callbacks
):
    cast = team_on_nd233
    first = _in_force(cast)
    period = opened(cast)
    second = _in_force(cast, weights={"1": "10", "2": "5", "3": "15"}, reduced="60", reference="Quyết định 20/QĐ")
    first.refresh_from_db()
    assert (first.in_force, second.in_force) == (False, True) and first.superseded_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.period_score_all(user=cast.authority, period=period)
    appraisal = appraisal_of(cast.official, period)
    assert appraisal.unit_rules_id == second.pk
    assert _group_maxima(appraisal) == {"1": 10, "2": 5, "3": 15}
    assert appraisal.rule_params["unit_criteria_values"]["reduced"] == 60


@pytest.mark.parametrize(
    ("weights", "reduced", "field"),
    [
        ({"1": "12", "2": "8", "3": "12"}, "75", "weights"),  # 32 points
        ({"1": "21", "2": "4", "3": "5"}, "75", "weights.2"),  # below the frame's 5
        ({"1": "12.25", "2": "7.75", "3": "10"}, "75", "weights.1"),  # off the 0.5 step
        ({"1": "12", "2": "8"}, "75", "weights.3"),  # a group left out
        ({"1": "10", "2": "10", "3": "10", "9": "1"}, "75", "weights.9"),  # no such group
        (WEIGHTS, "40", "reduced"),  # below the frame's 50
        (WEIGHTS, "95", "reduced"),  # above the frame's 90
    ],
)
def test_rules_outside_the_frame_are_refused_naming_the_field(team_on_nd233, weights, reduced, field):
    cast = team_on_nd233
    with pytest.raises(ValidationFailed) as refused:
        unit_rules_save(user=cast.hr, unit=cast.team, reference=REFERENCE, weights=weights, reduced=reduced)
    assert field in [error.field for error in refused.value.errors]
    assert not UnitRules.objects.exists()


def test_a_rule_set_without_a_frame_takes_no_unit_rules_and_a_reference_is_required(team_on_nd233):
    cast = team_on_nd233
    with pytest.raises(ValidationFailed) as refused:
        unit_rules_save(user=cast.hr, unit=cast.team, reference=REFERENCE, weights=WEIGHTS, reduced="75",
                        rule_set_code="ND335")  # fmt: skip
    assert [error.field for error in refused.value.errors] == ["rule_set_code"]
    with pytest.raises(ValidationFailed) as refused:
        unit_rules_save(user=cast.hr, unit=cast.team, reference=" ", weights=WEIGHTS, reduced="75")
    assert [error.field for error in refused.value.errors] == ["reference"]


def test_only_the_units_managers_enter_rules_and_only_drafts_change(team_on_nd233):
    cast = team_on_nd233
    for user in (cast.official, cast.head, cast.outsider):
        with pytest.raises(PermissionRefused):
            unit_rules_save(user=user, unit=cast.team, reference=REFERENCE, weights=WEIGHTS, reduced="75")
    row = _in_force(cast)
    with pytest.raises(Conflict) as refused:
        unit_rules_save(user=cast.hr, unit=cast.team, reference=REFERENCE, weights=WEIGHTS, reduced="80", row=row)
    assert refused.value.code == "NOT_EDITABLE"
    assert UnitRules.objects.get(pk=row.pk).reduced == 75


def test_nobody_approves_the_rules_of_the_unit_they_work_in(team_on_nd233):
    """The bloc authority works at Sở Nội vụ: it may not approve Sở Nội vụ's own rules."""
    cast = team_on_nd233
    row = unit_rules_save(user=cast.province_hr, unit=cast.home_affairs, reference=REFERENCE,
                          weights=WEIGHTS, reduced="75")  # fmt: skip
    workflow_transition(document=row, action="submit", user=cast.province_hr)
    with pytest.raises(PermissionRefused) as refused:
        workflow_transition(document=UnitRules.objects.get(pk=row.pk), action="approve", user=cast.authority)
    assert refused.value.code == "SELF_ACTION"
    assert UnitRules.objects.get(pk=row.pk).state == "AUTHORITY" and not UnitRules.objects.get(pk=row.pk).in_force


def test_every_definition_the_desk_accepts_checks_the_frame_and_puts_rules_in_force(team_on_nd233):
    current = WorkflowDefinition.objects.get(code="UNIT_RULES", is_current=True).as_mapping()
    for transition in current["transitions"]:
        transition["effects"] = [name for name in transition["effects"] if name != "put_unit_rules_in_force"]
        if transition["action"] == "submit":
            transition["effects"] = []
    body = {"states": current["states"], "transitions": current["transitions"]}
    errors = definition_errors(code="UNIT_RULES", name="x", doctype="unit_rules", definition=body)
    messages = " ".join(error.message for error in errors)
    assert "check_unit_rules" in messages and "put_unit_rules_in_force" in messages


def test_an_approved_rule_set_the_rules_no_longer_fit_leaves_the_rule_sets_own_form(team_on_nd233):
    """Rules approved against a version whose groups later change are not applied half-way."""
    cast = team_on_nd233
    _in_force(cast)
    UnitRules.objects.update(weights={"1": 12, "2": 8, "9": 10})  # as if the version's groups were renamed
    period = opened(cast)
    appraisal = score_locked(appraisal_of(cast.official, period))
    assert appraisal.unit_rules_id is None and "unit_rules_applied" not in appraisal.rule_params
    assert _group_maxima(appraisal) == {"1": 10, "2": 10, "3": 10}
    assert lines(["1"], appraisal)  # the form is the rule set's own, ready to be scored


def test_the_desk_lists_the_framed_rule_sets_starts_from_their_values_and_refuses_another_code(team_on_nd233, client):
    cast = team_on_nd233
    client.force_login(cast.hr)
    add = reverse("admin:appraisals_unitrules_add")
    form = client.get(add).context["adminform"].form
    choices = dict(form.fields["rule_set_code"].choices)
    assert "ND233" in choices and "ND335" not in choices  # ND 335 has no frame for a unit's own rules
    nd233 = rule_set_params(current_rule_set("ND233"))
    assert form.fields["reduced"].initial == nd233.unit_criterion_reduced  # a new draft starts from the rule set
    boxes = {f"weight_{code}": value for code, value in WEIGHTS.items()}
    entered = {"unit": cast.team.pk, "rule_set_code": "ND999", "reference": REFERENCE, "reduced": "75", **boxes}
    posted = client.post(add, entered)
    assert posted.status_code == 200
    assert list(posted.context["adminform"].form.errors) == ["rule_set_code"]
    assert not UnitRules.objects.exists()


def test_the_desk_form_reads_the_rule_sets_once_per_page(team_on_nd233, client):
    """The field list, the weight boxes, the help texts and the list of framed rule sets share one read."""
    cast = team_on_nd233
    client.force_login(cast.hr)
    table = RuleSet._meta.db_table
    for url in (reverse("admin:appraisals_unitrules_add"),
                reverse("admin:appraisals_unitrules_change", args=[_draft(cast).pk])):  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200 and "weight_1" in page.context["adminform"].form.fields
        reads = [query["sql"] for query in queries if f"FROM `{table}`" in query["sql"]]
        assert len(reads) == 1, reads


def _draft(cast):
    return unit_rules_save(user=cast.hr, unit=cast.team, reference=REFERENCE, weights=WEIGHTS, reduced="75")
