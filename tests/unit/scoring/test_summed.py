"""Scoring from work already summed (the batch's door): the figures and level of score_period, no text."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thanhhoa_kpi.scoring import (
    Classification,
    Disqualifier,
    GeneralInput,
    PeriodInput,
    PeriodScore,
    Role,
    ScoringInputError,
    Status,
    SummedInput,
    SummedWork,
    UnitCriteria,
    classify,
    score_period,
    score_summed,
    summed_work,
)

from .conftest import EXAMPLE_1_ITEMS, D, item, params, points
from .test_properties import items, unit_values

FIGURES = (
    "status", "assigned_converted", "completed_converted", "quality_converted", "progress_converted", "a", "b", "c",
    "task_percent", "task_score", "general_score", "total", "classification",
)  # fmt: skip
FULL = UnitCriteria(D(100), D(100), D(100))


def figures(score: PeriodScore) -> tuple[object, ...]:
    return tuple(getattr(score, name) for name in FIGURES)


def summed(period: PeriodInput, code: str = "ND335") -> PeriodScore:
    rules = params(code)
    data = SummedInput(
        period.role, summed_work(period.items, rules), period.general, period.unit, period.disqualifiers,
        period.exceeded_share,
    )  # fmt: skip
    return score_summed(data, rules)


def test_example_1_gives_the_same_figures_and_no_explanation() -> None:
    period = PeriodInput(Role.STAFF, EXAMPLE_1_ITEMS, points(27))
    result = summed(period)
    assert figures(result) == figures(score_period(period, params()))
    assert result.total == D("81.50") and result.classification is Classification.HOAN_THANH_TOT
    assert result.explanation == () and result.task_explanation == ()


def test_the_sums_of_example_1_are_those_of_spec_5_8() -> None:
    work = summed_work(EXAMPLE_1_ITEMS, params())
    assert (work.assigned, work.completed, work.quality, work.progress) == (38, 30, 29, Fraction(119, 4))
    # P3 is half done, each other item fully; one delay on P1 (coefficient 1).
    assert (work.done, work.delayed) == (30, 1)


def test_nothing_assigned_is_not_evaluable_without_text() -> None:
    period = PeriodInput(Role.STAFF, (item("P1", 2, 0, 3),), points(25))
    result = summed(period)
    assert result.status is Status.NO_ASSIGNED_WORK and result.total is None and result.explanation == ()
    assert figures(result) == figures(score_period(period, params()))


def test_a_leader_with_disqualifier_and_reduced_criteria() -> None:
    unit = UnitCriteria(D(50), D(100), D(50))
    period = PeriodInput(Role.LEADER, EXAMPLE_1_ITEMS, points("29.5"), unit, (Disqualifier.UNIT_CORRUPTION,))
    result = summed(period)
    assert result.classification is Classification.KHONG_HOAN_THANH
    assert figures(result) == figures(score_period(period, params()))


@pytest.mark.parametrize("share", [None, D("0.2"), D("0.3")])
def test_qd366_conditions_and_share_exceeded_step_down_alike(share: Decimal | None) -> None:
    done = (item("P1", 1, 10, 10), item("P2", 2, 5, 5))
    late = (item("P1", 1, 10, 10, delays=3), item("P2", 2, 5, 4))
    failed = (item("P1", 1, 10, 10, quality_failures=1), item("P2", 2, 5, 5))
    for chosen in (done, late, failed):
        period = PeriodInput(Role.STAFF, chosen, points(30), exceeded_share=share)
        assert figures(summed(period, "QD366")) == figures(score_period(period, params("QD366")))


def test_classify_without_explanation_decides_the_same_level() -> None:
    rules = params("QD366")
    for total in (D("95"), D("75"), D("55"), D("20")):
        for disqualifiers in ((), (Disqualifier.DISCIPLINE,)):
            explained = classify(total, rules, disqualifiers=disqualifiers)
            bare = classify(total, rules, disqualifiers=disqualifiers, explained=False)
            assert (bare.classification, bare.by_score, bare.total) == (
                explained.classification, explained.by_score, explained.total,
            )  # fmt: skip
            assert bare.reasons == () and explained.reasons


def test_missing_shares_are_refused_only_where_a_level_reads_them() -> None:
    bare = SummedWork(D(10), D(10), D(10), D(10))
    assert score_summed(SummedInput(Role.STAFF, bare, points(20)), params()).total == D("90.00")
    with pytest.raises(ScoringInputError) as error:
        score_summed(SummedInput(Role.STAFF, bare, points(20)), params("QD366"))
    assert [field for field, _ in error.value.errors] == ["work.done", "work.delayed", "work.failed"]


def test_bad_sums_and_inputs_are_all_named() -> None:
    work = SummedWork(D(-1), D(1), D(1), D(1), D(0), D(-2))
    data = SummedInput(Role.STAFF, work, GeneralInput(points=D(31)), FULL, (Disqualifier.UNIT_CORRUPTION,), D(2))
    with pytest.raises(ScoringInputError) as error:
        score_summed(data, params())
    assert [field for field, _ in error.value.errors] == [
        "work.assigned", "work.delayed", "general.points", "unit", "disqualifiers[0]", "exceeded_share",
    ]  # fmt: skip
    with pytest.raises(ScoringInputError) as error:
        score_summed(SummedInput(Role.LEADER, work, points(1)), params())
    assert ("unit", "Bắt buộc đối với lãnh đạo, quản lý (d, dd, e).") in error.value.errors


def test_decimal_sums_give_what_the_fractions_give() -> None:
    # What the database returns: the same rational numbers as decimals.
    work = summed_work(EXAMPLE_1_ITEMS, params())
    as_decimals = SummedWork(*(Decimal(value.numerator) / Decimal(value.denominator) for value in (
        work.assigned, work.completed, work.quality, work.progress, work.done, work.delayed, work.failed,
    )))  # fmt: skip
    period = SummedInput(Role.STAFF, as_decimals, points(27))
    assert figures(score_summed(period, params())) == figures(score_summed(replace(period, work=work), params()))


@st.composite
def periods(draw: st.DrawFn) -> tuple[str, PeriodInput]:
    code = draw(st.sampled_from(["ND335", "ND233", "QD366"]))
    role = draw(st.sampled_from(list(Role)))
    unit = UnitCriteria(draw(unit_values), draw(unit_values), draw(unit_values)) if role is Role.LEADER else None
    general = GeneralInput(points=Decimal(draw(st.integers(0, 60))) / 2)
    disqualifiers = tuple(draw(st.sets(st.sampled_from([Disqualifier.DEGRADATION, Disqualifier.DISCIPLINE]))))
    share = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=2)))
    return code, PeriodInput(role, tuple(draw(st.lists(items(), max_size=5))), general, unit, disqualifiers, share)


@settings(max_examples=300, deadline=None)
@given(periods())
def test_any_period_scores_the_same_through_both_doors(case: tuple[str, PeriodInput]) -> None:
    code, period = case
    assert figures(summed(period, code)) == figures(score_period(period, params(code)))
