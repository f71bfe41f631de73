"""Scoring an appraisal from reviewed work logs, with the pure engine's semantics (SPEC 5)."""

from datetime import date
from decimal import Decimal
from functools import partial

import pytest
from django.utils import timezone

from tests.factories.appraisals import FULL_SELF, appraisal_of, lines, opened, prepare_appraisals, self_assess
from tests.factories.workflow import rule_set_in_force
from tests.factories.worklogs import assign, log, work_cast
from thanhhoa_kpi.appraisals import services
from thanhhoa_kpi.appraisals.models import RuleSet
from thanhhoa_kpi.appraisals.rulesets import rule_sets_current
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.errors import Conflict, PermissionRefused, ValidationFailed
from thanhhoa_kpi.scoring.preview import score_preview
from thanhhoa_kpi.workflow.services import workflow_transition
from thanhhoa_kpi.worklogs import services as worklogs

pytestmark = pytest.mark.django_db

REVIEWER = ["4.5", "4", "2.5", "2", "2", "2.5", "2", "1.5", "2", "2"]  # groups 8.5 + 9 + 7.5 = 25


@pytest.fixture
def setup(cast):
    prepare_appraisals()
    work = work_cast(cast)
    period = opened(cast)
    return work, period


def _reviewed_month(cast, work):
    """Example 1 of the domain notes, on the cast: three items, one failure, one delay, one exemption."""
    official = cast.official_of(cast.official)
    culture = assign(cast.head, official, work.culture, "10")  # coefficient 2
    small = assign(cast.head, official, work.culture_small, "4")  # coefficient 0.5
    assign(cast.head, official, work.sport, "2")  # coefficient 1.5, nothing done
    first = log(cast.official, quantity="6", assignment=culture)
    second = log(cast.official, quantity="4", assignment=culture)
    third = log(cast.official, quantity="4", assignment=small)
    worklogs.worklog_review(line=first, reviewer=cast.deputy, quality_failures=1)
    worklogs.worklog_review(line=second, reviewer=cast.head, accepted_quantity=Decimal("3"), delays=2, exempt_delays=1,
                            exemption_reason="Mất điện toàn phường")  # fmt: skip
    worklogs.worklog_review(line=third, reviewer=cast.deputy, delays=5)
    log(cast.official, quantity="9", assignment=culture)  # not reviewed: does not count


def test_scores_from_reviewed_work_logs_match_the_score_preview(cast, setup):
    work, period = setup
    _reviewed_month(cast, work)
    appraisal = appraisal_of(cast.official, period)
    services.appraisal_review_general(appraisal=appraisal, user=cast.head, lines=lines(REVIEWER, appraisal))
    appraisal.refresh_from_db()
    items = [
        {"code": "TT01", "coefficient": "1.5", "assigned": "2", "completed": "0"},
        {"code": "VH01", "coefficient": "2", "assigned": "10", "completed": "9", "quality_failures": 1, "delays": 2,
         "exempt_delays": 1},
        {"code": "VH02", "coefficient": "0.5", "assigned": "4", "completed": "4", "delays": 5},
    ]  # fmt: skip
    general = {"groups": ["8.5", "9", "7.5"]}
    expected = score_preview({"rule_set": "ND335", "role": "staff", "general": general, "items": items},
                             rule_sets_current())  # fmt: skip
    for name in ("assigned_converted", "completed_converted", "quality_converted", "progress_converted", "a", "b",
                 "c", "task_percent", "task_score", "general_score", "total"):  # fmt: skip
        assert float(getattr(appraisal, name)) == expected[name], name
    assert appraisal.proposed_classification == expected["classification"]
    assert appraisal.explanation[: len(expected["explanation"])] == expected["explanation"]
    assert [row["code"] for row in appraisal.scored_items] == ["TT01", "VH01", "VH02"]
    assert (appraisal.rule_set_code, appraisal.rule_set_version) == ("ND335", 3)  # the shipped version


def test_no_assigned_work_is_not_evaluable_and_warns_the_head(cast, setup):
    _work, period = setup
    appraisal = self_assess(appraisal_of(cast.colleague, period), cast.colleague)
    assert appraisal.score_status == "NO_ASSIGNED_WORK"
    assert appraisal.total is None and appraisal.task_score is None and appraisal.proposed_classification == ""
    assert appraisal.general_score == Decimal("30")
    assert any("không có công việc được giao" in line for line in appraisal.explanation)


def test_a_draft_previews_with_self_scores_until_the_reviewer_scores(cast, setup):
    _work, period = setup
    appraisal = self_assess(appraisal_of(cast.official, period), cast.official)
    assert appraisal.general_score == Decimal("30") and appraisal.self_general_score == Decimal("30")
    assert any("tạm tính theo điểm tự chấm" in line for line in appraisal.explanation)
    appraisal = services.appraisal_review_general(appraisal=appraisal, user=cast.head, lines=lines(["3"], appraisal))
    assert appraisal.general_score == Decimal("28") and appraisal.self_general_score == Decimal("30")
    line = appraisal.criteria.get(code="1.1")
    assert (line.self_score, line.reviewer_score) == (Decimal("5"), Decimal("3"))


def test_bad_lines_are_refused_all_at_once_and_nothing_is_saved(cast, setup):
    _work, period = setup
    appraisal = appraisal_of(cast.official, period)
    bad = [{"code": "1.1", "score": "4.3"}, {"code": "1.2", "score": "6"}, {"code": "9.9", "score": "1"},
           {"code": "2.1", "score": "nhiều"}, {"code": "2.2", "score": "2"}]  # fmt: skip
    with pytest.raises(ValidationFailed) as error:
        services.appraisal_self_assess(appraisal=appraisal, user=cast.official, lines=bad)
    fields = [item.field for item in error.value.errors]
    assert fields == ["lines[0].score", "lines[1].score", "lines[2].code", "lines[3].score"]
    assert "bước 0,5" in error.value.errors[0].message and "từ 0 đến 5" in error.value.errors[1].message
    assert not appraisal.criteria.filter(self_score__isnull=False).exists()


def test_copied_parameters_keep_a_published_appraisal_as_it_was(cast, setup):
    work, period = setup
    _reviewed_month(cast, work)
    published = self_assess(appraisal_of(cast.official, period), cast.official, FULL_SELF)
    draft = self_assess(appraisal_of(cast.colleague, period), cast.colleague)
    for action, user in (("submit", cast.official), ("approve", cast.head), ("publish", cast.authority)):
        workflow_transition(document=published, action=action, user=user)
    published.refresh_from_db()
    before = {name: getattr(published, name) for name in ("total", "task_score", "b", "c", "final_classification")}
    row = RuleSet.objects.get(code="ND335", is_current=True)
    params = {**row.params, "deduction_per_event": 0.5}
    rule_set_in_force(code="ND335", name=row.name, legal_basis=row.legal_basis, params=params)
    with pytest.raises(Conflict):
        services.appraisal_score(appraisal=published, user=cast.head)
    published.refresh_from_db()
    assert {name: getattr(published, name) for name in before} == before
    assert published.rule_set_version == 3 and published.rule_params["deduction_per_event"] == 0.25
    draft = services.appraisal_score(appraisal=draft, user=cast.head)
    assert draft.rule_set_version == 4 and draft.rule_params["deduction_per_event"] == 0.5


def test_a_leader_gets_d_from_the_people_they_manage_and_dd_e_from_the_reviewer(cast, setup):
    work, period = setup
    line = log(
        cast.colleague, quantity="1", assignment=assign(cast.head, cast.official_of(cast.colleague), work.sport, "1")
    )
    worklogs.worklog_review(line=line, reviewer=cast.head)
    evidence = "Quyết định khiển trách số 12/QĐ-UBND"
    colleague = appraisal_of(cast.colleague, period)
    services.appraisal_record_disqualifier(appraisal=colleague, user=cast.head, code="DISCIPLINE", evidence=evidence,
                                           decided_on=timezone.localdate())  # fmt: skip
    assert appraisal_of(cast.colleague, period).proposed_classification == "KHONG_HOAN_THANH"
    head = services.appraisal_score(appraisal=appraisal_of(cast.head, period), user=SYSTEM)
    assert head.unit_d == Decimal("50") and any("Trần Thị Bình" in line for line in head.explanation)
    with pytest.raises(ValidationFailed) as error:
        services.appraisal_set_unit_criteria(appraisal=appraisal_of(cast.deputy, period), user=cast.head, dd="50",
                                             e="75")  # fmt: skip
    assert {item.field for item in error.value.errors} == {"e", "reason"}
    deputy = services.appraisal_set_unit_criteria(appraisal=appraisal_of(cast.deputy, period), user=cast.head,
                                                  dd="50", e="100", reason="Chậm triển khai kéo dài")  # fmt: skip
    assert (deputy.unit_d, deputy.unit_dd, deputy.unit_e) == (Decimal("100"), Decimal("50"), Decimal("100"))
    with pytest.raises(ValidationFailed) as error:
        services.appraisal_set_unit_criteria(appraisal=appraisal_of(cast.colleague, period), user=cast.head,
                                             dd="100", e="100")  # fmt: skip
    assert error.value.code == "NOT_A_LEADER"


def test_a_disqualifier_forces_not_completed_with_its_evidence(cast, setup):
    work, period = setup
    _reviewed_month(cast, work)
    appraisal = self_assess(appraisal_of(cast.official, period), cast.official)
    assert appraisal.proposed_classification != "KHONG_HOAN_THANH"
    with pytest.raises(PermissionRefused):
        services.appraisal_record_disqualifier(appraisal=appraisal, user=cast.official, code="DEGRADATION",
                                               evidence="Tự khai")  # fmt: skip
    with pytest.raises(ValidationFailed) as error:
        services.appraisal_record_disqualifier(appraisal=appraisal, user=cast.head, code="UNIT_CORRUPTION",
                                               evidence="")  # fmt: skip
    assert {item.field for item in error.value.errors} == {"code", "evidence"}
    row = services.appraisal_record_disqualifier(appraisal=appraisal, user=cast.authority, code="DISCIPLINE",
                                                 evidence="Quyết định khiển trách số 12/QĐ-UBND",
                                                 decided_on=timezone.localdate())  # fmt: skip
    appraisal.refresh_from_db()
    assert appraisal.proposed_classification == "KHONG_HOAN_THANH" and row.recorded_by == cast.authority
    appraisal = services.appraisal_remove_disqualifier(disqualifier=row, user=cast.head)
    assert appraisal.proposed_classification != "KHONG_HOAN_THANH"


def test_a_heads_d_follows_a_subordinates_later_reprimand_up_to_publication(cast, setup):
    """Issue 10, item 3: the head was scored with d = 100; a subordinate is then reprimanded
    (KHONG_HOAN_THANH); the head's d becomes 50 (ND 335 Điều 15 khoản 3) before publication."""
    work, period = setup
    line = log(
        cast.colleague, quantity="1", assignment=assign(cast.head, cast.official_of(cast.colleague), work.sport, "1")
    )
    worklogs.worklog_review(line=line, reviewer=cast.head)
    for user in (cast.official, cast.colleague, cast.deputy):
        services.appraisal_score(appraisal=appraisal_of(user, period), user=SYSTEM)
    head = services.appraisal_score(appraisal=appraisal_of(cast.head, period), user=SYSTEM)
    assert head.unit_d == Decimal("100")
    colleague = appraisal_of(cast.colleague, period)
    services.appraisal_record_disqualifier(
        appraisal=colleague,
        user=cast.head,
        code="DISCIPLINE",
        evidence="Quyết định khiển trách số 12/QĐ-UBND",
        decided_on=timezone.localdate(),
    )
    head = appraisal_of(cast.head, period)
    assert head.unit_d == Decimal("50")
    assert any("Trần Thị Bình" in line for line in head.explanation)


def test_publishing_a_head_is_refused_while_someone_they_manage_is_unscored(cast, setup):
    _work, period = setup
    head = appraisal_of(cast.head, period)
    self_assess(head, cast.head)
    head = services.appraisal_score(appraisal=head, user=SYSTEM)
    from thanhhoa_kpi.appraisals.models import Appraisal
    from thanhhoa_kpi.appraisals.services.transitions import publish

    managed = Appraisal.objects.filter(period=period, unit__path__startswith=head.unit.path).exclude(pk=head.pk)
    unscored = managed.filter(score_status="")
    names = sorted(unscored.values_list("official__full_name", flat=True))
    assert names  # opening does not score; nobody else was scored here
    with pytest.raises(ValidationFailed) as refused:
        publish(head, None, cast.authority)
    assert refused.value.code == "SUBORDINATES_UNSCORED"
    assert all(name in refused.value.message for name in names)


_TASK = ("assigned_converted", "completed_converted", "quality_converted", "progress_converted", "a", "b", "c",
         "task_percent", "task_score")  # fmt: skip


def test_reviewing_lines_rescores_the_open_appraisal_and_the_live_score_equals_it(cast, setup):
    """Issue 10, item 4: one path from reviewed work to the score; the open month's appraisal
    follows each review without anyone saving it, and the live score shows the same figures."""
    from thanhhoa_kpi.appraisals.live import live_score

    work, period = setup
    appraisal = appraisal_of(cast.official, period)
    before = appraisal.task_score
    _reviewed_month(cast, work)
    appraisal.refresh_from_db()
    assert appraisal.task_score is not None and appraisal.task_score != before
    live = live_score(official=cast.official_of(cast.official), period=work.period)
    assert {key: live[key] for key in _TASK} == {key: getattr(appraisal, key) for key in _TASK}
    assert live["rule_set"] == appraisal.rule_set_code


def test_a_leaders_live_score_uses_the_unit_criteria_of_their_appraisal(cast, setup):
    from thanhhoa_kpi.appraisals.live import live_score

    work, period = setup
    me = cast.official_of(cast.deputy)
    worklogs.worklog_review(line=log(cast.deputy, quantity="1", assignment=assign(cast.head, me, work.office, "2")),
                            reviewer=cast.head)  # fmt: skip
    deputy = services.appraisal_set_unit_criteria(
        appraisal=appraisal_of(cast.deputy, period), user=cast.head, dd="50", e="100", reason="Chậm triển khai"
    )
    live = live_score(official=me, period=work.period)
    assert live["role"] == "leader" and deputy.unit_dd == Decimal("50")
    assert {key: live[key] for key in _TASK} == {key: getattr(deputy, key) for key in _TASK}
    assert live["task_percent"] == Decimal("66.67")  # (50 + 50 + 50 + 100 + 50 + 100) / 6, not the assumed full đ


def test_a_reported_case_of_corruption_is_recorded_only_on_a_leaders_appraisal(cast, setup):
    """Issue 14, item 3: the case where the manager reported the corruption is a leaders' fact
    like UNIT_CORRUPTION (its leniency under ND 233 is the pure core's, tests/unit/scoring)."""
    _work, period = setup
    evidence = "Kết luận thanh tra số 5/KL-TTr; đơn vị tự phát hiện, báo cáo"
    with pytest.raises(ValidationFailed) as refused:
        services.appraisal_record_disqualifier(appraisal=appraisal_of(cast.official, period), user=cast.authority,
                                               code="UNIT_CORRUPTION_REPORTED", evidence=evidence)  # fmt: skip
    assert [item.field for item in refused.value.errors] == ["code"]
    head = self_assess(appraisal_of(cast.head, period), cast.head)
    row = services.appraisal_record_disqualifier(appraisal=head, user=cast.authority, code="UNIT_CORRUPTION_REPORTED",
                                                 evidence=evidence)  # fmt: skip
    assert (row.code, row.get_code_display()) == (
        "UNIT_CORRUPTION_REPORTED",
        "Đơn vị trực tiếp quản lý để xảy ra tham nhũng, lãng phí; người quản lý đã chủ động phát hiện, báo cáo, xử lý",
    )


def test_a_discipline_counts_in_the_year_of_its_decision_and_once_per_violation(cast, setup):
    """Issue 14, item 3 (ND 233 Điều 14 khoản 3, ND 48/2023): recorded on this year's appraisal,
    a discipline decided last year, or for a violation already counted in an earlier year, is
    refused naming the field; one decided this year is recorded with its date."""
    work, period = setup
    _reviewed_month(cast, work)
    appraisal = self_assess(appraisal_of(cast.official, period), cast.official)
    record = partial(services.appraisal_record_disqualifier, appraisal=appraisal, user=cast.head, code="DISCIPLINE",
                     evidence="Quyết định khiển trách số 12/QĐ-UBND")  # fmt: skip
    with pytest.raises(ValidationFailed) as undated:
        record()
    assert [item.field for item in undated.value.errors] == ["decided_on"]
    with pytest.raises(ValidationFailed) as last_year:
        record(decided_on=date(period.year - 1, 12, 30))
    assert [item.field for item in last_year.value.errors] == ["decided_on"]
    assert f"không thuộc năm đánh giá {period.year}" in last_year.value.errors[0].message
    with pytest.raises(ValidationFailed) as counted:
        record(decided_on=date(period.year, 1, 5), counted_year=period.year - 1)
    assert [item.field for item in counted.value.errors] == ["counted_year"]
    assert not appraisal.disqualifiers.exists()
    row = record(decided_on=date(period.year, 1, 5))
    assert (row.decided_on, row.counted_year) == (date(period.year, 1, 5), None)
    assert appraisal_of(cast.official, period).proposed_classification == "KHONG_HOAN_THANH"
