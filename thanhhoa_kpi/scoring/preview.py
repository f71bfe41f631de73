"""The stable JSON interfaces: score preview (SPEC 5.8) and quota preview (SPEC 5.9).

``kpi_score FILE``, ``kpi_score --quota FILE`` and the two ``/api/v1/scoring/...``
endpoints are thin adapters over :func:`score_preview` and :func:`quota_preview`: they
decode the JSON (:func:`parse_json_text` for text), pass the rule sets loaded from the
database, and print or return the dict. Nothing here touches a database.

Input rules: unknown keys are refused at every level; required keys must be present;
``null`` on an optional key means "absent"; numbers are JSON numbers or numeric strings
("2.5"), never true/false. Every problem is reported at once with its JSON path. The
error code is ``UNKNOWN_RULE_SET`` when the rule set is unknown (other problems are
still listed), ``INVALID_INPUT`` otherwise, ``MALFORMED_JSON`` for text that is not JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .classify import disqualifier_errors
from .codes import Disqualifier, Role
from .errors import INVALID_INPUT, MALFORMED_JSON, ROOT, UNKNOWN_RULE_SET, ScoringInputError
from .general import GeneralInput, general_errors
from .leader import UNIT_KEYS, UnitCriteria, unit_criteria_errors
from .params import RuleParams
from .period import PeriodInput, PeriodScore, score_period
from .quota import QuotaEntry, QuotaOutcome, apply_quota, entry_errors
from .reader import ONE, ZERO, Fields, Reader, join
from .tasks import ItemInput, item_errors

SCORE_KEYS = ("rule_set", "role", "general", "items")
SCORE_OPTIONAL = ("unit", "disqualifiers", "exceeded_share")
ITEM_KEYS = ("code", "coefficient", "assigned", "completed")
ITEM_OPTIONAL = ("quality_failures", "delays", "exempt_quality_failures", "exempt_delays")
QUOTA_KEYS = ("rule_set", "officials")
QUOTA_OPTIONAL = ("unit_excellent",)
OFFICIAL_KEYS = ("id", "group", "total", "task_score")
OFFICIAL_OPTIONAL = ("disqualifiers", "decision_rank", "exceeded_share")
_DISQUALIFIER_CODES = tuple(code.value for code in Disqualifier)
_ROLES = tuple(role.value for role in Role)


def _reject_constant(name: str) -> object:
    raise ValueError(name)


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f'khóa "{key}" xuất hiện hai lần')
        result[key] = value
    return result


def parse_json_text(text: str | bytes) -> object:
    """Decode JSON text; anything that is not strict JSON raises ``MALFORMED_JSON``.

    NaN and Infinity (accepted by Python's decoder) and duplicate keys are refused.
    """
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as error:
        # The decoder's own words stay in parentheses for whoever fixes the file by hand.
        message = f"JSON không hợp lệ ở dòng {error.lineno}, cột {error.colno} ({error.msg})."
    except UnicodeDecodeError:
        message = "JSON không hợp lệ: nội dung không được mã hóa UTF-8."
    except ValueError as error:
        message = f"JSON không hợp lệ: {error}."
    raise ScoringInputError(MALFORMED_JSON, [(ROOT, message)])


class _Request:
    """Errors of one request and whether the rule set was unknown."""

    def __init__(self) -> None:
        self.reader = Reader()
        self.unknown_rule_set = False

    def raise_if_failed(self) -> None:
        self.reader.raise_if_failed(UNKNOWN_RULE_SET if self.unknown_rule_set else INVALID_INPUT)

    def document(self, data: object, required: Sequence[str], optional: Sequence[str]) -> Mapping[str, object]:
        doc = self.reader.mapping(data, "", required=required, optional=optional)
        if doc is None:
            self.raise_if_failed()
        return doc or {}

    def rule_set(self, doc: Mapping[str, object], rule_sets: Mapping[str, RuleParams]) -> RuleParams | None:
        code = Fields(self.reader, doc, "").text("rule_set")
        if not code:
            return None
        params = rule_sets.get(code)
        if params is None:
            known = ", ".join(sorted(rule_sets))
            self.reader.fail("rule_set", f'Bộ quy tắc "{code}" không tồn tại; các bộ hiện có: {known}.')
            self.unknown_rule_set = True
        return params

    def disqualifiers(self, value: object, path: str) -> tuple[Disqualifier, ...]:
        codes: list[Disqualifier] = []
        for index, raw in enumerate(self.reader.sequence(value, path) or ()):
            code = self.reader.choice(raw, join(path, index), _DISQUALIFIER_CODES)
            if code is not None and Disqualifier(code) in codes:
                self.reader.fail(join(path, index), "Mã bị lặp lại.")
            elif code is not None:
                codes.append(Disqualifier(code))
        return tuple(codes)


# ---------------------------------------------------------------- score preview (5.8)


@dataclass(frozen=True)
class ScoreRequest:
    """A checked score-preview input: the period and the rule set it names."""

    period: PeriodInput
    params: RuleParams


def _read_item(request: _Request, value: object, path: str) -> ItemInput:
    reader = request.reader
    before = len(reader.errors)
    fields = Fields(reader, reader.mapping(value, path, required=ITEM_KEYS, optional=ITEM_OPTIONAL), path)
    item = ItemInput(
        code=fields.text("code"),
        coefficient=fields.number("coefficient", positive=True),
        assigned=fields.number("assigned"),
        completed=fields.number("completed"),
        quality_failures=fields.count("quality_failures"),
        delays=fields.count("delays"),
        exempt_quality_failures=fields.count("exempt_quality_failures"),
        exempt_delays=fields.count("exempt_delays"),
    )
    if len(reader.errors) == before:
        # Types and signs are fine; what is left are the cross-field rules.
        reader.errors.extend(item_errors(item, path))
    return item


def _read_items(request: _Request, doc: Mapping[str, object]) -> tuple[ItemInput, ...]:
    if "items" not in doc:
        return ()
    values = request.reader.sequence(doc["items"], "items") or ()
    return tuple(_read_item(request, value, join("items", index)) for index, value in enumerate(values))


def _read_general(request: _Request, doc: Mapping[str, object], params: RuleParams | None) -> GeneralInput:
    reader = request.reader
    if "general" not in doc:
        return GeneralInput()
    before = len(reader.errors)
    found = reader.mapping(doc["general"], "general", required=(), optional=("groups", "points"))
    fields = Fields(reader, found, "general")
    groups = None
    if fields.data.get("groups") is not None:
        values = reader.sequence(fields.data["groups"], "general.groups") or ()
        groups = tuple(reader.number(v, join("general.groups", i)) or ZERO for i, v in enumerate(values))
    general = GeneralInput(groups=groups, points=fields.optional_number("points"))
    if params is not None and found is not None and len(reader.errors) == before:
        reader.errors.extend(general_errors(general, params))
    return general


def _read_unit(
    request: _Request, doc: Mapping[str, object], role: Role | None, params: RuleParams | None
) -> UnitCriteria | None:
    reader = request.reader
    present = doc.get("unit") is not None
    if role is Role.STAFF and present:
        reader.fail("unit", "Chỉ dành cho lãnh đạo, quản lý (role leader).")
        return None
    if role is Role.LEADER and not present:
        reader.fail("unit", "Bắt buộc đối với lãnh đạo, quản lý (d, dd, e).")
        return None
    if not present:
        return None
    before = len(reader.errors)
    fields = Fields(reader, reader.mapping(doc["unit"], "unit", required=UNIT_KEYS), "unit")
    unit = UnitCriteria(d=fields.number("d"), dd=fields.number("dd"), e=fields.number("e"))
    if params is not None and len(reader.errors) == before:
        reader.errors.extend(unit_criteria_errors(unit, params))
    return unit


def _read_role(request: _Request, doc: Mapping[str, object]) -> Role | None:
    if "role" not in doc:
        return None
    value = request.reader.choice(doc["role"], "role", _ROLES)
    return None if value is None else Role(value)


def parse_score_input(data: object, rule_sets: Mapping[str, RuleParams]) -> ScoreRequest:
    """Check a SPEC 5.8 input; raise ``ScoringInputError`` listing every problem."""
    request = _Request()
    doc = request.document(data, SCORE_KEYS, SCORE_OPTIONAL)
    params = request.rule_set(doc, rule_sets)
    role = _read_role(request, doc)
    items = _read_items(request, doc)
    general = _read_general(request, doc, params)
    unit = _read_unit(request, doc, role, params)
    disqualifiers = request.disqualifiers(doc.get("disqualifiers") or [], "disqualifiers")
    if role is not None:
        request.reader.errors.extend(disqualifier_errors(disqualifiers, role))
    share = Fields(request.reader, doc, "").optional_number("exceeded_share", high=ONE)
    request.raise_if_failed()
    assert params is not None and role is not None  # both reported above when missing
    period = PeriodInput(role, items, general, unit, disqualifiers, share)
    return ScoreRequest(period=period, params=params)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def score_output(result: PeriodScore) -> dict[str, object]:
    """The SPEC 5.8 output object, keys in the documented order."""
    return {
        "status": result.status.value,
        "assigned_converted": _float(result.assigned_converted),
        "completed_converted": _float(result.completed_converted),
        "quality_converted": _float(result.quality_converted),
        "progress_converted": _float(result.progress_converted),
        "a": _float(result.a),
        "b": _float(result.b),
        "c": _float(result.c),
        "task_percent": _float(result.task_percent),
        "task_score": _float(result.task_score),
        "general_score": _float(result.general_score),
        "total": _float(result.total),
        "classification": None if result.classification is None else result.classification.value,
        "explanation": list(result.explanation),
    }


def score_preview(data: object, rule_sets: Mapping[str, RuleParams]) -> dict[str, object]:
    """SPEC 5.8: one period for one official, from decoded JSON, as the output dict.

    ``rule_sets`` maps rule-set codes to their parameters (loaded by the caller).
    Raises :class:`~.errors.ScoringInputError` on bad input.
    """
    request = parse_score_input(data, rule_sets)
    return score_output(score_period(request.period, request.params))


# ---------------------------------------------------------------- quota preview (5.9)


@dataclass(frozen=True)
class QuotaRequest:
    """A checked quota-preview input; ``ids`` are the ids as given, to echo them back."""

    params: RuleParams
    unit_excellent: bool
    entries: tuple[QuotaEntry, ...]
    ids: tuple[object, ...]


def _read_id(request: _Request, fields: Fields) -> object:
    """An id is echoed as given: a non-empty string or an integer (not true/false)."""
    value = fields.data.get("id")
    valid_text = isinstance(value, str) and bool(value.strip())
    valid_number = isinstance(value, int) and not isinstance(value, bool)
    if "id" in fields.data and not (valid_text or valid_number):
        request.reader.fail(fields.at("id"), "Phải là chuỗi ký tự không rỗng hoặc số nguyên.")
    return value


def _check_unique_ids(request: _Request, read: Sequence[tuple[object, QuotaEntry]]) -> None:
    seen: set[str] = set()
    for index, (raw_id, entry) in enumerate(read):
        if raw_id is None:
            continue  # a missing or null id was reported on its own
        if entry.id in seen:
            request.reader.fail(join(join("officials", index), "id"), f'Mã "{entry.id}" bị trùng.')
        seen.add(entry.id)


def _read_official(request: _Request, value: object, path: str, params: RuleParams | None) -> tuple[object, QuotaEntry]:
    reader = request.reader
    before = len(reader.errors)
    fields = Fields(reader, reader.mapping(value, path, required=OFFICIAL_KEYS, optional=OFFICIAL_OPTIONAL), path)
    raw_id = _read_id(request, fields)
    entry = QuotaEntry(
        id=str(raw_id),
        group=fields.text("group"),
        total=fields.number("total"),
        task_score=fields.number("task_score"),
        disqualifiers=request.disqualifiers(fields.data.get("disqualifiers") or [], fields.at("disqualifiers")),
        decision_rank=fields.optional_count("decision_rank", low=1),
        exceeded_share=fields.optional_number("exceeded_share", high=ONE),
    )
    if params is not None and len(reader.errors) == before:
        reader.errors.extend(entry_errors(entry, params, path))
    return raw_id, entry


def parse_quota_input(data: object, rule_sets: Mapping[str, RuleParams]) -> QuotaRequest:
    """Check a SPEC 5.9 input; raise ``ScoringInputError`` listing every problem."""
    request = _Request()
    doc = request.document(data, QUOTA_KEYS, QUOTA_OPTIONAL)
    params = request.rule_set(doc, rule_sets)
    unit_excellent = doc.get("unit_excellent") is not None and Fields(request.reader, doc, "").flag("unit_excellent")
    values = (request.reader.sequence(doc["officials"], "officials") or ()) if "officials" in doc else ()
    read = [_read_official(request, value, join("officials", index), params) for index, value in enumerate(values)]
    _check_unique_ids(request, read)
    request.raise_if_failed()
    assert params is not None  # reported above when missing or unknown
    entries = tuple(entry for _, entry in read)
    return QuotaRequest(params, unit_excellent, entries, tuple(raw_id for raw_id, _ in read))


def quota_output(request: QuotaRequest, outcome: QuotaOutcome) -> dict[str, object]:
    """The SPEC 5.9 output object; results in input order with the ids as given."""
    return {
        "status": "OK",
        "groups": {
            group.group: {"candidates": group.candidates, "good": group.good, "limit": group.limit}
            for group in outcome.groups
        },
        "results": [
            {
                "id": raw_id,
                "classification": decision.classification.value,
                "demoted": decision.demoted,
                "reason": decision.reason,
            }
            for raw_id, decision in zip(request.ids, outcome.results, strict=True)
        ],
    }


def quota_preview(data: object, rule_sets: Mapping[str, RuleParams]) -> dict[str, object]:
    """SPEC 5.9: apply the excellence quota to one unit's list, as the output dict.

    Raises :class:`~.errors.ScoringInputError` on bad input.
    """
    request = parse_quota_input(data, rule_sets)
    outcome = apply_quota(request.entries, request.params, unit_excellent=request.unit_excellent)
    return quota_output(request, outcome)
