"""A public service unit's own scoring rules, approved by the bloc authority (issue 14, item 3).

ND 233/2026/NĐ-CP Điều 12 khoản 5 lets each public service unit's Quy chế split the 30
points of the general criteria between the groups; the unit also sets the value d, đ and e
take when a leader's unit falls short, within its rule set's frame (``params.unit_rules``,
checked by the pure :mod:`thanhhoa_kpi.scoring.unit_rules`).

The UNIT_RULES workflow (``fixtures/base/workflows.json``) moves a :class:`UnitRules`
document: the unit's HR admin or head enters it as a draft and submits it
(``check_unit_rules``: refused outside the frame, each field named), the bloc authority
returns it or approves it (``check_unit_rules``, ``put_unit_rules_in_force``: the rules
replace the unit's rules in force; nobody approves the rules of the unit they work in).
The contract registered here keeps those effects in every definition the desk accepts.

Scoring reads the rules in one place, :func:`effective`: the rule set's parameters with
the rules in force for the appraisal's unit (its own, else its nearest ancestor's)
applied, as the copy an appraisal keeps. Every path that scores (one appraisal, the live
score, the opening's lines, the batch) calls it, so no path scores a unit with other
rules than another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from thanhhoa_kpi.appraisals import rights
from thanhhoa_kpi.appraisals.models import RuleSet, UnitRules
from thanhhoa_kpi.appraisals.rulesets import current_rule_set, rule_set_params
from thanhhoa_kpi.core.errors import Conflict, FieldError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.scoring import RuleParams, identified, parse_params
from thanhhoa_kpi.scoring.unit_rules import apply_unit_rules, json_number, unit_rules_errors
from thanhhoa_kpi.workflow.effects import register_contract, register_effect
from thanhhoa_kpi.workflow.engine import ContractRule, is_editable
from thanhhoa_kpi.workflow.models import DocType
from thanhhoa_kpi.workflow.services import workflow_start_fields

DOCTYPE = DocType.UNIT_RULES.value
DRAFT, AWAITING_AUTHORITY, IN_FORCE = "draft", "awaiting_authority", "in_force"
TAGS = (DRAFT, AWAITING_AUTHORITY, IN_FORCE)
CHECK, PUT_IN_FORCE, RETIRE = "check_unit_rules", "put_unit_rules_in_force", "retire_unit_rules"


# ------------------------------------------------------------------------------ reading


def weights_of(row: UnitRules) -> dict[str, Decimal]:
    """The stored weights as numbers; a value that is not one reads as -1 (refused by the frame)."""
    found: dict[str, Decimal] = {}
    for code, value in (row.weights or {}).items():
        try:
            found[str(code)] = Decimal(str(value))
        except InvalidOperation:
            found[str(code)] = Decimal(-1)
    return found


def rules_errors(row: UnitRules, params: RuleParams | None = None) -> list[tuple[str, str]]:
    """What keeps ``row`` out of the frame of its rule set's version in force."""
    params = params or rule_set_params(current_rule_set(row.rule_set_code))
    return unit_rules_errors(params, weights_of(row), Decimal(row.reduced))


@dataclass
class Index:
    """The rules in force, by rule set and unit path, read once (a batch, an opening)."""

    by_code: dict[str, dict[str, UnitRules]] = field(default_factory=dict)
    paths: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, codes: Iterable[str] | None = None) -> Index:
        rows = UnitRules.objects.filter(in_force=True).select_related("unit")
        if codes is not None:
            rows = rows.filter(rule_set_code__in=list(codes))
        index = cls()
        for row in rows:
            index.by_code.setdefault(row.rule_set_code, {})[row.unit.path] = row
        return index

    def find(self, code: str, path: str) -> UnitRules | None:
        """The rules of the unit at ``path``, else of its nearest ancestor; None when none."""
        found = self.by_code.get(code)
        if not found:
            return None
        step = OrgUnit.steplen
        for end in range(len(path), 0, -step):
            if path[:end] in found:
                return found[path[:end]]
        return None

    def find_unit(self, code: str, unit_id: int) -> UnitRules | None:
        """:meth:`find` by unit id; the units' paths are read once, when some rules are in force."""
        if not self.by_code.get(code):
            return None
        if not self.paths:
            self.paths = dict(OrgUnit.objects.values_list("pk", "path"))
        path = self.paths.get(unit_id)
        return self.find(code, path) if path else None


@dataclass(frozen=True)
class Effective:
    """The parameters an appraisal of one unit is scored with: its copy, parsed, and whose rules."""

    raw: dict[str, Any]
    params: RuleParams
    rules: UnitRules | None


def _applied(rule_set: RuleSet, rules: UnitRules) -> Effective | None:
    base = rule_set_params(rule_set)
    if rules_errors(rules, base):
        return None  # approved against another version whose groups differ: the rule set's own apply
    approved = timezone.localtime(rules.approved_at).strftime("%d/%m/%Y") if rules.approved_at else ""
    label = {"unit": rules.unit.name, "reference": rules.reference, "approved_on": approved}
    raw = apply_unit_rules(rule_set.params, base, weights_of(rules), Decimal(rules.reduced), label)
    params = identified(parse_params(raw), rule_set.code, rule_set.version, rule_set.name, rule_set.legal_basis)
    return Effective(raw, params, rules)


def effective(rule_set: RuleSet, rules: UnitRules | None) -> Effective:
    """``rule_set``'s parameters with ``rules`` applied (the rule set's own without them).

    Not cached here: the batch and the opening keep one per rule set and unit rules.
    """
    if rules is not None and rule_set_params(rule_set).unit_rules is not None:
        found = _applied(rule_set, rules)
        if found is not None:
            return found
    return Effective(rule_set.params, rule_set_params(rule_set), None)


def effective_for_unit(rule_set: RuleSet, unit: OrgUnit | None) -> Effective:
    """The parameters of an appraisal of ``unit``: the one reader of a unit's rules in force."""
    rules = None
    if unit is not None and rule_set_params(rule_set).unit_rules is not None:
        rules = Index.load([rule_set.code]).find(rule_set.code, unit.path)
    return effective(rule_set, rules)


# ----------------------------------------------------------------------------- effects


def _save(row: UnitRules, user: Any, names: list[str]) -> None:
    row._history_user = user  # type: ignore[attr-defined]
    row.save(update_fields=[*names, "updated_at"])


def check_effect(row: UnitRules, decision: Any, user: Any) -> None:
    errors = rules_errors(row)
    if errors:
        raise ValidationFailed(
            "Quy chế của đơn vị chưa đúng khung của bộ quy tắc: " + "; ".join(message for _f, message in errors),
            [FieldError(name, message) for name, message in errors],
            code="UNIT_RULES_INVALID",
        )


def put_in_force_effect(row: UnitRules, decision: Any, user: Any) -> None:
    """The rules take effect and replace the unit's rules in force for the same rule set."""
    rights.require_outside(user, row.unit, "phê duyệt quy chế đánh giá")
    now = timezone.now()
    previous = UnitRules.objects.select_for_update().filter(
        unit_id=row.unit_id, rule_set_code=row.rule_set_code, in_force=True
    ).exclude(pk=row.pk)  # fmt: skip
    for old in previous:
        old.in_force, old.superseded_at = False, now
        _save(old, user, ["in_force", "superseded_at"])
    row.in_force, row.approved_at = True, now
    _save(row, user, ["in_force", "approved_at"])


def retire_effect(row: UnitRules, decision: Any, user: Any) -> None:
    row.in_force, row.superseded_at = False, timezone.now()
    _save(row, user, ["in_force", "superseded_at"])


for _name, _func in ((CHECK, check_effect), (PUT_IN_FORCE, put_in_force_effect), (RETIRE, retire_effect)):
    register_effect(_name, DOCTYPE, _func)

register_contract(
    DOCTYPE,
    tags=TAGS,
    rules=(
        ContractRule("ONE_STATE", DRAFT),
        ContractRule("ONE_STATE", IN_FORCE),
        ContractRule("LEAVING", DRAFT, (CHECK,)),
        ContractRule("ENTERING", IN_FORCE, (CHECK, PUT_IN_FORCE)),
        ContractRule("LEAVING", IN_FORCE, (RETIRE,)),
    ),
)


# ------------------------------------------------------------------------------ saving


def _require_draft(row: UnitRules) -> None:
    if not is_editable(row.workflow.parsed(), row.state):
        raise Conflict(
            f"Quy chế «{row.reference}» đang ở bước «{row.workflow_state_label()}», không sửa được; quy chế đã "
            "phê duyệt chỉ thay bằng một quy chế mới.",
            code="NOT_EDITABLE",
        )


def _reduced(value: Any) -> Decimal:
    try:
        found = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        found = Decimal(-1)
    if not found.is_finite() or not 0 <= found <= 100:
        message = "Phải là số từ 0 đến 100."
        raise ValidationFailed(f"Giá trị d, đ, e khi không đạt: {message.lower()}", [FieldError("reduced", message)])
    return found


def default_rule_set_code() -> str:
    """The rule set a unit's rules follow when none is named: the model field's default, one place."""
    return str(UnitRules._meta.get_field("rule_set_code").get_default())


@transaction.atomic
def unit_rules_save(
    *, user: Any, unit: OrgUnit, reference: str, weights: dict[str, Any], reduced: Any,
    rule_set_code: str | None = None, notes: str = "", row: UnitRules | None = None,
) -> UnitRules:  # fmt: skip
    """Enter or change a unit's draft rules (the desk and the API), checked against the frame now.

    Who may: the bloc's authority, an HR admin managing the unit or a system admin (as for
    the agency's appraisal); only a draft changes (``NOT_EDITABLE``, 409). A new document
    starts on the UNIT_RULES workflow. Without ``rule_set_code`` the model's default is used.
    """
    rule_set_code = rule_set_code or default_rule_set_code()
    if not rights.may_manage_unit_appraisal(user, unit):
        raise PermissionRefused(
            "Chỉ cơ quan tổ chức cán bộ của khối hoặc quản trị nhân sự quản lý đơn vị được nhập quy chế đánh giá."
        )
    if row is not None:
        row = UnitRules.objects.select_for_update().get(pk=row.pk)
        _require_draft(row)
    else:
        row = UnitRules(unit=unit, recorded_by=user if getattr(user, "pk", None) else None, **workflow_start_fields(
            definition_code=UnitRules.workflow_code, doctype=UnitRules.workflow_doctype))  # fmt: skip
    row.unit, row.rule_set_code, row.reference = unit, rule_set_code, (reference or "").strip()
    row.weights, row.reduced, row.notes = dict(weights or {}), _reduced(reduced), (notes or "").strip()
    errors = [] if row.reference else [("reference", "Cần ghi số, ngày văn bản ban hành quy chế.")]
    errors += rules_errors(row, rule_set_params(current_rule_set(rule_set_code)))
    if errors:
        raise ValidationFailed(
            "Quy chế của đơn vị chưa hợp lệ.", [FieldError(name, message) for name, message in errors],
            code="UNIT_RULES_INVALID",
        )  # fmt: skip
    row.weights = {code: json_number(value) for code, value in weights_of(row).items()}
    row._history_user = user  # type: ignore[attr-defined]
    row.save()
    return row
