"""Guards of the APPRAISAL workflow's «publish» (SPEC 4): the quota and head-versus-unit hold.

Semantics of publishing ONE appraisal (the workflow's own «Công khai» button, the inbox
bulk action or the API's transition): it is allowed only when the level it would be
published with (its final level, or its level by score when none was decided)

- ``QUOTA_HOLDS``: is not above what the quota computation of its group gives it now
  (members HOME_AFFAIRS and PUBLISHED, see :mod:`thanhhoa_kpi.appraisals.quota`), and the
  group has no published appraisal that the computation would now lower;
- ``HEAD_NOT_ABOVE_UNIT``: for a head, is not above the unit's own level of the year.

Lowering a level is never done by a guard: publishing a unit's batch
(:func:`thanhhoa_kpi.appraisals.services.publishing.period_publish_unit`) applies the
demotions and caps with their reasons first, then publishes each appraisal through the
same transition, so these guards hold. Both guards lock the period row (after the
appraisal row the workflow locked): two publications of one period run one after the
other and cannot both take the last place of a quota.
"""

from __future__ import annotations

from typing import Any

from thanhhoa_kpi.appraisals import quota
from thanhhoa_kpi.appraisals.choices import DOCTYPE
from thanhhoa_kpi.workflow.guards import register_guard

QUOTA_HOLDS = "QUOTA_HOLDS"
HEAD_NOT_ABOVE_UNIT = "HEAD_NOT_ABOVE_UNIT"


def quota_holds(appraisal: Any) -> str | None:
    quota.lock_period(appraisal.period_id)
    return quota.quota_refusal(appraisal)


def head_not_above_unit(appraisal: Any) -> str | None:
    quota.lock_period(appraisal.period_id)
    return quota.head_refusal(appraisal)


register_guard(QUOTA_HOLDS, DOCTYPE, quota_holds)
register_guard(HEAD_NOT_ABOVE_UNIT, DOCTYPE, head_not_above_unit)
