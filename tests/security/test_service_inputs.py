"""Property tests of the services' input checks (issue 9, build item 4).

Whatever an adapter hands a write service — the API after its serializer, a desk form, an
import row, a command — the service either succeeds or raises a :class:`DomainError`
whose ``errors`` name the offending input fields, in Vietnamese. Never another exception:
a ``TypeError`` or a database error would be a 500 in the API and a crash in a job.

Hypothesis draws values of every shape for each input (numbers of any size, NaN and
infinities, strings with control characters or of any length, dates from year 1 to 9999,
None: the scalars a form or a spreadsheet cell can carry); examples are bounded
(``SERVICE_EXAMPLES``, default 40) and derandomized so a run is repeatable, and the inputs
that once broke a service are replayed first (``@example``). Each call runs in a savepoint
rolled back at once.

Two inputs once broke the work-log services and are replayed first: a quantity of 10**30
(``decimal.InvalidOperation`` in the two-decimal check) and a deadline that is not a date
(``TypeError`` in the comparison with the month's first day).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.factories.appraisals import prepare_appraisals
from tests.factories.worklogs import log
from thanhhoa_kpi.appraisals.services import period_create
from thanhhoa_kpi.core.errors import DomainError, ValidationFailed
from thanhhoa_kpi.worklogs import assignments, services

pytestmark = pytest.mark.django_db

BOUNDED = settings(
    max_examples=int(os.environ.get("SERVICE_EXAMPLES", "40")),
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    report_multiple_bugs=False,
    # Function-scoped fixtures (the cast) are shared by the examples on purpose: every
    # example runs in its own savepoint, rolled back, so none sees another's rows.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 2**31, 2**63, 10**30, "1e9999", "NaN", "-0", "1,5", "0.001"]),
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),  # control characters
    st.integers(min_value=0, max_value=70_000).map(lambda n: "x" * n),
)
DATES = st.one_of(
    st.dates(),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2110, 12, 31)),
    st.sampled_from(["2026-02-30", "hôm qua", ""]),
)
# What an adapter can hand over: a form's or a cell's raw scalar, of any type and size.
ANYTHING = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT, DATES)


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def refused_or_done(call: Callable[[], Any], inputs: set[str]) -> Any:
    """Run ``call``; a refusal must be a DomainError naming only fields among ``inputs``."""
    with rolled_back():
        try:
            return call()
        except DomainError as error:
            assert error.code and error.message
            if isinstance(error, ValidationFailed):
                named = {e.field.split(".")[0].split("[")[0] for e in error.errors}
                assert named and named <= inputs, (error.code, error.message, error.errors)
                assert all(e.message for e in error.errors)
            return error


def _drop_unset(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not UNSET}


UNSET = object()


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The value, or the key left out."""
    return st.one_of(st.just(UNSET), strategy)


# ----------------------------------------------------------------------------- work logs


LINE_INPUTS = {"date", "quantity", "minutes", "description", "document_number", "catalogue_item", "assignment"}


@given(
    quantity=st.one_of(NUMBERS, ANYTHING),
    minutes=st.one_of(NUMBERS, ANYTHING),
    day=st.one_of(DATES, ANYTHING),
    description=maybe(st.one_of(TEXT, ANYTHING)),
    document_number=maybe(st.one_of(TEXT, ANYTHING)),
)
@example(quantity=10**30, minutes=0, day=date(2026, 1, 1), description=UNSET, document_number=UNSET)
@BOUNDED
def test_worklog_create_refuses_bad_values_by_field(cast, work, quantity, minutes, day, description, document_number):
    fields = _drop_unset({"description": description, "document_number": document_number})
    refused_or_done(
        lambda: services.worklog_create(
            user=cast.official, catalogue_item=work.culture, quantity=quantity, minutes=minutes, date=day, **fields
        ),
        LINE_INPUTS,
    )


@given(
    quantity=maybe(st.one_of(NUMBERS, ANYTHING)),
    minutes=maybe(st.one_of(NUMBERS, ANYTHING)),
    day=maybe(st.one_of(DATES, ANYTHING)),
    description=maybe(TEXT),
)
@example(quantity=10**30, minutes=UNSET, day=UNSET, description=UNSET)
@BOUNDED
def test_worklog_update_refuses_bad_values_by_field(cast, work, quantity, minutes, day, description):
    fields = _drop_unset({"quantity": quantity, "minutes": minutes, "date": day, "description": description})
    refused_or_done(
        lambda: services.worklog_update(line=log(cast.official, work.culture), user=cast.official, **fields),
        LINE_INPUTS,
    )


REVIEW_INPUTS = {
    "accepted_quantity", "quality_failures", "delays", "exempt_quality_failures", "exempt_delays",
    "exemption_reason", "exemption_confirmed_by", "comment",
}  # fmt: skip


@given(
    accepted=maybe(st.one_of(NUMBERS, ANYTHING)),
    failures=maybe(st.one_of(NUMBERS, ANYTHING)),
    delays=maybe(st.one_of(NUMBERS, ANYTHING)),
    exempt=maybe(st.one_of(st.integers(min_value=-2, max_value=3), ANYTHING)),
    reason=maybe(st.one_of(TEXT, ANYTHING)),
    confirmed_by=maybe(st.one_of(TEXT, ANYTHING)),
    comment=maybe(st.one_of(TEXT, ANYTHING)),
)
@BOUNDED
def test_worklog_review_refuses_bad_values_by_field(
    cast, work, accepted, failures, delays, exempt, reason, confirmed_by, comment
):
    given_values = _drop_unset({
        "accepted_quantity": accepted, "quality_failures": failures, "delays": delays, "exempt_delays": exempt,
        "exemption_reason": reason, "exemption_confirmed_by": confirmed_by, "comment": comment,
    })  # fmt: skip
    refused_or_done(
        lambda: services.worklog_review(line=log(cast.official, work.culture, quantity="3"), reviewer=cast.head,
                                        **given_values),
        REVIEW_INPUTS,
    )  # fmt: skip


ASSIGNMENT_INPUTS = {"quantity", "deadline", "note", "catalogue_item", "assignee", "period", "origin"}


@given(
    quantity=st.one_of(NUMBERS, ANYTHING),
    deadline=st.one_of(st.none(), DATES, ANYTHING),
    note=maybe(st.one_of(TEXT, ANYTHING)),
)
@example(quantity="1", deadline=5, note=UNSET)
@example(quantity=10**30, deadline=None, note=UNSET)
@BOUNDED
def test_assignment_create_refuses_bad_values_by_field(cast, work, quantity, deadline, note):
    fields = _drop_unset({"note": note})
    refused_or_done(
        lambda: assignments.assignment_create(
            user=cast.head,
            catalogue_item=work.culture,
            assignee=cast.official_of(cast.official),
            quantity=quantity,
            period=work.period,
            deadline=deadline,
            **fields,
        ),  # fmt: skip
        ASSIGNMENT_INPUTS,
    )


# ----------------------------------------------------------------------------- appraisal periods


@pytest.fixture
def rule_sets(cast):
    prepare_appraisals()


PERIOD_INPUTS = {
    "kind", "bloc", "year", "number", "start_date", "end_date", "rule_set_code",
    "self_assessment_deadline", "unit_review_deadline", "approval_deadline",
}  # fmt: skip


@given(
    kind=st.one_of(st.sampled_from(["MONTH", "QUARTER", "YEAR"]), ANYTHING),
    bloc=st.one_of(st.sampled_from(["CHINH_QUYEN", "DANG", "MTTQ"]), ANYTHING),
    year=st.one_of(st.integers(min_value=1990, max_value=2110), NUMBERS, ANYTHING),
    number=st.one_of(st.integers(min_value=-1, max_value=14), ANYTHING),
    start=maybe(st.one_of(st.none(), DATES)),
    end=maybe(st.one_of(st.none(), DATES)),
    deadline=maybe(st.one_of(st.none(), DATES)),
    rule_set=maybe(st.one_of(st.sampled_from(["ND335", "ND233"]), TEXT)),
)
@BOUNDED
def test_period_create_refuses_bad_values_by_field(
    cast, rule_sets, kind, bloc, year, number, start, end, deadline, rule_set
):
    fields = _drop_unset({
        "start_date": start, "end_date": end, "approval_deadline": deadline, "rule_set_code": rule_set,
    })  # fmt: skip
    refused_or_done(
        lambda: period_create(user=cast.authority, kind=kind, bloc=bloc, year=year, number=number, **fields),
        PERIOD_INPUTS,
    )


def test_the_property_helper_itself_refuses_a_crash_and_an_unnamed_refusal():
    with pytest.raises(ZeroDivisionError):
        refused_or_done(lambda: 1 / 0, {"x"})
    with pytest.raises(AssertionError):
        refused_or_done(lambda: (_ for _ in ()).throw(ValidationFailed("Sai.", [])), {"x"})
    assert isinstance(refused_or_done(lambda: Decimal("1"), {"x"}), Decimal)
