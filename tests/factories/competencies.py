"""Competency factories: a small framework with requirements, and assessments moved through
the real services (opening, self-assessment, review, the workflow's transitions).

The framework asks of the cast's «Chuyên viên» position two competencies (GT at level 3,
VB at level 2) and of its «Trưởng phòng» position three (GT 4, VB 3, LD 3).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from thanhhoa_kpi.accounts.loaders import load_roles
from thanhhoa_kpi.competencies.assessments import (
    competency_assessment_open,
    competency_assessment_review,
    competency_assessment_self_assess,
)
from thanhhoa_kpi.competencies.models import Competency, CompetencyAssessment, CompetencyFramework, PositionRequirement
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.workflow.loaders import load_workflows
from thanhhoa_kpi.workflow.services import workflow_transition

YEAR = timezone.localdate().year
STAFF_LEVELS = {"GT": 3, "VB": 2}
LEAD_LEVELS = {"GT": 4, "VB": 3, "LD": 3}
NAMES = {"GT": ("Giao tiếp", "CHUNG"), "VB": ("Soạn thảo văn bản", "CHUYEN_MON"), "LD": ("Lãnh đạo", "QUAN_LY")}


def prepare_competencies() -> None:
    """The base workflow definitions and the assessment permissions of every role."""
    load_workflows(read_file(FIXTURES_DIR / "base" / "workflows.json"))
    load_roles(read_file(FIXTURES_DIR / "base" / "roles.competencies.yaml"))


def framework(cast: Any) -> CompetencyFramework:
    found = CompetencyFramework.objects.create(
        code="KNL_TEST", name="Khung năng lực (thử)", effective_from=date(2025, 1, 1)
    )
    competencies = {
        code: Competency.objects.create(framework=found, code=code, name=name, kind=kind)
        for code, (name, kind) in NAMES.items()
    }
    for position, levels in ((cast.position, STAFF_LEVELS), (cast.lead_position, LEAD_LEVELS)):
        for code, level in levels.items():
            PositionRequirement.objects.create(
                framework=found, position=position, competency=competencies[code], required_level=level
            )
    return found


def opened(cast: Any, *, year: int = YEAR, unit: Any = None, by: Any = None) -> Any:
    """Open the year for the cast's ward (its HR admin), the framework made first if missing."""
    if not CompetencyFramework.objects.filter(code="KNL_TEST").exists():
        framework(cast)
    return competency_assessment_open(user=by or cast.hr, year=year, unit=unit or cast.ward)


def assessment_of(person: Any, year: int = YEAR) -> CompetencyAssessment:
    official = person if isinstance(person, Official) else Official.objects.get(user=person)
    return CompetencyAssessment.objects.get(official=official, year=year)


def levels(values: dict[str, Any], comment: str | None = None) -> list[dict[str, Any]]:
    lines = [{"competency": code, "level": level} for code, level in values.items()]
    if comment is not None:
        for line in lines:
            line["comment"] = comment
    return lines


def self_assess(assessment: CompetencyAssessment, user: Any, values: dict[str, Any]) -> CompetencyAssessment:
    return competency_assessment_self_assess(assessment=assessment, user=user, lines=levels(values))


def review(assessment: CompetencyAssessment, user: Any, values: dict[str, Any]) -> CompetencyAssessment:
    return competency_assessment_review(assessment=assessment, user=user, lines=levels(values))


def act(assessment: CompetencyAssessment, user: Any, action: str, comment: str = "") -> CompetencyAssessment:
    workflow_transition(document=assessment, action=action, user=user, comment=comment)
    assessment.refresh_from_db()
    return assessment


def approved(
    assessment: CompetencyAssessment, *, subject: Any, reviewer: Any, own: dict[str, Any], given: dict[str, Any]
) -> CompetencyAssessment:
    """The whole chain: the official rates and submits, the reviewer rates and approves."""
    self_assess(assessment, subject, own)
    act(assessment, subject, "submit")
    review(assessment, reviewer, given)
    return act(assessment, reviewer, "approve")
