"""Batch scoring of a month is the same arithmetic as the live score, official by official."""

from decimal import Decimal

import pytest

from tests.factories.worklogs import assign, log, work_cast
from thanhhoa_kpi.appraisals.batch import score_month
from thanhhoa_kpi.appraisals.services.scoring import current_rule_set
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.scoring import GeneralInput, ItemInput, PeriodInput, Role, UnitCriteria, parse_params, score_period
from thanhhoa_kpi.worklogs import scores, services

pytestmark = pytest.mark.django_db

GENERAL = GeneralInput(points=Decimal("25"))
FIGURES = (
    "status", "assigned_converted", "completed_converted", "quality_converted", "progress_converted",
    "a", "b", "c", "task_percent", "task_score", "general_score", "total", "classification",
)  # fmt: skip


def _one_by_one(official, period, params, role=Role.STAFF, unit=None):
    items = tuple(
        ItemInput(
            code=row["code"], coefficient=row["coefficient"], assigned=row["assigned"], completed=row["completed"],
            quality_failures=row["quality_failures"], delays=row["delays"],
            exempt_quality_failures=row["exempt_quality_failures"], exempt_delays=row["exempt_delays"],
        )
        for row in scores.score_items(official, period)
    )  # fmt: skip
    return score_period(PeriodInput(role=role, items=items, general=GENERAL, unit=unit), params)


def _figures(score):
    return tuple(getattr(score, name) for name in FIGURES)


@pytest.fixture
def month(cast):
    work = work_cast(cast)
    assign(cast.head, cast.official_of(cast.official), work.culture, "10")
    assign(cast.head, cast.official_of(cast.official), work.office, "5")
    assign(cast.head, cast.official_of(cast.official), work.culture_small, "3")
    assign(cast.head, cast.official_of(cast.colleague), work.sport, "4")
    review = services.worklog_review
    review(
        line=log(cast.official, work.culture, "4"), reviewer=cast.head, accepted_quantity=Decimal("3"),
        quality_failures=2, delays=1, exempt_delays=1, exemption_reason="Mất điện cả ngày",
    )  # fmt: skip
    review(line=log(cast.official, work.culture, "2"), reviewer=cast.head)
    review(line=log(cast.official, work.office, "7"), reviewer=cast.head, delays=3)
    review(line=log(cast.colleague, work.sport, "3"), reviewer=cast.head, quality_failures=5)
    log(cast.colleague, work.sport, "9")  # a draft: not counted until reviewed
    review(line=log(cast.deputy, work.culture, "2"), reviewer=cast.head)  # done without assignment
    return work


def test_the_batch_gives_each_official_the_live_scores_arithmetic(cast, month):
    params = parse_params(current_rule_set("ND335").params)
    people = [cast.official_of(user) for user in (cast.official, cast.colleague, cast.deputy, cast.head)]
    batch = dict(score_month(period=month.period, params=params, general=GENERAL, official_ids=[p.pk for p in people]))
    assert set(batch) == {p.pk for p in people}
    for person in people:
        assert _figures(batch[person.pk]) == _figures(_one_by_one(person, month.period, params)), person.code
    assert batch[people[0].pk].a is not None and batch[people[0].pk].b < batch[people[0].pk].a
    assert batch[people[2].pk].status == "NO_ASSIGNED_WORK"


def test_small_chunks_all_officials_and_leaders_give_the_same_results(cast, month):
    params = parse_params(current_rule_set("ND335").params)
    head = cast.official_of(cast.head)
    unit = UnitCriteria(d=Decimal("50"), dd=Decimal("100"), e=Decimal("100"))
    official = cast.official_of(cast.official)
    leaders = {official.pk: unit}
    batch = list(score_month(period=month.period, params=params, general=GENERAL, leaders=leaders, chunk=2))
    assert [pk for pk, _ in batch] == sorted(Official.objects.values_list("pk", flat=True))
    found = dict(batch)
    assert _figures(found[official.pk]) == _figures(
        _one_by_one(official, month.period, params, role=Role.LEADER, unit=unit)
    )
    assert _figures(found[head.pk]) == _figures(_one_by_one(head, month.period, params))
