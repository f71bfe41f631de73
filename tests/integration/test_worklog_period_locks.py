"""The month's row is locked in share mode by writers (issue 12): saves in one month do not
queue behind each other, closing the month waits for the saves in flight. Two MariaDB
connections; a blocked statement would end in InnoDB's lock-wait timeout (set short here),
which the tests report as an outcome, never a time measured."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from tests.factories.worklogs import log
from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.worklogs import services
from thanhhoa_kpi.worklogs.models import PeriodStatus, WorkLogLine

pytestmark = pytest.mark.django_db(transaction=True)

LOCK_WAIT_SECONDS = 3


def _short_lock_wait() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET SESSION innodb_lock_wait_timeout = %s", [LOCK_WAIT_SECONDS])


class OpenSave(threading.Thread):
    """A save whose transaction stays open until :meth:`finish` (a slow request in flight)."""

    def __init__(self, user, item):
        super().__init__()
        self.user, self.item = user, item
        self.saved, self.release = threading.Event(), threading.Event()
        self.outcome = None

    def run(self):
        try:
            with transaction.atomic():
                log(self.user, self.item)
                self.saved.set()
                self.release.wait(timeout=60)
            self.outcome = "committed"
        except Exception as error:  # reported to the test, which fails on it
            self.outcome = error
        finally:
            self.saved.set()
            connection.close()

    def finish(self):
        self.release.set()
        self.join(timeout=60)


def in_other_connection(work):
    outcome = {}

    def run():
        try:
            _short_lock_wait()
            outcome["value"] = work()
        except Exception as error:
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    return outcome


def test_two_saves_in_the_same_month_do_not_block_each_other(cast, work):
    first = OpenSave(cast.official, work.culture)
    first.start()
    assert first.saved.wait(timeout=60) and first.outcome is None
    try:
        second = in_other_connection(lambda: log(cast.colleague, work.sport))
    finally:
        first.finish()
    assert "error" not in second, second.get("error")
    assert second["value"].period_id == work.period.pk
    assert first.outcome == "committed"
    assert WorkLogLine.objects.filter(period=work.period).count() == 2


def test_closing_the_month_waits_for_a_save_in_flight_then_refuses_saves(cast, work):
    first = OpenSave(cast.official, work.culture)
    first.start()
    assert first.saved.wait(timeout=60) and first.outcome is None
    try:
        closing = in_other_connection(
            lambda: services.work_period_set_status(period=work.period, user=cast.sysadmin, status=PeriodStatus.CLOSED)
        )
    finally:
        first.finish()
    # The closing transaction could not take the month while the save held it.
    assert isinstance(closing.get("error"), OperationalError) and closing["error"].args[0] == 1205
    assert first.outcome == "committed"
    services.work_period_set_status(period=work.period, user=cast.sysadmin, status=PeriodStatus.CLOSED)
    with pytest.raises(ValidationFailed) as refused:
        log(cast.colleague, work.sport)
    assert refused.value.code == "PERIOD_CLOSED"
    assert WorkLogLine.objects.filter(period=work.period).count() == 1
