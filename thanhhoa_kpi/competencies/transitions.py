"""What a competency assessment does when the workflow moves it: effects the definition names.

Each COMPETENCY_ASSESSMENT transition lists its effects (``fixtures/base/workflows.json``);
the workflow service runs them inside the transition's transaction, on the locked row,
after the new state is saved; raising refuses the whole transition. The names:

- ``require_self_levels``: every competency carries the official's own level (the
  official rates themself before the reviewer does);
- ``require_reviewer_levels``: every competency carries the reviewer's level (the gap
  report reads these);
- ``approve``: the time of approval and the reviewer are recorded;
- ``reopen``: the approval is withdrawn (the history keeps it and the log the reason).

The contract makes every definition the desk accepts keep them: the state tagged
``self_assessment`` is left only with the self levels checked, the state tagged
``approved`` is entered only with the reviewer's levels checked and ``approve``, and left
only with ``reopen``; one state carries each tag, so the rights and the report can ask
the definition where an assessment stands.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from thanhhoa_kpi.competencies import states
from thanhhoa_kpi.competencies.models import CompetencyAssessment
from thanhhoa_kpi.core.errors import FieldError, ValidationFailed
from thanhhoa_kpi.workflow.effects import register_contract, register_effect
from thanhhoa_kpi.workflow.engine import ContractRule

REQUIRE_SELF_LEVELS = "require_self_levels"
REQUIRE_REVIEWER_LEVELS = "require_reviewer_levels"
APPROVE = "approve"
REOPEN = "reopen"


def _require(assessment: CompetencyAssessment, field: str, code: str, who: str) -> None:
    missing = [line for line in assessment.lines.select_related("competency") if getattr(line, field) is None]
    if not missing:
        return
    names = ", ".join(f"{line.competency.code} — {line.competency.name}" for line in missing)
    raise ValidationFailed(
        f"{who} chưa chọn cấp độ cho {len(missing)} năng lực: {names}.",
        [
            FieldError(f"lines.{line.competency.code}.{field}", f"Năng lực «{line.competency.name}» chưa có cấp độ.")
            for line in missing
        ],
        code=code,
    )


def require_self_levels(assessment: CompetencyAssessment, decision: Any, user: Any) -> None:
    _require(assessment, "self_level", "SELF_ASSESSMENT_INCOMPLETE", "Người được đánh giá")


def require_reviewer_levels(assessment: CompetencyAssessment, decision: Any, user: Any) -> None:
    _require(assessment, "reviewer_level", "REVIEW_INCOMPLETE", "Người đánh giá")


def approve(assessment: CompetencyAssessment, decision: Any, user: Any) -> None:
    assessment.approved_at = timezone.now()
    if assessment.reviewer_id is None and getattr(user, "pk", None):
        assessment.reviewer = user
    assessment._history_user = user  # type: ignore[attr-defined]
    assessment.save(update_fields=["approved_at", "reviewer", "updated_at"])


def reopen(assessment: CompetencyAssessment, decision: Any, user: Any) -> None:
    assessment.approved_at = None
    assessment._history_user = user  # type: ignore[attr-defined]
    assessment.save(update_fields=["approved_at", "updated_at"])


for _name, _func in (
    (REQUIRE_SELF_LEVELS, require_self_levels),
    (REQUIRE_REVIEWER_LEVELS, require_reviewer_levels),
    (APPROVE, approve),
    (REOPEN, reopen),
):
    register_effect(_name, states.DOCTYPE, _func)

register_contract(
    states.DOCTYPE,
    tags=states.TAGS,
    rules=(
        ContractRule("ONE_STATE", states.SELF_ASSESSMENT),
        ContractRule("ONE_STATE", states.REVIEW),
        ContractRule("ONE_STATE", states.APPROVED),
        ContractRule("LEAVING", states.SELF_ASSESSMENT, (REQUIRE_SELF_LEVELS,)),
        ContractRule("ENTERING", states.APPROVED, (REQUIRE_REVIEWER_LEVELS, APPROVE)),
        ContractRule("LEAVING", states.APPROVED, (REOPEN,)),
    ),
)
