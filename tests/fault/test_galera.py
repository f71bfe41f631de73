"""One Galera node killed (SIGKILL) under 20 writers: no acknowledged write lost, none doubled.

``scripts/galera.sh`` starts a three-node cluster and HAProxy in a directory and on ports of
the test's own (node 1 is the writer, 2 and 3 its backups). A database is migrated through
HAProxy (every table InnoDB with a primary key, as Galera needs); then 20 threads of a child
process (tests/fault/galera_load.py) save work-log lines and review them through the real
services, all through HAProxy. Once some writes are
acknowledged, node 1 is killed with SIGKILL (a crash, not a shutdown); the writers go on
through node 2; node 1 is started again and rejoins by incremental state transfer (IST),
becomes the writer again, and the writers go on through it.

Afterwards, every acknowledged line and review is read on each of the three nodes directly
(with ``wsrep_sync_wait``, so a node answers only once it has applied everything): all are
there, on every node, no key appears twice, and the three nodes hold the same rows.

Errors: a write is lost to its client (a connection error, never a wrong answer) only when
it was in flight on a connection HAProxy closed: node 1's when it died, the backup's when
node 1 came back (and a node's whenever HAProxy marks it down, e.g. a donor). Each writer
has at most one write in flight, so the bound is one per writer per closing: 20 × 2 × the
times HAProxy marked a node down (read from its stats; 40 when only node 1 went down).
Deadlocks and certification conflicts are retried (core/retry.py) and are not errors. The
app kept serving: writes were acknowledged while node 1 was down and after it rejoined.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from collections import Counter
from pathlib import Path

import MySQLdb
import pytest

from tests.fault import servers
from tests.fault.galera_load import WRITERS

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "galera.sh"
# Ports apart from a developer's own cluster (3310-3313) and the machine's MariaDB (3306).
HAPROXY_PORT, FIRST_PORT, GCOMM_PORT, STATS_PORT = 3320, 3321, 4667, 8414
USER, PASSWORD = "kpi", "kpi-galera"
STEP = 100  # acknowledged writes before the kill, while node 1 is down, after it rejoined
NOTES: dict[str, object] = {}


def galera(*args: str, timeout: float = 300) -> str:
    env = dict(os.environ, GALERA_DIR=str(ROOT / "var" / "galera-test"), GALERA_PORT=str(FIRST_PORT),
               GALERA_HAPROXY_PORT=str(HAPROXY_PORT), GALERA_GCOMM_PORT=str(GCOMM_PORT),
               GALERA_STATS_PORT=str(STATS_PORT))  # fmt: skip
    done = subprocess.run([str(SCRIPT), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"galera.sh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def connect(port: int, database: str | None = None) -> MySQLdb.Connection:
    extra = {"database": database} if database else {}
    return MySQLdb.connect(host="127.0.0.1", port=port, user=USER, password=PASSWORD, charset="utf8mb4",
                           autocommit=True, **extra)  # fmt: skip


def rows(port: int, database: str) -> list[tuple[str, int, str, str]]:
    """(description, id, status, review comment) of the test's lines, as node ``port`` holds them."""
    with connect(port, database) as conn, conn.cursor() as cursor:
        cursor.execute("SET SESSION wsrep_sync_wait = 1")  # read only after applying everything before it
        cursor.execute(
            "SELECT description, id, status, review_comment FROM worklogs_worklogline "
            "WHERE description LIKE 'galera-%%' ORDER BY id"
        )
        return list(cursor.fetchall())


def tables_galera_cannot_replicate_well(database: str) -> list[str]:
    """Tables that are not InnoDB (Galera replicates InnoDB only) or have no primary key
    (each row event would be applied by a scan on every other node)."""
    with connect(HAPROXY_PORT) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT t.TABLE_NAME FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = %s "
            "AND t.TABLE_TYPE = 'BASE TABLE' AND (t.ENGINE <> 'InnoDB' OR NOT EXISTS ("
            "SELECT 1 FROM information_schema.TABLE_CONSTRAINTS c WHERE c.TABLE_SCHEMA = t.TABLE_SCHEMA "
            "AND c.TABLE_NAME = t.TABLE_NAME AND c.CONSTRAINT_TYPE = 'PRIMARY KEY'))",
            [database],
        )
        return [row[0] for row in cursor.fetchall()]


def transitions() -> dict[str, int]:
    """How many times HAProxy marked each node down (its stats page, column ``chkdown``)."""
    csv = urllib.request.urlopen(f"http://127.0.0.1:{STATS_PORT}/stats;csv", timeout=5).read().decode()
    rows = [line.split(",") for line in csv.splitlines() if line.startswith("galera,node")]
    return {row[1]: int(row[22] or 0) for row in rows}


def acknowledged(folder: Path) -> int:
    try:
        return int((folder / "progress").read_text())
    except (OSError, ValueError):
        return 0


@pytest.fixture
def cluster():
    galera("destroy")
    galera("up")
    yield
    galera("destroy")


def test_killing_a_galera_node_under_twenty_writers_loses_and_doubles_nothing(cluster, fault_dir):
    database = f"kpi_galera_{os.getpid()}"
    with connect(HAPROXY_PORT) as conn, conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    env = servers.app_env(f"mysql://{USER}:{PASSWORD}@127.0.0.1:{HAPROXY_PORT}/{database}",
                          "redis://127.0.0.1:6379/0", RQ_ASYNC="0")  # fmt: skip
    started = time.time()
    servers.manage(env, "migrate", "--noinput", "-v", "0")
    seconds = {"migrate": time.time() - started}
    assert tables_galera_cannot_replicate_well(database) == []

    load = servers.Process([servers.PYTHON, "-m", "tests.fault.galera_load", str(fault_dir)], env,
                           fault_dir / "load.log").start()  # fmt: skip
    try:
        servers.wait_until(lambda: (fault_dir / "ready").exists() or not load.running, 120, "the writers' data")
        assert load.running, load.tail()
        seconds["data"] = time.time() - started - seconds["migrate"]
        servers.wait_until(lambda: acknowledged(fault_dir) >= STEP, 120, "writes before the kill", step=0.05)
        killed_at = time.time()
        os.kill(int(galera("pid", "1")), signal.SIGKILL)
        before_kill = acknowledged(fault_dir)
        servers.wait_until(lambda: acknowledged(fault_dir) >= before_kill + STEP, 60, "writes through node 2")
        galera("start", "1")  # rejoins: IST from a surviving node
        rejoined_at = time.time()
        seconds["node_1_down"] = rejoined_at - killed_at
        rejoined = acknowledged(fault_dir)
        servers.wait_until(lambda: acknowledged(fault_dir) >= rejoined + STEP, 60, "writes after the rejoin")
        marked_down = transitions()
    finally:
        (fault_dir / "stop").write_text("1")
        servers.wait_until(lambda: not load.running, 60, "the writers to stop")
    assert load.popen is not None and load.popen.returncode == 0, load.tail()
    result = json.loads((fault_dir / "result.json").read_text())

    lines = {key: pk for key, pk, _ in result["lines"]}
    reviews = {key for key, _, _ in result["reviews"]}
    down = [t for _, _, t in result["lines"] + result["reviews"] if killed_at < t < rejoined_at]
    after = [t for _, _, t in result["lines"] + result["reviews"] if t > rejoined_at]
    held = {port: rows(port, database) for port in (FIRST_PORT, FIRST_PORT + 1, FIRST_PORT + 2)}
    errors = result["errors"]
    NOTES.update(
        acknowledged_lines=len(lines), acknowledged_reviews=len(reviews), errors=len(errors),
        error_codes=dict(Counter(str(error["code"]) for error in errors)), retries=result["retries"],
        acknowledged_while_node1_down=len(down), acknowledged_after_rejoin=len(after),
        found_on_each_node=[len(found) for found in held.values()],
        marked_down=marked_down, seconds={key: round(value, 1) for key, value in seconds.items()},
    )  # fmt: skip
    # Kept for the closing note and for a failure's post-mortem (var/ is not versioned).
    (ROOT / "var" / "galera-fault-result.json").write_text(json.dumps({"notes": NOTES, **result}))
    print("galera fault test:", json.dumps(NOTES))

    for port, found in held.items():
        by_key = {description: (pk, status, comment) for description, pk, status, comment in found}
        duplicates = [key for key, count in Counter(row[0] for row in found).items() if count > 1]
        assert not duplicates, f"node on {port}: keys saved twice: {duplicates[:5]}"
        missing = [key for key in lines if key not in by_key or by_key[key][0] != lines[key]]
        assert not missing, f"node on {port}: {len(missing)} acknowledged lines missing: {missing[:5]}"
        unreviewed = [key for key in reviews if by_key[key][1:] != ("REVIEWED", key)]
        assert not unreviewed, f"node on {port}: {len(unreviewed)} acknowledged reviews missing: {unreviewed[:5]}"
    assert held[FIRST_PORT] == held[FIRST_PORT + 1] == held[FIRST_PORT + 2]
    assert down and after, "the application stopped serving through HAProxy"
    # Each time HAProxy marks a node down or up again it closes that node's (or the
    # backups') connections: at most one write in flight per writer is lost to its client.
    assert marked_down["node1"] >= 1, "HAProxy never saw node 1 die"
    bound = WRITERS * 2 * sum(marked_down.values())
    assert len(errors) <= bound, errors[:5]
    lost_connection = {2006, 2013, 2026, 4031}  # gone away, lost, SSL/handshake, closed for inactivity
    assert all(error["code"] in lost_connection for error in errors), errors[:5]
