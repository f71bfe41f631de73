"""Data for the fault tests, written into a dedicated database by a child process.

``python -m tests.fault.world office`` (with ``DATABASE_URL`` and ``REDIS_URL`` pointing at
the test's own servers) builds the shared cast (tests/factories), its catalogues and the
current month opened (last month created, not opened), and prints JSON: API tokens, the
catalogue item to log against, the appraisals. ``python -m tests.fault.world province N``
loads the rule sets and workflows, generates N officials (``generate_demo``, no work
logs) and creates this month's appraisal period, opened but without its appraisals yet;
prints its id.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thanhhoa_kpi.settings")


def office() -> dict[str, object]:
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from tests.factories.appraisals import appraisal_of, month_period, opened, prepare_appraisals
    from tests.factories.cast import PASSWORD, build_cast
    from tests.factories.worklogs import work_cast

    cast = build_cast()
    work = work_cast(cast)
    prepare_appraisals()
    period = opened(cast)
    earlier = period.start_date.replace(day=1) - timedelta(days=1)  # last month, created but not opened
    draft = month_period(cast, year=earlier.year, month=earlier.month)
    people = ("official", "colleague", "deputy", "head", "authority")
    return {
        "password": PASSWORD,
        "today": str(timezone.localdate()),  # the server's day (Asia/Ho_Chi_Minh), for the lines' dates
        "tokens": {name: Token.objects.get_or_create(user=getattr(cast, name))[0].key for name in people},
        "item": work.culture.pk,
        "official_id": cast.official_of(cast.official).pk,
        "draft_period": draft.pk,
        "appraisals": {name: appraisal_of(getattr(cast, name), period).pk for name in ("official", "colleague")},
    }


def province(officials: int) -> dict[str, object]:
    from django.core.management import call_command
    from django.utils import timezone

    from thanhhoa_kpi.appraisals.choices import OpeningStatus, PeriodStatus
    from thanhhoa_kpi.appraisals.loaders import load_rule_sets
    from thanhhoa_kpi.appraisals.models import AppraisalPeriod
    from thanhhoa_kpi.appraisals.services.periods import default_dates, link_work_periods
    from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
    from thanhhoa_kpi.workflow.loaders import load_workflows

    # What the opening reads: the rule sets and the appraisal workflow (no roles: nobody logs in).
    load_rule_sets(read_file(FIXTURES_DIR / "base" / "rule_sets.json"))
    load_workflows(read_file(FIXTURES_DIR / "base" / "workflows.json"))
    call_command("generate_demo", f"--officials={officials}", "--months=0", verbosity=0)
    today = timezone.localdate()
    start, end = default_dates("MONTH", today.year, today.month)
    period = AppraisalPeriod.objects.create(
        kind="MONTH", bloc="CHINH_QUYEN", year=today.year, number=today.month, start_date=start, end_date=end,
        status=PeriodStatus.OPEN, rule_set_code="ND335", opening_status=OpeningStatus.QUEUED,
    )  # fmt: skip
    link_work_periods(period)
    return {"period_id": period.pk}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    # The project's own password hashers: the desk of the test's gunicorn checks these passwords.
    result = office() if argv[0] == "office" else province(int(argv[1]))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
