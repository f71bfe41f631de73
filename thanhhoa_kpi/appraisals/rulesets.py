"""Reading and versioning rule sets (SPEC 5: every parameter is data).

``rule_sets_current`` gives the pure engine its parameters; ``rule_set_save`` validates a
change with the engine's own parser and proposes it as the next version, which takes
effect only when a second province-level admin approves it (``rule_set_approve``, see
:mod:`thanhhoa_kpi.workflow.governance`). An appraisal scored earlier copies the
parameters it used, so it is never changed by a later version.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from thanhhoa_kpi.appraisals.models import RuleSet
from thanhhoa_kpi.core.errors import FieldError, ValidationFailed
from thanhhoa_kpi.scoring import RuleParams, ScoringInputError, identified, parse_params
from thanhhoa_kpi.workflow import governance
from thanhhoa_kpi.workflow.models import VersionStatus


def current_version(code: str) -> RuleSet | None:
    """The version of rule set ``code`` in force, or None: the one reader of "the current rule set"."""
    return RuleSet.objects.filter(code=code, is_current=True).order_by("-version").first()


def current_rule_set(code: str) -> RuleSet:
    """The version of rule set ``code`` in force; a clear error when there is none."""
    row = current_version(code)
    if row is None:
        raise ValidationFailed(
            f"Chưa có bộ quy tắc chấm điểm «{code}» đang dùng.",
            [FieldError("rule_set_code", f"Bộ quy tắc «{code}» không tồn tại.")],
            code="UNKNOWN_RULE_SET",
        )
    return row


def rule_sets_current() -> dict[str, RuleParams]:
    """Parsed parameters of the current version of every rule set, by code, each labelled
    with its code and version so that explanations name them."""
    return {row.code: rule_set_params(row) for row in RuleSet.objects.filter(is_current=True)}


def rule_set_params(row: RuleSet) -> RuleParams:
    """The engine's parameters of one stored version, labelled with what it is."""
    return identified(parse_params(row.params), row.code, row.version, row.name, row.legal_basis)


def rule_set_validate(params: Any) -> RuleParams:
    try:
        return parse_params(params, "params")
    except ScoringInputError as exc:
        raise ValidationFailed(
            "Tham số bộ quy tắc không hợp lệ.", [FieldError(field, message) for field, message in exc.errors]
        ) from exc


@transaction.atomic
def rule_set_save(*, user: Any, code: str, name: str, params: Any, legal_basis: str = "") -> RuleSet:
    """Propose ``params`` as the next version of rule set ``code``; nothing takes effect yet.

    Only a province-level admin may (``PROVINCE_ADMIN_ONLY``, 403); the parameters are
    validated first. The version is saved PROPOSED with ``is_current`` off, so scoring
    keeps reading the version in force until another province-level admin approves it
    (:func:`rule_set_approve`). Unchanged parameters return the version in force; a
    second proposal while one is pending is refused (``PROPOSAL_PENDING``, 409).
    """
    governance.require_province_admin(user, "bộ quy tắc chấm điểm")
    rule_set_validate(params)
    rows = list(RuleSet.objects.select_for_update().filter(code=code).order_by("-version"))
    current = next((row for row in rows if row.is_current), None)
    if current is not None and (current.params, current.name, current.legal_basis) == (params, name, legal_basis):
        return current
    governance.refuse_if_pending(RuleSet, code)
    version = (rows[0].version if rows else 0) + 1
    proposed = RuleSet(
        code=code, name=name, legal_basis=legal_basis, params=params, version=version,
        is_current=False, status=VersionStatus.PROPOSED,
    )  # fmt: skip
    proposed._history_user = user  # type: ignore[attr-defined]
    proposed.save()
    governance.propose(row=proposed, user=user, summary=f"Bộ quy tắc {code} phiên bản {version} — {name}")
    return proposed


def rule_set_approve(*, proposal: RuleSet, by: Any) -> RuleSet:
    """Put a proposed rule set in force: ``by`` must be another province-level admin."""
    return governance.decide_proposal(row=proposal, by=by, action=governance.APPROVE)  # type: ignore[return-value]


def rule_set_reject(*, proposal: RuleSet, by: Any, comment: str) -> RuleSet:
    """Refuse a proposed rule set, with a reason; the version in force stays."""
    return governance.decide_proposal(row=proposal, by=by, action=governance.REJECT, comment=comment)  # type: ignore[return-value]


def rule_set_withdraw(*, proposal: RuleSet, by: Any, comment: str) -> RuleSet:
    """The proposer takes their proposal back, saying why."""
    return governance.decide_proposal(row=proposal, by=by, action=governance.WITHDRAW, comment=comment)  # type: ignore[return-value]
