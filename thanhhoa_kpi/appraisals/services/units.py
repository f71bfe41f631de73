"""Unit appraisals (SPEC 3.10): the agency's own 30/70 score and level for a year.

Entered by the bloc's authority, an HR admin managing the unit or a system admin, while
the appraisal is the agency's draft (its workflow's editable state); a new one starts on
the UNIT_APPRAISAL workflow. The task score entered here is the agency's own estimate:
submitting scores it again from the officials' results
(:mod:`thanhhoa_kpi.appraisals.agency`), which is what the authority approves. The
level by score is the engine's band (:func:`thanhhoa_kpi.scoring.classify`); the
competent level may record a LOWER level when the other conditions of the decree are
not met (e.g. tasks delayed: ND 335 Điều 20; ND 233 Điều 7 khoản 5), with its grounds,
never a higher one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from thanhhoa_kpi.appraisals import rights
from thanhhoa_kpi.appraisals.choices import ClassificationChoices
from thanhhoa_kpi.appraisals.models import UnitAppraisal
from thanhhoa_kpi.appraisals.quota import rank
from thanhhoa_kpi.appraisals.services.scoring import current_rule_set
from thanhhoa_kpi.core.errors import Conflict, FieldError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.scoring import classify, parse_params
from thanhhoa_kpi.workflow.engine import is_editable
from thanhhoa_kpi.workflow.services import workflow_start_fields

_LIMITS = {"general_score": Decimal(30), "task_score": Decimal(70)}


def _score(raw: Any, name: str, errors: list[FieldError]) -> Decimal:
    try:
        value = Decimal(str(raw).replace(",", "."))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not value.is_finite() or not Decimal(0) <= value <= _LIMITS[name]:
        errors.append(FieldError(name, f"Phải là số từ 0 đến {_LIMITS[name]}."))
        return Decimal(0)
    return value


def _checked(values: dict[str, Any], rule_set_code: str) -> tuple[Decimal, Decimal, Decimal, str, str]:
    errors: list[FieldError] = []
    general = _score(values.get("general_score"), "general_score", errors)
    task = _score(values.get("task_score"), "task_score", errors)
    year = values.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.append(FieldError("year", "Năm phải từ 2000 đến 2100."))
    if errors:  # the level can only be checked against valid scores
        raise ValidationFailed("Chưa lưu được đánh giá đơn vị.", errors)
    outcome = classify(general + task, parse_params(current_rule_set(rule_set_code).params))
    by_score = outcome.classification.value
    chosen = values.get("classification") or by_score
    notes = (values.get("notes") or "").strip()
    if chosen not in ClassificationChoices.values:
        errors.append(FieldError("classification", "Mức xếp loại không hợp lệ."))
    elif rank(chosen) > rank(by_score):
        errors.append(FieldError("classification", "Không được xếp cao hơn mức theo điểm."))
    elif chosen != by_score and not notes:
        errors.append(FieldError("notes", "Phải ghi căn cứ khi xếp loại thấp hơn mức theo điểm."))
    if errors:
        raise ValidationFailed("Chưa lưu được đánh giá đơn vị.", errors)
    return general, task, outcome.total, by_score, chosen


@transaction.atomic
def unit_appraisal_save(
    *, user: Any, unit: OrgUnit, year: int, general_score: Any, task_score: Any, classification: str | None = None,
    notes: str = "", rule_set_code: str = "ND335",
) -> UnitAppraisal:  # fmt: skip
    """Create or replace the unit's appraisal of ``year`` (one per unit and year)."""
    if not rights.may_manage_unit_appraisal(user, unit):
        raise PermissionRefused(
            "Chỉ cơ quan tổ chức cán bộ của khối hoặc quản trị nhân sự quản lý đơn vị được nhập đánh giá đơn vị."
        )
    values = {"general_score": general_score, "task_score": task_score, "year": year,
              "classification": classification, "notes": notes}  # fmt: skip
    general, task, total, by_score, chosen = _checked(values, rule_set_code)
    row = UnitAppraisal.objects.select_for_update().filter(unit=unit, year=year).first()
    if row is None:
        row = UnitAppraisal(unit=unit, year=year, deadline=_deadline(year, rule_set_code), **workflow_start_fields(
            definition_code=UnitAppraisal.workflow_code, doctype=UnitAppraisal.workflow_doctype))  # fmt: skip
    else:
        _require_draft(row)
    row.general_score, row.task_score, row.total = general, task, total
    row.score_classification, row.classification = by_score, chosen
    row.notes, row.recorded_by = (notes or "").strip(), user
    row._history_user = user
    row.save()
    return row


def _deadline(year: int, rule_set_code: str) -> date:
    """The year's classification deadline of the rule set (ND 335 Điều 21: 15/12; ND 233: 5/12)."""
    params = parse_params(current_rule_set(rule_set_code).params)
    return date(year, params.classification_deadline_month, params.classification_deadline_day)


def _require_draft(row: UnitAppraisal) -> None:
    """Entries change only while the agency assesses itself (a state its definition marks editable)."""
    if not is_editable(row.workflow.parsed(), row.state):
        raise Conflict(
            f"Đánh giá của {row.unit.name} năm {row.year} đang ở bước «{row.workflow_state_label()}», không sửa được; "
            "cơ quan tổ chức cán bộ «Trả lại» hoặc «Mở lại» thì mới sửa được.",
            code="NOT_EDITABLE",
        )


@transaction.atomic
def unit_appraisal_delete(*, user: Any, unit_appraisal: UnitAppraisal) -> None:
    if not rights.may_manage_unit_appraisal(user, unit_appraisal.unit):
        raise PermissionRefused("Bạn không có quyền xóa đánh giá của đơn vị này.")
    _require_draft(unit_appraisal)
    unit_appraisal.delete()
