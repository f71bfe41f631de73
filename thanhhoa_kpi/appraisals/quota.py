"""The excellence quota and the head-versus-unit cap applied to a period's appraisals.

The arithmetic is the pure engine's (:func:`thanhhoa_kpi.scoring.apply_quota`,
:func:`thanhhoa_kpi.scoring.cap_head_by_unit`); this module decides what it is applied to.

Decisions (SPEC 5.6, 5.7):

- **Quota group.** ND 335 Điều 20 khoản 5 counts per unit and per group of officials with
  similar tasks. Groups are rows defined per unit (:class:`SimilarTaskGroup`); each
  appraisal keeps, from its opening, the group's unit and code (``quota_unit``,
  ``quota_group``). An official without a group counts in their own unit, in a group by
  leadership role (heads, deputies, others).
- **Members.** The appraisals of the period in that group that reached the authority:
  HOME_AFFAIRS or PUBLISHED. Earlier ones are listed as still awaited (they cannot be
  demoted yet; the "tốt" they may add only raises the limit under either reading).
  Not evaluable appraisals (no assigned work) take no part.
- **Parameters.** Those copied into the group's first member (by id).
- **Unit rated excellent** (25 % instead of 20 %): the unit appraisal of the period's year
  of the group's unit or, failing that, of its nearest ancestor that has one.
- **Head not above unit.** A head's level after the quota is capped by the unit
  appraisal of the unit they head for the period's year, when the rule set says so.
  With no unit appraisal recorded for that year the cap does not apply (it is shown).
- **Conflicts.** Should the computation lower an appraisal already published (a
  re-opened appraisal came back ranked above it), the group is in conflict: nothing of
  it is published until the authority re-opens the published one, so the decision
  replaces the old one instead of breaking the limit.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from thanhhoa_kpi.appraisals import agency, states
from thanhhoa_kpi.appraisals.choices import ScoreStatus, classification_label
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod, UnitAppraisal
from thanhhoa_kpi.core.errors import FieldError, ValidationFailed
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.scoring import (
    Classification,
    Disqualifier,
    QuotaEntry,
    RuleParams,
    ScoringInputError,
    apply_quota,
    cap_head_by_unit,
    parse_params,
)
from thanhhoa_kpi.scoring.codes import RANK

# The members of a group: appraisals waiting for the authority or published (state tags).
DECIDED_TAGS = (states.APPROVAL, states.PUBLISHED)
GroupKey = tuple[int, str]


def rank(code: str | None) -> int:
    """Order of levels (higher is better); no level ranks below every level."""
    return RANK[Classification(code)] if code else -1


@dataclass(frozen=True)
class MemberDecision:
    """One appraisal's level by score, after the quota, and final (after the head cap)."""

    appraisal: Appraisal
    by_score: str
    after_quota: str
    final: str
    quota_reason: str = ""
    head_cap_reason: str = ""
    unit_classification: str = ""

    @property
    def demoted(self) -> bool:
        return bool(self.quota_reason)

    @property
    def capped(self) -> bool:
        return bool(self.head_cap_reason)

    @property
    def conflict(self) -> bool:
        """Published with a higher level than the computation now gives it."""
        stored = self.appraisal.final_classification or self.appraisal.proposed_classification
        return states.is_published(self.appraisal) and rank(stored) > rank(self.final)

    @property
    def final_label(self) -> str:
        return classification_label(self.final)


@dataclass(frozen=True)
class GroupDecision:
    """The quota computation of one group and the decision for each member."""

    period: AppraisalPeriod
    quota_unit: OrgUnit
    code: str
    label: str
    unit_appraisal: UnitAppraisal | None
    candidates: int = 0
    good: int = 0
    limit: int = 0
    rate: Decimal = Decimal(0)
    explanation: str = ""
    members: tuple[MemberDecision, ...] = ()
    waiting: tuple[Appraisal, ...] = ()
    not_evaluable: tuple[Appraisal, ...] = ()
    index: dict[int, MemberDecision] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> GroupKey:
        return (self.quota_unit.pk, self.code)

    @property
    def unit_excellent(self) -> bool:
        return self.unit_appraisal is not None and self.unit_appraisal.is_excellent

    @property
    def conflicts(self) -> tuple[MemberDecision, ...]:
        return tuple(member for member in self.members if member.conflict)

    def member(self, pk: int) -> MemberDecision | None:
        return self.index.get(pk)


# A publication batch computes each group once; its guards reuse the same decisions.
_BATCH: contextvars.ContextVar[dict[GroupKey, GroupDecision] | None] = contextvars.ContextVar("quota", default=None)


@contextmanager
def batch(decisions: dict[GroupKey, GroupDecision]) -> Iterator[None]:
    token = _BATCH.set(decisions)
    try:
        yield
    finally:
        _BATCH.reset(token)


def lock_period(period_id: int) -> None:
    """Lock the period row: quota decisions of one period are taken one after the other."""
    list(AppraisalPeriod.objects.select_for_update().filter(pk=period_id).values_list("pk", flat=True))


def key_of(appraisal: Appraisal) -> GroupKey:
    return (appraisal.quota_unit_id, appraisal.quota_group)


def _ancestor_paths(unit: OrgUnit) -> list[str]:
    step = OrgUnit.steplen
    return [unit.path[:end] for end in range(step, len(unit.path) + 1, step)]


def excellence_source(unit: OrgUnit, year: int) -> UnitAppraisal | None:
    """The unit appraisal deciding the 25 % exception: the unit's own, else the nearest ancestor's
    (approved by the authority: :func:`thanhhoa_kpi.appraisals.agency.decided_q`)."""
    rows = UnitAppraisal.objects.filter(agency.decided_q(), year=year, unit__path__in=_ancestor_paths(unit))
    rows = rows.select_related("unit")
    return rows.order_by("-unit__depth").first()


def _entry(appraisal: Appraisal, group: str) -> QuotaEntry:
    return QuotaEntry(
        id=str(appraisal.pk),
        group=group,
        total=appraisal.total or Decimal(0),
        task_score=appraisal.task_score or Decimal(0),
        disqualifiers=tuple(Disqualifier(row.code) for row in appraisal.disqualifiers.all()),
        decision_rank=appraisal.decision_rank,
        exceeded_share=appraisal.exceeded_share,
    )


def head_cap(appraisal: Appraisal, level: str, year: int) -> tuple[str, str, str]:
    """(final level, reason, unit level) for a head, with the head's own copied parameters."""
    if appraisal.leadership_role != "HEAD" or not level:
        return level, "", ""
    unit_appraisal = UnitAppraisal.objects.filter(agency.decided_q(), unit_id=appraisal.unit_id, year=year).first()
    if unit_appraisal is None:
        return level, "", ""
    params = parse_params(appraisal.rule_params)
    cap = cap_head_by_unit(Classification(level), Classification(unit_appraisal.classification), params)
    return cap.classification.value, cap.reason or "", unit_appraisal.classification


def _members(group: GroupDecision, decided: list[Appraisal], params: RuleParams) -> GroupDecision:
    scored = [row for row in decided if row.score_status == ScoreStatus.OK and row.total is not None]
    entries = [_entry(row, group.label) for row in scored]  # the label names the group in the reasons
    try:
        outcome = apply_quota(entries, params, unit_excellent=group.unit_excellent)
    except ScoringInputError as error:
        raise ValidationFailed(
            "Không xét được tỷ lệ xuất sắc: " + error.message,
            [FieldError(name, message) for name, message in error.errors],
            code="QUOTA_INPUT",
        ) from None
    members = []
    for row, result in zip(scored, outcome.results, strict=True):
        level = result.classification.value
        final, cap_reason, unit_level = head_cap(row, level, group.period.year)
        reason = (result.reason or "") if result.demoted else ""
        members.append(MemberDecision(row, row.proposed_classification, level, final, reason, cap_reason, unit_level))
    figures = outcome.groups[0] if outcome.groups else None
    return GroupDecision(
        period=group.period, quota_unit=group.quota_unit, code=group.code, label=group.label,
        unit_appraisal=group.unit_appraisal, candidates=figures.candidates if figures else 0,
        good=figures.good if figures else 0, limit=figures.limit if figures else 0,
        rate=figures.rate if figures else params.quota_rate, explanation=figures.explanation if figures else "",
        members=tuple(members), waiting=group.waiting, not_evaluable=tuple(r for r in decided if r not in scored),
        index={member.appraisal.pk: member for member in members},
    )  # fmt: skip


def _decided(row: Appraisal) -> bool:
    return any(states.has_tag(row, tag) for tag in DECIDED_TAGS)


def decide_group(period: AppraisalPeriod, key: GroupKey) -> GroupDecision:
    """The quota decision of one group of the period, from the database as it is now."""
    cached = (_BATCH.get() or {}).get(key)
    if cached is not None:
        return cached
    rows = list(
        Appraisal.objects.filter(period=period, quota_unit_id=key[0], quota_group=key[1])
        .select_related("official", "unit", "quota_unit", "workflow")  # states.has_tag reads the workflow
        .prefetch_related("disqualifiers")
        .order_by("pk")
    )
    quota_unit = rows[0].quota_unit if rows else OrgUnit.objects.get(pk=key[0])
    decided = [row for row in rows if _decided(row)]
    group = GroupDecision(
        period=period, quota_unit=quota_unit, code=key[1],
        label=(rows[0].quota_group_label if rows else key[1]) or key[1],
        unit_appraisal=excellence_source(quota_unit, period.year),
        waiting=tuple(row for row in rows if not _decided(row)),
    )  # fmt: skip
    if not decided:
        return group
    return _members(group, decided, parse_params(decided[0].rule_params))


def decide_groups(period: AppraisalPeriod, appraisals: Iterable[Appraisal]) -> dict[GroupKey, GroupDecision]:
    """The decisions of every group the given appraisals belong to."""
    keys = sorted({key_of(appraisal) for appraisal in appraisals})
    return {key: decide_group(period, key) for key in keys}


def effective_level(appraisal: Appraisal) -> str:
    return appraisal.final_classification or appraisal.proposed_classification


def binding(appraisal: Appraisal) -> bool:
    """Whether the quota and the head cap bind the appraisal's period (SPEC 5.6, decided 2026-12).

    They bind the annual classification; a month or a quarter only where the rule set
    copied into the appraisal lists its kind (``quota_binding_kinds``). Elsewhere their
    effect is shown as a preview with a warning and nothing is lowered.
    """
    return appraisal.period.kind in parse_params(appraisal.rule_params).quota_binding_kinds


def quota_refusal(appraisal: Appraisal) -> str | None:
    """Why publishing ``appraisal`` would break its group's quota (None when it holds)."""
    level = effective_level(appraisal)
    if not level or appraisal.score_status != ScoreStatus.OK or not binding(appraisal):
        return None
    group = decide_group(appraisal.period, key_of(appraisal))
    if group.conflicts:
        names = ", ".join(member.appraisal.official.full_name for member in group.conflicts)
        return (
            f"nhóm «{group.label}» đã công khai mức cao hơn kết quả xét tỷ lệ hiện nay ({names}); "
            "cần «Mở lại» các phiếu đó để xét lại cả nhóm"
        )
    member = group.member(appraisal.pk)
    if member is not None and rank(level) > rank(member.after_quota):
        return (
            f"{appraisal.official.full_name} vượt tỷ lệ xuất sắc của nhóm «{group.label}» ({group.explanation}); "
            "hãy công khai theo đơn vị để áp dụng việc hạ mức kèm lý do"
        )
    return None


def head_refusal(appraisal: Appraisal) -> str | None:
    """Why a head's level is above their unit's for the year (None when it is not)."""
    level = effective_level(appraisal)
    if appraisal.leadership_role != "HEAD" or not level or not binding(appraisal):
        return None
    final, _reason, unit_level = head_cap(appraisal, level, appraisal.period.year)
    if final == level:
        return None
    return (
        f"người đứng đầu {appraisal.official.full_name} được đề nghị «{classification_label(level)}», cao hơn "
        f"xếp loại của đơn vị năm {appraisal.period.year} «{classification_label(unit_level)}»"
    )
