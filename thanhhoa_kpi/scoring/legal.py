"""What a rule set says about itself: its identity, citations, subject noun and band conditions.

An explanation must cite the decree of the rule set that scored it (a viên chức's result
cites ND 233, not ND 335) and speak of the right people, so both are rule-set data:

- ``citations``: one Vietnamese reference per rule the explanation mentions
  (:data:`CITATION_KEYS`); where a decree has no counterpart the text says so and names
  what the rule set applies instead (written in ``fixtures/base/rule_sets.json``).
- ``subject``: who is assessed ("công chức", "viên chức", "cán bộ, đảng viên").
- ``band_conditions``: conditions a level needs besides its score band. QĐ 366-QĐ/TW
  Điều 11: "Hoàn thành tốt" needs 100 % of tasks done on time and to quality ("đúng
  hạn, bảo đảm chất lượng, hiệu quả"), "Hoàn thành" 100 % done with at most 20 %
  delayed, "Hoàn thành xuất sắc" everything of "tốt" (plus the 30 % exceeded,
  ``excellent_requires_exceeded_share``). ``max_failed_share`` (optional, absent = no
  condition) bounds the work with a non-exempt quality failure. ND 335 Điều 20 and
  ND 233 Điều 12 set no such condition for individuals (``null``).

The three keys are optional so that the parameters copied into appraisals before they
existed still parse: such a copy has no citations (lines name no article rather than a
wrong one), the neutral noun :data:`NEUTRAL_SUBJECT` and no band conditions.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .codes import Classification
from .reader import ONE, Fields

# Added later: copies of the parameters stored before them still parse.
OPTIONAL_CITATION_KEYS = ("discipline_timing",)
CITATION_KEYS = (
    "general",
    "leader_criteria",
    "classification",
    "degradation",
    "discipline",
    "unit_corruption",
    "band_conditions",
    "quota",
    "head_not_above_unit",
    "min_worked_months",
)
CONDITION_KEYS = ("min_done_share", "max_delayed_share")
OPTIONAL_CONDITION_KEYS = ("max_failed_share",)
# The levels that may carry conditions; "Không hoàn thành" is where a failed one ends.
CONDITIONED_LEVELS = (
    Classification.HOAN_THANH_XUAT_SAC,
    Classification.HOAN_THANH_TOT,
    Classification.HOAN_THANH,
)
# Who is assessed, for a parameter copy older than the ``subject`` key.
NEUTRAL_SUBJECT = "người"


@dataclass(frozen=True)
class Citations:
    """The reference printed after each rule in the explanation; "" prints none."""

    general: str = ""
    leader_criteria: str = ""
    classification: str = ""
    degradation: str = ""
    discipline: str = ""
    unit_corruption: str = ""
    band_conditions: str = ""
    quota: str = ""
    head_not_above_unit: str = ""
    min_worked_months: str = ""
    discipline_timing: str = ""


@dataclass(frozen=True)
class BandCondition:
    """What a level needs besides its score: shares of the converted assigned work (0..1).

    ``max_failed_share`` is ``None`` where the level sets nothing on quality.
    """

    min_done_share: Decimal
    max_delayed_share: Decimal
    max_failed_share: Decimal | None = None


@dataclass(frozen=True)
class CorruptionReported:
    """``corruption_reported``: whether a leader who proactively detected, reported and
    handled corruption in the unit they directly manage is spared the forced «không hoàn
    thành» (ND 233/2026/NĐ-CP provides this leniency for viên chức managers; ND 335 and
    QĐ 366 name none, so the default keeps the disqualifier). When mitigated, the level
    follows the score and the explanation records the fact with ``citation``."""

    mitigates: bool = False
    citation: str = ""


def read_corruption_reported(data: Fields) -> CorruptionReported:
    if "corruption_reported" not in data.data:
        return CorruptionReported()
    section = data.section("corruption_reported", ("mitigates",), optional=("citation",))
    return CorruptionReported(mitigates=section.flag("mitigates"), citation=section.text("citation"))


@dataclass(frozen=True)
class RuleSetRef:
    """Which rule set and version the parameters are, for the explanation's first line."""

    code: str
    version: int
    name: str
    legal_basis: str = ""


def read_citations(data: Fields) -> Citations:
    """``citations``: every key of :data:`CITATION_KEYS`, each a non-empty text."""
    if "citations" not in data.data:
        return Citations()
    section = data.section("citations", CITATION_KEYS, optional=OPTIONAL_CITATION_KEYS)
    keys = (*CITATION_KEYS, *OPTIONAL_CITATION_KEYS)
    return Citations(**{key: section.text(key) for key in keys if key in section.data})


def read_subject(data: Fields) -> str:
    return data.text("subject") if "subject" in data.data else NEUTRAL_SUBJECT


def read_band_conditions(data: Fields) -> tuple[tuple[Classification, BandCondition], ...]:
    """``band_conditions``: ``null`` or conditions for some of :data:`CONDITIONED_LEVELS`."""
    if data.data.get("band_conditions") is None:
        return ()
    path = data.at("band_conditions")
    levels = [level.value for level in CONDITIONED_LEVELS]
    found = data.reader.mapping(data.data["band_conditions"], path, required=(), optional=levels)
    conditions = []
    for level in CONDITIONED_LEVELS:
        if found is not None and level.value in found:
            section = Fields(data.reader, found, path).section(level.value, CONDITION_KEYS, OPTIONAL_CONDITION_KEYS)
            condition = BandCondition(
                min_done_share=section.number("min_done_share", high=ONE),
                max_delayed_share=section.number("max_delayed_share", high=ONE),
                max_failed_share=section.optional_number("max_failed_share", high=ONE),
            )
            conditions.append((level, condition))
    return tuple(conditions)
