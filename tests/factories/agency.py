"""Unit (agency) appraisal factories: rows on the UNIT_APPRAISAL workflow, placed in a state.

:func:`agency_row` writes a scored row straight into a state, a test shortcut the services
never offer, so quota and publication tests start where their behaviour happens; the
scoring itself is tested through the services and the workflow.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from thanhhoa_kpi.appraisals.models import UnitAppraisal, UnitRules
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.scoring import band
from thanhhoa_kpi.scoring.params import RuleParams
from thanhhoa_kpi.workflow.services import workflow_start_fields


def agency_row(
    unit: OrgUnit, year: int, total: str, *, state: str | None = None, params: RuleParams | None = None,
    level: str | None = None, **fields: Any,
) -> UnitAppraisal:  # fmt: skip
    """A unit appraisal of ``year`` with ``total`` (tasks up to 70 of it, the rest general) and its level."""
    start = workflow_start_fields(definition_code=UnitAppraisal.workflow_code, doctype=UnitAppraisal.workflow_doctype)
    value = Decimal(total)
    task = min(Decimal(70), value - 25)
    by_score = level or (band(value, params).value if params is not None else "HOAN_THANH_TOT")
    row = UnitAppraisal.objects.create(
        unit=unit, year=year, general_score=value - task, task_score=task, total=value,
        score_classification=by_score, conditions_classification=by_score, classification=by_score,
        **{**start, **({"state": state} if state else {}), **fields},
    )  # fmt: skip
    return row


def unit_rules_row(unit: OrgUnit, **fields: Any) -> UnitRules:
    """A draft of ``unit``'s own rules on the UNIT_RULES workflow (the rule set's own split, d/đ/e at 50)."""
    start = workflow_start_fields(definition_code=UnitRules.workflow_code, doctype=UnitRules.workflow_doctype)
    values = {"reference": "Quyết định 1/QĐ", "weights": {"1": 10, "2": 10, "3": 10}, "reduced": 50, **start}
    return UnitRules.objects.create(unit=unit, **{**values, **fields})
