"""Benchmark: score one month for the whole province against a plain GROUP BY (SPEC 9, issue 12).

Usage (MariaDB; the server from ``DATABASE_URL``, the database from ``--database``)::

    set -a; source var/db.env; set +a
    .venv/bin/python bench/score_province.py [--database bench_kpi] [--officials 75000] [--reuse]
        [--workers 2] [--runs 3] [--check all|none|N] [--explain]

Without ``--reuse`` the database is dropped, created, migrated, seeded with the base set
and filled by ``generate_demo`` (in child processes, so their memory does not count
below); then the month's appraisal period is opened (the opening job, here) and the
inputs are varied so that every rule is exercised: officials on ND233 and QD366 (whose
levels carry conditions on the work), reviewer and self scores on most criteria lines
(some left blank), disqualifiers, leaders with đ or e at 50, a share of tasks exceeded,
lines with failures and delays past the per-product cap, exemptions, and officials
whose assignments were never approved (nothing assigned). ``--reuse`` keeps all that.

Then, each on the same month:

(a) the plain ``SELECT official_id, catalogue_item_id, SUM(accepted_quantity) ... GROUP
    BY`` over the month's lines, all groups fetched, best of 3;
(b) scoring the whole period: :func:`thanhhoa_kpi.appraisals.jobs.enqueue_period_score`
    with ``--workers`` RQ workers started here beforehand (``manage.py rqworker``, on a
    Redis database of their own), timed from planning the chunks to the end of the
    leaders' job, written to the appraisals; each run starts from appraisals reset to
    "not scored" (not timed); best of ``--runs``, each run printed;
(c) :func:`thanhhoa_kpi.appraisals.batch.score_month` (the same sums and engine, one
    process, no appraisals, nothing written), for comparison with earlier results;
(d) the check: every appraisal (or ``N`` of them) scored again by the one-by-one path
    (:func:`thanhhoa_kpi.appraisals.services.scoring.compute`, in 2 processes) must give
    the stored status, figures, level and d; and the explanation the first reader gets
    (:func:`~thanhhoa_kpi.appraisals.services.scoring.explained`) must be the
    one-by-one path's, on a sample.

``--shipped-settings`` runs (a) to (d) with the server settings of
``deploy/mariadb/thanhhoa_kpi.cnf`` that MariaDB can change while running (buffer pool,
redo log, in-memory temporary tables, I/O capacity: ``SET GLOBAL``), and puts the
server's own values back afterwards, whatever happens (a SIGTERM included; not a SIGKILL);
the settings that need a restart (the binary log) stay as the server has them. Every run
prints the settings it ran with.

Peak memory: the largest ``ru_maxrss`` of this process and of each job (reported by
the job). Targets: (b) ≤ 1.5 × (a), peak ≤ 1 GiB, (d) no difference.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# The workers' queue, apart from anyone else's jobs on the same Redis (BENCH_REDIS_DB to move it).
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "7"))


# The snippet's settings that MariaDB 10.11 changes at run time (SET GLOBAL), with their variable names.
DYNAMIC = ("innodb_buffer_pool_size", "innodb_log_file_size", "tmp_table_size", "max_heap_table_size",
           "innodb_io_capacity")  # fmt: skip
SNIPPET = ROOT / "deploy" / "mariadb" / "thanhhoa_kpi.cnf"
SHOWN = ("innodb_buffer_pool_size", "innodb_log_file_size", "tmp_table_size", "innodb_flush_log_at_trx_commit",
         "log_bin")  # fmt: skip


def snippet_settings() -> dict[str, int]:
    """The dynamic settings of the shipped snippet, as numbers of bytes or units."""
    units = {"K": 2**10, "M": 2**20, "G": 2**30}
    found: dict[str, int] = {}
    for line in SNIPPET.read_text(encoding="utf-8").splitlines():
        name, _, value = (part.strip() for part in line.partition("="))
        if name in DYNAMIC:
            number, unit = re.fullmatch(r"(\d+)([KMG]?)", value).groups()  # type: ignore[union-attr]
            found[name] = int(number) * units.get(unit, 1)
    return found


def put_back_on_sigterm() -> None:
    """A SIGTERM (``kill``, a CI timeout) ends the run through ``finally``: the server's settings are put back.

    SIGKILL cannot be caught: after one, ``SET GLOBAL`` the values the last run printed as the server's own.
    """
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))


@contextmanager
def server_settings(chosen: dict[str, int]) -> Iterator[None]:
    """``SET GLOBAL`` each of ``chosen`` for the duration, then the server's own values again."""
    from django.db import connection

    names = list(chosen)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"@@GLOBAL.{name}" for name in names))
        before = dict(zip(names, (int(value) for value in cursor.fetchone()), strict=True))
    try:
        with connection.cursor() as cursor:
            for name, value in chosen.items():
                cursor.execute(f"SET GLOBAL {name} = {int(value)}")
                if name == "innodb_buffer_pool_size" and value > before[name]:
                    wait_for_resize(cursor, value)
        connection.close()  # the next session starts from the new values (tmp_table_size is per session)
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"SET GLOBAL {name} = {value}")
        print(f"server settings put back: {', '.join(f'{name} {value}' for name, value in before.items())}")


def _pool_bytes(cursor: object) -> int:
    cursor.execute(  # type: ignore[attr-defined]
        "SELECT VARIABLE_VALUE * @@innodb_page_size FROM information_schema.GLOBAL_STATUS"
        " WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_TOTAL'"
    )
    return int(cursor.fetchone()[0])  # type: ignore[attr-defined]


def wait_for_resize(cursor: object, target: int, seconds: float = 300) -> None:
    """The buffer pool grows in the background: wait until its pages make up the new size."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _pool_bytes(cursor) >= 0.95 * target:
            return
        time.sleep(0.5)
    sys.exit(f"the buffer pool did not grow to {target / 2**20:.0f} MiB within {seconds:.0f} s")


def describe_settings(cursor: object) -> str:
    cursor.execute("SELECT " + ", ".join(f"@@GLOBAL.{name}" for name in SHOWN))  # type: ignore[attr-defined]
    values = cursor.fetchone()  # type: ignore[attr-defined]
    shown = []
    for name, value in zip(SHOWN, values, strict=True):
        as_int = int(value) if str(value).isdigit() else None
        if as_int is not None and name.endswith("_size"):
            value = f"{as_int / 2**20:.0f} MiB"
        shown.append(f"{name} {value}")
    return ", ".join(shown)


def bench_url(database: str) -> str:
    """``DATABASE_URL`` with its database replaced (MariaDB only)."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("mysql"):
        sys.exit("DATABASE_URL must point at the MariaDB server (source var/db.env).")
    return urlunsplit(parts._replace(path=f"/{database}"))


def redis_url() -> str:
    parts = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


def recreate_database(url: str, database: str) -> None:
    import MySQLdb

    parts = urlsplit(url)
    server = MySQLdb.connect(
        host=parts.hostname or "127.0.0.1", port=parts.port or 3306, user=parts.username or "root",
        password=parts.password or "",
    )  # fmt: skip
    with server.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")
        cursor.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    server.close()


def manage(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)
    return time.perf_counter() - started


def rss_mib() -> float:
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


# ------------------------------------------------------------------------ preparation


def prepare(work_period: object) -> object:
    """Open the month's appraisal period on the generated data and vary every input (once)."""
    from django.db import connection

    from thanhhoa_kpi.accounts.models import User
    from thanhhoa_kpi.appraisals.choices import PeriodStatus
    from thanhhoa_kpi.appraisals.models import AppraisalPeriod
    from thanhhoa_kpi.appraisals.services.opening import period_open_run
    from thanhhoa_kpi.appraisals.services.periods import default_dates, link_work_periods

    year, month = work_period.year, work_period.month  # type: ignore[attr-defined]
    period = AppraisalPeriod.objects.filter(kind="MONTH", bloc="CHINH_QUYEN", year=year, number=month).first()
    if period is not None and period.opening_status == "DONE":
        return period
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Rule sets other than the period's: a tenth on ND233, a tenth on QD366.
        cursor.execute("UPDATE organization_official SET rule_set_code = 'ND233' WHERE id % 10 = 7")
        cursor.execute("UPDATE organization_official SET rule_set_code = 'QD366' WHERE id % 10 = 3")
        # Nothing assigned: assignments never approved.
        cursor.execute("UPDATE worklogs_assignment SET approved = 0 WHERE assignee_id % 97 = 0")
        # Failures and delays past the cap of 4 per product, with exemptions.
        cursor.execute(
            "UPDATE worklogs_worklogline SET quality_failures = 3 + id %% 5, exempt_quality_failures = id %% 2 "
            "WHERE period_id = %s AND id %% 101 = 0",
            [work_period.pk],  # type: ignore[attr-defined]
        )
        cursor.execute(
            "UPDATE worklogs_worklogline SET delays = 2 + id %% 6, exempt_delays = id %% 3 "
            "WHERE period_id = %s AND id %% 89 = 0",
            [work_period.pk],  # type: ignore[attr-defined]
        )
    start, end = default_dates("MONTH", year, month)
    period = AppraisalPeriod.objects.create(
        kind="MONTH", bloc="CHINH_QUYEN", year=year, number=month, start_date=start, end_date=end,
        status=PeriodStatus.OPEN, rule_set_code="ND335", opening_status="QUEUED",
    )  # fmt: skip
    link_work_periods(period)
    opened = time.perf_counter()
    period_open_run(period_id=period.pk)
    print(f"opening        : {time.perf_counter() - opened:.1f} s (the opening job: appraisals and their lines)")
    recorder, _ = User.objects.get_or_create(username="bench_recorder")
    with connection.cursor() as cursor:
        appraisals = f"SELECT id FROM appraisals_appraisal WHERE period_id = {int(period.pk)}"
        # Self scores on 9 lines of 10, the reviewer's on 8 of 10, the rest blank.
        cursor.execute(
            "UPDATE appraisals_appraisalcriterion "
            "SET self_score = GREATEST(0, max_points - 0.5 * ((appraisal_id + id) % 4)) "
            f"WHERE (appraisal_id + id) % 10 < 9 AND appraisal_id IN ({appraisals})"
        )
        cursor.execute(
            "UPDATE appraisals_appraisalcriterion "
            "SET reviewer_score = GREATEST(0, max_points - 0.5 * ((appraisal_id * 7 + id) % 5)) "
            f"WHERE (appraisal_id + id) % 10 < 8 AND appraisal_id IN ({appraisals})"
        )
        cursor.execute(
            "INSERT INTO appraisals_appraisaldisqualifier "
            "(appraisal_id, code, evidence, attachment, recorded_by_id, recorded_at) "
            f"SELECT id, 'DISCIPLINE', 'Quyết định kỷ luật (dữ liệu đo hiệu năng)', '', {int(recorder.pk)}, NOW() "
            f"FROM appraisals_appraisal WHERE period_id = {int(period.pk)} AND id % 53 = 0"
        )
        cursor.execute(
            "UPDATE appraisals_appraisal SET unit_dd = 50, unit_criteria_reason = 'Chậm trễ kéo dài (đo hiệu năng)' "
            f"WHERE period_id = {int(period.pk)} AND leadership_role <> 'NONE' AND id % 7 = 0"
        )
        cursor.execute(
            f"UPDATE appraisals_appraisal SET unit_e = 50 WHERE period_id = {int(period.pk)} "
            "AND leadership_role <> 'NONE' AND id % 11 = 0"
        )
        cursor.execute(
            f"UPDATE appraisals_appraisal SET exceeded_share = 0.35 WHERE period_id = {int(period.pk)} AND id % 3 = 0"
        )
    print(f"prepared       : {time.perf_counter() - started:.1f} s (period opened, inputs varied)")
    return period


# ------------------------------------------------------------------------ runs


def reset(period: object, officials: tuple[int, int] | None = None) -> None:
    """The period's appraisals (of the officials whose ids lie in ``officials``, both ends
    included, when given) back to "not scored" (between timed runs)."""
    from thanhhoa_kpi.appraisals import batch
    from thanhhoa_kpi.appraisals.models import Appraisal

    chosen = Appraisal.objects.filter(period=period)
    if officials is not None:
        chosen = chosen.filter(official_id__gte=officials[0], official_id__lte=officials[1])
    chosen.update(**batch.NOT_SCORED)
    settle()


def settle(seconds: float = 120) -> None:
    """Wait until InnoDB has written out the pages the reset dirtied, so a run does not pay for them."""
    from django.db import connection

    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'")
            if int(cursor.fetchone()[1]) < 200:
                return
            time.sleep(0.5)


def start_workers(count: int, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    workers = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "rqworker", "default", "--name", f"bench-{os.getpid()}-{n}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        for n in range(count)
    ]  # fmt: skip
    import django_rq
    from rq import Worker

    queue = django_rq.get_queue("default")
    deadline = time.monotonic() + 60
    while Worker.count(queue=queue) < count:
        if time.monotonic() > deadline:
            sys.exit("the RQ workers did not start")
        time.sleep(0.2)
    return workers


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=60)


def score_once(period: object) -> tuple[float, list[dict[str, object]]]:
    import django_rq
    from rq.job import Job, JobStatus

    from thanhhoa_kpi.appraisals import jobs
    from thanhhoa_kpi.appraisals.batch import plan

    started = time.perf_counter()
    ids = jobs.enqueue_period_score(period.pk, plan(period, jobs.workers()))  # type: ignore[attr-defined]
    connection = django_rq.get_connection("default")
    results = []
    for job_id in ids:
        while True:
            job = Job.fetch(job_id, connection=connection)
            status = job.get_status()
            if status == JobStatus.FINISHED:
                results.append(job.return_value())
                break
            if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
                sys.exit(f"job {job_id} {status}: {job.latest_result().exc_string if job.latest_result() else ''}")
            time.sleep(0.02)
    return time.perf_counter() - started, results


# ------------------------------------------------------------------------ the check

_CHECKED = (
    "assigned_converted", "completed_converted", "quality_converted", "progress_converted",
    "a", "b", "c", "task_percent", "task_score", "general_score", "total",
)  # fmt: skip


def _check_part(args: tuple[list[int], int]) -> tuple[int, list[str]]:
    from django.db import connection

    connection.close()
    from thanhhoa_kpi.appraisals.models import Appraisal, RuleSet
    from thanhhoa_kpi.appraisals.services.scoring import compute

    pks, sample = args
    wrong = []
    rule_sets: dict[tuple[str, int], RuleSet] = {}
    done = 0
    for appraisal in Appraisal.objects.filter(pk__in=pks).select_related("unit", "official", "period"):
        key = (appraisal.rule_set_code, appraisal.rule_set_version)
        if key not in rule_sets:
            rule_sets[key] = RuleSet.objects.get(code=key[0], version=key[1])
        computed = compute(appraisal, rule_sets[key])
        result = computed.result
        expected = (
            result.status.value, *(getattr(result, name) for name in _CHECKED),
            result.classification.value if result.classification else "",
            computed.data.unit.d if computed.data.unit else None,
        )  # fmt: skip
        stored = (
            appraisal.score_status, *(getattr(appraisal, name) for name in _CHECKED),
            appraisal.proposed_classification, appraisal.unit_d if appraisal.is_leader else None,
        )  # fmt: skip
        if expected != stored:
            wrong.append(f"appraisal {appraisal.pk}: one by one {expected} != batch {stored}")
        done += 1
    return done, wrong


def check(period: object, limit: int | None, processes: int = 2) -> str:
    from django.db import connection

    from thanhhoa_kpi.appraisals.models import Appraisal
    from thanhhoa_kpi.appraisals.services.scoring import compute, explained

    pks = list(Appraisal.objects.filter(period=period).order_by("pk").values_list("pk", flat=True))
    if limit is not None:
        step = max(1, len(pks) // limit)
        pks = pks[::step][:limit]
    started = time.perf_counter()
    connection.close()
    parts = [(pks[n::processes], 0) for n in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        found = pool.map(_check_part, parts)
    checked = sum(count for count, _ in found)
    wrong = [line for _, lines in found for line in lines]
    seconds = time.perf_counter() - started
    print(f"(d) check      : {checked:,} appraisals scored again one by one in {seconds:.0f} s: {len(wrong)} differ")
    for line in wrong[:20]:
        print(f"    {line}")
    # The explanation the first reader gets is the one-by-one path's.
    sample = list(Appraisal.objects.filter(period=period).order_by("pk")[:: max(1, len(pks) // 200)][:200])
    differ = 0
    for appraisal in sample:
        shown = explained(appraisal).explanation
        computed = compute(appraisal, None)
        if shown != [*computed.result.explanation, *computed.notes]:
            differ += 1
    print(f"    explanation: {len(sample)} appraisals opened after the batch: {differ} differ from one by one")
    return f"{checked:,} scored again: {len(wrong)} differ; {len(sample)} explanations: {differ} differ"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", default="bench_kpi")
    parser.add_argument("--officials", type=int, default=75000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--check", default="all", help="all, none, or how many appraisals")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--reuse", action="store_true", help="keep the data already in the database")
    parser.add_argument("--prepare-only", action="store_true", help="stop once the period is opened and varied")
    parser.add_argument("--record", metavar="FILE", help="append the run's table to FILE (bench/RESULTS.md)")
    parser.add_argument(
        "--shipped-settings", action="store_true",
        help="run with deploy/mariadb/thanhhoa_kpi.cnf's run-time settings (SET GLOBAL), put back afterwards",
    )  # fmt: skip
    args = parser.parse_args()
    put_back_on_sigterm()

    url = bench_url(args.database)
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url(), "DEBUG": "0", "RQ_ASYNC": "1"}
    env["DJANGO_SETTINGS_MODULE"] = "thanhhoa_kpi.settings"
    os.environ.update(env)
    if not args.reuse:
        recreate_database(url, args.database)
        print(f"migrate        : {manage('migrate', '--noinput', '-v', '0'):.1f} s")
        manage("seed", "--sets", "base")
        seconds = manage("generate_demo", f"--officials={args.officials}", "--months=1")
        print(f"generate_demo  : {seconds:.1f} s ({args.officials} officials × 1 month)")

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from thanhhoa_kpi.worklogs.models import WorkPeriod

    assert connection.settings_dict["NAME"] == args.database
    work_period = WorkPeriod.objects.order_by("-year", "-month").first()
    if work_period is None:
        sys.exit(f"{args.database} holds no work period: run without --reuse first.")
    period = prepare(work_period)
    if args.prepare_only:
        return
    with server_settings(snippet_settings()) if args.shipped_settings else nullcontext():
        measure(args, env, work_period, period)


def measure(args: argparse.Namespace, env: dict[str, str], work_period: object, period: object) -> None:
    """(a) to (d) on the prepared month, printed (and recorded with ``--record``)."""
    from django.db import connection
    from prepare_load import analyze

    from thanhhoa_kpi.appraisals.batch import score_month
    from thanhhoa_kpi.appraisals.models import Appraisal
    from thanhhoa_kpi.appraisals.rulesets import rule_sets_current
    from thanhhoa_kpi.organization.models import Official
    from thanhhoa_kpi.scoring import GeneralInput
    from thanhhoa_kpi.worklogs.models import WorkLogLine

    table = WorkLogLine._meta.db_table
    analyze((table, "worklogs_assignment", "appraisals_appraisal", "appraisals_appraisalcriterion"), quiet=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        (version,) = cursor.fetchone()
        settings = describe_settings(cursor)
    lines = WorkLogLine.objects.filter(period=work_period).count()
    officials = Official.objects.count()
    appraisals = Appraisal.objects.filter(period=period).count()
    leaders = Appraisal.objects.filter(period=period, leadership_role__in=["HEAD", "DEPUTY"]).count()
    print(f"machine        : {os.cpu_count()} CPUs; {version}; {settings}")
    print(f"month          : {work_period} — {lines:,} lines, {officials:,} officials, {appraisals:,} appraisals "
          f"({leaders:,} heads and deputies)")  # fmt: skip
    if args.explain:
        explain_queries(table, work_period.pk, period, args.workers)

    plain, groups = plain_group_by(table, work_period.pk)
    print(f"(a) GROUP BY   : {plain:.2f} s best of 3 ({groups:,} groups)")

    workers = start_workers(args.workers, env)
    runs, peaks = [], [rss_mib()]
    try:
        for _ in range(args.runs):
            reset(period)
            seconds, results = score_once(period)
            runs.append(seconds)
            peaks += [float(result["peak_rss_mib"]) for result in results]  # type: ignore[arg-type]
            scored = sum(int(result["scored"]) for result in results)  # type: ignore[call-overload]
            refused = sum(len(result["refused"]) for result in results)  # type: ignore[arg-type]
            print(f"(b) run        : {seconds:.2f} s — {len(results) - 1} chunks + leaders on {args.workers} workers, "
                  f"{scored:,} scored, {refused:,} refused by the engine ({seconds / plain:.2f} × a)")  # fmt: skip
            for result in results:
                steps = ", ".join(f"{step} {value:.2f}" for step, value in result["seconds"].items())  # type: ignore[attr-defined]
                print(f"    job        : {steps} s; peak {result['peak_rss_mib']} MiB")
    finally:
        stop_workers(workers)
    best = min(runs)
    print(f"(b) period     : {best:.2f} s best of {len(runs)} ({', '.join(f'{run:.2f}' for run in runs)})")

    params = rule_sets_current()["ND335"]
    started = time.perf_counter()
    count = sum(1 for _ in score_month(period=work_period, params=params, general=GeneralInput(points=Decimal(27))))
    print(f"(c) score_month: {time.perf_counter() - started:.2f} s for {count:,} officials (engine only, one process)")
    peak = max(peaks + [rss_mib()])

    checked = "not checked"
    if args.check != "none":
        checked = check(period, None if args.check == "all" else int(args.check))
    ratio = best / plain
    print(f"ratio b/a      : {ratio:.2f} × — target ≤ 1.5 × — {'OK' if ratio <= 1.5 else 'MISSED'}")
    print(f"memory         : {peak:.0f} MiB peak (bench process and jobs) — target ≤ 1024 MiB — "
          f"{'OK' if peak <= 1024 else 'MISSED'}")  # fmt: skip
    if args.record:
        rows = [
            ("machine", f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; {version}; {settings}"
                        + (" (`--shipped-settings`)" if args.shipped_settings else "")),
            ("scale", f"{officials:,} officials, {lines:,} reviewed lines, {appraisals:,} appraisals"),
            ("(a) plain GROUP BY, best of 3", f"{plain:.2f} s ({groups:,} groups)"),
            (f"(b) the period on {args.workers} RQ workers, best of {len(runs)}", f"{best:.2f} s"),
            ("ratio b/a (target ≤ 1.5)", f"**{ratio:.2f} ×** — {'OK' if ratio <= 1.5 else 'MISSED'}"),
            ("peak memory (target ≤ 1 GiB)", f"{peak:.0f} MiB"),
            ("check against one-by-one scoring", checked),
        ]  # fmt: skip
        record(args.record, f"`bench/score_province.py --officials {args.officials}`", rows)


def record(path: str, title: str, rows: list[tuple[str, str]]) -> None:
    """Append one run's table, dated, to the results file (``make bench``)."""
    stamp = time.strftime("%Y-%m-%d %H:%M %Z")
    lines = [f"\n### {stamp}: {title}\n", "| measure | result |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    with open(path, "a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    print(f"recorded       : {path}")


def explain_queries(table: str, period_id: int, period: object, workers: int) -> None:
    """EXPLAIN the plain GROUP BY and every SELECT the batch sends to read its first chunk.

    The batch's statements are captured (``CaptureQueriesContext``) while
    :meth:`thanhhoa_kpi.appraisals.batch._Batch.read` reads the first chunk of
    :func:`~thanhhoa_kpi.appraisals.batch.plan`, as the job does (read only: nothing is
    scored or written), then each is explained as it was sent.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thanhhoa_kpi.appraisals.batch import Scope, _Batch, plan

    plain = (
        f"SELECT official_id, catalogue_item_id, SUM(accepted_quantity) FROM {table} "
        f"WHERE period_id = {int(period_id)} GROUP BY official_id, catalogue_item_id"
    )
    statements = [("plain GROUP BY", plain)]
    low, high = plan(period, workers)[0]  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as captured:
        _Batch.read(period, Scope(low, high, period.pk))  # type: ignore[arg-type, attr-defined]
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.lstrip().upper().startswith("SELECT"):
            tables = re.findall(r"FROM\s+`?(\w+)`?", sql)
            statements.append((f"batch, first chunk ({low}…{high}): {', '.join(dict.fromkeys(tables))}", sql))
    with connection.cursor() as cursor:
        for title, sql in statements:
            cursor.execute("EXPLAIN " + sql)
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            extras = " ".join(str(row["Extra"] or "") for row in rows)
            flags = [flag for flag in ("Using filesort", "Using temporary") if flag in extras] or ["no filesort"]
            print(f"EXPLAIN {title} — {', '.join(flags)}")
            print(f"    {' '.join(sql.split())[:160]}…")
            for row in rows:
                print(f"    {row['id']} {row['select_type']:<8} {row['table']:<32} type={row['type']} "
                      f"key={row['key']} rows={row['rows']} Extra={row['Extra']}")  # fmt: skip


if __name__ == "__main__":
    main()
