"""Reading and versioning rule sets (SPEC 5: every parameter is data).

``rule_sets_current`` gives the pure engine its parameters; ``rule_set_save`` validates a
change with the engine's own parser and stores it as the next version, so an appraisal
scored earlier (which copies the parameters it used) is never changed by an edit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from thanhhoa_kpi.appraisals.models import RuleSet
from thanhhoa_kpi.core.errors import FieldError, ValidationFailed
from thanhhoa_kpi.scoring import RuleParams, ScoringInputError, parse_params


def rule_sets_current() -> dict[str, RuleParams]:
    """Parsed parameters of the current version of every rule set, by code."""
    rows = RuleSet.objects.filter(is_current=True).values_list("code", "params")
    return {code: parse_params(params) for code, params in rows}


def rule_set_validate(params: Any) -> RuleParams:
    try:
        return parse_params(params, "params")
    except ScoringInputError as exc:
        raise ValidationFailed(
            "Tham số bộ quy tắc không hợp lệ.", [FieldError(field, message) for field, message in exc.errors]
        ) from exc


@transaction.atomic
def rule_set_save(*, code: str, name: str, params: Any, legal_basis: str = "") -> RuleSet:
    """Store ``params`` as the next version of rule set ``code`` (validated first)."""
    rule_set_validate(params)
    current = RuleSet.objects.select_for_update().filter(code=code, is_current=True).first()
    version = 1
    if current is not None:
        if current.params == params and current.name == name and current.legal_basis == legal_basis:
            return current
        version = (RuleSet.objects.filter(code=code).order_by("-version").values_list("version", flat=True).first()) + 1
        RuleSet.objects.filter(code=code, is_current=True).update(is_current=False)
    return RuleSet.objects.create(
        code=code, name=name, legal_basis=legal_basis, params=params, version=version, is_current=True
    )
