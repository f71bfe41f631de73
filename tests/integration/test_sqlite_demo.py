"""The embedded SQLite demo (``make run``) survives concurrent writers (issue 13).

Each check runs in a child process with the project's settings and no MariaDB settings,
on a SQLite file in ``tmp_path`` (never ``var/demo.sqlite3``). The workload is the one that
made the demo answer "database is locked": transactions that read, then write, at the same
time. The same workload under Django's own SQLite defaults must fail, so the test cannot
pass for a reason other than the settings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Child process: the connection's PRAGMAs, whether BEGIN takes the write lock, and 8
# threads x 5 read-then-write transactions on one counter.
PROBE = r"""
import json, sqlite3, sys, threading, time
import django
django.setup()
from django.conf import settings
from django.db import connection, connections, transaction

path = settings.DATABASES["default"]["NAME"]
with connection.cursor() as cursor:
    pragmas = {name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
               for name in ("journal_mode", "busy_timeout", "synchronous")}
    cursor.execute("CREATE TABLE counter (n INTEGER)")
    cursor.execute("INSERT INTO counter VALUES (0)")
with transaction.atomic():
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        begin_takes_write_lock = False
    except sqlite3.OperationalError:
        begin_takes_write_lock = True
    other.close()

THREADS, ROUNDS = 8, 5
start = threading.Barrier(THREADS)
errors = []

def work():
    start.wait()
    try:
        for _ in range(ROUNDS):
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SELECT n FROM counter")
                    time.sleep(0.02)
                    cursor.execute("UPDATE counter SET n = n + 1")
            except Exception as error:
                errors.append(str(error))
    finally:
        connections.close_all()

threads = [threading.Thread(target=work) for _ in range(THREADS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    total = cursor.execute("SELECT n FROM counter").fetchone()[0]
print(json.dumps({"engine": settings.DATABASES["default"]["ENGINE"], "pragmas": pragmas,
                  "begin_takes_write_lock": begin_takes_write_lock, "errors": errors, "total": total,
                  "expected": THREADS * ROUNDS}))
"""


def _environment(**extra: str) -> dict[str, str]:
    """The environment of ``make run``: no database settings at all (plus ``extra``)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("DB_")}
    env.pop("SQLITE_TIMEOUT", None)
    env.pop("DJANGO_ENV", None)
    env["DJANGO_SETTINGS_MODULE"] = "thanhhoa_kpi.settings"
    return env | extra


def _probe(env: dict[str, str]) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_with_no_database_configured_the_demo_is_sqlite_with_wal_a_busy_timeout_and_immediate_begin():
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({k: str(v) for k, v in settings.DATABASES['default'].items() if k in ('ENGINE', 'NAME', "
        "'OPTIONS')}))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_environment(), capture_output=True, text=True,
                          check=False, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    default = json.loads(proc.stdout.strip().splitlines()[-1])
    assert default["ENGINE"] == "thanhhoa_kpi.core.sqlite"
    assert default["NAME"] == str(ROOT / "var" / "demo.sqlite3")
    assert "'transaction_mode': 'IMMEDIATE'" in default["OPTIONS"]
    assert "journal_mode=WAL" in default["OPTIONS"] and "'timeout': 20" in default["OPTIONS"]


def test_concurrent_read_then_write_transactions_all_succeed_on_the_project_settings(tmp_path):
    result = _probe(_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'office.sqlite3'}"))
    assert result["engine"] == "thanhhoa_kpi.core.sqlite"
    assert result["pragmas"] == {"journal_mode": "wal", "busy_timeout": 20000, "synchronous": 1}
    assert result["begin_takes_write_lock"] is True
    assert result["errors"] == []
    assert result["total"] == result["expected"] == 40


def test_the_same_workload_fails_under_djangos_sqlite_defaults(tmp_path):
    """The control: without the project's options the probe sees "database is locked"."""
    (tmp_path / "defaults_settings.py").write_text(
        "from thanhhoa_kpi.settings import *  # noqa: F403\n"
        "from thanhhoa_kpi.settings import DATABASES\n"
        "DATABASES['default'].update(ENGINE='django.db.backends.sqlite3', OPTIONS={})\n",
        encoding="utf-8",
    )
    env = _environment(DATABASE_URL=f"sqlite:///{tmp_path / 'office.sqlite3'}")
    env |= {"DJANGO_SETTINGS_MODULE": "defaults_settings", "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    result = _probe(env)
    assert result["pragmas"]["journal_mode"] == "delete" and result["begin_takes_write_lock"] is False
    assert any("database is locked" in error for error in result["errors"])
    assert result["total"] < result["expected"]
