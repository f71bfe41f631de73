"""Publishing a unit's batch of appraisals with the quota and the head cap (SPEC 4, 5.6, 5.7).

The bloc's authority publishes, per period and unit, every appraisal of the unit's
subtree waiting at HOME_AFFAIRS, except the publisher's own (nobody publishes their own
appraisal: another officer of the authority does). For each group the quota decides who keeps "Hoàn thành
xuất sắc nhiệm vụ"; the others become "Hoàn thành tốt nhiệm vụ" with the computation as
the reason; a head above the unit's own level is lowered to it, with the reason. Each
appraisal is then published through the workflow's «publish» transition, whose guards
check the result again. All or nothing: one refusal publishes none.

Lock order: the batch's appraisal rows by id, then the period row (the guards'), as a
single publication does (its row, then the period row).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.appraisals import quota, rights, states
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod
from thanhhoa_kpi.core.errors import Conflict
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.workflow.services import workflow_transition

PUBLISH = "publish"


@dataclass
class PublishOutcome:
    published: list[Appraisal] = field(default_factory=list)
    skipped_own: list[Appraisal] = field(default_factory=list)
    demoted: list[quota.MemberDecision] = field(default_factory=list)
    capped: list[quota.MemberDecision] = field(default_factory=list)
    # Where the quota and the head cap do not bind the period (a month, a quarter): who
    # they would lower at the annual classification, published at their own level.
    would_demote: list[quota.MemberDecision] = field(default_factory=list)
    would_cap: list[quota.MemberDecision] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """The preview in words, for the authority publishing a month or a quarter."""
        found = []
        if self.would_demote:
            names = ", ".join(member.appraisal.official.full_name for member in self.would_demote)
            found.append(
                f"Xem trước: theo tỷ lệ xuất sắc, {names} sẽ bị hạ xuống «Hoàn thành tốt nhiệm vụ» khi xếp loại "
                "cả năm; kỳ này vẫn công khai theo điểm."
            )
        if self.would_cap:
            names = ", ".join(member.appraisal.official.full_name for member in self.would_cap)
            found.append(
                f"Xem trước: {names} (người đứng đầu) sẽ không được cao hơn xếp loại của đơn vị khi xếp loại cả năm."
            )
        return found


def waiting(period: AppraisalPeriod, unit: OrgUnit, user: Any) -> QuerySet[Appraisal]:
    """The unit's appraisals waiting for the bloc authority (the state tagged ``approval``) that the user can see."""
    rows = Appraisal.objects.filter(states.tagged_q(states.APPROVAL), period=period, unit__path__startswith=unit.path)
    return access.scoped(rows, user)


def _batch(period: AppraisalPeriod, unit: OrgUnit, user: Any) -> list[Appraisal]:
    ids = list(waiting(period, unit, user).exclude(official__user=user).order_by("pk").values_list("pk", flat=True))
    # Read the state again under the lock: a row returned meanwhile stays out.
    locked = Appraisal.objects.select_for_update().filter(states.tagged_q(states.APPROVAL), pk__in=ids)
    return list(locked.order_by("pk"))


def _refuse_conflicts(groups: dict[quota.GroupKey, quota.GroupDecision]) -> None:
    conflicts = [member for group in groups.values() for member in group.conflicts]
    if conflicts:
        names = ", ".join(member.appraisal.official.full_name for member in conflicts)
        raise Conflict(
            f"Kết quả xét tỷ lệ hiện nay hạ mức của phiếu đã công khai ({names}); hãy «Mở lại» các phiếu đó "
            "(kèm lý do) rồi công khai lại cả nhóm.",
            code="QUOTA_CONFLICT",
        )


@transaction.atomic
def period_publish_unit(*, period: AppraisalPeriod, unit: OrgUnit, user: Any) -> PublishOutcome:
    """Publish every appraisal of ``unit`` (and its sub-units) waiting at HOME_AFFAIRS in ``period``."""
    rights.require_publisher(user, period)
    batch = _batch(period, unit, user)
    own = list(waiting(period, unit, user).filter(official__user=user))
    if not batch:
        note = " (trừ phiếu của chính bạn, do người khác công khai)" if own else ""
        raise Conflict(f"{unit.name} không có phiếu nào đang chờ công khai trong kỳ {period.label}{note}.",
                       code="NOTHING_TO_PUBLISH")  # fmt: skip
    quota.lock_period(period.pk)
    groups = quota.decide_groups(period, batch)
    if any(quota.binding(appraisal) for appraisal in batch):
        _refuse_conflicts(groups)
    outcome = PublishOutcome(skipped_own=own)
    with quota.batch(groups):
        for appraisal in batch:
            member = groups[quota.key_of(appraisal)].member(appraisal.pk)
            if member is not None and quota.binding(appraisal):
                _apply(appraisal, member, user, outcome)
            elif member is not None:
                outcome.would_demote.extend([member] if member.demoted else [])
                outcome.would_cap.extend([member] if member.capped else [])
            workflow_transition(document=appraisal, action=PUBLISH, user=user)
            outcome.published.append(appraisal)
    return outcome


def _apply(appraisal: Appraisal, member: quota.MemberDecision, user: Any, outcome: PublishOutcome) -> None:
    appraisal.final_classification = member.final
    appraisal.quota_reason = member.quota_reason
    appraisal.head_cap_reason = member.head_cap_reason
    appraisal._history_user = user
    appraisal.save(update_fields=["final_classification", "quota_reason", "head_cap_reason", "updated_at"])
    if member.demoted:
        outcome.demoted.append(member)
    if member.capped:
        outcome.capped.append(member)
