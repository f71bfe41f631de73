"""Appraisal factories on top of the shared cast (tests/factories/cast.py).

Periods and appraisals are made through the services; :func:`place` then puts an
appraisal straight into a state, and :func:`scored` writes a score, a test shortcut
the services never offer, so each test starts where its behaviour happens.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tests.factories.cast import PASSWORD
from thanhhoa_kpi.accounts.loaders import load_roles
from thanhhoa_kpi.accounts.models import User
from thanhhoa_kpi.appraisals import services
from thanhhoa_kpi.appraisals.loaders import load_rule_sets
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod
from thanhhoa_kpi.appraisals.services.opening import period_open_run
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import Official, OrgUnit, SimilarTaskGroup
from thanhhoa_kpi.workflow.loaders import load_workflows

FULL_SELF = ["5", "5", "2.5", "2.5", "2.5", "2.5", "2.5", "2.5", "2.5", "2.5"]  # 30 points


def prepare_appraisals() -> None:
    """Rule sets, workflow definitions and the permissions of every role."""
    load_rule_sets(read_file(FIXTURES_DIR / "base" / "rule_sets.json"))
    load_workflows(read_file(FIXTURES_DIR / "base" / "workflows.json"))
    for name in ("roles.workflow.yaml", "roles.worklogs.yaml", "roles.appraisals.yaml"):
        load_roles(read_file(FIXTURES_DIR / "base" / name))


def month_period(cast: Any, *, year: int | None = None, month: int | None = None, **fields: Any) -> AppraisalPeriod:
    today = timezone.localdate()
    return services.period_create(
        user=cast.authority, kind="MONTH", bloc="CHINH_QUYEN", year=year or today.year,
        number=month or today.month, **fields,
    )  # fmt: skip


def opened(cast: Any, period: AppraisalPeriod | None = None) -> AppraisalPeriod:
    """Open the period and run the opening job here (what the worker does)."""
    period = period or month_period(cast)
    services.period_open(user=cast.authority, period=period)
    return period_open_run(period_id=period.pk)


def appraisal_of(user_or_official: Any, period: AppraisalPeriod) -> Appraisal:
    official = (
        user_or_official if isinstance(user_or_official, Official) else Official.objects.get(user=user_or_official)
    )
    return Appraisal.objects.get(official=official, period=period)


def lines(values: list[str], appraisal: Appraisal) -> list[dict[str, str]]:
    """The first ``len(values)`` lines of the form with these scores."""
    codes = list(appraisal.criteria.order_by("order").values_list("code", flat=True))
    return [{"code": code, "score": value} for code, value in zip(codes, values, strict=False)]


def self_assess(appraisal: Appraisal, user: User, values: list[str] | None = None) -> Appraisal:
    return services.appraisal_self_assess(appraisal=appraisal, user=user, lines=lines(values or FULL_SELF, appraisal))


def place(appraisal: Appraisal, state: str) -> Appraisal:
    Appraisal.objects.filter(pk=appraisal.pk).update(state=state)
    appraisal.refresh_from_db()
    return appraisal


def scored(
    appraisal: Appraisal, total: str, task_score: str | None = None, *, state: str = "HOME_AFFAIRS"
) -> Appraisal:
    """Write a score and its level by score as the engine would have (quota and cap tests)."""
    from thanhhoa_kpi.scoring import classify, parse_params

    level = classify(Decimal(total), parse_params(appraisal.rule_params)).classification.value
    task = Decimal(task_score) if task_score is not None else min(Decimal(70), Decimal(total) - Decimal(25))
    Appraisal.objects.filter(pk=appraisal.pk).update(
        state=state, score_status="OK", total=Decimal(total), task_score=task, general_score=Decimal(total) - task,
        proposed_classification=level, final_classification="",
    )  # fmt: skip
    appraisal.refresh_from_db()
    return appraisal


def staff(unit: OrgUnit, code: str, name: str, *, position: Any, role: str = "NONE", group: str | None = None,
          fields: list[str] | None = None, with_user: bool = False) -> Official:  # fmt: skip
    """Another official of ``unit`` (with a desk account when ``with_user``)."""
    user = User.objects.create_user(username=code.lower(), password=PASSWORD) if with_user else None
    task_group = SimilarTaskGroup.objects.filter(unit=unit, code=group).first() if group else None
    return org.official_create(
        by=SYSTEM, code=code, full_name=name, user=user,
        assignment={"unit": unit, "position": position, "start_date": date(2026, 1, 1), "leadership_role": role,
                    "fields_in_charge": fields or [], "task_group": task_group},
    )  # fmt: skip
