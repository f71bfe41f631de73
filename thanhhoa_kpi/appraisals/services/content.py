"""Writes to an appraisal's content: self-assessment, review, đ and e, disqualifiers, ranking.

Every service locks the appraisal row (``select_for_update``, no join: MariaDB would lock
the joined rows too), checks who the user is and that the content may change
(:func:`thanhhoa_kpi.appraisals.rights.require_content_editable`), writes, then scores
the appraisal again so its figures always match its content. All or nothing: a bad line
refuses the whole request, naming every bad field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from thanhhoa_kpi.appraisals import rights
from thanhhoa_kpi.appraisals.choices import DisqualifierCode
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalCriterion, AppraisalDisqualifier
from thanhhoa_kpi.appraisals.services.scoring import score_locked
from thanhhoa_kpi.core import files
from thanhhoa_kpi.core.errors import Conflict, FieldError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.customfields.services import custom_values_validate
from thanhhoa_kpi.scoring import RuleParams, parse_params
from thanhhoa_kpi.scoring.codes import LEADER_ONLY_DISQUALIFIERS
from thanhhoa_kpi.scoring.discipline import DisciplineFacts, discipline_refusal

ZERO = Decimal(0)


def lock(appraisal: Appraisal) -> Appraisal:
    return Appraisal.objects.select_for_update().get(pk=appraisal.pk)


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


def _number(raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise InvalidOperation
    return Decimal(str(raw).replace(",", "."))


def _check_score(value: Decimal, line: AppraisalCriterion, params: RuleParams) -> str | None:
    if not value.is_finite() or value < ZERO or value > line.max_points:
        return f"Tiêu chí {line.code}: điểm phải từ 0 đến {_fmt(line.max_points)}."
    if value % params.general_step != ZERO:
        return f"Tiêu chí {line.code}: chấm theo bước {_fmt(params.general_step)} điểm."
    return None


def _parse_line(
    index: int, raw: Any, lines: dict[str, AppraisalCriterion], params: RuleParams, seen: set[str]
) -> tuple[tuple[str, Decimal | None, str | None] | None, list[FieldError]]:
    path = f"lines[{index}]"
    if not isinstance(raw, Mapping):
        return None, [FieldError(path, "Mỗi dòng phải có «code» và «score».")]
    code = str(raw.get("code", "")).strip()
    if code not in lines:
        return None, [FieldError(f"{path}.code", f"Không có tiêu chí «{code}» trong phiếu này.")]
    if code in seen:
        return None, [FieldError(f"{path}.code", f"Tiêu chí «{code}» bị lặp lại.")]
    seen.add(code)
    try:
        value = _number(raw.get("score"))
    except (InvalidOperation, ValueError):
        return None, [FieldError(f"{path}.score", f"Tiêu chí {code}: điểm phải là một số.")]
    problem = _check_score(value, lines[code], params) if value is not None else None
    if problem:
        return None, [FieldError(f"{path}.score", problem)]
    comment = raw.get("comment")
    return (code, value, None if comment is None else str(comment)[:1000]), []


def parse_lines(
    appraisal: Appraisal, given: Iterable[Any]
) -> list[tuple[AppraisalCriterion, Decimal | None, str | None]]:
    """Check every line at once: known code, a number within 0..max, on the rule set's step."""
    if isinstance(given, str | bytes | Mapping) or not isinstance(given, Iterable):
        raise ValidationFailed(
            "Điểm tiêu chí chung chưa hợp lệ.", [FieldError("lines", "Phải là danh sách các dòng tiêu chí.")]
        )
    params = parse_params(appraisal.rule_params)
    lines = {line.code: line for line in appraisal.criteria.all()}
    parsed, errors, seen = [], [], set()
    for index, raw in enumerate(given):
        found, problems = _parse_line(index, raw, lines, params, seen)
        errors.extend(problems)
        if found is not None:
            parsed.append((lines[found[0]], found[1], found[2]))
    if errors:
        raise ValidationFailed("Điểm tiêu chí chung chưa hợp lệ, chưa lưu dòng nào.", errors)
    return parsed


def _save_lines(parsed: list[tuple[AppraisalCriterion, Decimal | None, str | None]], field: str, user: Any) -> None:
    for line, value, comment in parsed:
        setattr(line, field, value)
        names = [field]
        if comment is not None and field == "reviewer_score":
            line.comment, names = comment, [field, "comment"]
        line._history_user = user  # simple_history: the person, not "system"
        line.save(update_fields=names)


@transaction.atomic
def appraisal_self_assess(
    *, appraisal: Appraisal, user: Any, lines: Iterable[Any], comment: str | None = None
) -> Appraisal:
    """The official scores their own general criteria (self_score), before submitting."""
    locked = lock(appraisal)
    if not rights.is_subject(user, locked):
        raise PermissionRefused("Chỉ người được đánh giá mới tự chấm phiếu của mình.", code="NOT_THE_SUBJECT")
    rights.require_content_editable(locked)
    if not rights.in_initial_state(locked):
        raise Conflict(
            "Phiếu đã gửi nên không tự chấm lại được; người đánh giá có thể «Trả lại» để bạn chấm lại.",
            code="NOT_EDITABLE",
        )
    _save_lines(parse_lines(locked, lines), "self_score", user)
    if comment is not None:
        locked.self_comment = comment
    locked._history_user = user
    return score_locked(locked)


@transaction.atomic
def appraisal_review_general(
    *, appraisal: Appraisal, user: Any, lines: Iterable[Any], comment: str | None = None
) -> Appraisal:
    """The reviewer scores the general criteria (reviewer_score, final) with comments."""
    locked = lock(appraisal)
    rights.require_reviewer(user, locked)
    rights.require_content_editable(locked)
    _save_lines(parse_lines(locked, lines), "reviewer_score", user)
    if comment is not None:
        locked.reviewer_comment = comment
    locked.reviewer = user
    locked._history_user = user
    return score_locked(locked)


def appraisal_save_general(
    *, appraisal: Appraisal, user: Any, lines: Iterable[Any], comment: str | None = None
) -> Appraisal:
    """The lines the caller may score: the subject's self scores, the reviewer's scores."""
    if rights.is_subject(user, appraisal):
        return appraisal_self_assess(appraisal=appraisal, user=user, lines=lines, comment=comment)
    if rights.is_reviewer(user, appraisal):
        return appraisal_review_general(appraisal=appraisal, user=user, lines=lines, comment=comment)
    raise PermissionRefused("Bạn không chấm được phiếu này: chỉ người được đánh giá và người đánh giá được chấm.")


def _unit_value(raw: Any, name: str, params: RuleParams, errors: list[FieldError]) -> Decimal | None:
    """đ or e as given; left empty it takes the rule set's full value."""
    if raw is None or raw == "":
        return params.unit_criterion_full
    allowed = params.unit_criteria_allowed
    try:
        value = _number(raw)
    except (InvalidOperation, ValueError):
        value = None
    if value is None or value not in allowed:
        choices = " hoặc ".join(_fmt(option) for option in allowed)
        errors.append(FieldError(name, f"Chỉ nhận giá trị {choices}."))
        return None
    return value


@transaction.atomic
def appraisal_set_unit_criteria(*, appraisal: Appraisal, user: Any, dd: Any, e: Any, reason: str = "") -> Appraisal:
    """The reviewer sets đ (organising the unit's work) and e (unity) of a leader, with a reason.

    ND 335/2025/NĐ-CP Điều 15 khoản 3: each is the full or the reduced value of the rule
    set (100 or 50); a reduced value needs its reason.
    """
    locked = lock(appraisal)
    if not locked.is_leader:
        raise ValidationFailed(
            "Tiêu chí d, đ, e chỉ áp dụng với người giữ chức vụ lãnh đạo, quản lý.",
            [FieldError("dd", "Phiếu này không phải của lãnh đạo, quản lý.")],
            code="NOT_A_LEADER",
        )
    rights.require_reviewer(user, locked)
    rights.require_content_editable(locked)
    params = parse_params(locked.rule_params)
    errors: list[FieldError] = []
    values = (_unit_value(dd, "dd", params, errors), _unit_value(e, "e", params, errors))
    reduced = any(value is not None and value != params.unit_criterion_full for value in values)
    if reduced and not (reason or "").strip():
        errors.append(FieldError("reason", "Phải ghi lý do khi chấm đ hoặc e ở mức giảm."))
    if errors:
        raise ValidationFailed("Tiêu chí đ, e chưa hợp lệ.", errors)
    locked.unit_dd, locked.unit_e = values
    locked.unit_criteria_reason, locked.unit_criteria_by = (reason or "").strip(), user
    locked._history_user = user
    return score_locked(locked)


@transaction.atomic
def appraisal_set_ranking(
    *, appraisal: Appraisal, user: Any, decision_rank: int | None = None, exceeded_share: Any = None
) -> Appraisal:
    """The reviewer records the head's tie-break rank and, for QĐ 366, the share of tasks exceeded."""
    locked = lock(appraisal)
    rights.require_reviewer(user, locked)
    rights.require_content_editable(locked)
    errors = []
    if decision_rank is not None and (not isinstance(decision_rank, int) or decision_rank < 1):
        errors.append(FieldError("decision_rank", "Phải là số nguyên từ 1 trở lên."))
    try:
        share = _number(exceeded_share)
    except (InvalidOperation, ValueError):
        share, errors = None, [*errors, FieldError("exceeded_share", "Phải là một số từ 0 đến 1.")]
    if share is not None and not ZERO <= share <= 1:
        errors.append(FieldError("exceeded_share", "Phải trong khoảng 0 đến 1 (ví dụ 0,3 là 30%)."))
    if errors:
        raise ValidationFailed("Thông tin xếp thứ tự chưa hợp lệ.", errors)
    locked.decision_rank, locked.exceeded_share = decision_rank, share
    locked._history_user = user
    return score_locked(locked)


@transaction.atomic
def appraisal_record_disqualifier(
    *, appraisal: Appraisal, user: Any, code: str, evidence: str, attachment: Any = None, decided_on: Any = None,
    counted_year: Any = None,
) -> AppraisalDisqualifier:  # fmt: skip
    """Record a fact that makes the level "Không hoàn thành nhiệm vụ" (ND 335 Điều 20 khoản 4).

    A discipline needs the date of its decision and counts only in that year, once per
    violation (:func:`thanhhoa_kpi.scoring.discipline.discipline_refusal`).
    """
    locked = lock(appraisal)
    if not rights.may_record_disqualifier(user, locked):
        raise PermissionRefused(
            "Chỉ người đánh giá hoặc cơ quan tổ chức cán bộ của khối được ghi nhận trường hợp không hoàn thành "
            "nhiệm vụ; không ai tự ghi nhận cho mình."
        )
    rights.require_content_editable(locked)
    errors = []
    if code not in DisqualifierCode.values:
        errors.append(FieldError("code", f"Trường hợp không hợp lệ ({', '.join(DisqualifierCode.values)})."))
    elif code in LEADER_ONLY_DISQUALIFIERS and not locked.is_leader:
        errors.append(FieldError("code", "Chỉ áp dụng với người giữ chức vụ lãnh đạo, quản lý."))
    elif locked.disqualifiers.filter(code=code).exists():
        errors.append(FieldError("code", "Trường hợp này đã được ghi nhận trong phiếu."))
    if not (evidence or "").strip():
        errors.append(FieldError("evidence", "Phải ghi căn cứ: kết luận, quyết định kỷ luật..."))
    if attachment and (problem := files.attachment_problem(attachment)) is not None:
        errors.append(FieldError("attachment", f"«Tệp minh chứng»: {problem[1]}"))
    decided, counted = _discipline_dates(locked, code, decided_on, counted_year, errors)
    if errors:
        raise ValidationFailed("Chưa ghi nhận được trường hợp không hoàn thành nhiệm vụ.", errors)
    row = AppraisalDisqualifier(
        appraisal=locked, code=code, evidence=evidence.strip(), attachment=attachment or "", recorded_by=user,
        decided_on=decided, counted_year=counted,
    )  # fmt: skip
    row._history_user = user
    row.save()
    score_locked(locked)
    return row


def _discipline_dates(
    appraisal: Appraisal, code: str, decided_on: Any, counted_year: Any, errors: list[FieldError]
) -> tuple[date | None, int | None]:
    """A discipline's decision date and earlier counted year, checked against the period's year."""
    if code != DisqualifierCode.DISCIPLINE:
        return None, None
    decided = _date(decided_on)
    counted = None
    if counted_year not in (None, ""):
        try:
            counted = int(str(counted_year).strip())
        except ValueError:
            errors.append(FieldError("counted_year", "Phải là một năm, ví dụ 2025."))
            return decided, None
    if decided is None:
        errors.append(FieldError("decided_on", "Phải ghi ngày quyết định kỷ luật (ngày/tháng/năm)."))
        return None, counted
    refusal = discipline_refusal(
        DisciplineFacts(decided, counted), appraisal.period.year, parse_params(appraisal.rule_params)
    )
    if refusal is not None:
        errors.append(FieldError(*refusal))
    return decided, counted


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


@transaction.atomic
def appraisal_remove_disqualifier(*, disqualifier: AppraisalDisqualifier, user: Any) -> Appraisal:
    locked = lock(disqualifier.appraisal)
    if not rights.may_record_disqualifier(user, locked):
        raise PermissionRefused("Bạn không có quyền gỡ trường hợp này khỏi phiếu.")
    rights.require_content_editable(locked)
    row = AppraisalDisqualifier.objects.get(pk=disqualifier.pk)
    row._history_user = user
    row.delete()
    return score_locked(locked)


@transaction.atomic
def appraisal_set_custom(*, appraisal: Appraisal, user: Any, values: Any) -> Appraisal:
    """Custom field values (SPEC 7), by the subject or the reviewer while editable; keys left out stay."""
    locked = lock(appraisal)
    if not rights.editable_parts(user, locked) - {"disqualifiers"}:  # the subject or the reviewer
        rights.require_content_editable(locked)
        raise PermissionRefused("Bạn không được sửa phiếu đánh giá này.")
    locked.custom = custom_values_validate(doctype="appraisal", values=values, instance=locked)
    locked._history_user = user
    locked.save(update_fields=["custom", "updated_at"])
    return locked
