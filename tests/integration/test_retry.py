"""Refused transactions run again (core/retry.py): deadlocks on MariaDB, the outermost unit only."""

import threading

import MySQLdb
import pytest
from django.db import OperationalError, connection, transaction

from thanhhoa_kpi.core import retry
from thanhhoa_kpi.worklogs.models import WorkPeriod

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(retry, "PAUSE", 0)


def test_of_two_transactions_that_deadlock_the_refused_one_runs_again_and_both_finish():
    first = WorkPeriod.objects.create(year=2020, month=1)
    second = WorkPeriod.objects.create(year=2020, month=2)
    barrier = threading.Barrier(2)
    attempts = {"ab": 0, "ba": 0}
    done = {}

    @retry.retry_transaction
    @transaction.atomic
    def lock_in_order(name, order):
        attempts[name] += 1
        WorkPeriod.objects.select_for_update().get(pk=order[0].pk)
        if attempts[name] == 1:
            barrier.wait(timeout=10)  # each holds its first row: the second lock closes the cycle
        WorkPeriod.objects.select_for_update().get(pk=order[1].pk)
        WorkPeriod.objects.filter(pk=order[1].pk).update(status="CLOSED" if name == "ab" else "OPEN")
        return name

    def run(name, order):
        try:
            done[name] = lock_in_order(name, order)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("ab", (first, second))),
        threading.Thread(target=run, args=("ba", (second, first))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert done == {"ab": "ab", "ba": "ba"}
    assert sorted(attempts.values()) == [1, 2]  # InnoDB chose one victim; it ran again


def _refusing(codes):
    calls = []

    @retry.retry_transaction
    @transaction.atomic
    def service():
        calls.append(1)
        WorkPeriod.objects.create(year=2021, month=len(calls))
        if len(calls) <= len(codes):
            raise OperationalError(codes[len(calls) - 1], "refused")
        return "saved"

    return service, calls


def test_a_certification_conflict_then_a_lock_wait_timeout_leave_one_row_from_the_third_attempt():
    service, calls = _refusing([1213, 1205])
    assert service() == "saved"
    assert len(calls) == 3
    assert list(WorkPeriod.objects.filter(year=2021).values_list("month", flat=True)) == [3]


def test_after_three_refusals_the_error_reaches_the_caller_and_nothing_is_kept():
    service, calls = _refusing([1213, 1213, 1213])
    with pytest.raises(OperationalError):
        service()
    assert len(calls) == retry.ATTEMPTS == 3
    assert not WorkPeriod.objects.filter(year=2021).exists()


def test_inside_an_outer_transaction_the_unit_runs_once_and_the_outer_one_decides():
    service, calls = _refusing([1213])
    with pytest.raises(OperationalError), transaction.atomic():
        service()
    assert len(calls) == 1
    assert not WorkPeriod.objects.filter(year=2021).exists()


def test_a_connection_lost_during_the_unit_is_not_run_again_and_is_closed_for_a_new_one():
    service, calls = _refusing([2013])
    connection.ensure_connection()
    killer = MySQLdb.connect(**connection.get_connection_params())
    killer.cursor().execute(f"KILL {connection.connection.thread_id()}")  # the server drops it, as in a crash
    killer.close()
    with pytest.raises(OperationalError) as refused:
        service()
    assert retry.error_code(refused.value) in (2006, 2013)
    assert calls == []  # it failed at its first statement; whether a commit happened is never guessed
    assert connection.connection is None  # closed: the next call opens a new one
    assert not WorkPeriod.objects.filter(year=2021).exists()  # and a new one answers


def test_a_failed_connect_is_tried_again_since_nothing_was_sent(monkeypatch):
    service, calls = _refusing([])
    connection.close()
    real = connection.connect
    failures = []

    def connect_once_refused():
        if not failures:
            failures.append(1)
            raise OperationalError(2003, "Can't connect to server")
        real()

    monkeypatch.setattr(connection, "connect", connect_once_refused)
    assert service() == "saved"
    assert failures == [1] and len(calls) == 1
