"""An RQ worker killed (SIGKILL) in the middle of opening a month for 5,000 officials.

A real ``manage.py rqworker`` on a Redis and a MariaDB of the test's own runs the opening
job (``appraisals.jobs.run_period_open``); once some batches have committed, the worker and
its work horse are killed as one process group (what the OOM killer or a lost machine
does). Re-running the opening on a fresh worker finishes with exactly one appraisal per
official, each with its criteria lines: the job skips the officials already served, and
the (official, period) unique key makes a second appraisal impossible in any case.
"""

from __future__ import annotations

import time

import MySQLdb
import pytest

from tests.fault import servers
from tests.fault.conftest import world

OFFICIALS = 5000
NOTES: dict[str, int] = {}


def _count(conn, sql: str, *args) -> int:
    with conn.cursor() as cursor:
        cursor.execute(sql, args)
        return int(cursor.fetchone()[0])


def _opening(conn, period_id: int) -> tuple[str, int]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT opening_status, opening_done FROM appraisals_appraisalperiod WHERE id = %s", [period_id])
        status, done = cursor.fetchone()
    return status, int(done)


def _enqueue(env: dict[str, str], period_id: int) -> None:
    """What the period's opening does after its commit (jobs.enqueue_period_open), in a child process."""
    code = (
        "import django; django.setup(); from thanhhoa_kpi.appraisals import jobs; "
        f"jobs.enqueue_period_open({period_id})"
    )
    servers.python_code(env, code)


def test_killing_the_worker_mid_opening_then_rerunning_leaves_one_appraisal_per_official(
    fault_mariadb, fault_db, fault_redis, fault_dir
):
    env = servers.app_env(fault_mariadb.url(fault_db), fault_redis.url)
    started = time.monotonic()
    period_id = world(env, "province", str(OFFICIALS))["period_id"]
    conn = fault_mariadb.connect(fault_db)
    officials = _count(conn, "SELECT COUNT(*) FROM organization_official")
    assert officials == OFFICIALS

    generated = time.monotonic()
    worker = servers.rqworker(env, fault_dir / "worker-1.log")
    servers.wait_until(lambda: "Listening on" in worker.tail(200), 60, "the first RQ worker")
    _enqueue(env, period_id)
    # Kill once at least one batch of 500 has committed and before the last one.
    servers.wait_until(lambda: _opening(conn, period_id)[1] >= 500, 120, "the opening's first batch", step=0.05)
    worker.kill()
    status, done = _opening(conn, period_id)
    at_kill = _count(conn, "SELECT COUNT(*) FROM appraisals_appraisal WHERE period_id = %s", period_id)
    assert status == "RUNNING" and 0 < at_kill < OFFICIALS, (status, done, at_kill)

    worker = servers.rqworker(env, fault_dir / "worker-2.log")
    try:
        servers.wait_until(lambda: "Listening on" in worker.tail(200), 60, "the second RQ worker")
        _enqueue(env, period_id)
        servers.wait_until(lambda: _opening(conn, period_id)[0] in ("DONE", "FAILED"), 300, "the re-run")
    finally:
        worker.stop()
    assert _opening(conn, period_id)[0] == "DONE", worker.tail()
    finished = time.monotonic()

    total = _count(conn, "SELECT COUNT(*) FROM appraisals_appraisal WHERE period_id = %s", period_id)
    distinct = _count(
        conn, "SELECT COUNT(DISTINCT official_id) FROM appraisals_appraisal WHERE period_id = %s", period_id
    )
    bare = _count(
        conn,
        "SELECT COUNT(*) FROM appraisals_appraisal a WHERE a.period_id = %s AND NOT EXISTS "
        "(SELECT 1 FROM appraisals_appraisalcriterion c WHERE c.appraisal_id = a.id)",
        period_id,
    )
    NOTES.update(officials=officials, at_kill=at_kill, total=total, distinct=distinct, bare=bare)
    print(f"\nworker kill: {officials} officials, {at_kill} appraisals when killed, {total} after the re-run "
          f"({distinct} officials), {bare} without lines; data {generated - started:.0f} s, "
          f"opening, kill and re-run {finished - generated:.0f} s")  # fmt: skip
    assert (total, distinct, bare) == (OFFICIALS, OFFICIALS, 0)

    # Structural: the database itself refuses a second appraisal of an official for the period.
    with conn.cursor() as cursor:
        cursor.execute("SHOW INDEX FROM appraisals_appraisal WHERE Key_name = 'uniq_appraisal_official_period'")
        assert [(row[1], row[4]) for row in cursor.fetchall()] == [(0, "official_id"), (0, "period_id")]
        cursor.execute("CREATE TEMPORARY TABLE twin AS SELECT * FROM appraisals_appraisal WHERE period_id = %s LIMIT 1",
                       [period_id])  # fmt: skip
        cursor.execute("UPDATE twin SET id = 0")  # a new id: only the unique key can refuse it
        with pytest.raises(MySQLdb.IntegrityError):
            cursor.execute("INSERT INTO appraisals_appraisal SELECT * FROM twin")
    conn.close()
