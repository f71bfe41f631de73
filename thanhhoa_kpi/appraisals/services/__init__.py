"""Writes of the appraisals app (SPEC 3.8–3.10, 4, 5), each owning its transaction.

Periods (:mod:`.periods`, the opening job in :mod:`.opening`), appraisal content
(:mod:`.content`), scoring (:mod:`.scoring`; a whole period at once in
:mod:`thanhhoa_kpi.appraisals.batch`), what transitions do (:mod:`.transitions`),
publishing a unit's batch (:mod:`.publishing`) and unit appraisals (:mod:`.units`).
Rule sets are versioned by :mod:`thanhhoa_kpi.appraisals.rulesets`.
"""

from thanhhoa_kpi.appraisals.services.content import (
    appraisal_record_disqualifier,
    appraisal_remove_disqualifier,
    appraisal_review_general,
    appraisal_save_general,
    appraisal_self_assess,
    appraisal_set_custom,
    appraisal_set_ranking,
    appraisal_set_unit_criteria,
)
from thanhhoa_kpi.appraisals.services.opening import period_open_run
from thanhhoa_kpi.appraisals.services.periods import (
    period_close,
    period_create,
    period_delete,
    period_open,
    period_progress,
    period_reopen,
    period_update,
)
from thanhhoa_kpi.appraisals.services.publishing import PublishOutcome, period_publish_unit
from thanhhoa_kpi.appraisals.services.scoring import appraisal_score, explained, period_score_all
from thanhhoa_kpi.appraisals.services.units import unit_appraisal_delete, unit_appraisal_save

__all__ = [
    "PublishOutcome",
    "appraisal_record_disqualifier",
    "appraisal_remove_disqualifier",
    "appraisal_review_general",
    "appraisal_save_general",
    "appraisal_score",
    "appraisal_self_assess",
    "appraisal_set_custom",
    "appraisal_set_ranking",
    "appraisal_set_unit_criteria",
    "explained",
    "period_close",
    "period_create",
    "period_delete",
    "period_open",
    "period_open_run",
    "period_progress",
    "period_publish_unit",
    "period_reopen",
    "period_score_all",
    "period_update",
    "unit_appraisal_delete",
    "unit_appraisal_save",
]
