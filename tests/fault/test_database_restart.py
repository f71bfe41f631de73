"""The single MariaDB killed and restarted under 20 writers: nothing acknowledged is lost.

gunicorn serves the application on a MariaDB and a Redis of the test's own; 20 threads save
work-log lines through the API and record every answer (tests/fault/load.py). Once lines
are flowing, MariaDB is killed (SIGKILL, as in a crash), left down for a moment, then
started again on the same data directory. During the gap the API answers 503 with the
SPEC 8.1 body (core/outage.py), never a 500 nor a dropped connection; afterwards the same
gunicorn workers save lines again without being restarted (their broken connections are
replaced). A desk user signed in before gets a Vietnamese 503 page during the gap (the
session is read by a middleware, before any view) and the desk again after. Every line
answered 201 is in the database afterwards, once.
"""

from __future__ import annotations

import time

from tests.fault import servers
from tests.fault.client import signed_in
from tests.fault.conftest import world
from tests.fault.load import Writers
from thanhhoa_kpi.core.outage import DB_OUTAGE_MESSAGE

NOTES: dict[str, int] = {}


def test_a_database_restart_under_load_loses_no_acknowledged_line_and_answers_503_meanwhile(
    fault_mariadb, fault_db, fault_redis, fault_dir
):
    env = servers.app_env(fault_mariadb.url(fault_db), fault_redis.url)
    office = world(env, "office")
    server = servers.Gunicorn(env, fault_dir / "gunicorn.log").start()
    desk = signed_in(server.base_url, "official", office["password"])
    writers = Writers(server.base_url, office["tokens"]["official"], office["item"], office["today"]).start()
    try:
        servers.wait_until(lambda: writers.acknowledged() >= 100, 120, "100 lines saved before the restart")
        fault_mariadb.kill()
        down_at = time.monotonic()
        servers.wait_until(lambda: writers.refused() >= 40, 60, "503s while MariaDB is down")
        desk_down = desk.request("GET", "/admin/")  # its session is read by a middleware, before any view
        time.sleep(max(0.0, 3 - (time.monotonic() - down_at)))  # down for 3 s at least, like a restart
        gap = time.monotonic() - down_at
        fault_mariadb.start()
        up_at = time.monotonic()
        servers.wait_until(lambda: writers.acknowledged(since=up_at) >= 100, 120, "100 lines saved after the restart")
        desk_up = desk.request("GET", "/admin/").status
    finally:
        answers = writers.stop()
        server.stop()

    statuses: dict[int, int] = {}
    for answer in answers:
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    acknowledged = {answer.line_id: answer.description for answer in answers if answer.status == 201}
    refused = [answer for answer in answers if answer.status == 503]
    conn = fault_mariadb.connect(fault_db)
    with conn.cursor() as cursor:
        cursor.execute("SELECT id, description FROM worklogs_worklogline WHERE description LIKE 'fault-%%'")
        stored = dict(cursor.fetchall())
    conn.close()
    found = {line_id for line_id, description in acknowledged.items() if stored.get(line_id) == description}
    descriptions = list(stored.values())
    NOTES.update(sent=len(answers), acknowledged=len(acknowledged), found=len(found), refused=len(refused),
                 stored=len(stored), gap_ms=int(gap * 1000))  # fmt: skip
    print(f"\ndatabase restart: {len(answers)} lines sent by 20 writers, {len(acknowledged)} acknowledged, "
          f"{len(found)} of them found afterwards, {len(refused)} answered 503 during a gap of {gap:.1f} s, "
          f"{len(stored)} lines stored in all; statuses {statuses}; "
          f"the desk {desk_down.status} during the gap, {desk_up} after")  # fmt: skip

    assert set(statuses) == {201, 503}, {a.status: a.body for a in answers if a.status not in (201, 503)}
    assert len(found) == len(acknowledged), sorted(set(acknowledged) - found)[:20]
    assert len(descriptions) == len(set(descriptions)), "a line stored twice"
    # Stored lines beyond the acknowledged ones: at most those whose answer was a 503
    # (the commit happened but the connection died before the answer).
    assert len(acknowledged) <= len(stored) <= len(acknowledged) + len(refused)
    body = {"status": "ERROR", "code": "SERVICE_UNAVAILABLE", "message": DB_OUTAGE_MESSAGE, "errors": []}
    assert all(answer.body == body for answer in refused), refused[0].body
    assert all(answer.headers.get("Retry-After") == "60" for answer in refused)
    # The desk, signed in before: a Vietnamese 503 page during the gap, its page again after.
    assert desk_down.status == 503 and DB_OUTAGE_MESSAGE in desk_down.body and desk_up == 200
    # Automatic recovery: lines acknowledged after the restart, by the same gunicorn workers.
    assert writers.acknowledged(since=up_at) >= 100
