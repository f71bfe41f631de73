"""Demo appraisal data (``fixtures/demo/appraisals.yaml``; demo set only, never in production).

Dates follow today, like the demo work logs: ``month_offset`` 0 is this month, -1 the
previous one. For each period entry the loader creates the period when missing, opens
it (the opening job, run here), then brings every appraisal of the period to the wanted
state through the real services: self-assessment by the official, review by the
reviewer, submit, approve, and publication of each unit's batch by the bloc authority
(quota and head cap applied). Where the org chart has no one to take a step (a unit
without a head in the demo tree), the step is recorded as taken by the system admin
with the comment "Dữ liệu mẫu", so the demo still shows a complete history.

Idempotent: a period is created once; appraisals already past a step are left as they
are; self scores are only written to an appraisal that has none.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from thanhhoa_kpi.accounts.models import User
from thanhhoa_kpi.appraisals import rights, services
from thanhhoa_kpi.appraisals.choices import DRAFT, HOME_AFFAIRS, PUBLISHED, UNIT_REVIEW, PeriodStatus
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod, UnitAppraisal
from thanhhoa_kpi.appraisals.services.opening import period_open_run
from thanhhoa_kpi.appraisals.services.periods import default_dates, link_work_periods
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.workflow.engine import is_editable
from thanhhoa_kpi.workflow.models import TransitionLog
from thanhhoa_kpi.workflow.selectors import awaited_users
from thanhhoa_kpi.workflow.services import workflow_transition

DEFAULT_SCORES = ["4.5", "4.5", "2", "2", "2.5", "2", "2", "2", "1.5", "2"]  # 25 points
ORDER = [DRAFT, UNIT_REVIEW, HOME_AFFAIRS, PUBLISHED]
DEMO_COMMENT = "Dữ liệu mẫu: đơn vị chưa có người thực hiện bước này."


def _month(offset: int) -> tuple[int, int]:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 + int(offset)
    return index // 12, index % 12 + 1


def _period(spec: dict[str, Any]) -> AppraisalPeriod:
    year, month = _month(spec.get("month_offset", 0))
    kind = spec.get("kind", "MONTH")
    number = {"MONTH": month, "QUARTER": (month - 1) // 3 + 1}.get(kind, 1)
    start, end = default_dates(kind, year, number)
    period, created = AppraisalPeriod.objects.get_or_create(
        bloc=spec.get("bloc", "CHINH_QUYEN"), kind=kind, year=year, number=number,
        defaults={"start_date": start, "end_date": end, "rule_set_code": spec.get("rule_set", "ND335"),
                  "self_assessment_deadline": end + timedelta(days=3), "unit_review_deadline": end + timedelta(days=6),
                  "approval_deadline": end + timedelta(days=10)},
    )  # fmt: skip
    if created:
        link_work_periods(period)
    return period


def _open(period: AppraisalPeriod) -> None:
    if period.status == PeriodStatus.DRAFT:
        AppraisalPeriod.objects.filter(pk=period.pk).update(status=PeriodStatus.OPEN)
    if period.kind != "YEAR":
        period_open_run(period_id=period.pk)


def _lines(appraisal: Appraisal, values: list[Any]) -> list[dict[str, Any]]:
    codes = list(appraisal.criteria.order_by("order").values_list("code", flat=True))
    return [{"code": code, "score": str(value)} for code, value in zip(codes, values, strict=False)]


def admin_user() -> User:
    return User.objects.filter(is_superuser=True).order_by("pk").first() or User.objects.order_by("pk").first()


def _shortcut(appraisal: Appraisal, action: str, label: str, target: str) -> None:
    """Record a step nobody in the demo org chart can take, as the system admin."""
    TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(Appraisal), object_id=appraisal.pk,
        workflow=appraisal.workflow, action=action, action_label=label, from_state=appraisal.state,
        to_state=target, actor=admin_user(), comment=DEMO_COMMENT,
    )  # fmt: skip
    Appraisal.objects.filter(pk=appraisal.pk).update(state=target, state_changed_at=timezone.now())
    appraisal.refresh_from_db()


def awaited_actor(document: Any, action: str) -> User | None:
    """The first account (by id) the workflow awaits for ``action`` on ``document``, or None."""
    ids = [uid for uid, options in awaited_users(document=document).items() if any(o.action == action for o in options)]
    return User.objects.filter(pk__in=ids).order_by("pk").first()


def _self_assess(appraisal: Appraisal, scores: list[Any]) -> Appraisal:
    if appraisal.criteria.filter(self_score__isnull=False).exists():
        return appraisal
    user = appraisal.official.user
    if user is None:
        for line, value in zip(appraisal.criteria.order_by("order"), scores, strict=False):
            line.self_score = value
            line.save(update_fields=["self_score"])
        return services.appraisal_score(appraisal=appraisal, user=SYSTEM)
    return services.appraisal_self_assess(appraisal=appraisal, user=user, lines=_lines(appraisal, scores))


def _step(appraisal: Appraisal, action: str, label: str, target: str, spec: dict[str, Any]) -> Appraisal:
    actor = appraisal.official.user if action == "submit" else awaited_actor(appraisal, action)
    if actor is None:
        services.appraisal_score(appraisal=appraisal, user=SYSTEM)
        _shortcut(appraisal, action, label, target)
        return appraisal
    if action == "approve" and spec.get("reviewer") and rights.is_reviewer(actor, appraisal):
        services.appraisal_review_general(appraisal=appraisal, user=actor, lines=_lines(appraisal, spec["reviewer"]),
                                          comment=spec.get("reviewer_comment"))  # fmt: skip
    if action == "approve" and appraisal.is_leader and "dd" in spec and rights.is_reviewer(actor, appraisal):
        services.appraisal_set_unit_criteria(appraisal=appraisal, user=actor, dd=spec["dd"], e=spec.get("e", 100),
                                             reason=spec.get("reason", ""))  # fmt: skip
    appraisal.refresh_from_db()
    workflow_transition(document=appraisal, action=action, user=actor)
    return appraisal


def _advance(appraisal: Appraisal, wanted: str, spec: dict[str, Any]) -> None:
    appraisal = _self_assess(appraisal, spec.get("self", DEFAULT_SCORES))
    steps = [("submit", "Gửi", UNIT_REVIEW), ("approve", "Duyệt", HOME_AFFAIRS)]
    for action, label, target in steps:
        if ORDER.index(appraisal.state) < ORDER.index(target) <= ORDER.index(wanted):
            appraisal = _step(appraisal, action, label, target, spec)


def _publish(period: AppraisalPeriod, authority: str) -> int:
    user = User.objects.get(username=authority)
    waiting = Appraisal.objects.filter(period=period, state=HOME_AFFAIRS)
    roots = {OrgUnit.objects.get(pk=pk) for pk in waiting.values_list("quota_unit_id", flat=True)}
    published = 0
    for unit in sorted(roots, key=lambda u: u.path):
        batch = waiting.filter(unit__path__startswith=unit.path).exclude(official__user=user)
        if batch.exists():
            published += len(services.period_publish_unit(period=period, unit=unit, user=user).published)
    for own in Appraisal.objects.filter(period=period, state=HOME_AFFAIRS):  # the authority's own appraisal
        Appraisal.objects.filter(pk=own.pk).update(
            final_classification=own.proposed_classification, published_at=timezone.now()
        )
        _shortcut(own, "publish", "Công khai", PUBLISHED)
        published += 1
    return published


def load_period(spec: dict[str, Any]) -> int:
    period = _period(spec["period"])
    _open(period)
    wanted = spec.get("state", DRAFT)
    rows = Appraisal.objects.filter(period=period).select_related("official__user", "unit").order_by("pk")
    advance_appraisals(rows, wanted, spec.get("appraisals", {}))
    if wanted == PUBLISHED:
        _publish(period, spec.get("authority", "demo_noivu"))
    return rows.count()


def advance_appraisals(rows: Any, wanted: str, people: dict[str, Any]) -> None:
    """Move each appraisal of ``rows`` towards the state ``wanted`` through the services: self-assessment,
    review, submit, approve (publication is the bloc authority's, per unit: :func:`_publish` or
    ``period_publish_unit``); ``people`` gives the scores by official code."""
    for appraisal in rows:
        given = people.get(appraisal.official.code)
        if given is None and wanted == DRAFT:
            if not appraisal.scored_at:
                services.appraisal_score(appraisal=appraisal, user=SYSTEM)  # the preview, before anyone self-assesses
            continue
        if appraisal.state == DRAFT or ORDER.index(appraisal.state) < ORDER.index(wanted):
            _advance(appraisal, wanted, given or {})


def load_unit_appraisal(spec: dict[str, Any]) -> int:
    """The agency's own entry, then each of ``steps`` (submit, approve…) taken by someone the
    workflow awaits (its head or HR admin, then the bloc authority); a step nobody can take,
    or one already taken on a second load, stops there."""
    year = _month(spec.get("month_offset", 0))[0]
    unit = OrgUnit.objects.get(code=spec["unit"])
    row = UnitAppraisal.objects.filter(unit=unit, year=year).first()
    if row is None or is_editable(row.workflow.parsed(), row.state):
        row = services.unit_appraisal_save(
            user=admin_user(), unit=unit, year=year, general_score=spec["general_score"], task_score=spec["task_score"],
            classification=spec.get("classification"), notes=spec.get("notes", ""),
        )  # fmt: skip
    take_steps(row, spec.get("steps", []))
    return 1


def take_steps(document: Any, actions: list[str], comment: str = "") -> list[str]:
    """Take each of ``actions`` in turn on ``document``, each by someone the workflow awaits
    (with ``comment``); stops at the first one nobody can take. Returns the actions taken."""
    taken = []
    for action in actions:
        actor = awaited_actor(document, action)
        if actor is None:
            break
        workflow_transition(document=document, action=action, user=actor, comment=comment)
        document.refresh_from_db()
        taken.append(action)
    return taken
