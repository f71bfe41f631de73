"""Who may do what to an appraisal, from the org chart (SPEC 2, ND 233/2026 Điều 13 by analogy).

- The subject (the official) self-assesses, only while the appraisal is in the initial
  state of its workflow, and never reviews it.
- The reviewer scores the general criteria and sets đ and e: for a non-leader the head
  of the unit or the deputy in charge of the official's field; for a deputy the head of
  the unit; for a head the head of the parent unit. The relations are those of
  :mod:`thanhhoa_kpi.workflow.resolvers`, so the reviewer is who the workflow says may
  approve or return the appraisal.
- Disqualifiers are recorded by a reviewer or by the bloc's authority.
- Periods are created, opened and closed by the bloc's authority or a system admin;
  unit appraisals are entered by the bloc's authority, an HR admin managing the unit or
  a system admin.

Content may change only in a state the definition marks editable and while the period is
not closed; a published appraisal is read-only for everyone (re-opening is the way).
"""

from __future__ import annotations

from typing import Any

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.appraisals import states
from thanhhoa_kpi.appraisals.choices import PeriodStatus
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod
from thanhhoa_kpi.core.actors import is_system
from thanhhoa_kpi.core.errors import Conflict, PermissionRefused
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.workflow.engine import initial_state, is_editable
from thanhhoa_kpi.workflow.resolvers import (
    BLOC_AUTHORITY,
    FIELD_DEPUTY,
    PARENT_UNIT_HEAD,
    UNIT_HEAD,
    relations_of,
    subject_of,
)

# Which relation makes a reviewer, by the subject's leadership role (snapshot at opening).
REVIEWER_RELATIONS = {
    "HEAD": frozenset({PARENT_UNIT_HEAD}),
    "DEPUTY": frozenset({UNIT_HEAD}),
    "NONE": frozenset({UNIT_HEAD, FIELD_DEPUTY}),
}


def _relations(user: Any, appraisal: Appraisal) -> frozenset[str]:
    return relations_of(access.scope_for(user), subject_of(appraisal))


def is_subject(user: Any, appraisal: Appraisal) -> bool:
    return user is not None and appraisal.official.user_id is not None and appraisal.official.user_id == user.pk


def is_reviewer(user: Any, appraisal: Appraisal) -> bool:
    """The head, field deputy or parent-unit head who scores this appraisal (never its subject)."""
    if user is None or is_subject(user, appraisal):
        return False
    wanted = REVIEWER_RELATIONS.get(appraisal.leadership_role, REVIEWER_RELATIONS["NONE"])
    return bool(_relations(user, appraisal) & wanted)


def is_bloc_authority(user: Any, bloc: str) -> bool:
    return bloc in access.scope_for(user).authority_blocs


def may_record_disqualifier(user: Any, appraisal: Appraisal) -> bool:
    if is_subject(user, appraisal):
        return False
    return is_reviewer(user, appraisal) or BLOC_AUTHORITY in _relations(user, appraisal)


def may_manage_periods(user: Any, bloc: str) -> bool:
    scope = access.scope_for(user)
    return is_bloc_authority(user, bloc) or scope.is_system_admin


def may_manage_unit_appraisal(user: Any, unit: OrgUnit) -> bool:
    return is_bloc_authority(user, unit.bloc) or access.can_change(user, unit)


def require_outside(user: Any, unit: OrgUnit, what: str) -> None:
    """Nobody decides on a document of the unit they work in, or of one above it (the bloc
    authority's own Sở included): such a document needs a decider from outside, e.g.
    PROVINCE_ADMIN added to the step in the desk. ``what`` names the decision."""
    if is_system(user):
        return
    works_here = access.current_assignments().filter(
        official__user_id=getattr(user, "pk", None), unit__path__startswith=unit.path
    )
    if works_here.exists():
        raise PermissionRefused(
            f"Bạn đang công tác tại {unit.name} nên không được tự {what} của đơn vị mình.", code="SELF_ACTION"
        )


def is_editable_state(appraisal: Appraisal) -> bool:
    return is_editable(appraisal.workflow.parsed(), appraisal.state)


def in_initial_state(appraisal: Appraisal) -> bool:
    return appraisal.state == initial_state(appraisal.workflow.parsed())


def require_content_editable(appraisal: Appraisal) -> None:
    """Refuse any change to a published appraisal, a non-editable state or a closed period."""
    if states.is_published(appraisal):
        raise Conflict(
            "Phiếu đánh giá đã công khai nên không ai được sửa; muốn thay đổi, cơ quan tổ chức cán bộ "
            "phải «Mở lại» phiếu kèm lý do.",
            code="APPRAISAL_PUBLISHED",
        )
    if not is_editable_state(appraisal):
        raise Conflict(
            f"Phiếu đang ở bước «{appraisal.workflow_state_label()}» nên không được sửa nội dung; "
            "muốn sửa phải «Trả lại» phiếu.",
            code="NOT_EDITABLE",
        )
    if appraisal.period.status == PeriodStatus.CLOSED:
        raise Conflict(f"Kỳ đánh giá {appraisal.period.label} đã khóa, không được sửa phiếu.", code="PERIOD_CLOSED")


def require_reviewer(user: Any, appraisal: Appraisal) -> None:
    if is_subject(user, appraisal):
        raise PermissionRefused("Bạn không được tự chấm điểm đánh giá phiếu của chính mình.", code="SELF_ACTION")
    if not is_reviewer(user, appraisal):
        raise PermissionRefused(
            "Chỉ người đứng đầu, cấp phó phụ trách lĩnh vực (hoặc người đứng đầu đơn vị cấp trên, với phiếu "
            "của người đứng đầu) được chấm phần này.",
            code="NOT_A_REVIEWER",
        )


def require_period_manager(user: Any, bloc: str) -> None:
    if not may_manage_periods(user, bloc):
        raise PermissionRefused(
            "Chỉ cơ quan tổ chức cán bộ của khối hoặc quản trị hệ thống được tạo, mở, khóa kỳ đánh giá."
        )


def require_publisher(user: Any, period: AppraisalPeriod) -> None:
    if not is_bloc_authority(user, period.bloc):
        raise PermissionRefused("Chỉ cơ quan tổ chức cán bộ của khối được công khai phiếu đánh giá.")


def require_rescore(user: Any, appraisal: Appraisal) -> None:
    """Scoring again is a change: only who may change the appraisal now (its subject before
    submitting, its reviewer, the bloc's authority), never once published or in a locked step.
    Loaders and commands pass :data:`thanhhoa_kpi.core.actors.SYSTEM`."""
    if is_system(user):
        return
    if not (is_subject(user, appraisal) or is_reviewer(user, appraisal) or may_record_disqualifier(user, appraisal)):
        raise PermissionRefused(
            "Chỉ người được đánh giá, người đánh giá hoặc cơ quan tổ chức cán bộ của khối được tính lại điểm "
            "phiếu này.",
            code="NOT_ALLOWED",
        )
    require_content_editable(appraisal)
    if not editable_parts(user, appraisal):
        raise PermissionRefused(
            "Phiếu đã gửi nên bạn không được tính lại điểm; người đánh giá có thể «Trả lại» phiếu.",
            code="NOT_EDITABLE",
        )


SUBJECT_PARTS = frozenset({"self_score", "self_comment"})
REVIEWER_PARTS = frozenset({"reviewer_score", "comment", "reviewer_comment", "decision_rank", "exceeded_share"})
LEADER_PARTS = frozenset({"unit_dd", "unit_e", "unit_criteria_reason"})


def editable_parts(user: Any, appraisal: Appraisal) -> set[str]:
    """The fields (and ``disqualifiers``) the user may change on the appraisal now; empty when none."""
    try:
        require_content_editable(appraisal)
    except Conflict:
        return set()
    found: set[str] = set()
    if is_subject(user, appraisal) and in_initial_state(appraisal):
        found |= SUBJECT_PARTS
    if is_reviewer(user, appraisal):
        found |= REVIEWER_PARTS | (LEADER_PARTS if appraisal.is_leader else frozenset())
    if may_record_disqualifier(user, appraisal):
        found.add("disqualifiers")
    return found
