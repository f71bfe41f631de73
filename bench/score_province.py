"""Benchmark: score one month for the whole province against a plain GROUP BY (SPEC 9).

Usage (MariaDB; the server from ``DATABASE_URL``, but always the database ``bench_kpi``)::

    set -a; source var/db.env; set +a
    .venv/bin/python bench/score_province.py [--officials 75000] [--months 1] [--reuse]

Without ``--reuse`` the database ``bench_kpi`` is dropped, created, migrated and filled
by ``generate_demo`` (in a child process, so its memory does not count below). Then:

(a) the plain ``SELECT official_id, catalogue_item_id, SUM(accepted_quantity) ... GROUP
    BY`` over the month's lines, all rows fetched, best of 3;
(b) :func:`thanhhoa_kpi.appraisals.batch.score_month` over every official, streamed
    (wall time, and the process's peak RSS from ``resource.getrusage``);
(c) for diagnosis, the batch's aggregate queries alone (no scoring).

Targets: (b) ≤ 2 × (a), peak memory ≤ 1 GB. Never touches the dev or test database.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "bench_kpi"


def bench_url() -> str:
    """``DATABASE_URL`` with its database replaced by ``bench_kpi`` (MariaDB only)."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("mysql"):
        sys.exit("DATABASE_URL must point at the MariaDB server (source var/db.env).")
    return urlunsplit(parts._replace(path=f"/{DATABASE}"))


def recreate_database(url: str) -> None:
    import MySQLdb

    parts = urlsplit(url)
    server = MySQLdb.connect(
        host=parts.hostname or "127.0.0.1", port=parts.port or 3306, user=parts.username or "root",
        password=parts.password or "",
    )  # fmt: skip
    with server.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{DATABASE}`")
        cursor.execute(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    server.close()


def manage(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)
    return time.perf_counter() - started


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def plain_group_by(table: str, period_id: int) -> tuple[float, int]:
    from django.db import connection

    sql = (
        f"SELECT official_id, catalogue_item_id, SUM(accepted_quantity) FROM {table} "
        "WHERE period_id = %s GROUP BY official_id, catalogue_item_id"
    )
    best, rows = float("inf"), 0
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [period_id])
            rows = len(cursor.fetchall())
        best = min(best, time.perf_counter() - started)
    return best, rows


def leaders() -> dict[int, object]:
    """Heads and deputies, scored as leaders with d, đ, e at 100 (as the live score assumes)."""
    from thanhhoa_kpi.organization.models import OfficialAssignment
    from thanhhoa_kpi.scoring import UnitCriteria

    full = UnitCriteria(d=Decimal(100), dd=Decimal(100), e=Decimal(100))
    rows = OfficialAssignment.objects.filter(leadership_role__in=["HEAD", "DEPUTY"], end_date__isnull=True)
    return dict.fromkeys(rows.values_list("official_id", flat=True), full)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officials", type=int, default=75000)
    parser.add_argument("--months", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=2000)
    parser.add_argument("--reuse", action="store_true", help="keep the data already in bench_kpi")
    args = parser.parse_args()

    url = bench_url()
    os.environ.update(DATABASE_URL=url, DEBUG="0", DJANGO_SETTINGS_MODULE="thanhhoa_kpi.settings")
    if not args.reuse:
        recreate_database(url)
        print(f"migrate        : {manage('migrate', '--noinput', '-v', '0'):.1f} s")
        seconds = manage("generate_demo", f"--officials={args.officials}", f"--months={args.months}")
        print(f"generate_demo  : {seconds:.1f} s ({args.officials} officials × {args.months} month(s))")

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from thanhhoa_kpi.appraisals.batch import _items_by_official, score_month
    from thanhhoa_kpi.organization.models import Official
    from thanhhoa_kpi.scoring import GeneralInput
    from thanhhoa_kpi.worklogs.models import WorkLogLine, WorkPeriod
    from thanhhoa_kpi.worklogs.scores import rule_params

    assert connection.settings_dict["NAME"] == DATABASE
    period = WorkPeriod.objects.order_by("-year", "-month").first()
    if period is None:
        sys.exit("bench_kpi holds no work period: run without --reuse first.")
    table = WorkLogLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE TABLE {table}, worklogs_assignment")
        cursor.fetchall()
        cursor.execute("SELECT @@innodb_buffer_pool_size, VERSION()")
        pool, version = cursor.fetchone()
    lines = WorkLogLine.objects.filter(period=period).count()
    officials = Official.objects.count()
    print(f"database       : {version} {DATABASE}, innodb_buffer_pool_size {pool / 2**20:.0f} MiB")
    print(f"month          : {period} — {lines:,} lines, {officials:,} officials")

    plain, groups = plain_group_by(table, period.pk)
    print(f"(a) GROUP BY   : {plain:.2f} s best of 3 ({groups:,} groups)")

    params = rule_params("ND335")["ND335"]
    heads = leaders()
    general = GeneralInput(points=Decimal(27))
    before = rss_mb()
    started = time.perf_counter()
    scored = evaluated = 0
    for _official, score in score_month(period=period, params=params, general=general, leaders=heads, chunk=args.chunk):
        scored += 1
        evaluated += score.task_score is not None
    batch = time.perf_counter() - started
    peak = rss_mb()
    print(f"(b) score_month: {batch:.2f} s for {scored:,} officials ({evaluated:,} evaluated, {len(heads):,} leaders)")
    print(f"    peak RSS   : {peak:.0f} MiB (before scoring {before:.0f} MiB)")

    started = time.perf_counter()
    ids = list(Official.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), args.chunk):
        for _ in _items_by_official(period, ids[start : start + args.chunk]):
            pass
    queries = time.perf_counter() - started
    print(f"(c) queries    : {queries:.2f} s (the batch's aggregate queries alone)")
    ratio = batch / plain
    print(f"ratio b/a      : {ratio:.2f} × — target ≤ 2 × — {'OK' if ratio <= 2 else 'MISSED'}")
    print(f"memory         : {peak:.0f} MiB — target ≤ 1024 MiB — {'OK' if peak <= 1024 else 'MISSED'}")


if __name__ == "__main__":
    main()
