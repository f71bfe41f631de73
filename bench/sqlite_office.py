"""A small office on the embedded SQLite demo (issue 13): concurrent writers, no lock errors.

Usage (Redis must answer on 127.0.0.1:6379; ``scripts/services.sh --redis-only`` starts it)::

    .venv/bin/python bench/sqlite_office.py [--users 20] [--lines 50] [--officials 400]
                                            [--server runserver|gunicorn] [--port 8766]

What it does, on its own SQLite file ``var/bench/office.sqlite3`` (made anew, never the
``make run`` database) and its own Redis database (``redis://127.0.0.1:6379/13``):

1. ``migrate``, ``seed --sets base,thanhhoa,demo`` and ``generate_demo --officials N
   --months 1``, as ``make run`` would on a fresh machine plus N generated officials;
2. gives the first ``--users`` generated officials (and the demo official, head and
   authority) an API token (sign-in is throttled, so tokens are made ahead);
3. starts the server of ``make run`` (``manage.py runserver``, threaded; or gunicorn with
   the project's config) and an RQ worker on that file, with the settings ``make run``
   uses (no ``DATABASE_URL`` profile values other than the file's path);
4. at once: the authority opens the current month again, so the worker writes the
   appraisals of the N generated officials; ``--users`` threads each save ``--lines``
   work-log lines (``POST /api/v1/worklogs/``) as fast as they are answered; one thread
   walks the demo official's appraisal round the chain (submit, approve, publish, reopen)
   until the writers are done;
5. reports every answer that is not a success (``database is locked`` is a 500), the
   p50/p95 per kind of request, whether the worker finished opening, and checks that
   every acknowledged line is in the database exactly once.

Exit status 1 when any request failed or a saved line is missing. Never run by CI.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
DB = OUT / "office.sqlite3"
PY = str(ROOT / ".venv" / "bin" / "python")
REDIS_URL = "redis://127.0.0.1:6379/13"
MARK = "Tải thử văn phòng nhỏ"
PASSWORD = "bench-2026"


def bench_env(sqlite_defaults: bool) -> dict[str, str]:
    """The environment of ``make run`` with only the database file and Redis database moved."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DB_") and k not in {"DATABASE_URL", "DEBUG"}}
    env.pop("RQ_ASYNC", None)
    env.pop("DJANGO_ENV", None)
    env.update(
        DATABASE_URL=f"sqlite:///{DB}",
        REDIS_URL=REDIS_URL,
        CACHE_PREFIX="bench-office",
        DJANGO_SETTINGS_MODULE="thanhhoa_kpi.settings",
    )
    if sqlite_defaults:  # the state before issue 13, to compare
        env.update(DJANGO_SETTINGS_MODULE="sqlite_defaults_settings", PYTHONPATH=str(ROOT / "bench"))
    return env


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


# --- accounts (run in a child process with the bench environment) -------------------------


def make_accounts(users: int, out: Path) -> None:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from thanhhoa_kpi.accounts.models import User
    from thanhhoa_kpi.appraisals.models import AppraisalPeriod
    from thanhhoa_kpi.organization.models import Official, OfficialAssignment
    from thanhhoa_kpi.worklogs.models import Assignment, WorkPeriod

    assert connection.vendor == "sqlite" and Path(connection.settings_dict["NAME"]) == DB
    today = date.today()
    work_period = WorkPeriod.objects.get(year=today.year, month=today.month)
    period = AppraisalPeriod.objects.get(kind="MONTH", start_date__year=today.year, start_date__month=today.month)
    staff = OfficialAssignment.objects.filter(
        end_date__isnull=True, leadership_role="NONE", official__code__startswith="GENO"
    ).order_by("pk")
    hashed = make_password(PASSWORD)

    def token_for(user: User) -> str:
        return Token.objects.get_or_create(user=user)[0].key

    writers = []
    for official_id in staff.values_list("official_id", flat=True)[:users]:
        official = Official.objects.get(pk=official_id)
        user, _ = User.objects.update_or_create(username=official.code.lower(), defaults={"password": hashed})
        Official.objects.filter(pk=official.pk).update(user=user)
        items = list(Assignment.objects.filter(assignee=official, period=work_period).values_list("pk", flat=True))
        writers.append({"token": token_for(user), "assignments": items})
    demo = {name: token_for(User.objects.get(username=name)) for name in ("demo_official", "demo_head", "demo_noivu")}
    appraisal = period.appraisals.get(official__code="DEMO0001")
    out.write_text(json.dumps({"writers": writers, "demo": demo, "appraisal": appraisal.pk, "period": period.pk}))


# --- the load ------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter[int]] = defaultdict(Counter)
        self.failures: list[str] = []
        self.saved_ids: list[int] = []

    def call(self, base: str, kind: str, method: str, path: str, token: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(base + path, data=data, method=method)
        request.add_header("Authorization", f"Token {token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        except OSError as error:  # refused, reset, timed out: a failure too
            status, payload = 599, str(error).encode()
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.times[kind].append(elapsed)
            self.statuses[kind][status] += 1
            if status >= 400:
                self.failures.append(f"{kind} {method} {path} -> {status}: {payload[:200]!r}")
        try:
            return {"_status": status, **json.loads(payload)} if status < 400 else {"_status": status}
        except ValueError:
            return {"_status": status}


def writer(rec: Recorder, base: str, account: dict, lines: int) -> None:
    today = date.today().isoformat()
    for n in range(lines):
        body = {
            "date": today,
            "assignment": account["assignments"][n % len(account["assignments"])],
            "quantity": "1",
            "minutes": 15,
            "description": f"{MARK} {n}",
        }
        answer = rec.call(base, "save a log line", "POST", "/api/v1/worklogs/", account["token"], body)
        if answer["_status"] == 201:
            with rec.lock:
                rec.saved_ids.append(answer["id"])


def publisher(rec: Recorder, base: str, accounts: dict, stop: threading.Event) -> None:
    """Walks DEMO0001's appraisal round the chain while the writers write."""
    demo, url = accounts["demo"], f"/api/v1/appraisals/{accounts['appraisal']}/"
    steps = {
        "DRAFT": ("demo_official", {"action": "submit"}),
        "UNIT_REVIEW": ("demo_head", {"action": "approve"}),
        "HOME_AFFAIRS": ("demo_noivu", {"action": "publish"}),
        "PUBLISHED": ("demo_noivu", {"action": "reopen", "comment": "Mở lại để thử tải"}),
    }
    while not stop.is_set():
        state = rec.call(base, "appraisal detail", "GET", url, demo["demo_noivu"]).get("state")
        if state not in steps:
            time.sleep(0.2)
            continue
        who, body = steps[state]
        kind = "publish" if body["action"] == "publish" else "other transitions"
        rec.call(base, kind, "POST", url + "transition/", demo[who], body)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer at {url}")


def start_server(kind: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    if kind == "gunicorn":
        command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                   "--bind", f"127.0.0.1:{port}", "thanhhoa_kpi.wsgi"]  # fmt: skip
    else:
        command = [PY, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def prepare(args: argparse.Namespace, env: dict[str, str]) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("seed", "--sets", "base,thanhhoa,demo", env=env)
    manage("generate_demo", "--officials", str(args.officials), "--months", "1", env=env)
    accounts_file = OUT / "office-accounts.json"
    subprocess.run([PY, __file__, "--make-accounts", str(accounts_file), "--users", str(args.users)],
                   cwd=ROOT, env=env, check=True)  # fmt: skip
    print(f"prepared {DB.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s")
    return json.loads(accounts_file.read_text())


def count_saved(period: int) -> str:
    """Python for a child process: the bench lines stored, and the month's opening state."""
    return (
        "import django, json; django.setup()\n"
        "from thanhhoa_kpi.worklogs.models import WorkLogLine\n"
        "from thanhhoa_kpi.appraisals.models import AppraisalPeriod\n"
        f"ids = list(WorkLogLine.objects.filter(description__startswith={MARK!r}).values_list('pk', flat=True))\n"
        f"period = AppraisalPeriod.objects.get(pk={period})\n"
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    journal = cursor.execute('PRAGMA journal_mode').fetchone()[0]\n"
        "    timeout = cursor.execute('PRAGMA busy_timeout').fetchone()[0]\n"
        "print(json.dumps({'ids': ids, 'opening': period.opening_status, 'appraisals': period.appraisals.count(),\n"
        "                  'journal': journal, 'busy_timeout_ms': timeout}))\n"
    )


def run(args: argparse.Namespace) -> int:
    env = bench_env(args.sqlite_defaults)
    subprocess.run(["redis-cli", "-n", "13", "FLUSHDB"], check=True, stdout=subprocess.DEVNULL)
    accounts = prepare(args, env)
    base = f"http://127.0.0.1:{args.port}"
    worker = subprocess.Popen([PY, "manage.py", "rqworker", "default", "--with-scheduler"], cwd=ROOT, env=env,
                              stdout=(OUT / "office-worker.log").open("w"), stderr=subprocess.STDOUT)  # fmt: skip
    server = start_server(args.server, args.port, env, OUT / "office-server.log")
    try:
        wait_for(base + "/api/v1/me/", 60)
        rec = Recorder()
        stop = threading.Event()
        opened = rec.call(base, "open the month (queues the worker)", "POST",
                          f"/api/v1/periods/{accounts['period']}/open/", accounts["demo"]["demo_noivu"])  # fmt: skip
        started = time.perf_counter()
        side = threading.Thread(target=publisher, args=(rec, base, accounts, stop))
        side.start()
        threads = [threading.Thread(target=writer, args=(rec, base, account, args.lines))
                   for account in accounts["writers"]]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        stop.set()
        side.join()
        opening_done = wait_opening(rec, base, accounts, 60)
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGINT if process is worker else signal.SIGTERM)
        for process in (server, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    return report(args, env, rec, accounts, wall, opened, opening_done)


def wait_opening(rec: Recorder, base: str, accounts: dict, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = rec.call(base, "period status", "GET", f"/api/v1/periods/{accounts['period']}/status/",
                          accounts["demo"]["demo_noivu"])  # fmt: skip
        if status.get("opening_status") == "DONE":
            return True
        time.sleep(0.5)
    return False


def report(args, env, rec: Recorder, accounts: dict, wall: float, opened: dict, opening_done: bool) -> int:
    check = subprocess.run([PY, "-c", count_saved(accounts["period"])],
                           cwd=ROOT, env=env, check=False, capture_output=True, text=True)  # fmt: skip
    if check.returncode:
        print(check.stderr[-2000:])
        stored = {"ids": [], "opening": "unknown (the check failed)", "appraisals": "?", "journal": "?",
                  "busy_timeout_ms": "?"}  # fmt: skip
    else:
        stored = json.loads(check.stdout.strip().splitlines()[-1])
    server_log = (OUT / "office-server.log").read_text(errors="replace")
    worker_log = (OUT / "office-worker.log").read_text(errors="replace")
    locked = server_log.count("database is locked") + worker_log.count("database is locked")
    settings = "Django's SQLite defaults" if args.sqlite_defaults else "the project's SQLite settings"
    print(f"\n{args.users} users x {args.lines} lines on {args.server}, {settings}, {wall:.1f} s")
    print(f"{'request':<38}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}  statuses")
    errors = 0
    for kind, times in rec.times.items():
        bad = sum(n for status, n in rec.statuses[kind].items() if status >= 400)
        errors += bad
        statuses = ", ".join(f"{s}×{n}" for s, n in sorted(rec.statuses[kind].items()))
        print(f"{kind:<38}{len(times):>7}{bad:>8}{percentile(times, 0.5):>9.0f}{percentile(times, 0.95):>9.0f}  "
              f"{statuses}")  # fmt: skip
    acknowledged = sorted(rec.saved_ids)
    missing = set(acknowledged) - set(stored["ids"])
    print(f"lines acknowledged {len(acknowledged)}, stored {len(stored['ids'])}, missing {len(missing)}")
    print(f"worker opening: {'DONE' if opening_done else stored['opening']}, "
          f"{stored['appraisals']} appraisals in the month")  # fmt: skip
    print(f"journal_mode {stored['journal']}, busy_timeout {stored['busy_timeout_ms']} ms")
    print(f"'database is locked' in the server and worker logs: {locked}")
    print(f"errors: {errors}")
    for line in rec.failures[:5]:
        print("  ", line)
    ok = errors == 0 and not missing and len(stored["ids"]) == len(acknowledged) and locked == 0 and opening_done
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--lines", type=int, default=30)
    parser.add_argument("--officials", type=int, default=200)
    parser.add_argument("--server", choices=["runserver", "gunicorn"], default="runserver")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--sqlite-defaults",
        action="store_true",
        help="Django's SQLite defaults instead of the project's (journal, timeout, deferred)",
    )
    parser.add_argument("--make-accounts", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_accounts:
        sys.path.insert(0, str(ROOT))
        make_accounts(args.users, args.make_accounts)
        return
    sys.exit(run(args))


if __name__ == "__main__":
    main()
