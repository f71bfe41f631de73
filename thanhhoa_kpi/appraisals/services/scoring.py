"""Scoring an appraisal: build the engine's input from the database, call it, store the result.

The arithmetic is the pure engine's (:func:`thanhhoa_kpi.scoring.score_period`); this
module only gathers its input:

- the task items are the reviewed work-log figures of every month the period covers
  (:func:`thanhhoa_kpi.worklogs.scores.score_items`), merged per catalogue item and
  copied coefficient (a quarter adds its three months);
- the general criteria are the reviewer's scores per group; a line the reviewer has not
  scored yet counts with its self score (the preview of a draft), and the explanation
  says so; approving the appraisal copies the self scores the reviewer left as they were;
- for a head or deputy, d comes from the levels of the people they manage in the same
  period (:func:`thanhhoa_kpi.scoring.unit_result_criterion`), đ and e are the reviewer's
  values (the rule set's full value until set);
- the parameters are those of the current version of the appraisal's rule set, copied
  into the appraisal at every scoring. A published appraisal is never scored again.

A whole period is scored at once by :mod:`thanhhoa_kpi.appraisals.batch` (the same
figures, from sums the database adds up, in RQ jobs: :func:`period_score_all`), which
stores no explanation: :func:`explained` builds it, and the item table, the first time
somebody reads the appraisal, with :func:`compute` and the copied rule-set version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from thanhhoa_kpi.appraisals import jobs, rights, states
from thanhhoa_kpi.appraisals.choices import OpeningStatus, PeriodKind, PeriodStatus, ScoreStatus
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalCriterion, AppraisalPeriod, RuleSet
from thanhhoa_kpi.appraisals.rulesets import current_rule_set
from thanhhoa_kpi.appraisals.unit_rules import effective_for_unit
from thanhhoa_kpi.core.actors import is_system
from thanhhoa_kpi.core.errors import Conflict, FieldError, ValidationFailed
from thanhhoa_kpi.scoring import (
    CLASSIFICATION_LABELS,
    Classification,
    Disqualifier,
    GeneralInput,
    ItemInput,
    PeriodInput,
    PeriodScore,
    Role,
    RuleParams,
    ScoringInputError,
    UnitCriteria,
    score_period,
    unit_result_criterion,
)
from thanhhoa_kpi.worklogs.scores import score_items

_COUNTS = ("quality_failures", "delays", "exempt_quality_failures", "exempt_delays")
_FIGURES = (
    "assigned_converted", "completed_converted", "quality_converted", "progress_converted",
    "a", "b", "c", "task_percent", "task_score", "general_score", "total",
)  # fmt: skip
ZERO = Decimal(0)


# ------------------------------------------------------------------ rule set and lines


def template_lines(params: RuleParams) -> list[dict[str, Any]]:
    """The general-criteria lines of a rule set: its sub-criteria, or each group when it has none."""
    lines: list[dict[str, Any]] = []
    for group in params.general_groups:
        if group.sub_criteria:
            specs = [(sub.code, sub.name, sub.max_points) for sub in group.sub_criteria]
        else:
            specs = [(group.code, group.name, group.max_points)]
        for code, name, high in specs:
            lines.append({"group_code": group.code, "code": code, "name": name, "max_points": high})
    for order, line in enumerate(lines, start=1):
        line["order"] = order
    return lines


def sync_lines(appraisal: Appraisal, params: RuleParams) -> None:
    """Make the appraisal's lines follow the rule set's template (kept scores stay)."""
    wanted = {line["code"]: line for line in template_lines(params)}
    existing = {line.code: line for line in appraisal.criteria.all()}
    for code, line in existing.items():
        if code not in wanted:
            line.delete()
            continue
        spec = wanted[code]
        changed = [key for key in ("group_code", "name", "max_points", "order") if getattr(line, key) != spec[key]]
        for key in changed:
            setattr(line, key, spec[key])
        for key in ("self_score", "reviewer_score"):
            value = getattr(line, key)
            if value is not None and value > line.max_points:
                setattr(line, key, None)  # the new maximum is lower: this line must be scored again
                changed.append(key)
        if changed:
            line.save(update_fields=changed)
    AppraisalCriterion.objects.bulk_create(
        [AppraisalCriterion(appraisal=appraisal, **spec) for code, spec in wanted.items() if code not in existing]
    )


def _line_value(line: AppraisalCriterion) -> tuple[Decimal, bool]:
    """The score a line contributes, and whether it is the self score standing in."""
    if line.reviewer_score is not None:
        return line.reviewer_score, False
    return (line.self_score or ZERO), True


def general_input(lines: Iterable[AppraisalCriterion], params: RuleParams) -> tuple[GeneralInput, list[str]]:
    totals = {group.code: ZERO for group in params.general_groups}
    standing_in = []
    for line in lines:
        value, from_self = _line_value(line)
        totals[line.group_code] = totals.get(line.group_code, ZERO) + value
        if from_self:
            standing_in.append(line.code)
    notes = []
    if standing_in:
        notes.append(
            "Tiêu chí chung tạm tính theo điểm tự chấm ở các tiêu chí người đánh giá chưa chấm: "
            + ", ".join(standing_in)
            + "."
        )
    return GeneralInput(groups=tuple(totals[group.code] for group in params.general_groups)), notes


# ------------------------------------------------------------------------- task items


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


def period_items(appraisal: Appraisal) -> list[dict[str, Any]]:
    """Reviewed figures per (catalogue item, copied coefficient) over the period's months."""
    return months_items(appraisal.official, appraisal.period.work_periods.order_by("year", "month"))


def months_items(official: Any, work_periods: Iterable[Any]) -> list[dict[str, Any]]:
    """Reviewed figures per (catalogue item, copied coefficient) summed over ``work_periods``."""
    merged: dict[tuple[int, Decimal], dict[str, Any]] = {}
    for work_period in work_periods:
        for row in score_items(official, work_period):
            key = (row["item_id"], row["coefficient"])
            target = merged.setdefault(key, {**row, "assigned": ZERO, "completed": ZERO, **dict.fromkeys(_COUNTS, 0)})
            target["assigned"] += row["assigned"]
            target["completed"] += row["completed"]
            for name in _COUNTS:
                target[name] += row[name]
    per_item: dict[int, int] = {}
    for item_id, _ in merged:
        per_item[item_id] = per_item.get(item_id, 0) + 1
    rows = []
    for (item_id, coefficient), row in merged.items():
        code = row["item_code"]
        if per_item[item_id] > 1:
            code = f"{code} (hệ số {_plain(coefficient)})"
        rows.append({**row, "code": code})
    return sorted(rows, key=lambda row: row["code"])


def _item_inputs(rows: list[dict[str, Any]]) -> tuple[ItemInput, ...]:
    return tuple(
        ItemInput(
            code=row["code"],
            coefficient=Decimal(row["coefficient"]),
            assigned=Decimal(row["assigned"]),
            completed=Decimal(row["completed"]),
            **{name: int(row[name]) for name in _COUNTS},
        )  # fmt: skip
        for row in rows
    )


def _item_json(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keep = ("code", "task", "field", "coefficient", "assigned", "completed", *_COUNTS)
    return [
        {key: (_plain(row[key]) if isinstance(row.get(key), Decimal) else row.get(key)) for key in keep} for row in rows
    ]


# ------------------------------------------------------------------------ d, đ and e


def _overlaps(fields: Iterable[str], others: Iterable[str]) -> bool:
    return bool(set(fields or []) & set(others or []))


def subordinate_levels(appraisal: Appraisal) -> list[tuple[str, Classification | None, bool]]:
    """(name, current level, scored) of the people a head (unit subtree) or deputy (own fields) manages.

    The level is the published one, else the level by the latest score; ``scored`` is false
    for an appraisal never scored yet (its level is not known, which is not the same as
    "not classified" for lack of assigned work).
    """
    rows = Appraisal.objects.filter(period_id=appraisal.period_id).exclude(pk=appraisal.pk)
    if appraisal.leadership_role == "HEAD":
        rows = rows.filter(unit__path__startswith=appraisal.unit.path)
    else:
        rows = rows.filter(unit_id=appraisal.unit_id, leadership_role="NONE")
    found = []
    for name, fields, final, proposed, status in rows.values_list(
        "official__full_name", "fields_in_charge", "final_classification", "proposed_classification", "score_status"
    ):
        if appraisal.leadership_role == "DEPUTY" and not _overlaps(appraisal.fields_in_charge, fields):
            continue
        level = final or proposed
        found.append((name, Classification(level) if level else None, status != ScoreStatus.NOT_SCORED))
    return found


def unscored_subordinates(appraisal: Appraisal) -> list[str]:
    """Names of the people a leader manages whose appraisal has never been scored."""
    if not appraisal.is_leader:
        return []
    return [name for name, _level, scored in subordinate_levels(appraisal) if not scored]


def leaders_above(appraisal: Appraisal) -> list[Appraisal]:
    """The period's leader appraisals whose d reads this one's level, locked, not published.

    Heads of the appraisal's unit and of every unit above it (ND 335 Điều 15 khoản 3: d
    is the result of everyone the leader manages), and, for a non-leader, the deputies
    of its unit in charge of one of its fields.
    """
    path, step = appraisal.unit.path, appraisal.unit.steplen
    ancestors = [path[:end] for end in range(step, len(path) + 1, step)]
    heads = Q(leadership_role="HEAD", unit__path__in=ancestors)
    deputies = Q(leadership_role="DEPUTY", unit_id=appraisal.unit_id) if appraisal.leadership_role == "NONE" else Q()
    rows = (
        Appraisal.objects.select_for_update()
        .filter(heads | deputies if deputies else heads, period_id=appraisal.period_id)
        .exclude(pk=appraisal.pk)
        .exclude(states.tagged_q(states.PUBLISHED))
        .order_by("pk")
    )
    return [
        row
        for row in rows
        if row.leadership_role == "HEAD" or _overlaps(row.fields_in_charge, appraisal.fields_in_charge)
    ]


def unit_criteria(appraisal: Appraisal, params: RuleParams) -> tuple[UnitCriteria, list[str]]:
    levels = subordinate_levels(appraisal)
    d = unit_result_criterion((level for _, level, _scored in levels), params)
    notes = []
    failing = [name for name, level, _scored in levels if level is Classification.KHONG_HOAN_THANH]
    if failing:
        label = CLASSIFICATION_LABELS[Classification.KHONG_HOAN_THANH].lower()
        notes.append(f"d: người do mình quản lý có kết quả «{label}»: {', '.join(failing)}.")
    unscored = [name for name, _level, scored in levels if not scored]
    if unscored:
        notes.append(
            f"d tạm tính: phiếu của {', '.join(unscored)} chưa được tính điểm; d được tính lại khi các phiếu này "
            "có kết quả và phải đủ trước khi công khai."
        )
    full = params.unit_criterion_full
    dd = appraisal.unit_dd if appraisal.unit_dd is not None else full
    e = appraisal.unit_e if appraisal.unit_e is not None else full
    if appraisal.unit_criteria_reason and (dd != full or e != full):
        notes.append(f"Lý do chấm đ, e: {appraisal.unit_criteria_reason}")
    return UnitCriteria(d=d, dd=dd, e=e), notes


# ----------------------------------------------------------------------------- score


def period_input(appraisal: Appraisal, params: RuleParams, rows: list[dict[str, Any]]) -> tuple[PeriodInput, list[str]]:
    """The engine's input for the appraisal and the notes that explain where it came from."""
    general, notes = general_input(appraisal.criteria.all(), params)
    unit = None
    if appraisal.is_leader:
        unit, unit_notes = unit_criteria(appraisal, params)
        notes.extend(unit_notes)
    disqualifiers = tuple(Disqualifier(code) for code in appraisal.disqualifiers.values_list("code", flat=True))
    role = Role.LEADER if appraisal.is_leader else Role.STAFF
    return PeriodInput(role, _item_inputs(rows), general, unit, disqualifiers, appraisal.exceeded_share), notes


def _store(appraisal: Appraisal, result: PeriodScore, notes: list[str]) -> None:
    for name in _FIGURES:
        setattr(appraisal, name, getattr(result, name))
    appraisal.score_status = result.status.value
    appraisal.proposed_classification = result.classification.value if result.classification else ""
    appraisal.explanation = [*result.explanation, *notes]
    appraisal.scored_at = timezone.now()
    self_scores = [line.self_score for line in appraisal.criteria.all() if line.self_score is not None]
    appraisal.self_general_score = sum(self_scores, ZERO) if self_scores else None


@dataclass(frozen=True)
class Computed:
    """One scoring of an appraisal, not stored: the rule set read, the engine's input and result."""

    rule_set: RuleSet
    rows: list[dict[str, Any]]
    data: PeriodInput
    result: PeriodScore
    notes: list[str]


def run_engine(data: PeriodInput, params: RuleParams) -> PeriodScore:
    """The one call of the engine for stored and live scores; its input errors in Vietnamese."""
    try:
        return score_period(data, params)
    except ScoringInputError as error:
        raise ValidationFailed(
            "Không tính được điểm phiếu đánh giá: " + error.message,
            [FieldError(field, message) for field, message in error.errors],
            code="SCORING_INPUT",
        ) from None


def compute(appraisal: Appraisal, rule_set: RuleSet | None = None) -> Computed:
    """Score ``appraisal`` from the database as it is now, writing nothing.

    The one path from reviewed work to a score: :func:`score_locked` stores it, the live
    score (:mod:`thanhhoa_kpi.appraisals.live`) shows it, so the two cannot disagree.
    """
    rule_set = rule_set or current_rule_set(appraisal.rule_set_code)
    params = effective_for_unit(rule_set, appraisal.unit).params
    rows = period_items(appraisal)
    data, notes = period_input(appraisal, params, rows)
    return Computed(rule_set, rows, data, run_engine(data, params), notes)


def score_locked(appraisal: Appraisal) -> Appraisal:
    """Score an appraisal row the caller has locked, with the current rule-set version."""
    rule_set = current_rule_set(appraisal.rule_set_code)
    chosen = effective_for_unit(rule_set, appraisal.unit)
    appraisal.rule_set_version, appraisal.rule_params, appraisal.unit_rules = rule_set.version, chosen.raw, chosen.rules
    sync_lines(appraisal, chosen.params)
    computed = compute(appraisal, rule_set)
    data, result, notes, rows = computed.data, computed.result, computed.notes, computed.rows
    if data.unit is not None:
        appraisal.unit_d = data.unit.d
    level_before = appraisal.proposed_classification
    _store(appraisal, result, notes)
    appraisal.scored_items = _item_json(rows)
    appraisal.save()
    if appraisal.proposed_classification != level_before:
        # A leader's d reads this level: their score follows it (and theirs, their leaders').
        for leader in leaders_above(appraisal):
            leader._history_user = getattr(appraisal, "_history_user", None)
            try:
                with transaction.atomic():  # a savepoint: a leader that cannot be scored keeps its figures
                    score_locked(leader)
            except ValidationFailed:
                # Their own input is incomplete; publishing them rescores and says why.
                continue
    return appraisal


@transaction.atomic
def appraisal_score(*, appraisal: Appraisal, user: Any) -> Appraisal:
    """(Re)compute every figure of ``appraisal`` and store it with the explanation.

    Refused once the appraisal is published (its figures and copied parameters are final),
    and to anyone who may not change it in its current state (:func:`rights.require_rescore`).
    """
    locked = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
    if states.is_published(locked):
        raise Conflict(
            "Phiếu đánh giá đã công khai nên không được tính lại điểm; cần «Mở lại» phiếu trước.",
            code="APPRAISAL_PUBLISHED",
        )
    rights.require_rescore(user, locked)
    locked._history_user = user if getattr(user, "pk", None) else None
    return score_locked(locked)


def not_scored(appraisal: Appraisal) -> bool:
    return appraisal.score_status == ScoreStatus.NOT_SCORED


def rescore_open(pairs: set[tuple[int, int]], user: Any) -> None:
    """Lines of these (official, month) pairs were reviewed: rescore the appraisals that read them.

    Registered with :func:`thanhhoa_kpi.worklogs.hooks.on_lines_reviewed`, run inside the
    review's transaction: every unpublished appraisal of an open period covering the month
    is scored again, so the appraisal never shows figures older than its lines. The rows
    are found first and then locked by primary key (no join under FOR UPDATE). An
    appraisal whose own input is incomplete keeps its figures (a savepoint); scoring it
    in the desk says why.
    """
    if not pairs:
        return
    which = Q(pk__isnull=True)
    for official_id, work_period_id in pairs:
        which |= Q(official_id=official_id, period__work_periods=work_period_id)
    ids = set(
        Appraisal.objects.filter(which, period__status=PeriodStatus.OPEN)
        .exclude(states.tagged_q(states.PUBLISHED))
        .values_list("pk", flat=True)
    )
    for appraisal in Appraisal.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk"):
        appraisal._history_user = user
        try:
            with transaction.atomic():
                score_locked(appraisal)
        except ValidationFailed:
            continue


# ------------------------------------------------------------------ scored in bulk


def explanation_pending(appraisal: Appraisal) -> bool:
    """Scored by the batch, whose explanation nobody has read yet (the one-by-one path always writes one)."""
    return appraisal.score_status != ScoreStatus.NOT_SCORED and not appraisal.explanation


def _stored_figures(appraisal: Appraisal) -> tuple[Any, ...]:
    return (appraisal.score_status, *(getattr(appraisal, name) for name in _FIGURES), appraisal.proposed_classification)


def _result_figures(result: PeriodScore) -> tuple[Any, ...]:
    level = result.classification.value if result.classification else ""
    return (result.status.value, *(getattr(result, name) for name in _FIGURES), level)


def inputs_changed_line(appraisal: Appraisal) -> str:
    at = timezone.localtime(appraisal.scored_at).strftime("%d/%m/%Y %H:%M") if appraisal.scored_at else ""
    return (
        f"Điểm được tính cùng cả kỳ lúc {at}; số liệu đầu vào đã thay đổi sau đó nên chưa lập được diễn giải "
        "khớp với điểm. Hãy «Tính lại điểm» phiếu này."
    )


def explained(appraisal: Appraisal) -> Appraisal:
    """``appraisal`` with its explanation and item table, built now if the batch scored it.

    Built by :func:`compute` from the appraisal's inputs with the rule-set version it
    copied, and stored (a cache fill: no history line), so the text is the one
    :func:`score_locked` writes. When the figures computed now differ from the stored
    ones (an input changed without a rescoring), nothing is stored and the explanation
    is one line saying so.
    """
    if not explanation_pending(appraisal):
        return appraisal
    rule_set = RuleSet.objects.filter(code=appraisal.rule_set_code, version=appraisal.rule_set_version).first()
    try:
        computed = compute(appraisal, rule_set)
    except ValidationFailed:
        appraisal.explanation = [inputs_changed_line(appraisal)]
        return appraisal
    if _result_figures(computed.result) != _stored_figures(appraisal):
        appraisal.explanation = [inputs_changed_line(appraisal)]
        return appraisal
    appraisal.explanation = [*computed.result.explanation, *computed.notes]
    appraisal.scored_items = _item_json(computed.rows)
    Appraisal.objects.filter(pk=appraisal.pk, scored_at=appraisal.scored_at).update(
        explanation=appraisal.explanation, scored_items=appraisal.scored_items
    )
    return appraisal


@transaction.atomic
def period_score_plan(*, user: Any, period: AppraisalPeriod) -> list[tuple[int, int]]:
    """Check that ``user`` may score ``period`` at once, now; the official-id ranges of its jobs.

    Who may open the period may (:func:`rights.require_period_manager`), and the
    ``score_period`` command (:data:`~thanhhoa_kpi.core.actors.SYSTEM`); the period must
    be an open month or quarter with its appraisals created.
    """
    from thanhhoa_kpi.appraisals.batch import plan

    locked = AppraisalPeriod.objects.select_for_update().get(pk=period.pk)
    if not is_system(user):
        rights.require_period_manager(user, locked.bloc)
    if locked.kind == PeriodKind.YEAR:
        raise Conflict("Kỳ năm không có phiếu riêng; hãy tính điểm các tháng.", code="PERIOD_IS_YEAR")
    if locked.status != PeriodStatus.OPEN:
        raise Conflict(f"Kỳ đánh giá {locked.label} không ở trạng thái đang mở.", code="PERIOD_NOT_OPEN")
    if locked.opening_status != OpeningStatus.DONE:
        raise Conflict("Đang tạo phiếu đánh giá cho kỳ này; hãy chờ xong rồi tính điểm.", code="OPENING_RUNNING")
    return plan(locked, jobs.workers())


@transaction.atomic
def period_score_all(*, user: Any, period: AppraisalPeriod) -> list[str]:
    """Score every unpublished appraisal of an open month or quarter at once, in RQ jobs.

    Checked by :func:`period_score_plan`. The jobs are queued when the transaction
    commits: one per range of officials, side by side, then the heads and deputies
    (:mod:`thanhhoa_kpi.appraisals.batch`). Returns the list of their ids, filled then
    (empty when they ran here, without Redis or a worker).
    """
    ranges = period_score_plan(user=user, period=period)
    queued: list[str] = []
    transaction.on_commit(lambda: queued.extend(jobs.enqueue_period_score(period.pk, ranges)))
    return queued
