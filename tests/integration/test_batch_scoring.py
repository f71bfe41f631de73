"""Scoring a whole period at once gives, for every appraisal, what scoring it one by one gives (issue 12).

The figures, the level and d come from the batch (sums added up by the database, the
engine from the sums, RQ jobs run here with ``RQ_ASYNC=0``); the explanation and the
item table are built when somebody first reads the appraisal and must be the text the
one-by-one path (:func:`score_locked`) writes.
"""

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tests.factories.appraisals import FULL_SELF, appraisal_of, lines, opened, prepare_appraisals, self_assess, staff
from tests.factories.workflow import rule_set_in_force
from tests.factories.worklogs import assign, log, work_cast
from thanhhoa_kpi.appraisals import batch, services, states
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalDisqualifier, AppraisalPeriod, RuleSet
from thanhhoa_kpi.appraisals.services.scoring import current_rule_set, explained, score_locked
from thanhhoa_kpi.core.errors import Conflict, PermissionRefused
from thanhhoa_kpi.organization.models import LeavePeriod, Official
from thanhhoa_kpi.scoring import GeneralInput, ItemInput, PeriodInput, Role, UnitCriteria, parse_params, score_period
from thanhhoa_kpi.workflow.engine import states_tagged
from thanhhoa_kpi.worklogs import scores
from thanhhoa_kpi.worklogs import services as worklogs
from thanhhoa_kpi.worklogs.models import Assignment, LineStatus, WorkLogLine

pytestmark = pytest.mark.django_db

FIGURES = (
    "score_status", "assigned_converted", "completed_converted", "quality_converted", "progress_converted",
    "a", "b", "c", "task_percent", "task_score", "general_score", "self_general_score", "total",
    "proposed_classification", "unit_d", "rule_set_version",
)  # fmt: skip
GENERAL = GeneralInput(points=Decimal("25"))


def _figures(appraisal):
    return tuple(getattr(appraisal, name) for name in FIGURES)


def _done_by_hand(official, work, item, quantity, **review):
    """A reviewed line written directly (for leaders nobody assigns work to in the cast)."""
    assignment = Assignment.objects.create(
        catalogue_item=item, assignee=official, period=work.period, quantity=Decimal(quantity), approved=True,
        coefficient=item.coefficient,
    )  # fmt: skip
    WorkLogLine.objects.create(
        official=official, date=timezone.localdate(), period=work.period, assignment=assignment,
        catalogue_item=item, quantity=Decimal(quantity), coefficient=item.coefficient, status=LineStatus.REVIEWED,
        accepted_quantity=review.pop("accepted", Decimal(quantity)), reviewed_at=timezone.now(), **review,
    )  # fmt: skip


@pytest.fixture
def month(cast):
    """A varied month: staff and leaders, delays past the cap, exemptions, disqualifiers, leave, three rule sets."""
    prepare_appraisals()
    work = work_cast(cast)
    ward_head = staff(cast.ward, "T0100", "Đỗ Văn Hải", position=cast.lead_position, role="HEAD")
    on_leave = staff(cast.team, "T0101", "Ngô Thị Lan", position=cast.position, fields=["Văn hóa"], with_user=True)
    party = staff(cast.team, "T0102", "Bùi Văn Minh", position=cast.position, fields=["Thể thao"], with_user=True)
    teacher = staff(cast.team, "T0103", "Lý Thị Nga", position=cast.position, fields=["Văn hóa"], with_user=True)
    Official.objects.filter(pk=party.pk).update(rule_set_code="QD366")
    Official.objects.filter(pk=teacher.pk).update(rule_set_code="ND233")
    first = timezone.localdate().replace(day=1)
    LeavePeriod.objects.create(official=on_leave, kind="SICK", start_date=first, end_date=first + timedelta(days=9))
    official, colleague = cast.official_of(cast.official), cast.official_of(cast.colleague)
    deputy, head = cast.official_of(cast.deputy), cast.official_of(cast.head)
    culture = assign(cast.head, official, work.culture, "10")
    small = assign(cast.head, official, work.culture_small, "4")
    assign(cast.head, official, work.sport, "2")
    assign(cast.head, colleague, work.sport, "4")
    assign(cast.head, colleague, work.office, "3")
    assign(cast.head, on_leave, work.office, "5")
    assign(cast.head, party, work.culture, "6")
    assign(cast.head, party, work.office, "2")
    assign(cast.head, teacher, work.culture, "3")
    assign(cast.head, deputy, work.office, "4")
    _done_by_hand(head, work, work.culture, "5", delays=2, exempt_delays=1)
    _done_by_hand(head, work, work.office, "2")
    _done_by_hand(ward_head, work, work.office, "6", quality_failures=1)
    period = opened(cast)

    review = worklogs.worklog_review
    review(line=log(cast.official, quantity="6", assignment=culture), reviewer=cast.deputy, quality_failures=1)
    review(line=log(cast.official, quantity="4", assignment=culture), reviewer=cast.head,
           accepted_quantity=Decimal("3"), delays=2, exempt_delays=1, exemption_reason="Mất điện")  # fmt: skip
    review(line=log(cast.official, quantity="4", assignment=small), reviewer=cast.deputy, delays=5)
    review(line=log(cast.colleague, work.sport, "3"), reviewer=cast.head, quality_failures=5)
    review(line=log(on_leave.user, work.office, "2"), reviewer=cast.head)
    review(line=log(party.user, work.culture, "6"), reviewer=cast.head, delays=1)
    review(line=log(party.user, work.office, "2"), reviewer=cast.head, quality_failures=1)  # QĐ 366: not to quality
    review(line=log(teacher.user, work.culture, "3"), reviewer=cast.head)
    review(line=log(cast.deputy, work.office, "4"), reviewer=cast.head, delays=1)
    log(cast.colleague, work.sport, "9")  # a draft: does not count
    # A reviewed line whose copied coefficient no assignment has (the catalogue changed in the month):
    # for QĐ 366's amount done it is an item done and not assigned, k × min(0, c) = 0.
    WorkLogLine.objects.create(
        official=party, date=timezone.localdate(), period=work.period, catalogue_item=work.culture,
        quantity=Decimal(1), coefficient=work.culture.coefficient + 1, status=LineStatus.REVIEWED,
        accepted_quantity=Decimal(1), reviewed_at=timezone.now(),
    )  # fmt: skip

    reviewer = ["4.5", "4", "2.5", "2", "2", "2.5", "2", "1.5", "2", "2"]
    services.appraisal_review_general(
        appraisal=self_assess(appraisal_of(cast.official, period), cast.official), user=cast.head,
        lines=lines(reviewer, appraisal_of(cast.official, period)),
    )  # fmt: skip
    self_assess(appraisal_of(cast.colleague, period), cast.colleague)  # self scores stand in
    self_assess(appraisal_of(party, period), party.user, FULL_SELF)
    self_assess(appraisal_of(on_leave, period), on_leave.user, FULL_SELF)
    self_assess(appraisal_of(teacher, period), teacher.user, ["1", "1", "0.5", "1"])  # ND233's own form
    self_assess(appraisal_of(cast.deputy, period), cast.deputy, ["4", "4"])  # the rest left blank
    AppraisalDisqualifier.objects.create(
        appraisal=appraisal_of(colleague, period), code="DISCIPLINE", evidence="Khiển trách", recorded_by=cast.head
    )
    Appraisal.objects.filter(official=deputy, period=period).update(unit_dd=50, unit_criteria_reason="Chậm kéo dài")
    Appraisal.objects.filter(official=party, period=period).update(exceeded_share=Decimal("0.35"))
    return period


def _one_by_one(period):
    """Score every appraisal with score_locked, twice over (so that every leader saw everybody scored)."""
    for _ in range(2):
        for pk in Appraisal.objects.filter(period=period).order_by("pk").values_list("pk", flat=True):
            score_locked(Appraisal.objects.get(pk=pk))
    return {
        appraisal.pk: (_figures(appraisal), appraisal.explanation, appraisal.scored_items)
        for appraisal in Appraisal.objects.filter(period=period)
    }


def _reset(period):
    Appraisal.objects.filter(period=period).update(**batch.NOT_SCORED)


def _score_all(period, user, capture):
    with capture(execute=True):
        return services.period_score_all(user=user, period=period)


def test_the_period_scored_at_once_equals_each_appraisal_scored_one_by_one(
    cast, month, django_capture_on_commit_callbacks
):
    expected = _one_by_one(month)
    levels = {figures[FIGURES.index("proposed_classification")] for figures, _text, _items in expected.values()}
    assert {"", "KHONG_HOAN_THANH", "HOAN_THANH_TOT"} <= levels  # nothing assigned, disqualified, good
    _reset(month)
    jobs = _score_all(month, cast.authority, django_capture_on_commit_callbacks)
    assert len(jobs) == 2  # one chunk (the cast is small) and the leaders after it
    for appraisal in Appraisal.objects.filter(period=month).select_related("official"):
        figures, text, items = expected[appraisal.pk]
        assert _figures(appraisal) == figures, appraisal.official.full_name
        assert appraisal.explanation == [] and appraisal.scored_items == []  # built when read
        assert explained(appraisal).explanation == text, appraisal.official.full_name
        assert appraisal.scored_items == items
        stored = Appraisal.objects.get(pk=appraisal.pk)
        assert (stored.explanation, stored.scored_items) == (text, items)  # kept for the next reader
    leaders = {a.official.code: a for a in Appraisal.objects.filter(period=month).select_related("official")}
    # d follows the people managed: the deputy's (Văn hóa) are fine, the team head's colleague is disqualified,
    # and the ward head manages the team head, scored before them.
    assert (leaders["T0003"].unit_d, leaders["T0004"].unit_d, leaders["T0100"].unit_d) == (100, 50, 50)
    assert any("tạm tính theo điểm tự chấm" in line for line in explained(leaders["T0002"]).explanation)
    assert any("QĐ 366" in line or "điều kiện" in line for line in explained(leaders["T0102"]).explanation)


def test_the_api_and_the_classification_list_show_the_one_by_one_explanation(
    cast, month, api_for, django_capture_on_commit_callbacks
):
    expected = _one_by_one(month)
    _reset(month)
    _score_all(month, cast.authority, django_capture_on_commit_callbacks)
    mine = appraisal_of(cast.official, month)
    body = api_for(cast.official).get(f"/api/v1/appraisals/{mine.pk}/").json()
    assert body["explanation"] == expected[mine.pk][1] and body["scored_items"] == expected[mine.pk][2]
    listed = api_for(cast.authority).get(f"/api/v1/periods/{month.pk}/classification-list/").json()["results"]
    assert {row["appraisal"]: row["explanation"] for row in listed} == {
        pk: text for pk, (_f, text, _i) in expected.items()
    }


def test_the_database_adds_up_exactly_what_the_engine_adds_up(cast, month):
    rules = {row.code: parse_params(row.params) for row in RuleSet.objects.filter(is_current=True)}
    ids = sorted(Official.objects.values_list("pk", flat=True))
    months = list(month.work_periods.values_list("pk", flat=True))
    for scope in (batch.Scope(ids[0], ids[-1]), batch.Scope(ids[2], ids[4])):
        in_sql = batch.month_work(months, scope, rules, in_sql=True)
        assert in_sql == batch.month_work(months, scope, rules, in_sql=False)
        assert in_sql  # the scopes hold work
    # Without a rule set with conditions on the work, done, delayed and failed are not read.
    nd335 = {"ND335": rules["ND335"]}
    for scope in (batch.Scope(ids[0], ids[-1]), batch.Scope(ids[1], ids[1])):
        bare = batch.month_work(months, scope, nd335, in_sql=True)
        assert bare and all(work.done is None for found in bare.values() for work in found.values())
        assert bare == batch.month_work(months, scope, nd335, in_sql=False)
    # Within a period they are added up for the officials on such a rule set (QĐ 366) only.
    party = Official.objects.get(code="T0102").pk
    scoped = batch.month_work(months, batch.Scope(ids[0], ids[-1], month.pk), rules, in_sql=True)
    assert scoped[party] == batch.month_work(months, batch.Scope(party, party), rules, in_sql=False)[party]
    party_work = scoped[party][batch.deduction_of(rules["QD366"])]
    assert party_work.done > 0 and party_work.failed == 1  # one product of coefficient 1 not to quality


def test_the_batch_without_exact_decimals_in_sql_gives_the_same_figures(cast, month):
    ids = sorted(Official.objects.values_list("pk", flat=True))
    chunk = batch.score_chunk(month.pk, ids[0], ids[-1], in_sql=True)
    batch.score_leaders(month.pk, chunk.leaders)
    by_sql = {a.pk: _figures(a) for a in Appraisal.objects.filter(period=month)}
    _reset(month)
    outcome = batch.score_chunk(month.pk, ids[0], ids[-1], in_sql=False)
    outcome.add(batch.score_leaders(month.pk, outcome.leaders))
    assert len(outcome.leaders) == 3  # the deputy, the team's head and the ward's head
    outcome.leaders = []
    found = outcome.as_dict()
    assert set(found.pop("seconds")) == {"appraisals", "work", "criteria", "engine", "write"}
    assert found == {"scored": len(by_sql), "changed_meanwhile": 0, "refused": [], "one_by_one": []}
    assert {a.pk: _figures(a) for a in Appraisal.objects.filter(period=month)} == by_sql


def test_an_appraisal_whose_inputs_changed_since_says_so_instead_of_a_wrong_explanation(
    cast, month, django_capture_on_commit_callbacks
):
    _score_all(month, cast.authority, django_capture_on_commit_callbacks)
    mine = appraisal_of(cast.official, month)
    WorkLogLine.objects.filter(official=mine.official, status=LineStatus.REVIEWED).update(delays=0, exempt_delays=0)
    shown = explained(mine).explanation
    assert len(shown) == 1 and "«Tính lại điểm»" in shown[0]
    assert Appraisal.objects.get(pk=mine.pk).explanation == []  # nothing stored
    services.appraisal_score(appraisal=mine, user=cast.head)
    assert len(Appraisal.objects.get(pk=mine.pk).explanation) > 1


def test_an_appraisal_scored_by_somebody_while_the_batch_ran_keeps_that_score(cast, month):
    ids = sorted(Official.objects.values_list("pk", flat=True))
    running = batch._Batch.read(month, batch.Scope(ids[0], ids[-1]))
    for row in running.rows:
        running.score(row)
    mine = services.appraisal_score(appraisal=appraisal_of(cast.official, month), user=cast.head)
    outcome = running.write()
    assert outcome.changed_meanwhile == 1 and outcome.scored == len(running.rows) - 1
    assert Appraisal.objects.get(pk=mine.pk).explanation == mine.explanation != []


def test_the_batch_leaves_the_tables_checks_on_for_every_other_statement(cast, month):
    """The batch's UPDATE runs without MariaDB's CHECKs (batch._checked_here); the session gets them back."""
    assert connection.vendor == "mysql" and connection.mysql_is_mariadb, "make test runs this suite on MariaDB"
    ids = sorted(Official.objects.values_list("pk", flat=True))
    outcome = batch.score_chunk(month.pk, ids[0], ids[-1])
    assert outcome.scored
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@SESSION.check_constraint_checks")
        assert cursor.fetchone()[0] == 1
    mine = appraisal_of(cast.official, month)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appraisal.objects.filter(pk=mine.pk).update(total=Decimal("150"))
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE appraisals_appraisal SET rule_params = 'not json' WHERE id = %s", [mine.pk])


def test_a_total_outside_0_to_100_is_refused_before_anything_is_written(cast, month):
    """appraisal_total_0_100, which the batch's UPDATE does not evaluate, is checked before the rows are sent."""
    ids = sorted(Official.objects.values_list("pk", flat=True))
    before = {a.pk: (_figures(a), a.scored_at) for a in Appraisal.objects.filter(period=month)}
    running = batch._Batch.read(month, batch.Scope(ids[0], ids[-1]))
    for row in running.rows:
        running.score(row)
    last = running.scored[-1]
    running.scored[-1] = dataclasses.replace(last, result=dataclasses.replace(last.result, total=Decimal("100.01")))
    with pytest.raises(ValueError, match="outside 0–100"):
        running.write()
    assert {a.pk: (_figures(a), a.scored_at) for a in Appraisal.objects.filter(period=month)} == before


@pytest.mark.parametrize("table", ["appraisals_appraisal", "appraisals_historicalappraisal"])
def test_the_wide_json_columns_are_stored_compressed_and_still_checked(cast, month, table):
    """Migrations 0007 and 0011: the copied rule set, the explanation and the item table, compressed on
    MariaDB in the appraisals and in their history, read back as written and still checked as JSON."""
    assert connection.vendor == "mysql" and connection.mysql_is_mariadb, "make test runs this suite on MariaDB"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, column_type FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name = %s AND data_type = 'longtext'",
            [table],
        )
        types = dict(cursor.fetchall())
    compressed = {name for name, kind in types.items() if "COMPRESSED" in kind}
    assert compressed == {"rule_params", "explanation", "scored_items"}
    mine = appraisal_of(cast.official, month)
    services.appraisal_score(appraisal=mine, user=cast.head)
    stored = Appraisal.objects.get(pk=mine.pk) if table == "appraisals_appraisal" else mine.history.first()
    copied = RuleSet.objects.get(code=stored.rule_set_code, version=stored.rule_set_version).params
    assert stored.rule_params == copied and len(stored.explanation) > 1 and stored.scored_items
    key = "id" if table == "appraisals_appraisal" else "history_id"
    for column in ("explanation", "scored_items"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {column} = '[' WHERE {key} = %s", [getattr(stored, key)])


def test_published_appraisals_are_left_as_published(cast, month, django_capture_on_commit_callbacks):
    mine = appraisal_of(cast.official, month)
    published_state = sorted(states_tagged(mine.workflow.parsed(), states.PUBLISHED))[0]
    Appraisal.objects.filter(pk=mine.pk).update(state=published_state, total=Decimal("12.00"))
    _score_all(month, cast.authority, django_capture_on_commit_callbacks)
    assert Appraisal.objects.get(pk=mine.pk).total == Decimal("12.00")


def test_a_new_rule_set_version_is_copied_and_a_new_form_goes_one_by_one(
    cast, month, django_capture_on_commit_callbacks
):
    row = current_rule_set("ND335")
    rule_set_in_force(code="ND335", name=row.name, legal_basis=row.legal_basis,
                      params={**row.params, "deduction_per_event": 0.5})  # fmt: skip
    expected = _one_by_one(month)
    old = RuleSet.objects.get(code="ND335", version=row.version)
    Appraisal.objects.filter(period=month, rule_set_code="ND335").update(
        rule_set_version=old.version, rule_params=old.params
    )
    _reset(month)
    _score_all(month, cast.authority, django_capture_on_commit_callbacks)
    for appraisal in Appraisal.objects.filter(period=month):
        assert _figures(appraisal) == expected[appraisal.pk][0]
        assert appraisal.rule_params == RuleSet.objects.get(code=appraisal.rule_set_code, is_current=True).params
    # A version whose general-criteria form differs: those appraisals go through score_locked (lines synced).
    params = dict(current_rule_set("ND335").params)
    groups = [{**group, "sub_criteria": []} for group in params["general_groups"]]
    rule_set_in_force(
        code="ND335", name=row.name, legal_basis=row.legal_basis, params={**params, "general_groups": groups}
    )
    _reset(month)
    ids = sorted(Official.objects.values_list("pk", flat=True))
    outcome = batch.score_chunk(month.pk, ids[0], ids[-1])
    assert outcome.one_by_one and outcome.scored
    mine = appraisal_of(cast.official, month)
    assert mine.criteria.count() == 3 and mine.explanation  # scored one by one, lines follow the new form


def test_who_may_score_a_period_and_when(cast, month, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionRefused):
        services.period_score_all(user=cast.head, period=month)
    AppraisalPeriod.objects.filter(pk=month.pk).update(status="CLOSED")
    with pytest.raises(Conflict):
        services.period_score_all(user=cast.authority, period=month)
    AppraisalPeriod.objects.filter(pk=month.pk).update(status="OPEN", opening_status="RUNNING")
    with pytest.raises(Conflict):
        services.period_score_all(user=cast.authority, period=month)


def test_the_command_scores_the_period(cast, month, capsys):
    _reset(month)
    call_command("score_period", str(month.pk), "--wait")
    assert "run_score_leaders" in capsys.readouterr().out
    assert not Appraisal.objects.filter(period=month, score_status="").exists()


# ------------------------------------------------------ score_month: officials, no appraisal


def _live(official, period, params, role=Role.STAFF, unit=None):
    items = tuple(
        ItemInput(
            code=row["code"], coefficient=row["coefficient"], assigned=row["assigned"], completed=row["completed"],
            quality_failures=row["quality_failures"], delays=row["delays"],
            exempt_quality_failures=row["exempt_quality_failures"], exempt_delays=row["exempt_delays"],
        )
        for row in scores.score_items(official, period)
    )  # fmt: skip
    return score_period(PeriodInput(role=role, items=items, general=GENERAL, unit=unit), params)


SCORE = ("status", "assigned_converted", "completed_converted", "quality_converted", "progress_converted",
         "a", "b", "c", "task_percent", "task_score", "general_score", "total", "classification")  # fmt: skip


def _score(result):
    return tuple(getattr(result, name) for name in SCORE)


def test_score_month_gives_each_official_the_live_scores_arithmetic(cast, month):
    work_period = month.work_periods.get()
    params = parse_params(current_rule_set("ND335").params)
    people = list(Official.objects.order_by("pk"))
    unit = UnitCriteria(d=Decimal("50"), dd=Decimal("100"), e=Decimal("100"))
    leaders = {people[0].pk: unit}
    found = dict(batch.score_month(period=work_period, params=params, general=GENERAL, leaders=leaders, chunk=2))
    assert list(found) == [person.pk for person in people]
    for person in people:
        role, given = (Role.LEADER, unit) if person.pk in leaders else (Role.STAFF, None)
        assert _score(found[person.pk]) == _score(_live(person, work_period, params, role, given)), person.code
    chosen = [people[1].pk, people[3].pk]
    assert [pk for pk, _ in batch.score_month(period=work_period, params=params, general=GENERAL,
                                              official_ids=chosen)] == chosen  # fmt: skip
