"""Prepare the load test: a bench database with the month's appraisals opened, and accounts.

Usage (``bench/load.sh`` runs it; ``DATABASE_URL`` must already name a ``bench*`` database
on the MariaDB server of ``var/db.env``)::

    .venv/bin/python bench/prepare_load.py [--fresh --officials 15000] [--officials-sampled 200]
        [--heads 20] [--out var/bench/load.json]

With ``--fresh`` the database is dropped and made again: migrated, the base set seeded,
``generate_demo --officials N --months 1`` (units of 40), and the month's appraisal
period of the government bloc opened by the opening job (one appraisal per official, the
list heads open in the bench is real). Without it the data already there is used (and the
period opened if it is not yet).

Then gives a sample of generated officials (200) and unit heads (20) a user (``<code>``,
password ``bench-2026``) and an API token (sign-in is throttled at 10/min, so tokens are
made ahead), and writes them with each official's assignments to a JSON file for
``bench/locustfile.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-2026"


def database_name() -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", ""))
    name = parts.path.lstrip("/")
    if not parts.scheme.startswith("mysql") or not name.startswith("bench"):
        sys.exit("DATABASE_URL must name a bench* database on the MariaDB server (bench/load.sh sets it).")
    return name


def recreate(name: str, officials: int) -> None:
    import MySQLdb

    parts = urlsplit(os.environ["DATABASE_URL"])
    server = MySQLdb.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                             user=parts.username or "root", password=parts.password or "")  # fmt: skip
    with server.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    server.close()
    for command in (["migrate", "--noinput", "-v", "0"], ["seed", "--sets", "base"],
                    ["generate_demo", "--officials", str(officials), "--months", "1"]):  # fmt: skip
        started = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        print(f"{command[0]}: {time.perf_counter() - started:.1f} s")


def open_month() -> None:
    """The generated month's appraisal period, opened by the opening job (here, in process)."""
    from thanhhoa_kpi.appraisals.models import AppraisalPeriod
    from thanhhoa_kpi.appraisals.services.opening import period_open_run
    from thanhhoa_kpi.appraisals.services.periods import default_dates, link_work_periods
    from thanhhoa_kpi.worklogs.models import WorkPeriod

    work_period = WorkPeriod.objects.get(status="OPEN")
    first, last = default_dates("MONTH", work_period.year, work_period.month)
    period, _ = AppraisalPeriod.objects.get_or_create(
        kind="MONTH", bloc="CHINH_QUYEN", year=work_period.year, number=work_period.month,
        defaults={"start_date": first, "end_date": last, "status": "OPEN", "rule_set_code": "ND335"},
    )  # fmt: skip
    if period.opening_status != "DONE":
        link_work_periods(period)
        started = time.perf_counter()
        period_open_run(period_id=period.pk)
        print(f"opening: {time.perf_counter() - started:.1f} s, {period.appraisals.count()} appraisals")
        analyze()


# The tables a bulk load just filled: InnoDB's sampled statistics lag behind 15,000
# appraisals and 600,000 lines written in minutes, and MariaDB then plans the head's
# appraisal list as a scan of the whole period (57 ms instead of 22 ms, measured). A DBA
# runs ANALYZE after a bulk load; so does the bench (docs/deployment.md).
ANALYZED = ("appraisals_appraisal", "appraisals_appraisalperiod", "worklogs_workperiod", "worklogs_worklogline",
            "worklogs_assignment", "organization_officialassignment", "organization_official")  # fmt: skip


def analyze(tables: tuple[str, ...] = ANALYZED, *, quiet: bool = False) -> None:
    """Fresh InnoDB statistics for ``tables`` (also used by score_province.py)."""
    from django.db import connection

    if connection.vendor != "mysql":
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE TABLE {table}")
            cursor.fetchall()
    if not quiet:
        print(f"ANALYZE TABLE: {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="drop the database and generate it again")
    parser.add_argument("--officials", type=int, default=15000, help="officials generated with --fresh")
    parser.add_argument("--officials-sampled", type=int, default=200)
    parser.add_argument("--heads", type=int, default=20)
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "load.json"))
    args = parser.parse_args()
    name = database_name()
    os.environ.update(DEBUG="0", DJANGO_SETTINGS_MODULE="thanhhoa_kpi.settings")
    if args.fresh:
        recreate(name, args.officials)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from rest_framework.authtoken.models import Token

    from thanhhoa_kpi.accounts.models import User
    from thanhhoa_kpi.core.seeding import seed
    from thanhhoa_kpi.organization.models import Official, OfficialAssignment
    from thanhhoa_kpi.worklogs.models import Assignment, WorkPeriod

    assert connection.settings_dict["NAME"] == name
    seed(["base"], log=lambda message: None)
    open_month()
    period = WorkPeriod.objects.get(status="OPEN")
    current = OfficialAssignment.objects.filter(end_date__isnull=True, official__code__startswith="GENO")
    staff = list(current.filter(leadership_role="NONE").order_by("pk").values_list("official_id", flat=True))
    heads = list(current.filter(leadership_role="HEAD").order_by("pk").values_list("official_id", flat=True))
    step = max(1, len(staff) // args.officials_sampled)
    chosen = {"officials": staff[::step][: args.officials_sampled]}
    chosen["heads"] = heads[:: max(1, len(heads) // args.heads)][: args.heads]
    hashed = make_password(PASSWORD)  # hashed once: the same password for every bench account
    out: dict[str, list[dict[str, object]]] = {}
    with transaction.atomic():
        for kind, ids in chosen.items():
            out[kind] = []
            for official in Official.objects.filter(pk__in=ids).order_by("pk"):
                user, _ = User.objects.update_or_create(username=official.code.lower(), defaults={"password": hashed})
                Official.objects.filter(pk=official.pk).update(user=user)
                # A fresh token each time: tokens expire (API_TOKEN_TTL) after they are made.
                Token.objects.filter(user=user).delete()
                token = Token.objects.create(user=user)
                assigned = Assignment.objects.filter(assignee=official, period=period).values_list("pk", flat=True)
                out[kind].append({"username": user.username, "token": token.key, "assignments": list(assigned)})
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out), encoding="utf-8")
    print(f"{len(out['officials'])} officials, {len(out['heads'])} heads (password {PASSWORD}) -> {path}")


if __name__ == "__main__":
    main()
