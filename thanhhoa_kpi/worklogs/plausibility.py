"""Plausibility checks of work-log lines (issue 15, item 1): the database adds up, the pure
:mod:`thanhhoa_kpi.worklogs.plausibility_rules` compares and explains.

:func:`flags_for` takes the lines to explain (the review queue's page, a unit's month) as a
queryset and answers ``{line id: [Flag, …]}`` with a fixed number of queries, whatever the
number of lines: per-line facts (weekday, holiday, leave, the official's minutes that day)
are annotations; documents and evidence files are counted per number and per hash over
every line of the year (numbering restarts each year) or of all time (a file is a file);
the month figures of each official are one grouped query per month, and the output per
hour of the similar-task group's members one more. The medians and percentiles are taken
over those per-official sums (a group is tens of people), never over lines.

Counts reach beyond the caller's scope (a number reused in another unit matters) but only
as counts: no name, unit or line of anyone else is told. Nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import ExtractWeekDay, ExtractYear

from thanhhoa_kpi.organization.models import LeavePeriod, OfficialAssignment
from thanhhoa_kpi.worklogs import plausibility_rules as rules
from thanhhoa_kpi.worklogs.models import (
    HolidayKind,
    Origin,
    PlausibilityThresholds,
    PublicHoliday,
    WorkLogLine,
    WorkPeriod,
)

Flags = dict[int, list[rules.Flag]]
CONVERTED = ExpressionWrapper(
    F("quantity") * F("coefficient"), output_field=DecimalField(max_digits=24, decimal_places=6)
)
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=24, decimal_places=6))
SATURDAY, SUNDAY = 7, 1  # ExtractWeekDay: 1 = Sunday … 7 = Saturday, on every database


def thresholds() -> rules.Thresholds:
    """The saved thresholds (the first row), else the defaults."""
    row = PlausibilityThresholds.objects.order_by("pk").first()
    if row is None:
        return rules.Thresholds()
    return rules.Thresholds(
        working_day_minutes=row.working_day_minutes, burst_days=row.burst_days, burst_percent=row.burst_percent,
        late_percent=row.late_percent, min_month_lines=row.min_month_lines,
        rate_median_multiple=Decimal(row.rate_median_multiple), rate_percentile=row.rate_percentile,
        rate_min_peers=row.rate_min_peers, percentile_min_peers=row.percentile_min_peers,
        self_registered_percent=row.self_registered_percent,
    )  # fmt: skip


def _self_registered_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}assignment__isnull": True}) | Q(**{f"{prefix}assignment__origin": Origin.SELF_REGISTERED})


# ------------------------------------------------------------------ per line


def _day_flags(lines: QuerySet[WorkLogLine], limits: rules.Thresholds, flags: Flags) -> None:
    """Minutes of the day beyond the working day; weekends and holidays; leave."""
    day_minutes = (
        WorkLogLine.objects.filter(official_id=OuterRef("official_id"), date=OuterRef("date"))
        .order_by()
        .values("official_id")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    leave = LeavePeriod.objects.filter(
        official_id=OuterRef("official_id"), start_date__lte=OuterRef("date"), end_date__gte=OuterRef("date")
    ).order_by("start_date")
    holidays = PublicHoliday.objects.filter(date=OuterRef("date"))
    rows = (
        lines.order_by()
        .annotate(
            day_minutes=Subquery(day_minutes[:1]),
            weekday=ExtractWeekDay("date"),
            holiday=Subquery(holidays.exclude(kind=HolidayKind.WORKDAY).values("name")[:1]),
            exchange=Subquery(holidays.filter(kind=HolidayKind.WORKDAY).values("pk")[:1]),
            leave_kind=Subquery(leave.values("kind")[:1]),
            leave_start=Subquery(leave.values("start_date")[:1]),
            leave_end=Subquery(leave.values("end_date")[:1]),
        )
        .filter(
            Q(day_minutes__gt=limits.working_day_minutes)
            | Q(weekday__in=[SATURDAY, SUNDAY])
            | Q(holiday__isnull=False)
            | Q(leave_kind__isnull=False)
        )
        .values("pk", "date", "day_minutes", "holiday", "exchange", "leave_kind", "leave_start", "leave_end")
    )
    kinds = dict(LeavePeriod._meta.get_field("kind").choices or [])
    for row in rows:
        found = [
            rules.day_too_long(row["date"], row["day_minutes"] or 0, limits),
            rules.non_working_day(row["date"], row["holiday"], row["exchange"] is not None),
        ]
        if row["leave_kind"]:
            kind = str(kinds.get(row["leave_kind"], row["leave_kind"]))
            found.append(rules.on_leave(row["date"], kind, row["leave_start"], row["leave_end"]))
        flags[row["pk"]].extend(flag for flag in found if flag)


def _document_flags(lines: QuerySet[WorkLogLine], flags: Flags) -> None:
    """The same document or dossier number on several lines of a year (anyone's), compared
    by ``document_key`` (indexed: upper case, no spaces)."""
    mine = list(
        lines.exclude(document_key="")
        .order_by()
        .annotate(year=ExtractYear("date"))
        .values("pk", "document_key", "year", "document_number", "catalogue_item_id")
    )
    if not mine:
        return
    every = (
        WorkLogLine.objects.filter(document_key__in={row["document_key"] for row in mine})
        .annotate(year=ExtractYear("date"))
        .filter(year__in={row["year"] for row in mine})
        .order_by()
    )
    totals = {
        (row["document_key"], row["year"]): row
        for row in every.values("document_key", "year").annotate(n=Count("pk"), who=Count("official_id", distinct=True))
    }
    by_item = {
        (row["document_key"], row["year"], row["catalogue_item_id"]): row["n"]
        for row in every.values("document_key", "year", "catalogue_item_id").annotate(n=Count("pk")).filter(n__gt=1)
    }
    for row in mine:
        key = (row["document_key"], row["year"])
        same = by_item.get((*key, row["catalogue_item_id"]), 1)
        flag = rules.document_reused(
            row["document_number"].strip(), row["year"], totals[key]["n"], totals[key]["who"], same
        )
        if flag:
            flags[row["pk"]].append(flag)


def _evidence_flags(lines: QuerySet[WorkLogLine], flags: Flags) -> None:
    """The same evidence file (by its SHA-256) on several lines, ever."""
    mine = list(lines.exclude(evidence_sha256="").order_by().values_list("pk", "evidence_sha256"))
    if not mine:
        return
    counts = {
        row["evidence_sha256"]: row
        for row in WorkLogLine.objects.filter(evidence_sha256__in={digest for _pk, digest in mine})
        .order_by()
        .values("evidence_sha256")
        .annotate(n=Count("pk"), who=Count("official_id", distinct=True))
        .filter(n__gt=1)
    }
    for pk, digest in mine:
        if digest in counts:
            flags[pk].append(rules.evidence_reused(counts[digest]["n"], counts[digest]["who"]))  # type: ignore[arg-type]


# ------------------------------------------------------------------ per official and month


@dataclass(frozen=True)
class Group:
    key: tuple[Any, ...]
    name: str


def _groups(official_ids: set[int], period: WorkPeriod) -> dict[int, Group]:
    """Each official's similar-task group in the month: the group of their posting, else the
    unit and job position of the posting (the latest posting held during the month)."""
    postings = (
        OfficialAssignment.objects.filter(official_id__in=official_ids, start_date__lte=period.last_day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.first_day))
        .order_by("official_id", "start_date", "pk")
        .values("official_id", "task_group_id", "task_group__name", "unit_id", "unit__name", "position_id",
                "position__name")
    )  # fmt: skip
    found = {}
    for row in postings:  # the latest posting of each official wins
        if row["task_group_id"]:
            found[row["official_id"]] = Group(("group", row["task_group_id"]), row["task_group__name"])
        else:
            name = f"{row['position__name']} — {row['unit__name']}"
            found[row["official_id"]] = Group(("post", row["unit_id"], row["position_id"]), name)
    return found


def _peer_ids(groups: dict[int, Group], period: WorkPeriod) -> set[int]:
    """Everyone holding, during the month, a posting in one of ``groups``."""
    task_groups = {g.key[1] for g in groups.values() if g.key[0] == "group"}
    posts = {g.key[1:] for g in groups.values() if g.key[0] == "post"}
    q = Q(task_group_id__in=task_groups)
    for unit_id, position_id in posts:
        q |= Q(unit_id=unit_id, position_id=position_id, task_group__isnull=True)
    return set(
        OfficialAssignment.objects.filter(q, start_date__lte=period.last_day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.first_day))
        .values_list("official_id", flat=True)
    )


def _months(official_ids: set[int], period: WorkPeriod, limits: rules.Thresholds) -> dict[int, rules.Month]:
    start = period.last_day - timedelta(days=limits.burst_days - 1)
    rows = (
        WorkLogLine.objects.filter(period=period, official_id__in=official_ids)
        .order_by()
        .values("official_id")
        .annotate(
            n=Count("pk"),
            converted=Sum(CONVERTED, default=ZERO),
            last_days=Sum(CONVERTED, filter=Q(date__gte=start), default=ZERO),
            late=Sum(CONVERTED, filter=Q(assignment__deadline__lt=F("date")), default=ZERO),
            own=Sum(CONVERTED, filter=_self_registered_q(), default=ZERO),
            timed=Sum(CONVERTED, filter=Q(minutes__gt=0), default=ZERO),
            minutes=Sum("minutes", default=0),
        )
    )
    return {
        row["official_id"]: rules.Month(
            lines=row["n"],
            converted=row["converted"],
            last_days=row["last_days"],
            window_start=start,
            after_deadline=row["late"],
            self_registered=row["own"],
            timed_converted=row["timed"],
            minutes=row["minutes"],
        )  # fmt: skip
        for row in rows
    }


def _month_flags(period: WorkPeriod, lines: list[dict[str, Any]], limits: rules.Thresholds, flags: Flags) -> None:
    """Month flags of each official, shown on the lines they are about."""
    official_ids = {line["official_id"] for line in lines}
    groups = _groups(official_ids, period)
    peers = _peer_ids(groups, period) if groups else set()
    months = _months(official_ids | peers, period, limits)
    members: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for official_id, group in _groups(peers, period).items():
        members[group.key].append(official_id)
    found: dict[int, dict[str, rules.Flag | None]] = {}
    for official_id in official_ids:
        month = months.get(official_id)
        if month is None:
            continue
        group = groups.get(official_id)
        rate = None
        if group is not None:
            others = [months[o].rate for o in members[group.key] if o != official_id and o in months]
            rate = rules.rate_outlier(month.rate, [r for r in others if r is not None], group.name, limits)
        found[official_id] = {
            rules.MONTH_END_BURST: rules.month_end_burst(month, limits),
            rules.AFTER_DEADLINE: rules.after_deadline(month, limits),
            rules.SELF_REGISTERED: rules.self_registered(month, limits),
            rules.RATE_OUTLIER: rate,
        }
    for line in lines:
        month_flags = found.get(line["official_id"])
        if not month_flags:
            continue
        concerns = {
            rules.MONTH_END_BURST: line["date"] >= months[line["official_id"]].window_start,
            rules.AFTER_DEADLINE: line["deadline"] is not None and line["date"] > line["deadline"],
            rules.SELF_REGISTERED: line["assignment_id"] is None or line["origin"] == Origin.SELF_REGISTERED,
            rules.RATE_OUTLIER: line["minutes"] > 0,
        }
        flags[line["pk"]].extend(f for code, f in month_flags.items() if f is not None and concerns[code])


# ------------------------------------------------------------------ entry points


def flags_for(lines: QuerySet[WorkLogLine], limits: rules.Thresholds | None = None) -> Flags:
    """The flags of each of ``lines`` (a scoped queryset), in a fixed number of queries."""
    limits = limits or thresholds()
    flags: Flags = defaultdict(list)
    _day_flags(lines, limits, flags)
    _document_flags(lines, flags)
    _evidence_flags(lines, flags)
    facts = list(
        lines.order_by().values("pk", "official_id", "period_id", "date", "minutes", "assignment_id",
                                origin=F("assignment__origin"), deadline=F("assignment__deadline"))
    )  # fmt: skip
    by_period: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for fact in facts:
        by_period[fact["period_id"]].append(fact)
    for period in WorkPeriod.objects.filter(pk__in=by_period):
        _month_flags(period, by_period[period.pk], limits, flags)
    return {pk: rules.ordered(found) for pk, found in flags.items() if found}
