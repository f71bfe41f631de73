"""CPU, wall time and queries per request of the load bench's requests, in one process.

The load curve (``bench/load.sh``) says where the knee is; this says what one request costs
the server, without gunicorn, the network or locust: each request of ``bench/locustfile.py``
sent ``--repeat`` times through Django's test client with the bench accounts' tokens, on the
bench database of ``bench/load.sh``. ``--profile NAME`` prints the functions that take the
time of one of them (cProfile, cumulative).

Usage::

    set -a; source var/db.env; set +a
    DATABASE_URL=mysql://root@127.0.0.1:3306/bench_load .venv/bin/python bench/profile_requests.py
    ... bench/profile_requests.py --repeat 200 --profile "save a log line"
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def requests(accounts: dict[str, list[dict[str, object]]]) -> dict[str, tuple[str, Callable[..., object]]]:
    """name -> (account kind, a callable of (client, account) that sends the request)."""

    def save(client, account):  # type: ignore[no-untyped-def]
        body = {"date": date.today().isoformat(), "assignment": random.choice(account["assignments"]),
                "quantity": "1", "minutes": 30, "description": "Tải thử"}  # fmt: skip
        return client.post("/api/v1/worklogs/", data=json.dumps(body), content_type="application/json")

    return {
        "save a log line": ("officials", save),
        "own page: me": ("officials", lambda client, account: client.get("/api/v1/me/")),
        "own page: my lines": ("officials", lambda client, account: client.get("/api/v1/worklogs/?mine=1")),
        "own page: live score": ("officials", lambda client, account: client.get("/api/v1/me/score/")),
        "unit appraisal list": ("heads", lambda client, account: client.get("/api/v1/appraisals/?page_size=50")),
        "unit line list": ("heads", lambda client, account: client.get("/api/v1/worklogs/?page_size=50")),
        "unit review queue": (
            "heads",
            lambda client, account: client.get("/api/v1/worklogs/?awaiting_review=1&page_size=50"),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", default=str(ROOT / "var" / "bench" / "load.json"))
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--profile", metavar="NAME", help="print cProfile's top functions for this request")
    parser.add_argument("--queries", metavar="NAME", help="print the SQL of this request, slowest first")
    args = parser.parse_args()
    if "/bench" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("DATABASE_URL must name a bench* database (the one bench/load.sh uses).")
    os.environ.update(DEBUG="0", DJANGO_SETTINGS_MODULE="thanhhoa_kpi.settings", ALLOWED_HOSTS="testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    accounts = json.loads(Path(args.accounts).read_text(encoding="utf-8"))
    random.seed(7)
    print(f"{'request':<24}{'status':>7}{'CPU ms p50':>11}{'wall p50':>9}{'wall p95':>9}{'queries':>8}")
    for name, (kind, send) in requests(accounts).items():
        cpu, wall, statuses = [], [], set()
        for round_ in range(args.repeat + 5):
            account = random.choice(accounts[kind])
            client = Client(HTTP_AUTHORIZATION=f"Token {account['token']}")
            connection.queries_log.clear()  # it keeps 9,000 queries; the count below needs room
            started, started_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                response = send(client, account)
            if round_ >= 5:  # the first few warm the caches
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            statuses.add(response.status_code)
        wall.sort()
        print(f"{name:<24}{'/'.join(map(str, sorted(statuses))):>7}{statistics.median(cpu):>11.1f}"
              f"{statistics.median(wall):>9.1f}{wall[int(len(wall) * 0.95) - 1]:>9.1f}{len(queries):>8}")  # fmt: skip
    if args.queries:
        kind, send = requests(accounts)[args.queries]
        account = random.choice(accounts[kind])
        send(Client(HTTP_AUTHORIZATION=f"Token {account['token']}"), account)  # warm: a user's second request
        with CaptureQueriesContext(connection) as queries:
            send(Client(HTTP_AUTHORIZATION=f"Token {account['token']}"), account)
        for query in sorted(queries.captured_queries, key=lambda query: -float(query["time"])):
            print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:600]}")
    if args.profile:
        kind, send = requests(accounts)[args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            account = random.choice(accounts[kind])
            send(Client(HTTP_AUTHORIZATION=f"Token {account['token']}"), account)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(45)


if __name__ == "__main__":
    main()
