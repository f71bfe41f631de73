"""What an appraisal does when the workflow moves it (the host hook ``on_transition``).

Called by :func:`thanhhoa_kpi.workflow.services.workflow_transition` inside its
transaction, on the locked row, after the new state is saved; raising refuses the whole
transition (nothing is written, nobody is notified).

- DRAFT → UNIT_REVIEW (submit): every general criterion must carry a self score; the
  appraisal is scored again.
- → HOME_AFFAIRS (approve): the lines the reviewer left unscored take the self score as
  the reviewer's (the reviewer accepted them by approving), then the final scoring.
- → PUBLISHED (publish): the final level is fixed (the one the quota and the head cap
  decided, see :mod:`thanhhoa_kpi.appraisals.services.publishing`, else the level by
  score) with the time of publication. No scoring ever happens after this point.
- PUBLISHED → (reopen): the published level and its reasons are cleared, to be decided
  again at the next publication; the history keeps the old values and the transition
  log keeps the reason.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from thanhhoa_kpi.appraisals.choices import DRAFT, HOME_AFFAIRS, PUBLISHED, UNIT_REVIEW
from thanhhoa_kpi.appraisals.models import Appraisal
from thanhhoa_kpi.appraisals.services.scoring import score_locked
from thanhhoa_kpi.core.errors import FieldError, ValidationFailed


def _require_self_assessment(appraisal: Appraisal) -> None:
    missing = [line.code for line in appraisal.criteria.all() if line.self_score is None]
    if missing:
        raise ValidationFailed(
            f"Chưa tự chấm đủ tiêu chí chung (còn thiếu: {', '.join(missing)}); hãy tự chấm trước khi gửi.",
            [FieldError(f"criteria.{code}.self_score", f"Tiêu chí {code} chưa tự chấm.") for code in missing],
            code="SELF_ASSESSMENT_INCOMPLETE",
        )


def _accept_self_scores(appraisal: Appraisal, user: Any) -> None:
    for line in appraisal.criteria.filter(reviewer_score__isnull=True):
        line.reviewer_score = line.self_score if line.self_score is not None else 0
        line._history_user = user
        line.save(update_fields=["reviewer_score"])
    if appraisal.reviewer_id is None:
        appraisal.reviewer = user


def appraisal_on_transition(*, appraisal: Appraisal, decision: Any, user: Any) -> None:
    appraisal._history_user = user
    if decision.source == DRAFT and decision.target == UNIT_REVIEW:
        _require_self_assessment(appraisal)
        score_locked(appraisal)
    elif decision.target == HOME_AFFAIRS:
        _accept_self_scores(appraisal, user)
        score_locked(appraisal)
    elif decision.target == PUBLISHED:
        appraisal.final_classification = appraisal.final_classification or appraisal.proposed_classification
        appraisal.published_at = timezone.now()
        appraisal.save(update_fields=["final_classification", "published_at", "updated_at"])
    elif decision.source == PUBLISHED:
        appraisal.final_classification = ""
        appraisal.quota_reason = appraisal.head_cap_reason = ""
        appraisal.published_at = None
        appraisal.save(
            update_fields=["final_classification", "quota_reason", "head_cap_reason", "published_at", "updated_at"]
        )
