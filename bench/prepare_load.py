"""Prepare the load test: accounts for a sample of generated officials and heads (``bench_kpi``).

Usage (after ``bench/score_province.py`` filled ``bench_kpi``)::

    set -a; source var/db.env; set +a
    .venv/bin/python bench/prepare_load.py [--officials 200] [--heads 20] [--out var/bench/load.json]

Loads the base set (roles, rule sets, workflows), gives each sampled official a user
``<code lowercased>`` with password ``bench-2026`` and an API token, and writes the
usernames, tokens and a few of each official's assigned items to a JSON file for
``bench/locustfile.py``. Tokens are made here because sign-in is throttled (10/min), so
50 users signing in at once would measure the throttle, not the app.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from score_province import DATABASE, bench_url  # noqa: E402

PASSWORD = "bench-2026"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officials", type=int, default=200)
    parser.add_argument("--heads", type=int, default=20)
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "load.json"))
    args = parser.parse_args()
    os.environ.update(DATABASE_URL=bench_url(), DEBUG="0", DJANGO_SETTINGS_MODULE="thanhhoa_kpi.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from rest_framework.authtoken.models import Token

    from thanhhoa_kpi.accounts.models import User
    from thanhhoa_kpi.core.seeding import seed
    from thanhhoa_kpi.organization.models import Official, OfficialAssignment
    from thanhhoa_kpi.worklogs.models import Assignment, WorkPeriod

    assert connection.settings_dict["NAME"] == DATABASE
    seed(["base"], log=lambda message: None)
    period = WorkPeriod.objects.get(status="OPEN")
    current = OfficialAssignment.objects.filter(end_date__isnull=True, official__code__startswith="GENO")
    staff = list(current.filter(leadership_role="NONE").order_by("pk").values_list("official_id", flat=True))
    heads = list(current.filter(leadership_role="HEAD").order_by("pk").values_list("official_id", flat=True))
    step = max(1, len(staff) // args.officials)
    chosen = {"officials": staff[::step][: args.officials], "heads": heads[:: max(1, len(heads) // args.heads)]}
    chosen["heads"] = chosen["heads"][: args.heads]
    hashed = make_password(PASSWORD)  # hashed once: the same password for every bench account
    out: dict[str, list[dict[str, object]]] = {}
    with transaction.atomic():
        for kind, ids in chosen.items():
            out[kind] = []
            for official in Official.objects.filter(pk__in=ids).order_by("pk"):
                user, _ = User.objects.update_or_create(username=official.code.lower(), defaults={"password": hashed})
                Official.objects.filter(pk=official.pk).update(user=user)
                token, _ = Token.objects.get_or_create(user=user)
                assigned = Assignment.objects.filter(assignee=official, period=period).values_list("pk", flat=True)
                out[kind].append({"username": user.username, "token": token.key, "assignments": list(assigned)})
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out), encoding="utf-8")
    print(f"{len(out['officials'])} officials, {len(out['heads'])} heads (password {PASSWORD}) -> {path}")


if __name__ == "__main__":
    main()
