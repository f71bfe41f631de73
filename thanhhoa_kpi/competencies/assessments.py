"""Writes of the yearly competency assessment (SPEC 3.4): opening, self-assessment, review.

Opening creates, for every official posted in a unit subtree, one assessment of the year
with a line per competency their position requires (active frameworks in effect that
year), started on the COMPETENCY_ASSESSMENT workflow. Moving it (submit, approve, return,
reopen) is :func:`thanhhoa_kpi.workflow.services.workflow_transition`; what each step
checks is in :mod:`thanhhoa_kpi.competencies.transitions`.

Every write service locks the assessment row first (``select_for_update``, no join), then
its lines, checks the acting user itself (:mod:`thanhhoa_kpi.competencies.rights`) and
writes all lines or none, naming each refused line by its competency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from thanhhoa_kpi.accounts.access import current_assignments
from thanhhoa_kpi.competencies import rights, states
from thanhhoa_kpi.competencies.models import CompetencyAssessment, CompetencyAssessmentLine, PositionRequirement
from thanhhoa_kpi.core.errors import Conflict, FieldError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.workflow.services import workflow_start_fields

FIRST_YEAR = 2000
# Which posting an official holding several is assessed for: head, then deputy, then the latest.
_WEIGHT = {"HEAD": 0, "DEPUTY": 1}
# The level and comment fields each side writes.
_FIELDS = {rights.SELF: ("self_level", "self_comment"), rights.REVIEW: ("reviewer_level", "reviewer_comment")}


@dataclass(frozen=True)
class OpenOutcome:
    """What an opening did: assessments created, officials who had one, positions without requirements."""

    created: int = 0
    existing: int = 0
    without_requirements: list[str] = field(default_factory=list)


def reference_day(year: int) -> date:
    """The day whose postings count: 31 December, or today for the running year."""
    return min(date(year, 12, 31), timezone.localdate())


def _check_year(year: Any) -> int:
    this_year = timezone.localdate().year
    try:
        value = int(str(year).strip())
    except (TypeError, ValueError):
        value = 0
    if not FIRST_YEAR <= value <= this_year:
        raise ValidationFailed(
            "Năm đánh giá chưa hợp lệ.",
            [FieldError("year", f"Năm đánh giá phải là một năm từ {FIRST_YEAR} đến {this_year}.")],
        )
    return value


def _postings(unit: OrgUnit, day: date) -> dict[int, dict[str, Any]]:
    """One posting per official of the unit subtree on ``day`` (the heaviest, then the latest)."""
    rows = current_assignments(day).filter(unit__path__startswith=unit.path)
    best: dict[int, dict[str, Any]] = {}
    columns = ("official_id", "unit_id", "position_id", "position__name", "leadership_role")
    for row in rows.values(*columns).order_by("official_id", "-start_date", "-pk"):
        current = best.get(row["official_id"])
        if current is None or _WEIGHT.get(row["leadership_role"], 2) < _WEIGHT.get(current["leadership_role"], 2):
            best[row["official_id"]] = row
    return best


def _requirements(position_ids: Iterable[int], year: int) -> dict[int, list[tuple[int, int]]]:
    """``{position: [(competency, required level)]}`` from the active frameworks in effect that year."""
    found: dict[int, list[tuple[int, int]]] = {}
    rows = PositionRequirement.objects.filter(
        position_id__in=sorted(set(position_ids)), framework__is_active=True,
        framework__effective_from__lte=date(year, 12, 31),
    ).order_by("position_id", "competency__code")  # fmt: skip
    for position_id, competency_id, level in rows.values_list("position_id", "competency_id", "required_level"):
        found.setdefault(position_id, []).append((competency_id, level))
    return found


@transaction.atomic
def competency_assessment_open(*, user: Any, year: Any, unit: OrgUnit, deadline: date | None = None) -> OpenOutcome:
    """Open the year's assessment for every official posted in ``unit`` and below.

    Officials who already have one for the year keep it; officials whose position requires
    no competency get none (their positions are listed in the outcome). Safe to run again.
    """
    if not rights.may_open(user, unit):
        raise PermissionRefused(
            "Chỉ quản trị nhân sự của đơn vị, cơ quan tổ chức cán bộ của khối hoặc quản trị hệ thống được mở "
            "đánh giá năng lực.",
            code="NOT_ALLOWED",
        )
    year = _check_year(year)
    if deadline is not None and deadline.year < year:
        raise ValidationFailed(
            "Hạn hoàn thành chưa hợp lệ.", [FieldError("deadline", f"Hạn hoàn thành phải từ năm {year} trở đi.")]
        )
    postings = _postings(unit, reference_day(year))
    existing = set(
        CompetencyAssessment.objects.filter(year=year, official_id__in=list(postings)).values_list(
            "official_id", flat=True
        )
    )
    required = _requirements((row["position_id"] for row in postings.values()), year)
    fresh = [row for pk, row in sorted(postings.items()) if pk not in existing and row["position_id"] in required]
    without = sorted({row["position__name"] for row in postings.values() if row["position_id"] not in required})
    start = workflow_start_fields(
        definition_code=CompetencyAssessment.workflow_code, doctype=CompetencyAssessment.workflow_doctype
    )
    opened_by = user if getattr(user, "pk", None) else None
    common = {"year": year, "deadline": deadline, "opened_by": opened_by, **start}
    built = [
        CompetencyAssessment(
            official_id=row["official_id"], unit_id=row["unit_id"], position_id=row["position_id"], **common
        )
        for row in fresh
    ]
    CompetencyAssessment.objects.bulk_create(built, batch_size=500)
    new = list(CompetencyAssessment.objects.filter(year=year, official_id__in=[row["official_id"] for row in fresh]))
    # The first line of each assessment's history (bulk_create skips simple_history's signals).
    CompetencyAssessment.history.bulk_history_create(
        new, batch_size=500, default_user=opened_by, default_change_reason="Mở đánh giá năng lực"
    )
    CompetencyAssessmentLine.objects.bulk_create(
        [
            CompetencyAssessmentLine(assessment_id=assessment.pk, competency_id=competency_id, required_level=level)
            for assessment in new
            for competency_id, level in required[assessment.position_id]
        ],
        batch_size=2000,
    )
    return OpenOutcome(created=len(new), existing=len(existing), without_requirements=without)


# ------------------------------------------------------------------------------ rating


def _lock(assessment: CompetencyAssessment) -> CompetencyAssessment:
    return CompetencyAssessment.objects.select_for_update().get(pk=assessment.pk)


def _level(raw: Any) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError(raw)
    value = int(str(raw).strip())
    if not 1 <= value <= 5:
        raise ValueError(raw)
    return value


def _parse(
    lines: dict[str, CompetencyAssessmentLine], given: Any
) -> list[tuple[CompetencyAssessmentLine, int | None, str | None]]:
    """Every line checked at once: a competency of the assessment, once, a level 1–5 (or none)."""
    if isinstance(given, str | bytes | Mapping) or not isinstance(given, Iterable):
        raise ValidationFailed("Cấp độ năng lực chưa hợp lệ.", [FieldError("lines", "Phải là danh sách các dòng.")])
    parsed, errors, seen = [], [], set()
    for index, raw in enumerate(given):
        path = f"lines[{index}]"
        code = str(raw.get("competency", "")).strip() if isinstance(raw, Mapping) else ""
        line = lines.get(code)
        if line is None:
            errors.append(FieldError(f"{path}.competency", f"Phiếu không có năng lực «{code}»."))
            continue
        name = f"{line.competency.code} — {line.competency.name}"
        if code in seen:
            errors.append(FieldError(f"{path}.competency", f"Năng lực «{name}» bị lặp lại."))
            continue
        seen.add(code)
        try:
            level = _level(raw.get("level"))
        except (TypeError, ValueError):
            errors.append(FieldError(f"{path}.level", f"Năng lực «{name}»: cấp độ phải là số nguyên từ 1 đến 5."))
            continue
        comment = raw.get("comment")
        parsed.append((line, level, None if comment is None else str(comment)[:2000]))
    if errors:
        raise ValidationFailed("Cấp độ năng lực chưa hợp lệ, chưa lưu dòng nào.", errors)
    return parsed


def _rate(
    *, assessment: CompetencyAssessment, user: Any, part: str, lines: Any, comment: str | None
) -> CompetencyAssessment:
    locked = _lock(assessment)
    if part not in rights.editable_parts(user, locked):
        raise _refusal(user, locked, part)
    rows = CompetencyAssessmentLine.objects.select_for_update().filter(assessment=locked).select_related("competency")
    level_field, comment_field = _FIELDS[part]
    for line, level, text in _parse({row.competency.code: row for row in rows}, lines):
        setattr(line, level_field, level)
        names = [level_field]
        if text is not None:
            setattr(line, comment_field, text)
            names.append(comment_field)
        line._history_user = user  # simple_history: the person, not "system"
        line.save(update_fields=names)
    names = ["updated_at"]
    if comment is not None:
        setattr(locked, comment_field, str(comment)[:4000])
        names.append(comment_field)
    if part == rights.REVIEW:
        locked.reviewer = user
        names.append("reviewer")
    locked._history_user = user
    locked.save(update_fields=names)
    return locked


def _refusal(user: Any, assessment: CompetencyAssessment, part: str) -> Exception:
    if part == rights.REVIEW and rights.is_subject(user, assessment):
        return PermissionRefused("Bạn không được tự đánh giá phiếu năng lực của chính mình.", code="SELF_ACTION")
    wanted = states.SELF_ASSESSMENT if part == rights.SELF else states.REVIEW
    mine = rights.is_subject(user, assessment) if part == rights.SELF else rights.is_reviewer(user, assessment)
    if mine and not states.has_tag(assessment, wanted):
        return Conflict(
            f"Phiếu đang ở bước «{assessment.workflow_state_label()}» nên bạn không sửa được cấp độ; "
            "muốn sửa phải «Trả lại» hoặc «Mở lại» phiếu.",
            code="NOT_EDITABLE",
        )
    if part == rights.SELF:
        return PermissionRefused("Chỉ người được đánh giá mới tự đánh giá phiếu của mình.", code="NOT_THE_SUBJECT")
    return PermissionRefused(
        "Chỉ người đứng đầu đơn vị (hoặc đơn vị cấp trên, với phiếu của người đứng đầu) được đánh giá phiếu này.",
        code="NOT_A_REVIEWER",
    )


@transaction.atomic
def competency_assessment_self_assess(
    *, assessment: CompetencyAssessment, user: Any, lines: Any, comment: str | None = None
) -> CompetencyAssessment:
    """The official rates themself: ``lines`` = ``[{"competency": code, "level": 1–5, "comment": ...}]``."""
    return _rate(assessment=assessment, user=user, part=rights.SELF, lines=lines, comment=comment)


@transaction.atomic
def competency_assessment_review(
    *, assessment: CompetencyAssessment, user: Any, lines: Any, comment: str | None = None
) -> CompetencyAssessment:
    """The reviewer rates the official, line by line, before approving or returning."""
    return _rate(assessment=assessment, user=user, part=rights.REVIEW, lines=lines, comment=comment)
