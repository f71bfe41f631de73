"""Reads of the competency assessments: the gap figures and an official's own gaps.

The gap of one competency in one approved assessment is how many levels the reviewer's
level falls short of the level the position required when the assessment was opened
(``required − reviewer``, 0 when the level is met or exceeded): a gap report counts what
is missing, and one official above the requirement does not hide another below it. Only
approved assessments count (the state their definition tags ``approved``), read through
:func:`thanhhoa_kpi.accounts.access.scoped`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.competencies import states
from thanhhoa_kpi.competencies.models import CompetencyAssessment, CompetencyAssessmentLine, CompetencyKind
from thanhhoa_kpi.organization.models import OrgUnit

CENT = Decimal("0.01")
_SHORTFALL = Case(
    When(reviewer_level__lt=F("required_level"), then=F("required_level") - F("reviewer_level")),
    default=Value(0),
    output_field=IntegerField(),
)


def assessment_list(*, user: Any) -> QuerySet:
    """The assessments the user may read."""
    return access.scoped(CompetencyAssessment.objects.all(), user)


def approved_lines(
    *, user: Any, year: int, unit: OrgUnit | None = None, bloc: str = "", position_id: int | None = None
) -> QuerySet:
    """Lines of the approved assessments of ``year`` in the user's scope (and in ``unit``'s subtree)."""
    rows = access.scoped(CompetencyAssessmentLine.objects.all(), user).filter(
        states.tagged_q(states.APPROVED, "assessment__"), assessment__year=year, reviewer_level__isnull=False
    )
    if unit is not None:
        rows = rows.filter(assessment__unit__path__startswith=unit.path)
    if bloc:
        rows = rows.filter(assessment__unit__bloc=bloc)
    if position_id is not None:
        rows = rows.filter(assessment__position_id=position_id)
    return rows


def mean(total: int | None, count: int) -> Decimal | None:
    """``total / count`` to two decimals (half up); None for no rows."""
    if not count:
        return None
    return (Decimal(total or 0) / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class GapFigures:
    assessed: int
    mean_level: Decimal | None
    below: int
    mean_gap: Decimal | None


def _figures(row: dict[str, Any]) -> GapFigures:
    n = row["assessed"]
    return GapFigures(n, mean(row["level_sum"], n), row["below"], mean(row["shortfall"], n))


def gap_groups(lines: QuerySet, by: tuple[str, ...]) -> list[tuple[dict[str, Any], GapFigures]]:
    """``lines`` grouped by the fields ``by`` (one query): each group's values and its figures."""
    rows = lines.values(*by).annotate(
        assessed=Count("pk"),
        level_sum=Sum("reviewer_level"),
        below=Count("pk", filter=Q(reviewer_level__lt=F("required_level"))),
        shortfall=Sum(_SHORTFALL),
    )
    return [(row, _figures(row)) for row in rows.order_by(*by)]


# ------------------------------------------------------------------------- own gaps


@dataclass(frozen=True)
class OwnGap:
    code: str
    name: str
    kind: str
    required: int
    self_level: int | None
    assessed: int | None
    gap: int | None


@dataclass(frozen=True)
class OwnGaps:
    """The official's latest approved assessment, line by line, and a newer one still under way."""

    approved: CompetencyAssessment | None
    lines: list[OwnGap]
    pending: CompetencyAssessment | None

    @property
    def below(self) -> int:
        return sum(1 for line in self.lines if line.gap)


def own_gaps(*, user: Any) -> OwnGaps | None:
    """What the signed-in official sees beside their results; None for a user without an official record."""
    official_id = access.scope_for(user).official_id
    if official_id is None:
        return None
    mine = list(
        CompetencyAssessment.objects.filter(official_id=official_id).select_related("workflow").order_by("-year")
    )
    approved = next((row for row in mine if states.has_tag(row, states.APPROVED)), None)
    pending = next((row for row in mine if not states.has_tag(row, states.APPROVED)), None)
    if pending is not None and approved is not None and pending.year < approved.year:
        pending = None
    lines: list[OwnGap] = []
    if approved is not None:
        kinds = dict(CompetencyKind.choices)
        for line in approved.lines.select_related("competency").order_by("competency__code"):
            competency = line.competency
            lines.append(
                OwnGap(competency.code, competency.name, str(kinds.get(competency.kind, competency.kind)),
                       line.required_level, line.self_level, line.reviewer_level, line.gap)
            )  # fmt: skip
    return OwnGaps(approved=approved, lines=lines, pending=pending)
