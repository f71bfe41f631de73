"""The agency's own appraisal scored from the data the system holds (issue 14, item 1).

What an agency (cơ quan, tổ chức, đơn vị) did in the year is read from the appraisals of
the officials working in it and below it (its unit subtree) in the year's periods:

- the task result (0–100 %) is the mean of their task results (``task_percent``), over
  the monthly appraisals, or over the quarterly ones where the agency has no month
  scored (never both: a quarter repeats its months);
- the planned work is the sum of their converted work assigned; done, on time and to
  quality the sums of the matching figures; beyond the plan the sum, appraisal by
  appraisal, of what was done above what was assigned;
- the units under it rated «không hoàn thành» the same year are named (the condition of
  «xuất sắc»).

Only scored appraisals count (score status OK). The general criteria (30) are the
agency's self-assessment, entered in the desk or the API while the appraisal is a draft
(:func:`thanhhoa_kpi.appraisals.services.units.unit_appraisal_save`). The rule set is
the one most of those appraisals were scored with (ND 233 for a public service unit of
viên chức), else the bloc's, else ND 335.

The UNIT_APPRAISAL workflow (``fixtures/base/workflows.json``) moves it: the agency
submits (``score_agency``: scored from the data now, refused without data), the bloc
authority returns or approves (``score_agency``, ``approve_agency``), applies the
agencies' quota to its bloc's year (:func:`unit_appraisals_apply_quota`) and publishes
(guard ``AGENCY_QUOTA_HOLDS``, effect ``publish_agency``); reopening (``reopen_agency``)
takes a published or approved appraisal back to the authority. The contract registered
here makes every definition the desk accepts keep those effects and the guard.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from thanhhoa_kpi.appraisals import rights
from thanhhoa_kpi.appraisals.choices import ClassificationChoices, PeriodKind, ScoreStatus
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod, UnitAppraisal
from thanhhoa_kpi.appraisals.rulesets import current_rule_set, rule_set_params
from thanhhoa_kpi.core.errors import FieldError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.scoring import Classification
from thanhhoa_kpi.scoring.agency import AgencyFigures, AgencyQuotaEntry, agency_quota, score_agency
from thanhhoa_kpi.scoring.codes import RANK
from thanhhoa_kpi.workflow.effects import register_contract, register_effect
from thanhhoa_kpi.workflow.engine import ContractRule
from thanhhoa_kpi.workflow.guards import register_guard
from thanhhoa_kpi.workflow.models import DocType
from thanhhoa_kpi.workflow.tags import has_tag
from thanhhoa_kpi.workflow.tags import tagged_q as tags_q

DOCTYPE = DocType.UNIT_APPRAISAL.value
SELF_ASSESSMENT, AWAITING_AUTHORITY, APPROVED, PUBLISHED = (
    "self_assessment",
    "awaiting_authority",
    "approved",
    "published",
)
TAGS = (SELF_ASSESSMENT, AWAITING_AUTHORITY, APPROVED, PUBLISHED)
SCORE, APPROVE, PUBLISH, REOPEN = "score_agency", "approve_agency", "publish_agency", "reopen_agency"
QUOTA_HOLDS = "AGENCY_QUOTA_HOLDS"
ZERO = Decimal(0)
FOUR_PLACES = Decimal("0.0001")


def tagged_q(*tags: str) -> Q:
    """Unit appraisals in a state their own definition tags with any of ``tags``."""
    return tags_q(DOCTYPE, *tags)


def decided_q() -> Q:
    """Agency appraisals the bloc's authority has approved (or published): only these cap a
    head and raise the quota to the exception rate. The agency's own draft decides nothing,
    or an agency could raise its own officials' quota by scoring itself."""
    return tagged_q(APPROVED, PUBLISHED)


# ---------------------------------------------------------------------------- the data


def _rule_set_code(row: UnitAppraisal, codes: list[str]) -> str:
    if codes:
        return Counter(codes).most_common(1)[0][0]
    period = AppraisalPeriod.objects.filter(bloc=row.unit.bloc, year=row.year).order_by("kind", "number").first()
    return period.rule_set_code if period else row.rule_set_code or "ND335"


def agency_figures(row: UnitAppraisal) -> tuple[AgencyFigures, int, str]:
    """What the agency did in ``row.year``: the figures, how many appraisals, the rule set."""
    scored = Appraisal.objects.filter(
        unit__path__startswith=row.unit.path, period__year=row.year, score_status=ScoreStatus.OK,
        period__kind__in=[PeriodKind.MONTH, PeriodKind.QUARTER],
    )  # fmt: skip
    kind = PeriodKind.MONTH if scored.filter(period__kind=PeriodKind.MONTH).exists() else PeriodKind.QUARTER
    columns = ("task_percent", "assigned_converted", "completed_converted", "progress_converted",
               "quality_converted", "rule_set_code")  # fmt: skip
    rows = list(scored.filter(period__kind=kind).values_list(*columns))
    if not rows:
        raise ValidationFailed(
            f"Chưa có phiếu đánh giá nào của cán bộ thuộc {row.unit.name} trong năm {row.year} đã được tính điểm, "
            "nên chưa tính được kết quả thực hiện nhiệm vụ của đơn vị.",
            [FieldError("task_score", "Chưa có số liệu của năm.")],
            code="NO_AGENCY_DATA",
        )
    planned = done = on_time = quality = exceeded = percent = ZERO
    for task, assigned, completed, progress, good, _code in rows:
        assigned, completed = assigned or ZERO, completed or ZERO
        percent += task or ZERO
        planned += assigned
        done += completed
        on_time += min(progress or ZERO, completed)
        quality += min(good or ZERO, completed)
        exceeded += max(completed - assigned, ZERO)
    failing = sorted(
        UnitAppraisal.objects.filter(
            unit__path__startswith=row.unit.path, year=row.year, classification=ClassificationChoices.KHONG_HOAN_THANH
        ).exclude(pk=row.pk).values_list("unit__name", flat=True)
    )  # fmt: skip
    mean = (percent / len(rows)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    figures = AgencyFigures(row.general_score, mean, planned, done, on_time, quality, exceeded, tuple(failing))
    return figures, len(rows), _rule_set_code(row, [code for *_rest, code in rows])


def score_row(row: UnitAppraisal) -> UnitAppraisal:
    """Score ``row`` (locked by the caller) from the data now and store the figures."""
    figures, counted, code = agency_figures(row)
    params = rule_set_params(current_rule_set(code))
    outcome = score_agency(figures, params)
    row.rule_set_code, row.months_counted = code, counted
    row.task_percent, row.task_score, row.total = figures.task_percent, outcome.task_score, outcome.total
    row.planned_converted, row.done_converted = figures.planned, figures.done
    row.on_time_converted, row.quality_converted = figures.on_time, figures.quality
    row.exceeded_converted, row.failing_units = figures.exceeded, list(figures.failing_units)
    row.score_classification = outcome.by_score.value
    recorded, previous = row.classification, row.conditions_classification
    row.conditions_classification = outcome.classification.value
    # The authority may have recorded a lower level with its grounds (ND 233 Điều 7 khoản 5);
    # a level that is only the previous scoring's result follows the data instead.
    deliberate = bool(recorded) and bool(row.notes) and recorded != previous
    keep_lower = deliberate and RANK[Classification(recorded)] < RANK[outcome.classification]
    row.classification = recorded if keep_lower else outcome.classification.value
    row.quota_reason = ""
    row.explanation = list(outcome.explanation)
    row.scored_at = timezone.now()
    return row


# ----------------------------------------------------------------------------- effects


def _save(row: UnitAppraisal, user: Any, names: list[str]) -> None:
    row._history_user = user  # type: ignore[attr-defined]
    row.save(update_fields=[*names, "updated_at"])


_SCORED = ["rule_set_code", "months_counted", "task_percent", "task_score", "total", "planned_converted",
           "done_converted", "on_time_converted", "quality_converted", "exceeded_converted", "failing_units",
           "score_classification", "conditions_classification", "classification", "quota_reason", "explanation",
           "scored_at"]  # fmt: skip


def _not_own_agency(row: UnitAppraisal, user: Any) -> None:
    rights.require_outside(user, row.unit, "phê duyệt, công khai đánh giá")


def score_effect(row: UnitAppraisal, decision: Any, user: Any) -> None:
    _save(score_row(row), user, _SCORED)


def approve_effect(row: UnitAppraisal, decision: Any, user: Any) -> None:
    _not_own_agency(row, user)
    row.approved_at = timezone.now()
    _save(row, user, ["approved_at"])


def publish_effect(row: UnitAppraisal, decision: Any, user: Any) -> None:
    _not_own_agency(row, user)
    row.published_at = timezone.now()
    _save(row, user, ["published_at"])


def reopen_effect(row: UnitAppraisal, decision: Any, user: Any) -> None:
    row.approved_at = row.published_at = None
    _save(row, user, ["approved_at", "published_at"])


for _name, _func in ((SCORE, score_effect), (APPROVE, approve_effect), (PUBLISH, publish_effect),
                     (REOPEN, reopen_effect)):  # fmt: skip
    register_effect(_name, DOCTYPE, _func)


# ------------------------------------------------------------------------------- quota


def approved_scope(bloc: str, year: int) -> Any:
    """The agencies the bloc's authority recognises that year: approved or published."""
    return UnitAppraisal.objects.filter(tagged_q(APPROVED, PUBLISHED), unit__bloc=bloc, year=year)


def _lock_scope(bloc: str, year: int) -> None:
    """One quota computation of a bloc's year at a time (the authority's row of the bloc)."""
    from thanhhoa_kpi.organization.models import BlocAuthority

    list(BlocAuthority.objects.select_for_update().filter(bloc=bloc).values_list("pk", flat=True))


def quota_of(bloc: str, year: int) -> tuple[Any, dict[int, tuple[str, str]]]:
    """The quota over the bloc's year: the outcome and ``{row: (level, reason)}``."""
    return quota_of_rows(list(approved_scope(bloc, year).order_by("pk")))


def quota_refusal(row: UnitAppraisal) -> str | None:
    """Why ``row`` may not be published at its level now (None: it may)."""
    _lock_scope(row.unit.bloc, row.year)
    _outcome, decisions = quota_of(row.unit.bloc, row.year)
    level, _reason = decisions.get(row.pk, (row.classification, ""))
    if RANK[Classification(row.classification)] > RANK[Classification(level)]:
        return (
            f"{row.unit.name} đang ở mức «{row.get_classification_display()}», vượt tỷ lệ xuất sắc của các cơ quan, "
            "đơn vị trong khối; cơ quan tổ chức cán bộ áp dụng tỷ lệ cho cả năm trước khi công khai."
        )
    return None


register_guard(QUOTA_HOLDS, DOCTYPE, quota_refusal)


@transaction.atomic
def unit_appraisals_apply_quota(*, user: Any, bloc: str, year: int, outstanding_reason: str = "") -> int:
    """The bloc authority applies the agencies' quota to its bloc's approved year.

    Approved (not yet published) agencies past the limit become «tốt» with the reason;
    the others take back their level by score and conditions. ``outstanding_reason``
    records an outstanding case (the exception rate) for the whole list. Returns how
    many were lowered.
    """
    if not rights.is_bloc_authority(user, bloc):
        raise PermissionRefused(
            "Chỉ cơ quan tổ chức cán bộ của khối được áp dụng tỷ lệ xuất sắc của các cơ quan, đơn vị."
        )
    _lock_scope(bloc, year)
    scope = list(approved_scope(bloc, year).order_by("pk").select_for_update())
    reason = (outstanding_reason or "").strip()
    for row in scope:
        row.quota_outstanding = reason
    _outcome, decisions = quota_of_rows(scope)
    lowered = 0
    for row in scope:
        if has_tag(row, PUBLISHED):
            continue
        level, why = decisions[row.pk]
        base = row.conditions_classification or row.classification
        recorded_lower = row.notes and RANK[Classification(row.classification)] < RANK[Classification(base)]
        row.classification = row.classification if recorded_lower else level
        row.quota_reason = why
        lowered += bool(why)
        _save(row, user, ["classification", "quota_reason", "quota_outstanding"])
    return lowered


def quota_of_rows(rows: list[UnitAppraisal]) -> tuple[Any, dict[int, tuple[str, str]]]:
    """:func:`quota_of` over rows already read (with their unsaved ``quota_outstanding``)."""
    if not rows:
        return None, {}
    code = Counter(row.rule_set_code for row in rows).most_common(1)[0][0]
    params = rule_set_params(current_rule_set(code))
    entries = [
        AgencyQuotaEntry(str(row.pk), row.total, row.task_score,
                         Classification(row.conditions_classification or row.classification))
        for row in rows
    ]  # fmt: skip
    outcome = agency_quota(entries, params, outstanding=any(row.quota_outstanding for row in rows))
    return outcome, {int(pk): (level.value, reason) for pk, level, reason in outcome.results}


register_contract(
    DOCTYPE,
    tags=TAGS,
    rules=(
        ContractRule("ONE_STATE", SELF_ASSESSMENT),
        ContractRule("ONE_STATE", APPROVED),
        ContractRule("ONE_STATE", PUBLISHED),
        ContractRule("LEAVING", SELF_ASSESSMENT, (SCORE,)),
        ContractRule("ENTERING", APPROVED, (SCORE, APPROVE)),
        ContractRule("ENTERING", PUBLISHED, (PUBLISH,)),
        ContractRule("ENTERING_GUARDS", PUBLISHED, (QUOTA_HOLDS,)),
        ContractRule("LEAVING", PUBLISHED, (REOPEN,)),
    ),
)
