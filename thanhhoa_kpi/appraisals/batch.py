"""Score a whole month at the database's speed (SPEC 9 scale target).

The same figures as :func:`thanhhoa_kpi.appraisals.services.scoring.score_locked`, the
one path from reviewed work to a score, for every appraisal of a period at once:

- **the work, summed by the database.** Per official, two whole-period aggregate queries
  (the approved assignments; the reviewed lines, grouped per catalogue item and copied
  coefficient and then per official) give the converted sums of SPEC 5.1 with each
  item's deduction applied in SQL: ``k × GREATEST(0, c − rate × LEAST(f, cap × c))``
  is :func:`thanhhoa_kpi.scoring.tasks._deduct` term for term. On MariaDB this is exact
  DECIMAL arithmetic (sums, differences, products, LEAST/GREATEST of decimals; no
  division, no float): quantities carry 2 places, coefficients 4, the rate is written
  into the query as a decimal literal of at most :data:`RATE_PLACES` places, so every
  term has at most 14 places of MariaDB's 38 and 65 digits, and the sums are the same
  rational numbers the engine adds up as fractions. A database without exact decimals
  (SQLite stores them as floats) gets the grouped rows instead, and the engine adds
  them up (:func:`thanhhoa_kpi.scoring.summed_work`). The scope is an official-id
  range (or the leaders of the period): no list of ids is ever sent.
- **the engine, from the sums.** :func:`thanhhoa_kpi.scoring.score_summed` runs the
  same code as :func:`~thanhhoa_kpi.scoring.score_period` once the items are added up,
  and leaves out the explanation: an appraisal scored here stores an empty
  ``explanation`` and ``scored_items``, built from its inputs when somebody opens it
  (:func:`thanhhoa_kpi.appraisals.services.scoring.explained`).
- **written in bulk.** One multi-row insert into a temporary table and one
  ``UPDATE … JOIN`` per chunk (``bulk_update`` elsewhere); a row scored or moved by
  somebody else since it was read is left as they left it. No history row is written:
  figures derived in bulk are not an edit (the lines, criteria and decisions they come
  from keep theirs).
- **leaders last.** d reads the levels of the people a leader manages (ND 335 Điều 15
  khoản 3), so the chunks (:func:`score_chunk`, one RQ job each, in parallel) score
  everyone but heads and deputies, and :func:`score_leaders` then scores the deputies
  and the heads, deepest unit first, each reading the levels already decided: the state
  :func:`~thanhhoa_kpi.appraisals.services.scoring.score_locked` reaches when every
  appraisal is scored one by one and the leaders above follow.

:func:`score_month` is the same sums and engine for any officials and fixed general
criteria, without appraisals (the benchmark's engine-only figure).
"""

from __future__ import annotations

import bisect
import re
import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from thanhhoa_kpi.appraisals import states
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalCriterion, AppraisalDisqualifier, AppraisalPeriod
from thanhhoa_kpi.appraisals.models import RuleSet as RuleSetRow
from thanhhoa_kpi.appraisals.rulesets import current_version, rule_set_params
from thanhhoa_kpi.appraisals.unit_rules import Effective, Index, effective
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.scoring import (
    Classification,
    Disqualifier,
    GeneralInput,
    ItemInput,
    PeriodScore,
    Role,
    RuleParams,
    ScoringInputError,
    Status,
    SummedInput,
    SummedWork,
    UnitCriteria,
    parse_params,
    score_summed,
    summed_work,
)
from thanhhoa_kpi.worklogs.models import Assignment, LineStatus, WorkLogLine, WorkPeriod

# A rule set's deduction: (deduction_per_event, max_deductions_per_unit). Rule sets that
# share one share the quality and progress sums.
Deduction = tuple[Decimal, int]
# The most decimal places of a deduction rate written into the SQL (ND 335: 0.25).
RATE_PLACES = 10
LEADERS = ("HEAD", "DEPUTY")
ZERO = Decimal(0)
TOTAL_MAX = Decimal(100)
NOTHING = SummedWork(ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO)
FAILING = Classification.KHONG_HOAN_THANH.value
# The most officials one job scores (its memory stays small whatever the province).
MAX_CHUNK = 20000
_FIGURES = (
    "assigned_converted", "completed_converted", "quality_converted", "progress_converted",
    "a", "b", "c", "task_percent", "task_score", "general_score", "total",
)  # fmt: skip


# What the batch writes, as on an appraisal never scored (benchmarks and tests start from it).
NOT_SCORED = {
    "score_status": "", **dict.fromkeys(_FIGURES), "self_general_score": None, "proposed_classification": "",
    "unit_d": None, "explanation": [], "scored_items": [], "scored_at": None,
}  # fmt: skip


def deduction_of(params: RuleParams) -> Deduction:
    return (params.deduction_per_event, params.max_deductions_per_unit)


def exact_in_sql(deductions: Iterable[Deduction]) -> bool:
    """Whether the database may add the work up itself, exactly (MariaDB, short rates)."""
    if connection.vendor != "mysql":
        return False
    return all(_places(rate) <= RATE_PLACES for rate, _cap in deductions)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


# ------------------------------------------------------------------- the work, summed


@dataclass(frozen=True)
class Scope:
    """Whose work: the officials with ids from ``low`` to ``high``.

    With ``period``, the amounts done, delayed and failed (read only by rule sets with conditions
    on the work) are added up only for the officials whose appraisal of that period uses
    such a rule set.
    """

    low: int
    high: int
    period: int | None = None

    def sql(self, column: str) -> tuple[str, list[Any]]:
        return f"{column} BETWEEN %s AND %s", [self.low, self.high]

    def shares_sql(self, column: str, codes: Sequence[str]) -> tuple[str, list[Any]]:
        where, params = self.sql(column)
        if self.period is None:
            return where, params
        using = (
            f"SELECT official_id FROM {Appraisal._meta.db_table} "
            f"WHERE period_id = %s AND rule_set_code IN ({', '.join(['%s'] * len(codes))})"
        )
        return f"{where} AND {column} IN ({using})", [*params, self.period, *codes]

    def q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.low, f"{field}__lte": self.high})


Work = dict[Deduction, SummedWork]


def month_work(
    months: Sequence[int], scope: Scope, rules: Mapping[str, RuleParams], *, in_sql: bool | None = None
) -> dict[int, Work]:
    """Per official of ``scope``: the converted sums of the months ``months`` (work period ids), per deduction.

    ``rules`` are the rule sets in play by code. ``done``, ``delayed`` and ``failed`` are filled only
    when one of them has conditions on the work (QĐ 366). Officials with neither
    assignment nor reviewed line are left out. ``in_sql`` forces the way (tests); by
    default the database adds up when it can.
    """
    deductions = {deduction_of(params): params for params in rules.values()}
    shares = [code for code, params in rules.items() if params.band_conditions]
    if not months or not deductions:
        return {}
    if in_sql is None:
        in_sql = exact_in_sql(deductions)
    if in_sql:
        return _sql_work(months, scope, list(deductions), shares)
    return _item_work(months, scope, deductions, bool(shares))


def _in(months: Sequence[int]) -> str:
    return ", ".join(str(int(month)) for month in months)


def _literal(rate: Decimal) -> str:
    # A decimal literal, never a parameter: MySQLdb quotes parameters, and a quoted
    # string times a DECIMAL is computed in floating point.
    if not rate.is_finite() or _places(rate) > RATE_PLACES:
        raise ValueError(f"deduction rate {rate!r} cannot be written exactly")
    return format(rate, "f")


def _sql_work(
    months: Sequence[int], scope: Scope, deductions: list[Deduction], shares: Sequence[str]
) -> dict[int, Work]:
    lines, assignments = WorkLogLine._meta.db_table, Assignment._meta.db_table
    terms = []
    for rate, cap in deductions:
        rate_sql, cap_sql = _literal(rate), int(cap)
        for events in ("f", "d"):
            terms.append(f"SUM(k * GREATEST(0, c - {rate_sql} * LEAST({events}, {cap_sql} * c)))")
    where, params = scope.sql("official_id")
    # Per (official, item, copied coefficient) first: the cap is per item (SPEC 5.1).
    per_item = f"""
        SELECT official_id, coefficient AS k, COALESCE(SUM(accepted_quantity), 0) AS c,
               SUM(quality_failures - exempt_quality_failures) AS f, SUM(delays - exempt_delays) AS d
        FROM {lines}
        WHERE period_id IN ({_in(months)}) AND status = %s AND {where}
        GROUP BY official_id, catalogue_item_id, coefficient
    """
    sql = f"""
        SELECT official_id, SUM(k * c), SUM(k * LEAST(d, c)), SUM(k * LEAST(f, c)), {", ".join(terms)}
        FROM ({per_item}) AS per_item
        GROUP BY official_id ORDER BY NULL
    """
    found: dict[int, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [LineStatus.REVIEWED, *params])
        for official_id, completed, delayed, failed, *kinds in cursor.fetchall():
            found[official_id] = {"completed": completed, "delayed": delayed, "failed": failed, "kinds": kinds}
        where, params = scope.sql("assignee_id")
        cursor.execute(
            f"SELECT assignee_id, SUM(coefficient * quantity) FROM {assignments} "
            f"WHERE period_id IN ({_in(months)}) AND approved = 1 AND {where} GROUP BY assignee_id ORDER BY NULL",
            params,
        )
        assigned = dict(cursor.fetchall())
        done = _sql_done(cursor, months, scope, shares) if shares else {}
    result: dict[int, Work] = {}
    for official_id in found.keys() | assigned.keys():
        row = found.get(official_id) or {
            "completed": ZERO, "delayed": ZERO, "failed": ZERO, "kinds": [ZERO] * 2 * len(deductions),
        }  # fmt: skip
        kinds = row["kinds"]
        result[official_id] = {
            deduction: SummedWork(
                assigned=assigned.get(official_id, ZERO),
                completed=row["completed"],
                quality=kinds[2 * index],
                progress=kinds[2 * index + 1],
                done=done.get(official_id, ZERO) if shares else None,
                delayed=row["delayed"] if shares else None,
                failed=row["failed"] if shares else None,
            )
            for index, deduction in enumerate(deductions)
        }
    return result


def _sql_done(cursor: Any, months: Sequence[int], scope: Scope, codes: Sequence[str]) -> dict[int, Decimal]:
    """Σ k × min(assigned, completed) per (item, coefficient): each line group joined to its assignments.

    Only groups with reviewed lines count: an item assigned and not done adds k × min(a, 0) = 0.
    One grouped pass over each table and a join on the (official, item, coefficient) key, rather
    than a UNION of both sorted into one temporary table (0.09 against 0.30 s for a chunk's
    1,875 officials on QĐ 366, and 1.5 against 2.2 s had all 18,750 been, measured on the
    75,000-official bench).
    """
    lines, assignments = WorkLogLine._meta.db_table, Assignment._meta.db_table
    line_where, line_params = scope.shares_sql("official_id", codes)
    assignment_where, assignment_params = scope.shares_sql("assignee_id", codes)
    cursor.execute(
        f"""
        SELECT done.official_id, SUM(LEAST(done.k * COALESCE(given.a, 0), done.k * done.c)) FROM (
            SELECT official_id, catalogue_item_id AS item, coefficient AS k, COALESCE(SUM(accepted_quantity), 0) AS c
            FROM {lines}
            WHERE period_id IN ({_in(months)}) AND status = %s AND {line_where}
            GROUP BY official_id, catalogue_item_id, coefficient
        ) AS done LEFT JOIN (
            SELECT assignee_id, catalogue_item_id AS item, coefficient AS k, SUM(quantity) AS a
            FROM {assignments}
            WHERE period_id IN ({_in(months)}) AND approved = 1 AND {assignment_where}
            GROUP BY assignee_id, catalogue_item_id, coefficient
        ) AS given ON given.assignee_id = done.official_id AND given.item = done.item AND given.k = done.k
        GROUP BY done.official_id ORDER BY NULL
        """,
        [LineStatus.REVIEWED, *line_params, *assignment_params],
    )
    return dict(cursor.fetchall())


def _item_work(
    months: Sequence[int], scope: Scope, deductions: Mapping[Deduction, RuleParams], shares: bool
) -> dict[int, Work]:
    """The grouped rows through the ORM, added up by the engine (databases without exact decimals)."""
    rows: dict[int, dict[tuple[int, Decimal], dict[str, Any]]] = defaultdict(dict)

    def row(official_id: int, item_id: int, coefficient: Decimal) -> dict[str, Any]:
        blank = {"assigned": ZERO, "completed": ZERO, "f": 0, "ef": 0, "d": 0, "ed": 0}
        return rows[official_id].setdefault((item_id, coefficient), blank)

    assigned = (
        Assignment.objects.filter(scope.q("assignee_id"), period_id__in=months, approved=True)
        .values_list("assignee_id", "catalogue_item_id", "coefficient")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for official_id, item_id, coefficient, total in assigned:
        row(official_id, item_id, coefficient)["assigned"] += total
    done = (
        WorkLogLine.objects.filter(scope.q("official_id"), period_id__in=months, status=LineStatus.REVIEWED)
        .values_list("official_id", "catalogue_item_id", "coefficient")
        .annotate(
            Sum("accepted_quantity"),
            Sum("quality_failures"),
            Sum("exempt_quality_failures"),
            Sum("delays"),
            Sum("exempt_delays"),
        )  # fmt: skip
        .order_by()
    )
    for official_id, item_id, coefficient, completed, failures, exempt_failures, delays, exempt_delays in done:
        target = row(official_id, item_id, coefficient)
        target["completed"] += completed or ZERO
        target["f"], target["ef"], target["d"], target["ed"] = failures, exempt_failures, delays, exempt_delays
    result: dict[int, Work] = {}
    for official_id, groups in rows.items():
        items = tuple(
            ItemInput("", coefficient, values["assigned"], values["completed"], values["f"], values["d"],
                      values["ef"], values["ed"])
            for (_item, coefficient), values in groups.items()
        )  # fmt: skip
        work = {}
        for deduction, params in deductions.items():
            summed = summed_work(items, params)
            work[deduction] = summed if shares else SummedWork(*_four(summed))
        result[official_id] = work
    return result


def _four(work: SummedWork) -> tuple[Any, Any, Any, Any]:
    return (work.assigned, work.completed, work.quality, work.progress)


# ------------------------------------------------------------------- officials, no appraisal


def score_month(
    *,
    period: WorkPeriod,
    params: RuleParams,
    general: GeneralInput,
    official_ids: Iterable[int] | None = None,
    leaders: Mapping[int, UnitCriteria] | None = None,
    chunk: int = 2000,
) -> Iterator[tuple[int, PeriodScore]]:
    """``(official id, score)`` for every official of ``official_ids`` (default: all), in id order.

    ND 335/2025/NĐ-CP Điều 12, 14, 15 through the pure engine, from the sums the
    database adds up over each id range, without the explanation. ``general`` is the
    same for everyone; officials in ``leaders`` are scored as leaders with their d, đ,
    e, the others as staff. An official with nothing assigned gets the NO_ASSIGNED_WORK
    score.
    """
    leaders = leaders or {}
    deduction = deduction_of(params)
    for batch in _id_chunks(sorted(official_ids) if official_ids is not None else None, chunk):
        work = month_work([period.pk], Scope(batch[0], batch[-1]), {"": params})
        for official_id in batch:
            unit = leaders.get(official_id)
            role = Role.STAFF if unit is None else Role.LEADER
            summed = work.get(official_id, {}).get(deduction, NOTHING)
            yield official_id, score_summed(SummedInput(role, summed, general, unit), params)


def _id_chunks(ids: list[int] | None, size: int) -> Iterator[list[int]]:
    if ids is not None:
        for start in range(0, len(ids), size):
            yield ids[start : start + size]
        return
    last = 0
    while True:
        batch = list(Official.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not batch:
            return
        yield batch
        last = batch[-1]


# ------------------------------------------------------------------------ appraisals


def plan(period: AppraisalPeriod, jobs: int = 2, most: int = MAX_CHUNK) -> list[tuple[int, int]]:
    """Official-id ranges that split the period's appraisals into at least ``jobs`` parts of at most ``most``."""
    ids = list(Appraisal.objects.filter(period=period).order_by("official_id").values_list("official_id", flat=True))
    if not ids:
        return []
    parts = max(jobs, -(-len(ids) // most))
    size = -(-len(ids) // parts)
    return [(ids[start], ids[min(start + size, len(ids)) - 1]) for start in range(0, len(ids), size)]


@dataclass
class _Row:
    """What the batch reads of one appraisal (``unit_path``, ``fields`` and ``level``: leaders only)."""

    pk: int
    official_id: int
    leadership_role: str
    unit_id: int
    rule_set_code: str
    rule_set_version: int
    unit_dd: Decimal | None
    unit_e: Decimal | None
    exceeded_share: Decimal | None
    scored_at: Any
    state: str
    unit_rules_id: int | None
    unit_path: str = ""
    fields: list[str] = field(default_factory=list)
    level: str = ""


_ROW_COLUMNS = (
    "pk", "official_id", "leadership_role", "unit_id", "rule_set_code", "rule_set_version", "unit_dd", "unit_e",
    "exceeded_share", "scored_at", "state", "unit_rules_id",
)  # fmt: skip


def _rows(period: AppraisalPeriod, scope: Scope) -> list[_Row]:
    """The unpublished appraisals of ``scope`` (from the index ``appraisal_period_scoring``), leaders completed."""
    query = Appraisal.objects.filter(scope.q("official_id"), period=period).exclude(states.tagged_q(states.PUBLISHED))
    rows = [_Row(*values) for values in query.order_by("official_id").values_list(*_ROW_COLUMNS)]
    # Read into a dict: no ORDER BY (the model's default ordering made MariaDB filesort).
    leaders = (
        query.filter(leadership_role__in=LEADERS)
        .order_by()
        .values_list("pk", "unit__path", "fields_in_charge", "final_classification")
    )
    found = {pk: (path, fields or [], level) for pk, path, fields, level in leaders}
    for row in rows:
        if row.pk in found:
            row.unit_path, row.fields, row.level = found[row.pk]
    return rows


@dataclass
class Leader:
    """A head's or deputy's inputs, read by a chunk and scored by the leaders' job (they travel in its result)."""

    row: _Row
    work: Work
    general: tuple[dict[str, Decimal | None], Decimal | None]
    disqualifiers: tuple[Disqualifier, ...]


@dataclass
class Outcome:
    """What one job did: scored and written, left as another writer left them, refused by the engine."""

    scored: int = 0
    changed_meanwhile: int = 0
    refused: list[int] = field(default_factory=list)
    one_by_one: list[int] = field(default_factory=list)
    # Seconds per step (reading, adding up, scoring, writing), for whoever tunes the database.
    seconds: dict[str, float] = field(default_factory=dict)
    # A chunk's heads and deputies, for the leaders' job.
    leaders: list[Leader] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        self.scored += other.scored
        self.changed_meanwhile += other.changed_meanwhile
        self.refused += other.refused
        self.one_by_one += other.one_by_one
        self.leaders += other.leaders
        for step, seconds in other.seconds.items():
            self.seconds[step] = self.seconds.get(step, 0.0) + seconds

    def timed(self, step: str, started: float) -> float:
        now = time.perf_counter()
        self.seconds[step] = self.seconds.get(step, 0.0) + round(now - started, 3)
        return now

    def as_dict(self) -> dict[str, Any]:
        return {
            "scored": self.scored, "changed_meanwhile": self.changed_meanwhile, "refused": self.refused,
            "one_by_one": self.one_by_one, "seconds": self.seconds,
        }  # fmt: skip


@dataclass
class _Rules:
    """The rule sets in force, by code, and what to do with appraisals copied from another version."""

    current: dict[str, tuple[RuleSetRow, RuleParams]] = field(default_factory=dict)
    same_form: dict[tuple[str, int], bool] = field(default_factory=dict)
    # A unit's own rules in force (:mod:`thanhhoa_kpi.appraisals.unit_rules`), applied per rule set and rules.
    index: Index = field(default_factory=Index)
    units: dict[tuple[str, int], Effective] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[_Row]) -> _Rules:
        from thanhhoa_kpi.appraisals.services.scoring import template_lines

        rules = cls()
        codes = {row.rule_set_code for row in rows}
        rules.index = Index.load(codes) if codes else Index()
        for code, version in {(row.rule_set_code, row.rule_set_version) for row in rows}:
            if code not in rules.current:
                current = current_version(code)
                if current is None:
                    continue
                rules.current[code] = (current, rule_set_params(current))
            current, params = rules.current[code]
            if version != current.version:
                # The copied version's form must be the current one's (else the lines change: one by one).
                old = RuleSetRow.objects.filter(code=code, version=version).first()
                same = old is not None and template_lines(parse_params(old.params)) == template_lines(params)
                rules.same_form[(code, version)] = same
        return rules

    def params(self) -> dict[str, RuleParams]:
        return {code: params for code, (_row, params) in self.current.items()}

    def for_row(self, row: _Row) -> tuple[RuleSetRow, Effective] | None:
        """The version in force of the row's rule set, with the rules of the row's unit applied."""
        found = self.current.get(row.rule_set_code)
        if found is None:
            return None
        rule_set = found[0]
        rules = self.index.find_unit(rule_set.code, row.unit_id)
        key = (rule_set.code, rules.pk if rules else 0)
        if key not in self.units:
            self.units[key] = effective(rule_set, rules)
        return rule_set, self.units[key]


General = tuple[dict[str, Decimal | None], Decimal | None]


def _generals(pks: Collection[int], codes: Sequence[str]) -> dict[int, General]:
    """Per appraisal of ``pks``: the general score of each group (the reviewer's, else the self score), the self total.

    :func:`thanhhoa_kpi.appraisals.services.scoring.general_input`, added up by the
    database from the index ``criterion_period_scoring``. A chunk's appraisals were
    created together, so their lines are read by the range of their ids.
    """
    value = Coalesce("reviewer_score", "self_score", Value(ZERO))
    sums = {f"g{index}": Sum(value, filter=Q(group_code=code)) for index, code in enumerate(codes)}
    query = AppraisalCriterion.objects.filter(appraisal_id__gte=min(pks), appraisal_id__lte=max(pks))
    rows = query.values("appraisal_id").annotate(own=Sum("self_score"), own_count=Count("self_score"), **sums)
    found = {}
    for row in rows.order_by():
        if row["appraisal_id"] in pks:
            by_code = {code: row[f"g{index}"] for index, code in enumerate(codes)}
            found[row["appraisal_id"]] = (by_code, row["own"] if row["own_count"] else None)
    return found


def _disqualifiers(period: AppraisalPeriod, pks: Collection[int]) -> dict[int, tuple[Disqualifier, ...]]:
    found: dict[int, list[Disqualifier]] = defaultdict(list)
    rows = AppraisalDisqualifier.objects.filter(appraisal__period=period).order_by("appraisal_id", "code")
    for appraisal_id, code in rows.values_list("appraisal_id", "code"):
        if appraisal_id in pks:
            found[appraisal_id].append(Disqualifier(code))
    return {pk: tuple(codes) for pk, codes in found.items()}


@dataclass
class _Scored:
    row: _Row
    result: PeriodScore
    self_general: Decimal | None
    unit_d: Decimal | None
    rule_set: tuple[RuleSetRow, Effective] | None  # when the copied version changes


class _Batch:
    """Appraisals of a period with their inputs, scored one after the other and written together."""

    def __init__(
        self,
        period: AppraisalPeriod,
        rows: list[_Row],
        work: dict[int, Work],
        generals: dict[int, General],
        disqualifiers: dict[int, tuple[Disqualifier, ...]],
        outcome: Outcome,
    ) -> None:
        self.period, self.rows, self.work, self.generals = period, rows, work, generals
        self.disqualifiers, self.outcome = disqualifiers, outcome
        self.rules = _Rules.of(rows)
        self.scored: list[_Scored] = []
        self.started = time.perf_counter()

    @classmethod
    def read(cls, period: AppraisalPeriod, scope: Scope, *, in_sql: bool | None = None) -> _Batch:
        """Everything a chunk needs, read at once: its appraisals, the work, the criteria, the disqualifiers."""
        outcome = Outcome()
        started = time.perf_counter()
        rows = _rows(period, scope)
        rules = _Rules.of(rows)
        started = outcome.timed("appraisals", started)
        months = list(period.work_periods.values_list("pk", flat=True))
        work = month_work(months, scope, rules.params(), in_sql=in_sql) if rows else {}
        started = outcome.timed("work", started)
        pks = {row.pk for row in rows}
        codes = sorted({group.code for params in rules.params().values() for group in params.general_groups})
        generals = _generals(pks, codes) if rows else {}
        batch = cls(period, rows, work, generals, _disqualifiers(period, pks), outcome)
        batch.started = outcome.timed("criteria", started)
        return batch

    @classmethod
    def of_leaders(cls, period: AppraisalPeriod, leaders: list[Leader]) -> _Batch:
        rows = [leader.row for leader in leaders]
        work = {leader.row.official_id: leader.work for leader in leaders}
        generals = {leader.row.pk: leader.general for leader in leaders}
        disqualifiers = {leader.row.pk: leader.disqualifiers for leader in leaders}
        return cls(period, rows, work, generals, disqualifiers, Outcome())

    def leader(self, row: _Row) -> Leader:
        return Leader(
            row, self.work.get(row.official_id, {}), self.generals.get(row.pk, ({}, None)),
            self.disqualifiers.get(row.pk, ()),
        )  # fmt: skip

    def score(self, row: _Row, unit_d: Decimal | None = None) -> _Scored | None:
        """Score one appraisal; ``None`` when the engine refuses its input or it needs the one-by-one path."""
        found = self.rules.for_row(row)
        if found is None:
            self.outcome.refused.append(row.pk)
            return None
        rule_set, chosen = found
        params = chosen.params
        if (chosen.rules.pk if chosen.rules else None) != row.unit_rules_id:
            # The unit's own rules changed since it was scored: its lines follow them one by one.
            self.outcome.one_by_one.append(row.pk)
            return None
        changed = rule_set.version != row.rule_set_version
        if changed and not self.rules.same_form[(row.rule_set_code, row.rule_set_version)]:
            self.outcome.one_by_one.append(row.pk)
            return None
        by_code, self_general = self.generals.get(row.pk, ({}, None))
        general = GeneralInput(groups=tuple(by_code.get(group.code) or ZERO for group in params.general_groups))
        unit = None
        if row.leadership_role in LEADERS:
            full = params.unit_criterion_full
            unit = UnitCriteria(
                d=unit_d if unit_d is not None else full,
                dd=row.unit_dd if row.unit_dd is not None else full,
                e=row.unit_e if row.unit_e is not None else full,
            )
        role = Role.LEADER if unit is not None else Role.STAFF
        work = self.work.get(row.official_id, {}).get(deduction_of(params), NOTHING)
        data = SummedInput(role, work, general, unit, self.disqualifiers.get(row.pk, ()), row.exceeded_share)
        try:
            result = score_summed(data, params)
        except ScoringInputError:
            self.outcome.refused.append(row.pk)
            return None
        scored = _Scored(row, result, self_general, unit.d if unit else None, found if changed else None)
        self.scored.append(scored)
        return scored

    def write(self) -> Outcome:
        started = self.outcome.timed("engine", self.started)
        if self.scored:
            written = _write(self.scored)
            self.outcome.scored += written
            self.outcome.changed_meanwhile += len(self.scored) - written
        if self.outcome.one_by_one:
            _one_by_one(self.outcome.one_by_one)
        self.outcome.timed("write", started)
        return self.outcome


def score_chunk(period_id: int, low: int, high: int, *, in_sql: bool | None = None) -> Outcome:
    """Score the period's appraisals of officials ``low``…``high`` (an RQ job).

    Heads and deputies are not scored here: their inputs are read with everybody's and
    handed, in :attr:`Outcome.leaders`, to :func:`score_leaders`.
    """
    period = AppraisalPeriod.objects.get(pk=period_id)
    batch = _Batch.read(period, Scope(low, high, period_id), in_sql=in_sql)
    for row in batch.rows:
        if row.leadership_role in LEADERS:
            batch.outcome.leaders.append(batch.leader(row))
        else:
            batch.score(row)
    return batch.write()


def score_leaders(period_id: int, leaders: list[Leader]) -> Outcome:
    """Score the heads and deputies the chunks read, once everybody else has a level (the last RQ job).

    d (ND 335/2025/NĐ-CP Điều 15 khoản 3) is reduced when someone the leader manages is
    "không hoàn thành": for a deputy, the non-leaders of the unit sharing one of their
    fields; for a head, everyone in the unit's subtree. Deputies first, then heads from
    the deepest unit up, so each reads levels already final.
    """
    period = AppraisalPeriod.objects.get(pk=period_id)
    batch = _Batch.of_leaders(period, leaders)
    failing = _Failing(period)
    deputies = [row for row in batch.rows if row.leadership_role == "DEPUTY"]
    heads = [row for row in batch.rows if row.leadership_role == "HEAD"]
    heads.sort(key=lambda row: (-len(row.unit_path), row.pk))
    for row in deputies:
        _score_leader(batch, failing, row, failing.under_deputy(row))
    for row in heads:
        _score_leader(batch, failing, row, failing.under_head(row))
    return batch.write()


def _score_leader(batch: _Batch, failing: _Failing, row: _Row, reduced: bool) -> None:
    found = batch.rules.for_row(row)
    d = None
    if found is not None:
        params = found[1].params
        d = params.unit_criterion_reduced if reduced else params.unit_criterion_full
    scored = batch.score(row, d)
    if scored is not None and not row.level:  # the final level, once decided, is the one others read
        classification = scored.result.classification
        failing.update(row, classification.value if classification else "")


class _Failing:
    """The period's appraisals whose level (final, else by score) is "không hoàn thành", kept up to date."""

    def __init__(self, period: AppraisalPeriod) -> None:
        level = Q(final_classification=FAILING) | Q(final_classification="", proposed_classification=FAILING)
        rows = (
            Appraisal.objects.filter(level, period=period)
            .order_by()
            .values_list("pk", "unit_id", "unit__path", "leadership_role", "fields_in_charge")
        )
        self.by_path: dict[str, set[int]] = defaultdict(set)
        self.paths: list[str] = []
        self.staff: dict[int, dict[int, set[str]]] = defaultdict(dict)  # unit → non-leader pk → fields
        self.where: dict[int, str] = {}
        for pk, unit_id, path, role, fields in rows:
            self._add(pk, path)
            if role not in LEADERS:
                self.staff[unit_id][pk] = set(fields or [])

    def _add(self, pk: int, path: str) -> None:
        if path not in self.by_path:
            bisect.insort(self.paths, path)
        self.by_path[path].add(pk)
        self.where[pk] = path

    def update(self, row: _Row, level: str) -> None:
        if level == FAILING and row.pk not in self.where:
            self._add(row.pk, row.unit_path)
        elif level != FAILING and row.pk in self.where:
            self.by_path[self.where.pop(row.pk)].discard(row.pk)

    def under_deputy(self, row: _Row) -> bool:
        mine = set(row.fields)
        return any(fields & mine for fields in self.staff.get(row.unit_id, {}).values())

    def under_head(self, row: _Row) -> bool:
        start = bisect.bisect_left(self.paths, row.unit_path)
        for path in self.paths[start:]:
            if not path.startswith(row.unit_path):
                break
            if self.by_path[path] - {row.pk}:
                return True
        return False


# --------------------------------------------------------------------------- writing

_TEMPORARY = "batch_scores"
# The temporary table holds numbers only, so that its rows are written out without quoting;
# the status and the level are codes of the engine's enums, numbered here.
_STATUSES = [status.value for status in Status]
_LEVELS = ["", *(level.value for level in Classification)]
_COLUMNS = (
    ("id", "INT NOT NULL PRIMARY KEY"),
    ("seen_scored_at", "DATETIME(6) NULL"),
    ("status", "TINYINT NOT NULL"),
    *((name, "DECIMAL(16, 2) NULL") for name in _FIGURES),
    ("level", "TINYINT NOT NULL"),
    ("self_general_score", "DECIMAL(7, 2) NULL"),
    ("unit_d", "DECIMAL(5, 2) NULL"),
    ("leader", "TINYINT NOT NULL"),
)


def _number(value: Decimal | None) -> str:
    if value is None:
        return "NULL"
    if not value.is_finite():
        raise ValueError(f"not a figure: {value!r}")
    return format(value, "f")


def _when(column: str, codes: list[str]) -> str:
    """``CASE column WHEN 0 THEN 'CODE' …``: the enums' codes as SQL literals (capitals and underscores)."""
    if not all(re.fullmatch("[A-Z_]*", code) for code in codes):
        raise ValueError(f"unexpected codes {codes!r}")
    branches = " ".join(f"WHEN {index} THEN '{code}'" for index, code in enumerate(codes))
    return f"CASE {column} {branches} END"


def _row_sql(item: _Scored) -> str:
    result, row = item.result, item.row
    if result.total is not None and not ZERO <= result.total <= TOTAL_MAX:
        # The table's appraisal_total_0_100, which the batch's UPDATE leaves to this line (_checked_here).
        raise ValueError(f"appraisal {row.pk}: total {result.total} outside 0–100")
    seen = connection.ops.adapt_datetimefield_value(row.scored_at)
    level = result.classification.value if result.classification else ""
    values = [
        str(int(row.pk)), "NULL" if seen is None else f"'{seen}'", str(_STATUSES.index(result.status.value)),
        *(_number(getattr(result, name)) for name in _FIGURES), str(_LEVELS.index(level)),
        _number(item.self_general), _number(item.unit_d), "1" if row.leadership_role in LEADERS else "0",
    ]  # fmt: skip
    return f"({','.join(values)})"


def _write(scored: list[_Scored]) -> int:
    """Store the figures of ``scored``; returns how many rows were written (the others changed meanwhile)."""
    now = timezone.now()
    if connection.vendor == "mysql":
        return _write_joined(scored, now)
    return _write_rows(scored, now)


def _published_sql() -> tuple[str, list[Any]]:
    """The SQL of :func:`states.tagged_q` for published appraisals, on the appraisal table named ``a``."""
    query = Appraisal.objects.filter(states.tagged_q(states.PUBLISHED)).query
    compiler = query.get_compiler(connection=connection)
    sql, params = query.where.as_sql(compiler, connection)
    table = Appraisal._meta.db_table
    return sql.replace(f"{connection.ops.quote_name(table)}.", "a."), list(params)


@contextmanager
def _checked_here(cursor: Any) -> Iterator[None]:
    """MariaDB: the table's CHECK constraints left out of the batch's ``UPDATE``, which :func:`_row_sql` checked.

    MariaDB evaluates every CHECK of the table on every row an ``UPDATE`` changes, whichever
    columns it sets: here ``json_valid`` over the copied rule set, the explanation, the item
    table, the custom fields and the fields in charge (columns the batch does not change
    or sets to the literal ``'[]'``), which was ~0.23 s of 7,500 rows (bench/RESULTS.md).
    The one CHECK on a column the batch writes from the engine, ``appraisal_total_0_100``,
    is checked row by row in :func:`_row_sql` before anything is sent. The session's setting
    is put back after the statement, whatever happens.
    """
    if not getattr(connection, "mysql_is_mariadb", False):
        yield
        return
    cursor.execute("SET @batch_checks = @@SESSION.check_constraint_checks, SESSION check_constraint_checks = 0")
    try:
        yield
    finally:
        cursor.execute("SET SESSION check_constraint_checks = @batch_checks")


def _write_joined(scored: list[_Scored], now: Any) -> int:
    """One multi-row insert into a temporary table of numbers, one ``UPDATE … JOIN``.

    A row is written only if nobody scored it since it was read (the same ``scored_at``)
    and it is not published now.
    """
    table = Appraisal._meta.db_table
    names = ", ".join(name for name, _type in _COLUMNS)
    figures = ", ".join(f"a.{name} = t.{name}" for name in (*_FIGURES, "self_general_score"))
    published, params = _published_sql()
    stamp = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TEMPORARY TABLE IF EXISTS {_TEMPORARY}")
        columns = ", ".join(f"{name} {kind}" for name, kind in _COLUMNS)
        cursor.execute(f"CREATE TEMPORARY TABLE {_TEMPORARY} ({columns})")
        for start in range(0, len(scored), 5000):
            rows = ",".join(_row_sql(item) for item in scored[start : start + 5000])
            cursor.execute(f"INSERT INTO {_TEMPORARY} ({names}) VALUES {rows}")
        with _checked_here(cursor):
            cursor.execute(
                f"""
                UPDATE {table} AS a JOIN {_TEMPORARY} AS t ON a.id = t.id
                SET {figures}, a.score_status = {_when("t.status", _STATUSES)},
                    a.proposed_classification = {_when("t.level", _LEVELS)},
                    a.unit_d = IF(t.leader, t.unit_d, a.unit_d),
                    a.explanation = '[]', a.scored_items = '[]', a.scored_at = %s, a.updated_at = %s
                WHERE a.scored_at <=> t.seen_scored_at AND NOT ({published})
                """,
                [stamp, stamp, *params],
            )
            written = int(cursor.rowcount)
        cursor.execute(f"DROP TEMPORARY TABLE {_TEMPORARY}")
        _copy_rule_sets(scored, now)
    return written


def _copy_rule_sets(scored: list[_Scored], now: Any) -> None:
    """Appraisals that copied an earlier version of their rule set (same form) take the current one."""
    moved: dict[tuple[int, int], tuple[RuleSetRow, Effective, list[int]]] = {}
    for item in scored:
        if item.rule_set is not None:
            rule_set, chosen = item.rule_set
            key = (rule_set.pk, chosen.rules.pk if chosen.rules else 0)
            moved.setdefault(key, (rule_set, chosen, []))[2].append(item.row.pk)
    for rule_set, chosen, pks in moved.values():
        Appraisal.objects.filter(pk__in=pks, scored_at=now).update(
            rule_set_version=rule_set.version, rule_params=chosen.raw
        )


def _write_rows(scored: list[_Scored], now: Any) -> int:
    """``bulk_update`` for databases without ``UPDATE … JOIN``; rows changed since they were read are left alone."""
    with transaction.atomic():
        pks = [item.row.pk for item in scored]
        fresh = set(Appraisal.objects.select_for_update().filter(pk__in=pks).values_list("pk", "scored_at", "state"))
        groups: dict[tuple[str, ...], list[Appraisal]] = defaultdict(list)
        for item in scored:
            row, result = item.row, item.result
            if (row.pk, row.scored_at, row.state) not in fresh:
                continue
            appraisal = Appraisal(pk=row.pk, **{name: getattr(result, name) for name in _FIGURES})
            appraisal.score_status = result.status.value
            appraisal.proposed_classification = result.classification.value if result.classification else ""
            appraisal.self_general_score = item.self_general
            appraisal.explanation, appraisal.scored_items = [], []
            appraisal.scored_at = appraisal.updated_at = now
            names = [*_FIGURES, "score_status", "proposed_classification", "self_general_score", "explanation",
                     "scored_items", "scored_at", "updated_at"]  # fmt: skip
            if row.leadership_role in LEADERS:
                appraisal.unit_d = item.unit_d
                names.append("unit_d")
            if item.rule_set is not None:
                appraisal.rule_set_version, appraisal.rule_params = item.rule_set[0].version, item.rule_set[1].raw
                names += ["rule_set_version", "rule_params"]
            groups[tuple(names)].append(appraisal)
        for names, appraisals in groups.items():
            Appraisal.objects.bulk_update(appraisals, list(names), batch_size=500)
    return sum(len(appraisals) for appraisals in groups.values())


def _one_by_one(pks: list[int]) -> None:
    """Appraisals whose copied rule set has another form: the one-by-one path syncs their lines."""
    from thanhhoa_kpi.appraisals.services.scoring import score_locked
    from thanhhoa_kpi.core.errors import ValidationFailed

    for pk in pks:
        try:
            with transaction.atomic():
                score_locked(Appraisal.objects.select_for_update().get(pk=pk))
        except ValidationFailed:
            continue
