"""What an appraisal does when the workflow moves it: effects the definition names.

Each APPRAISAL transition lists its effects (``fixtures/base/workflows.json``); the
workflow service runs them inside the transition's transaction, on the locked row, after
the new state is saved; raising refuses the whole transition (nothing is written, nobody
is notified). The names registered here:

- ``require_self_assessment``: every general criterion carries a self score
  (ND 335/2025/NĐ-CP Điều 18: the official assesses themselves first);
- ``score``: the appraisal is scored again from the reviewed work and the criteria;
- ``accept_self_scores``: the lines the reviewer left unscored take the self score as the
  reviewer's (the reviewer accepted them by approving);
- ``publish``: the final level is fixed (the one the quota and the head cap decided, see
  :mod:`thanhhoa_kpi.appraisals.services.publishing`, else the level by score) with the
  time of publication; no scoring happens in a published state;
- ``unpublish``: the published level and its reasons are cleared, to be decided again at
  the next publication; the history keeps the old values and the log the reason.

The contract makes every definition the desk accepts keep them: the state tagged
``self_assessment`` is left only with self-assessment checked and a score; the state
tagged ``approval`` (the bloc authority's) is entered only with the reviewer's scores
completed and a score; the ``published`` state is entered only through the quota and
head-versus-unit guards and ``publish``, and left only with ``unpublish``; every other
non-terminal state names the period deadline its reminders follow. An added deputy step,
a removed step or renamed states therefore keep the appraisal's rules.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from thanhhoa_kpi.appraisals import states
from thanhhoa_kpi.appraisals.choices import DOCTYPE
from thanhhoa_kpi.appraisals.guards import HEAD_NOT_ABOVE_UNIT, QUOTA_HOLDS
from thanhhoa_kpi.appraisals.models import Appraisal
from thanhhoa_kpi.appraisals.services.scoring import explained, score_locked, unscored_subordinates
from thanhhoa_kpi.core.errors import FieldError, ValidationFailed
from thanhhoa_kpi.scoring import Classification
from thanhhoa_kpi.scoring.codes import RANK
from thanhhoa_kpi.workflow.effects import register_contract, register_effect
from thanhhoa_kpi.workflow.engine import ContractRule


def _rank(code: str) -> int:
    return RANK[Classification(code)]


REQUIRE_SELF_ASSESSMENT = "require_self_assessment"
SCORE = "score"
ACCEPT_SELF_SCORES = "accept_self_scores"
PUBLISH = "publish"
UNPUBLISH = "unpublish"


def require_self_assessment(appraisal: Appraisal, decision: Any, user: Any) -> None:
    missing = [line.code for line in appraisal.criteria.all() if line.self_score is None]
    if missing:
        raise ValidationFailed(
            f"Chưa tự chấm đủ tiêu chí chung (còn thiếu: {', '.join(missing)}); hãy tự chấm trước khi gửi.",
            [FieldError(f"criteria.{code}.self_score", f"Tiêu chí {code} chưa tự chấm.") for code in missing],
            code="SELF_ASSESSMENT_INCOMPLETE",
        )


def score(appraisal: Appraisal, decision: Any, user: Any) -> None:
    appraisal._history_user = user
    score_locked(appraisal)


def accept_self_scores(appraisal: Appraisal, decision: Any, user: Any) -> None:
    for line in appraisal.criteria.filter(reviewer_score__isnull=True):
        line.reviewer_score = line.self_score if line.self_score is not None else 0
        line._history_user = user
        line.save(update_fields=["reviewer_score"])
    if appraisal.reviewer_id is None:
        appraisal.reviewer = user
        appraisal._history_user = user
        appraisal.save(update_fields=["reviewer", "updated_at"])


def publish(appraisal: Appraisal, decision: Any, user: Any) -> None:
    appraisal._history_user = user
    if appraisal.is_leader:
        # ND 335/2025/NĐ-CP Điều 15 khoản 3: d is the result of everyone the leader
        # manages, so it cannot be published before their results exist, and it is
        # read again now (a subordinate's result may have changed since the last score).
        unscored = unscored_subordinates(appraisal)
        if unscored:
            raise ValidationFailed(
                f"Chưa công khai được phiếu của lãnh đạo: phiếu của {', '.join(unscored)} (người do mình quản lý) "
                "chưa được tính điểm nên chưa xác định được tiêu chí d.",
                [FieldError("unit_d", f"Chưa có kết quả của: {', '.join(unscored)}.")],
                code="SUBORDINATES_UNSCORED",
            )
        decided = appraisal.final_classification
        score_locked(appraisal)
        # A level the quota or the head cap decided stays, unless the new score is lower.
        if decided and appraisal.proposed_classification and _rank(appraisal.proposed_classification) < _rank(decided):
            appraisal.final_classification = ""
    # Scored with the whole period: its explanation is written now, while it still matches its inputs.
    explained(appraisal)
    appraisal.final_classification = appraisal.final_classification or appraisal.proposed_classification
    appraisal.published_at = timezone.now()
    appraisal.save(update_fields=["final_classification", "published_at", "updated_at"])


def unpublish(appraisal: Appraisal, decision: Any, user: Any) -> None:
    appraisal._history_user = user
    appraisal.final_classification = ""
    appraisal.quota_reason = appraisal.head_cap_reason = ""
    appraisal.published_at = None
    appraisal.save(
        update_fields=["final_classification", "quota_reason", "head_cap_reason", "published_at", "updated_at"]
    )


for _name, _func in (
    (REQUIRE_SELF_ASSESSMENT, require_self_assessment),
    (SCORE, score),
    (ACCEPT_SELF_SCORES, accept_self_scores),
    (PUBLISH, publish),
    (UNPUBLISH, unpublish),
):
    register_effect(_name, DOCTYPE, _func)

register_contract(
    DOCTYPE,
    tags=states.TAGS,
    deadlines=states.DEADLINE_FIELDS,
    rules=(
        ContractRule("ONE_STATE", states.SELF_ASSESSMENT),
        ContractRule("ONE_STATE", states.APPROVAL),
        ContractRule("ONE_STATE", states.PUBLISHED),
        ContractRule("LEAVING", states.SELF_ASSESSMENT, (REQUIRE_SELF_ASSESSMENT, SCORE)),
        ContractRule("ENTERING", states.APPROVAL, (ACCEPT_SELF_SCORES, SCORE)),
        ContractRule("ENTERING", states.PUBLISHED, (PUBLISH,)),
        ContractRule("ENTERING_GUARDS", states.PUBLISHED, (QUOTA_HOLDS, HEAD_NOT_ABOVE_UNIT)),
        ContractRule("LEAVING", states.PUBLISHED, (UNPUBLISH,)),
        ContractRule("DEADLINE", states.PUBLISHED),
    ),
)
