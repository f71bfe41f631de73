"""Benchmark: one chunk of the month batch alone, step by step, and what its UPDATE pays for (issue 12).

Usage (on the data ``bench/score_province.py --prepare-only`` made; MariaDB)::

    set -a; source var/db.env; set +a
    .venv/bin/python bench/batch_chunk.py [--database bench_kpi] [--chunk 0] [--runs 3]
        [--shipped-settings] [--statements] [--update-variants]

Runs :func:`thanhhoa_kpi.appraisals.batch.score_chunk` on the chunk ``--chunk`` of the
period's plan (4 chunks of 18,750 officials at 75,000), in this process, ``--runs`` times,
each time from the chunk's appraisals reset to "not scored" (not timed), and prints the
wall time and the batch's own seconds per step. ``--statements`` prints every statement of a
run that took more than 30 ms. ``--update-variants`` then times, on the same rows, the
batch's kind of ``UPDATE … JOIN`` with one thing changed at a time, each in a transaction
rolled back (nothing stays) that first empties the rows as the reset does (a first scoring
writes figures where there were NULLs, so the rows grow): only the figures; plus the level (indexed); plus the two
emptied JSON columns; plus ``scored_at`` (in the index ``appraisal_period_scoring``); and all
of them on a copy of the table whose copied rule sets are emptied (the row 0.3 KB
instead of 2.7 KB), to tell what the row's width costs from what its indexes cost.
``--shipped-settings`` runs everything with the run-time settings of
``deploy/mariadb/thanhhoa_kpi.cnf`` (as ``score_province.py`` does) and puts the server's
values back afterwards. It refuses a database whose name does not start with ``bench``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

FIGURES = ("assigned_converted", "completed_converted", "quality_converted", "progress_converted", "a", "b", "c",
           "task_percent", "task_score", "general_score", "self_general_score", "total")  # fmt: skip
# One thing more at a time, after the figures (see the docstring).
VARIANTS = (
    ("figures, status, updated_at", ""),
    ("+ the level (indexed column)", ", a.proposed_classification = 'HOAN_THANH'"),
    ("+ the two JSON columns emptied", ", a.explanation = '[]', a.scored_items = '[]'"),
    ("+ scored_at (in appraisal_period_scoring)", ", a.scored_at = NOW(6)"),
)


@contextmanager
def statements_timed(threshold: float = 0.03) -> Iterator[None]:
    from django.db import connection

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            if took > threshold:
                print(f"    {took:6.3f} s  {' '.join(str(sql).split())[:110]}")

    with connection.execute_wrapper(timed):
        yield


def update_variants(low: int, high: int, period_id: int) -> None:
    from django.db import connection, transaction

    table = "appraisals_appraisal"
    figures = ", ".join(f"a.{name} = t.v" for name in FIGURES)
    blank = ", ".join(f"a.{name} = NULL" for name in FIGURES)
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@SESSION.check_constraint_checks")
        (checks,) = cursor.fetchone()
        cursor.execute("SET SESSION check_constraint_checks = 0")  # as the batch's UPDATE runs
        cursor.execute("DROP TEMPORARY TABLE IF EXISTS bench_ids")
        cursor.execute("CREATE TEMPORARY TABLE bench_ids (id INT PRIMARY KEY, v DECIMAL(7, 2))")
        chosen = f"SELECT id, 12.34 FROM {table} WHERE period_id = %s AND official_id BETWEEN %s AND %s"
        cursor.execute(f"INSERT INTO bench_ids {chosen}", [period_id, low, high])
        cursor.execute("DROP TABLE IF EXISTS bench_thin_appraisal")
        cursor.execute(f"CREATE TABLE bench_thin_appraisal LIKE {table}")
        cursor.execute(f"INSERT INTO bench_thin_appraisal SELECT * FROM {table}")
        cursor.execute("UPDATE bench_thin_appraisal SET rule_params = '{}'")
        cursor.execute("ALTER TABLE bench_thin_appraisal FORCE")  # rebuilt: the rows as narrow as their data
    try:
        every = "".join(extra for _name, extra in VARIANTS)
        cases = [(name, table, "".join(extra for _n, extra in VARIANTS[: index + 1]))
                 for index, (name, _extra) in enumerate(VARIANTS)]  # fmt: skip
        cases.append(("all of them, rule sets emptied (thin rows)", "bench_thin_appraisal", every))
        print(f"  UPDATE … JOIN of {high - low + 1:,} officials' rows, rolled back, best of 3:")
        for name, target, extra in cases:
            best = float("inf")
            for _ in range(3):
                with transaction.atomic(), connection.cursor() as cursor:
                    # As after the opening or the bench's reset: the figures NULL, the level and scored_at empty.
                    cursor.execute(
                        f"UPDATE {target} AS a JOIN bench_ids AS t ON a.id = t.id SET {blank}, a.score_status = '', "
                        "a.proposed_classification = '', a.scored_at = NULL"
                    )
                    started = time.perf_counter()
                    cursor.execute(
                        f"UPDATE {target} AS a JOIN bench_ids AS t ON a.id = t.id "
                        f"SET {figures}, a.score_status = 'OK', a.updated_at = NOW(6){extra}"
                    )
                    best = min(best, time.perf_counter() - started)
                    transaction.set_rollback(True)
            print(f"    {best:6.3f} s  {name}" + (f" [{target}]" if target != table else ""))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_thin_appraisal")
            cursor.execute("DROP TEMPORARY TABLE IF EXISTS bench_ids")
            cursor.execute("SET SESSION check_constraint_checks = %s", [int(checks)])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", default="bench_kpi")
    parser.add_argument("--chunk", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shipped-settings", action="store_true")
    parser.add_argument("--statements", action="store_true", help="print the statements over 30 ms")
    parser.add_argument("--update-variants", action="store_true", help="time the UPDATE's parts (rolled back)")
    args = parser.parse_args()
    if not args.database.startswith("bench"):
        sys.exit("--database must name a bench* database: the chunk's appraisals are reset to «not scored».")

    import score_province

    score_province.put_back_on_sigterm()
    os.environ.update({"DATABASE_URL": score_province.bench_url(args.database), "DEBUG": "0"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thanhhoa_kpi.settings")
    import django

    django.setup()
    from django.db import connection

    from thanhhoa_kpi.appraisals import batch
    from thanhhoa_kpi.appraisals.models import AppraisalPeriod

    period = AppraisalPeriod.objects.order_by("-pk").first()
    if period is None:
        sys.exit(f"{args.database} holds no appraisal period: run bench/score_province.py --prepare-only first.")
    ranges = batch.plan(period, 2)
    low, high = ranges[args.chunk]
    chosen = score_province.snippet_settings() if args.shipped_settings else None
    with score_province.server_settings(chosen) if chosen else nullcontext():
        with connection.cursor() as cursor:
            print(f"settings       : {score_province.describe_settings(cursor)}")
        print(f"chunk          : officials {low}…{high} ({args.chunk + 1} of {len(ranges)})")
        for run in range(args.runs):
            score_province.reset(period, (low, high))
            with statements_timed() if args.statements else nullcontext():
                started = time.perf_counter()
                outcome = batch.score_chunk(period.pk, low, high)
                took = time.perf_counter() - started
            steps = ", ".join(f"{step} {seconds:.2f}" for step, seconds in outcome.seconds.items())
            print(f"run {run + 1}          : {took:.2f} s ({steps} s); {outcome.scored:,} written, "
                  f"{len(outcome.leaders):,} leaders handed on")  # fmt: skip
        if args.update_variants:
            update_variants(low, high, period.pk)


if __name__ == "__main__":
    main()
