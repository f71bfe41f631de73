"""Rule-set parameters as data: one frozen object, parsed and checked from a mapping.

Every number the legal rules use (the 30/70 split, the 25 % deduction, the 90/70/50
bands, the 20 %/25 % quota, ...) lives here and nowhere in the logic, so a rule set
(ND335, ND233, QD366) is a row an administrator edits, and each appraisal keeps a copy.
The JSON keys are those of ``fixtures/base/rule_sets.json`` (``params`` of each entry).

Sources: ND 335/2025/NĐ-CP Điều 12 (30 + 70), Điều 14–15 (a, b, c, d, đ, e and the 25 %
deduction), Điều 20 (bands and quota), Điều 21 (deadline, period actually worked);
ND 233/2026/NĐ-CP Điều 12 (unit's own split, head ≤ unit), Điều 14 (six months);
QĐ 366-QĐ/TW Điều 11 (excellent requires ≥ 30 % of tasks exceeded; conditions of each
level). What each rule set cites, whom it assesses and its band conditions are read by
:mod:`.legal`; ND 233's deadline is 5 December (Điều 15 khoản 1 điểm b as published,
unlike the 15 December of ND 335 Điều 21) and its general criteria those of its Phụ lục I.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .agency_rules import DEFAULT_AGENCY_RULES, AgencyRules, read_agency_rules
from .calendar import DEFAULT_CALENDAR, PeriodCalendar, read_calendar
from .codes import Classification, QuotaReading, QuotaScope
from .edge_cases import DEFAULT_EDGE_CASES, EdgeCases, read_edge_cases
from .errors import INVALID_RULE_SET
from .legal import (
    NEUTRAL_SUBJECT,
    BandCondition,
    Citations,
    CorruptionReported,
    RuleSetRef,
    read_band_conditions,
    read_citations,
    read_corruption_reported,
    read_subject,
)
from .reader import ONE, ZERO, Fields, Reader, join
from .unit_rules_frame import UnitRulesApplied, UnitRulesFrame, read_unit_rules_applied, read_unit_rules_frame

# The percent base of every ratio (a, b, c, d, đ, e are percentages).
PERCENT = Decimal(100)
# A leap year, so that a deadline of 29/02 is accepted as a real calendar day.
_LEAP_YEAR = 2024
_MAX_ROUNDING_PLACES = 6
_MONTHS_IN_YEAR = 12

PARAM_KEYS = (
    "general_max",
    "task_max",
    "general_step",
    "general_groups",
    "unit_may_split_general",
    "deduction_per_event",
    "max_deductions_per_unit",
    "ratio_cap",
    "unit_criteria_values",
    "thresholds",
    "excellent_requires_exceeded_share",
    "quota_rate",
    "quota_exception_rate",
    "quota_reading",
    "min_worked_months",
    "classification_deadline",
    "rounding_places",
    "head_not_above_unit",
)
# Keys a rule set may leave out; each falls back to the decree's own reading, so that
# the copies already stored in appraisals keep parsing (an unknown key is still an error).
OPTIONAL_PARAM_KEYS = (
    "min_months_leave_kinds",
    "citations",
    "subject",
    "band_conditions",
    "quota_scope",
    "quota_binding_kinds",
    "calendar",
    "edge_cases",
    "agency",
    "corruption_reported",
    "unit_rules",
    "unit_rules_applied",
)
# The kinds of period (AppraisalPeriod.kind) the quota and the head cap may bind.
PERIOD_KINDS = ("MONTH", "QUARTER", "YEAR")
# SPEC 5.6 (decided 2026-12): the quota and the head-versus-unit cap bind the annual
# classification (ND 335 Điều 20, ND 233 Điều 12 khoản 7 speak of the year's result);
# a month or a quarter shows their effect as a preview unless its kind is listed.
DEFAULT_QUOTA_BINDING_KINDS = ("YEAR",)
# The kinds of leave an official may record (organization.LeavePeriod.kind), with the
# words the roll-up explanation uses for them.
LEAVE_KINDS = {
    "MATERNITY": "nghỉ thai sản",
    "SICK": "nghỉ ốm",
    "TRAINING": "đi học, bồi dưỡng",
    "OTHER": "nghỉ khác",
}
# ND 233/2026/NĐ-CP Điều 14 khoản 2 (viên chức) and ND 335/2025/NĐ-CP Điều 21 (công
# chức): sick leave and maternity leave under the social-insurance law do not count
# against the six-month minimum; the year is classified on the time actually worked.
# Unpaid personal leave is not listed: it still needs six months worked (Điều 14 khoản 2).
DEFAULT_MIN_MONTHS_LEAVE_KINDS = ("MATERNITY", "SICK")
_THRESHOLD_KEYS = (
    Classification.HOAN_THANH_XUAT_SAC.value,
    Classification.HOAN_THANH_TOT.value,
    Classification.HOAN_THANH.value,
)
_GROUP_KEYS = ("code", "name", "max")
_RULE_SET_KEYS = ("code", "name", "legal_basis", "version", "params")


@dataclass(frozen=True)
class SubCriterion:
    """One line of the general-criteria form (e.g. 1.2 "ý thức kỷ luật, kỷ cương")."""

    code: str
    name: str
    max_points: Decimal


@dataclass(frozen=True)
class GeneralGroup:
    """One of the three groups of ND 335 Điều 12 khoản 2, with its sub-criteria."""

    code: str
    name: str
    max_points: Decimal
    sub_criteria: tuple[SubCriterion, ...] = ()


@dataclass(frozen=True)
class RuleParams:
    """Every parameter of one rule set; see the module docstring for the sources."""

    general_max: Decimal
    task_max: Decimal
    general_step: Decimal
    general_groups: tuple[GeneralGroup, ...]
    unit_may_split_general: bool
    deduction_per_event: Decimal
    max_deductions_per_unit: int
    ratio_cap: Decimal
    unit_criterion_full: Decimal
    unit_criterion_reduced: Decimal
    threshold_excellent: Decimal
    threshold_good: Decimal
    threshold_pass: Decimal
    excellent_requires_exceeded_share: Decimal | None
    quota_rate: Decimal
    quota_exception_rate: Decimal
    quota_reading: QuotaReading
    min_worked_months: int
    classification_deadline_day: int
    classification_deadline_month: int
    rounding_places: int
    head_not_above_unit: bool
    # Leave kinds whose full months count towards ``min_worked_months`` without entering
    # the mean (ND 233 Điều 14 khoản 2; ND 335 Điều 21); see DEFAULT_MIN_MONTHS_LEAVE_KINDS.
    min_months_leave_kinds: tuple[str, ...] = DEFAULT_MIN_MONTHS_LEAVE_KINDS
    # Citations, subject noun and band conditions (see :mod:`.legal`).
    citations: Citations = Citations()
    subject: str = NEUTRAL_SUBJECT
    band_conditions: tuple[tuple[Classification, BandCondition], ...] = ()
    # Where the quota counts and which periods it (and the head cap) binds (SPEC 5.6).
    quota_scope: QuotaScope = QuotaScope.AGENCY
    quota_binding_kinds: tuple[str, ...] = DEFAULT_QUOTA_BINDING_KINDS
    # The step deadlines a new period defaults to (:mod:`.calendar`).
    calendar: PeriodCalendar = DEFAULT_CALENDAR
    # Small groups, transfers, whole-period leave, mid-period appointments (:mod:`.edge_cases`).
    edge_cases: EdgeCases = DEFAULT_EDGE_CASES
    # The agency's own appraisal and the agencies' quota (:mod:`.agency_rules`).
    agency: AgencyRules = DEFAULT_AGENCY_RULES
    # A leader who reported corruption in their unit (:class:`.legal.CorruptionReported`).
    corruption_reported: CorruptionReported = CorruptionReported()
    # What a public service unit may set for itself, and whose approved rules a copy
    # carries (:mod:`.unit_rules_frame`, :mod:`.unit_rules`; ND 233 Điều 12 khoản 5).
    unit_rules: UnitRulesFrame | None = None
    unit_rules_applied: UnitRulesApplied | None = None
    # Which rule set and version these are; not a parameter, so not compared.
    rule_set: RuleSetRef | None = field(default=None, compare=False)

    @property
    def unit_criteria_allowed(self) -> tuple[Decimal, Decimal]:
        """The only values d, đ and e may take (ND 335 Điều 15 khoản 3: 100 % or 50 %)."""
        return (self.unit_criterion_full, self.unit_criterion_reduced)

    @property
    def total_max(self) -> Decimal:
        return self.general_max + self.task_max

    def condition(self, level: Classification) -> BandCondition | None:
        """What ``level`` needs besides its score band, if the rule set says (QĐ 366 Điều 11)."""
        return next((condition for code, condition in self.band_conditions if code is level), None)


@dataclass(frozen=True)
class RuleSet:
    """One entry of ``rule_sets.json``: identity, legal basis and parameters."""

    code: str
    name: str
    legal_basis: str
    version: int
    params: RuleParams


def parse_params(data: object, path: str = "") -> RuleParams:
    """Check a ``params`` mapping and return :class:`RuleParams`.

    Raises :class:`~.errors.ScoringInputError` (code ``INVALID_RULE_SET``) naming every
    bad key; unknown and missing keys are both errors, so a typo never silently falls
    back to a default.
    """
    reader = Reader()
    found = reader.mapping(data, path, required=PARAM_KEYS, optional=OPTIONAL_PARAM_KEYS)
    params = _read_params(Fields(reader, found, path))
    reader.raise_if_failed(INVALID_RULE_SET)
    return params


def parse_rule_sets(data: object) -> dict[str, RuleSet]:
    """Parse the list format of ``fixtures/base/rule_sets.json`` into a dict by code."""
    reader = Reader()
    entries = reader.sequence(data, "") or ()
    result: dict[str, RuleSet] = {}
    for index, entry in enumerate(entries):
        path = join("", index)
        found = reader.mapping(entry, path, required=_RULE_SET_KEYS)
        rule_set = _read_rule_set(Fields(reader, found, path))
        if rule_set.code and rule_set.code in result:
            reader.fail(join(path, "code"), f'Mã bộ quy tắc "{rule_set.code}" bị trùng.')
        result[rule_set.code] = rule_set
    reader.raise_if_failed(INVALID_RULE_SET)
    return result


def _read_rule_set(entry: Fields) -> RuleSet:
    code = entry.text("code")
    name = entry.text("name")
    legal_basis = entry.text("legal_basis")
    version = entry.count("version", low=1)
    params = identified(_read_params(_params_section(entry)), code, version, name, legal_basis)
    return RuleSet(code=code, name=name, legal_basis=legal_basis, version=version, params=params)


def identified(params: RuleParams, code: str, version: int, name: str, legal_basis: str) -> RuleParams:
    """``params`` labelled with the rule set and version they are, for the explanation."""
    return replace(params, rule_set=RuleSetRef(code=code, version=version, name=name, legal_basis=legal_basis))


def _read_params(data: Fields) -> RuleParams:
    before = len(data.reader.errors)
    general_max = data.maybe_number("general_max", positive=True)
    general_step = data.maybe_number("general_step", positive=True)
    groups = _read_groups(data, general_max, general_step)
    thresholds = data.section("thresholds", _THRESHOLD_KEYS)
    unit_values = data.section("unit_criteria_values", ("full", "reduced"))
    deadline = data.section("classification_deadline", ("day", "month"))
    params = RuleParams(
        general_max=general_max or ONE,
        task_max=data.number("task_max", positive=True),
        general_step=general_step or ONE,
        general_groups=groups,
        unit_may_split_general=data.flag("unit_may_split_general"),
        deduction_per_event=data.number("deduction_per_event", positive=True, high=ONE),
        max_deductions_per_unit=data.count("max_deductions_per_unit", low=1),
        ratio_cap=data.number("ratio_cap", positive=True, high=PERCENT),
        unit_criterion_full=unit_values.number("full", high=PERCENT),
        unit_criterion_reduced=unit_values.number("reduced", high=PERCENT),
        threshold_excellent=thresholds.number(_THRESHOLD_KEYS[0], positive=True),
        threshold_good=thresholds.number(_THRESHOLD_KEYS[1], positive=True),
        threshold_pass=thresholds.number(_THRESHOLD_KEYS[2], positive=True),
        excellent_requires_exceeded_share=_optional_share(data, "excellent_requires_exceeded_share"),
        quota_rate=data.number("quota_rate", high=ONE),
        quota_exception_rate=data.number("quota_exception_rate", high=ONE),
        quota_reading=_reading(data),
        min_worked_months=data.count("min_worked_months", high=_MONTHS_IN_YEAR),
        classification_deadline_day=deadline.count("day", low=1, high=31),
        classification_deadline_month=deadline.count("month", low=1, high=_MONTHS_IN_YEAR),
        rounding_places=data.count("rounding_places", high=_MAX_ROUNDING_PLACES),
        head_not_above_unit=data.flag("head_not_above_unit"),
        min_months_leave_kinds=_leave_kinds(data),
        citations=read_citations(data),
        subject=read_subject(data),
        band_conditions=read_band_conditions(data),
        quota_scope=_scope(data),
        quota_binding_kinds=_binding_kinds(data),
        calendar=read_calendar(data),
        edge_cases=read_edge_cases(data),
        agency=read_agency_rules(data),
        corruption_reported=read_corruption_reported(data),
        unit_rules=read_unit_rules_frame(data),
        unit_rules_applied=read_unit_rules_applied(data),
    )
    # Cross-field checks only make sense once every field is present and read cleanly.
    if len(data.reader.errors) == before and all(key in data.data for key in PARAM_KEYS):
        _check_consistency(data, params)
    return params


def _optional_share(data: Fields, key: str) -> Decimal | None:
    # null means "this rule set has no such condition" (ND335, ND233).
    return data.optional_number(key, positive=True, high=ONE)


def _params_section(entry: Fields) -> Fields:
    """The ``params`` object of a rule-set entry, which may leave out the optional keys."""
    found = None
    if "params" in entry.data:
        found = entry.reader.mapping(
            entry.data["params"], entry.at("params"), required=PARAM_KEYS, optional=OPTIONAL_PARAM_KEYS
        )
    return Fields(entry.reader, found, entry.at("params"))


def _leave_kinds(data: Fields) -> tuple[str, ...]:
    """``min_months_leave_kinds``: distinct leave kinds; absent → the decree's default."""
    key = "min_months_leave_kinds"
    if key not in data.data:
        return DEFAULT_MIN_MONTHS_LEAVE_KINDS
    path = data.at(key)
    kinds: list[str] = []
    for index, item in enumerate(data.reader.sequence(data.data[key], path) or ()):
        kind = data.reader.choice(item, join(path, index), tuple(LEAVE_KINDS))
        if kind in kinds:
            data.reader.fail(join(path, index), "Loại nghỉ bị trùng.")
        elif kind is not None:
            kinds.append(kind)
    return tuple(kinds)


def _scope(data: Fields) -> QuotaScope:
    """``quota_scope``: AGENCY (the decided default) or UNIT."""
    value = None
    if "quota_scope" in data.data:
        value = data.reader.choice(data.data["quota_scope"], data.at("quota_scope"), [s.value for s in QuotaScope])
    return QuotaScope(value or QuotaScope.AGENCY)


def _binding_kinds(data: Fields) -> tuple[str, ...]:
    """``quota_binding_kinds``: distinct period kinds, YEAR among them; absent → YEAR only."""
    key = "quota_binding_kinds"
    if key not in data.data:
        return DEFAULT_QUOTA_BINDING_KINDS
    path = data.at(key)
    before = len(data.reader.errors)
    kinds: list[str] = []
    for index, item in enumerate(data.reader.sequence(data.data[key], path) or ()):
        kind = data.reader.choice(item, join(path, index), PERIOD_KINDS)
        if kind in kinds:
            data.reader.fail(join(path, index), "Loại kỳ bị trùng.")
        elif kind is not None:
            kinds.append(kind)
    if len(data.reader.errors) == before and "YEAR" not in kinds:
        # The annual classification is what the decrees limit: it is always bound.
        data.reader.fail(path, "Phải gồm YEAR: tỷ lệ xuất sắc luôn ràng buộc xếp loại cả năm.")
    return tuple(kinds)


def _reading(data: Fields) -> QuotaReading:
    value = None
    if "quota_reading" in data.data:
        choices = [reading.value for reading in QuotaReading]
        value = data.reader.choice(data.data["quota_reading"], data.at("quota_reading"), choices)
    return QuotaReading(value or QuotaReading.FINAL_GOOD)


def _read_groups(data: Fields, general_max: Decimal | None, step: Decimal | None) -> tuple[GeneralGroup, ...]:
    if "general_groups" not in data.data:
        return ()
    reader = data.reader
    path = data.at("general_groups")
    items = reader.sequence(data.data["general_groups"], path)
    if items is not None and not items:
        reader.fail(path, "Cần ít nhất một nhóm tiêu chí chung.")
    before = len(reader.errors)
    groups = tuple(_read_group(reader, join(path, index), item, step) for index, item in enumerate(items or ()))
    total = sum((group.max_points for group in groups), ZERO)
    if groups and general_max is not None and len(reader.errors) == before and total != general_max:
        reader.fail(path, "Tổng điểm tối đa của các nhóm phải bằng general_max.")
    return groups


def _read_group(reader: Reader, path: str, item: object, step: Decimal | None) -> GeneralGroup:
    found = reader.mapping(item, path, required=_GROUP_KEYS, optional=("sub_criteria",))
    group = Fields(reader, found, path)
    max_points = _max_on_step(group, step)
    before = len(reader.errors)
    subs = _read_sub_criteria(group, step)
    if subs and len(reader.errors) == before and sum((sub.max_points for sub in subs), ZERO) != max_points:
        reader.fail(group.at("sub_criteria"), "Tổng điểm tối đa của các tiêu chí con phải bằng max của nhóm.")
    return GeneralGroup(code=group.text("code"), name=group.text("name"), max_points=max_points, sub_criteria=subs)


def _read_sub_criteria(group: Fields, step: Decimal | None) -> tuple[SubCriterion, ...]:
    if "sub_criteria" not in group.data:
        return ()
    items = group.reader.sequence(group.data["sub_criteria"], group.at("sub_criteria")) or ()
    subs = []
    for index, item in enumerate(items):
        path = join(group.at("sub_criteria"), index)
        found = group.reader.mapping(item, path, required=_GROUP_KEYS)
        sub = Fields(group.reader, found, path)
        max_points = _max_on_step(sub, step)
        subs.append(SubCriterion(code=sub.text("code"), name=sub.text("name"), max_points=max_points))
    return tuple(subs)


def _max_on_step(data: Fields, step: Decimal | None) -> Decimal:
    """The ``max`` of a group or sub-criterion, which must be reachable in whole steps."""
    value = data.maybe_number("max", positive=True)
    if value is None:
        return ONE
    if step is not None and value % step != ZERO:
        data.reader.fail(data.at("max"), "Phải là bội số của general_step.")
    return value


def _check_consistency(data: Fields, params: RuleParams) -> None:
    """Cross-field rules that keep every score inside 0..100 and the bands ordered."""
    fail = data.reader.fail
    bands = (params.threshold_pass, params.threshold_good, params.threshold_excellent, params.total_max)
    if not bands[0] < bands[1] < bands[2] <= bands[3]:
        fail(
            data.at("thresholds"),
            "Ngưỡng phải tăng dần: HOAN_THANH < HOAN_THANH_TOT < HOAN_THANH_XUAT_SAC ≤ tổng điểm tối đa.",
        )
    if params.unit_criterion_reduced >= params.unit_criterion_full:
        fail(data.at("unit_criteria_values"), "Giá trị reduced phải nhỏ hơn full.")
    if params.quota_exception_rate < params.quota_rate:
        fail(data.at("quota_exception_rate"), "Tỷ lệ ngoại lệ không được nhỏ hơn quota_rate.")
    day, month = params.classification_deadline_day, params.classification_deadline_month
    if day > calendar.monthrange(_LEAP_YEAR, month)[1]:
        fail(data.at("classification_deadline"), "Ngày không có trong tháng đã chọn.")
