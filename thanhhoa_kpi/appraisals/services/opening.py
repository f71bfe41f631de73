"""The job that creates a period's appraisals (SPEC 3.8: "opening creates every appraisal").

Who gets one: every official with an assignment in force, in a unit of the period's
bloc, on the period's last day (or today, for a period still running). An official
holding several postings gets one appraisal, for the posting that weighs most (head,
then deputy, then the latest). The official's rule set may decide otherwise
(``edge_cases``, :mod:`thanhhoa_kpi.scoring.edge_cases`): the posting held for most days
of the period, and no appraisal for someone on leave the whole period (the default, as
ND 335 Điều 21 classifies on the time actually worked). Each appraisal snapshots the unit, position, leadership
role, fields and quota group of that posting and copies the current version of its rule
set (the official's own, else the period's default).

Each step stamps ``updated_at``, the job's heartbeat: an opening whose worker died (the
status stays RUNNING) is queued again by ``period_open`` once that stamp is older than
``OPENING_STALLED_AFTER`` (:mod:`thanhhoa_kpi.appraisals.services.periods`).

Idempotent and safe to re-run: officials who already have an appraisal for the period
are skipped, rows are inserted with ``ignore_conflicts`` on the (official, period)
unique key, and lines are only added to appraisals that have none. Rows are inserted in
batches, each in its own transaction, and the progress (``opening_total``,
``opening_done``, ``opening_created``) is committed with each batch so that the desk and
the API can show it while the job runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Least
from django.utils import timezone

from thanhhoa_kpi.accounts.access import current_assignments
from thanhhoa_kpi.appraisals.choices import DEFAULT_GROUPS, DOCTYPE, WORKFLOW_CODE, OpeningStatus
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalCriterion, AppraisalPeriod, RuleSet
from thanhhoa_kpi.appraisals.rulesets import current_version
from thanhhoa_kpi.appraisals.services.scoring import template_lines
from thanhhoa_kpi.appraisals.unit_rules import Effective, Index, effective
from thanhhoa_kpi.core.retry import retry_transaction
from thanhhoa_kpi.organization.agencies import agencies_of
from thanhhoa_kpi.organization.models import LeavePeriod, OfficialAssignment
from thanhhoa_kpi.scoring import FullLeave, PostingRule, QuotaScope, RuleParams, parse_params
from thanhhoa_kpi.workflow.services import workflow_start_fields

BATCH_SIZE = 500
_WEIGHT = {"HEAD": 0, "DEPUTY": 1}
_COLUMNS = (
    "pk", "official_id", "official__rule_set_code", "unit_id", "position_id", "leadership_role", "fields_in_charge",
    "task_group_id", "task_group__unit_id", "task_group__code", "task_group__name", "start_date",
)  # fmt: skip


@dataclass(frozen=True)
class Posting:
    official_id: int
    rule_set_code: str
    unit_id: int
    position_id: int
    leadership_role: str
    fields: list[str]
    task_group_id: int | None
    quota_unit_id: int
    quota_group: str
    quota_group_label: str


def reference_day(period: AppraisalPeriod) -> date:
    """The day whose postings count: the period's last day, or today while it runs."""
    today = timezone.localdate()
    return period.end_date if period.end_date <= today else max(period.start_date, today)


def _posting(row: dict[str, Any]) -> Posting:
    if row["task_group_id"]:
        quota = (row["task_group__unit_id"], row["task_group__code"], row["task_group__name"])
    else:
        code, label = DEFAULT_GROUPS.get(row["leadership_role"], DEFAULT_GROUPS["NONE"])
        quota = (row["unit_id"], code, label)
    return Posting(
        official_id=row["official_id"], rule_set_code=row["official__rule_set_code"] or "", unit_id=row["unit_id"],
        position_id=row["position_id"], leadership_role=row["leadership_role"], fields=row["fields_in_charge"] or [],
        task_group_id=row["task_group_id"], quota_unit_id=quota[0], quota_group=quota[1], quota_group_label=quota[2],
    )  # fmt: skip


def postings_for(period: AppraisalPeriod, rule_sets: _RuleSets | None = None) -> list[Posting]:
    """One posting per official of the bloc on the reference day.

    Each official's rule set (``edge_cases``, :mod:`thanhhoa_kpi.scoring.edge_cases`) may
    ask for the posting held for most days of the period instead (``posting_rule``
    MOST_DAYS: a leader appointed mid-month), and leaves out officials on leave for the
    whole period (``full_leave`` NO_APPRAISAL, the default).
    """
    rule_sets = rule_sets or _RuleSets(period.rule_set_code)
    day = reference_day(period)
    rows = current_assignments(day).filter(unit__bloc=period.bloc)
    best: dict[int, dict[str, Any]] = {}
    for row in rows.values(*_COLUMNS).order_by("official_id", "-start_date", "-pk").iterator(chunk_size=2000):
        current = best.get(row["official_id"])
        if current is None or _WEIGHT.get(row["leadership_role"], 2) < _WEIGHT.get(current["leadership_role"], 2):
            best[row["official_id"]] = row
    edge = {official_id: rule_sets.get(row["official__rule_set_code"] or "")[2].edge_cases
            for official_id, row in best.items()}  # fmt: skip
    most_days = [official_id for official_id, cases in edge.items() if cases.posting_rule is PostingRule.MOST_DAYS]
    if most_days:
        best.update(_held_longest(period, day, most_days))
    away = _on_leave_throughout(
        period, {pk for pk, cases in edge.items() if cases.full_leave is FullLeave.NO_APPRAISAL}
    )
    return [_posting(best[official_id]) for official_id in sorted(best) if official_id not in away]


def _held_longest(period: AppraisalPeriod, day: date, officials: list[int]) -> dict[int, dict[str, Any]]:
    """Each official's posting in the bloc held for most days of the period up to ``day``
    (the later one on a tie, then the heavier role)."""
    rows = OfficialAssignment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=period.start_date),
        official_id__in=officials, start_date__lte=day, unit__bloc=period.bloc,
    )  # fmt: skip
    best: dict[int, tuple[tuple[int, date, int, int], dict[str, Any]]] = {}
    for row in rows.values(*_COLUMNS, "end_date").iterator(chunk_size=2000):
        end = min(row["end_date"] or day, day)
        held = (end - max(row["start_date"], period.start_date)).days + 1
        key = (held, row["start_date"], -_WEIGHT.get(row["leadership_role"], 2), row["pk"])
        if row["official_id"] not in best or key > best[row["official_id"]][0]:
            best[row["official_id"]] = (key, row)
    return {official_id: row for official_id, (_key, row) in best.items()}


def _on_leave_throughout(period: AppraisalPeriod, officials: set[int]) -> set[int]:
    """Those of ``officials`` whose leaves (joined) cover every day of the period."""
    spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
    overlapping = LeavePeriod.objects.filter(start_date__lte=period.end_date, end_date__gte=period.start_date)
    for official_id, start, end in overlapping.values_list("official_id", "start_date", "end_date"):
        if official_id in officials:
            spans[official_id].append((start, end))
    away = set()
    for official_id, leaves in spans.items():
        uncovered = period.start_date
        for start, end in sorted(leaves):
            if start > uncovered:
                break
            uncovered = max(uncovered, end + timedelta(days=1))
        if uncovered > period.end_date:
            away.add(official_id)
    return away


class _RuleSets:
    """Current rule-set versions by code, with their general-criteria template, read once;
    per unit with the unit's own rules in force applied (:mod:`thanhhoa_kpi.appraisals.unit_rules`)."""

    def __init__(self, default: str) -> None:
        self.default = default
        self.rows: dict[str, tuple[RuleSet, list[dict[str, Any]], RuleParams]] = {}
        self.units: dict[tuple[str, int], tuple[RuleSet, list[dict[str, Any]], RuleParams, Effective]] = {}
        self.index: Index | None = None

    def get(self, code: str) -> tuple[RuleSet, list[dict[str, Any]], RuleParams]:
        code = code or self.default
        if code not in self.rows:
            row = current_version(code)
            if row is None:
                if code == self.default:
                    raise ValueError(f"Chưa có bộ quy tắc chấm điểm «{code}» đang dùng.")
                return self.get(self.default)
            params = parse_params(row.params)
            self.rows[code] = (row, template_lines(params), params)
        return self.rows[code]

    def for_unit(self, code: str, unit_id: int) -> tuple[RuleSet, list[dict[str, Any]], RuleParams, Effective]:
        """:meth:`get` for an appraisal of ``unit_id``: the copy and the lines with its rules."""
        row, _lines, _params = self.get(code)
        self.index = self.index or Index.load()
        rules = self.index.find_unit(row.code, unit_id)
        key = (row.code, rules.pk if rules else 0)
        if key not in self.units:
            chosen = effective(row, rules)
            self.units[key] = (row, template_lines(chosen.params), chosen.params, chosen)
        return self.units[key]


def _chunks(items: list[Posting], size: int) -> Iterator[list[Posting]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _appraisal(
    period: AppraisalPeriod, posting: Posting, rule_sets: _RuleSets, agencies: dict[int, int], start: dict[str, Any]
) -> Appraisal:
    rule_set, _lines, params, chosen = rule_sets.for_unit(posting.rule_set_code, posting.unit_id)
    # The quota counts per agency (SPEC 5.6) unless the rule set says per unit.
    quota_unit_id = posting.quota_unit_id
    if params.quota_scope == QuotaScope.AGENCY:
        quota_unit_id = agencies[quota_unit_id]
    return Appraisal(
        period=period, official_id=posting.official_id, unit_id=posting.unit_id, position_id=posting.position_id,
        leadership_role=posting.leadership_role, fields_in_charge=posting.fields, task_group_id=posting.task_group_id,
        quota_unit_id=quota_unit_id, quota_group=posting.quota_group,
        quota_group_label=posting.quota_group_label, rule_set_code=rule_set.code, rule_set_version=rule_set.version,
        rule_params=chosen.raw, unit_rules=chosen.rules, **start,
    )  # fmt: skip


def _add_lines(period: AppraisalPeriod, official_ids: list[int], rule_sets: _RuleSets) -> int:
    """Lines for the batch's appraisals that have none (new ones, or an interrupted run)."""
    bare = Appraisal.objects.filter(period=period, official_id__in=official_ids, criteria__isnull=True)
    lines = []
    count = 0
    for pk, code, unit_id in bare.values_list("pk", "rule_set_code", "unit_id"):
        count += 1
        lines.extend(AppraisalCriterion(appraisal_id=pk, **spec) for spec in rule_sets.for_unit(code, unit_id)[1])
    AppraisalCriterion.objects.bulk_create(lines, batch_size=2000)
    return count


@retry_transaction
def _run_batch(period: AppraisalPeriod, chunk: list[Posting], rule_sets: _RuleSets, start: dict[str, Any]) -> None:
    with transaction.atomic():
        existing = set(
            Appraisal.objects.filter(period=period, official_id__in=[p.official_id for p in chunk]).values_list(
                "official_id", flat=True
            )
        )
        agencies = agencies_of(posting.quota_unit_id for posting in chunk)
        rows = [
            _appraisal(period, posting, rule_sets, agencies, start)
            for posting in chunk
            if posting.official_id not in existing
        ]
        Appraisal.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
        # The first line of each appraisal's history (bulk_create skips simple_history's signals).
        new = Appraisal.objects.filter(period=period, official_id__in=[row.official_id for row in rows])
        Appraisal.history.bulk_history_create(list(new), batch_size=BATCH_SIZE, default_change_reason="Mở kỳ đánh giá")
        created = _add_lines(period, [p.official_id for p in chunk], rule_sets)
        # Clamped at the total: a stalled run's work horse that outlived its worker may finish
        # batches beside the re-run (harmless to the rows, which the unique key keeps single).
        AppraisalPeriod.objects.filter(pk=period.pk).update(
            opening_done=Least(F("opening_done") + len(chunk), F("opening_total")),
            opening_created=F("opening_created") + created,
            updated_at=timezone.now(),  # the job's heartbeat: see periods.OPENING_STALLED_AFTER
        )  # fmt: skip


@retry_transaction
def _progress(period_id: int, **fields: Any) -> None:
    """Record the opening's progress on the period row. A re-run after a killed worker can meet
    that worker's transaction still rolling back on the row (MariaDB answers 1213): retried."""
    AppraisalPeriod.objects.filter(pk=period_id).update(**fields, updated_at=timezone.now())


def period_open_run(*, period_id: int) -> AppraisalPeriod:
    """Create the missing appraisals of the period, recording the progress (the RQ job).

    Each batch is one transaction that skips what exists, so it and the progress updates are
    run again after a deadlock or lock timeout (:func:`~thanhhoa_kpi.core.retry.retry_transaction`).
    """
    period = AppraisalPeriod.objects.get(pk=period_id)
    _progress(
        period_id, opening_status=OpeningStatus.RUNNING, opening_started_at=timezone.now(), opening_done=0,
        opening_created=0, opening_error="",
    )  # fmt: skip
    try:
        rule_sets = _RuleSets(period.rule_set_code)
        postings = postings_for(period, rule_sets)
        _progress(period_id, opening_total=len(postings))
        start = workflow_start_fields(definition_code=WORKFLOW_CODE, doctype=DOCTYPE)
        for chunk in _chunks(postings, BATCH_SIZE):
            _run_batch(period, chunk, rule_sets, start)
    except Exception as error:
        AppraisalPeriod.objects.filter(pk=period_id).update(
            opening_status=OpeningStatus.FAILED, opening_error=str(error)[:2000], opening_finished_at=timezone.now()
        )
        raise
    _progress(period_id, opening_status=OpeningStatus.DONE, opening_finished_at=timezone.now())
    return AppraisalPeriod.objects.get(pk=period_id)
