"""``params.unit_rules`` and ``params.unit_rules_applied``: what a public service unit may set
for itself, and whose approved rules a copy of a rule set carries (ND 233/2026/NĐ-CP Điều 12
khoản 5). Kept apart from :mod:`.unit_rules` (which checks and applies them) so that
:mod:`.params` can read them without an import cycle, as :mod:`.agency_rules` is.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .reader import Fields

FRAME_KEYS = ("group_min", "reduced_min", "reduced_max", "citation")
APPLIED_KEYS = ("unit", "reference", "approved_on")
PERCENT = Decimal(100)


@dataclass(frozen=True)
class UnitRulesFrame:
    """``params.unit_rules``: what a unit may set for itself."""

    group_min: Decimal
    reduced_min: Decimal
    reduced_max: Decimal
    citation: str


@dataclass(frozen=True)
class UnitRulesApplied:
    """``params.unit_rules_applied``: whose approved rules this copy carries."""

    unit: str
    reference: str
    approved_on: str


def read_unit_rules_frame(data: Fields) -> UnitRulesFrame | None:
    """``unit_rules`` of a rule set's params; None when the rule set has none."""
    if "unit_rules" not in data.data:
        return None
    section = data.section("unit_rules", FRAME_KEYS)
    frame = UnitRulesFrame(
        group_min=section.number("group_min", positive=True),
        reduced_min=section.number("reduced_min", high=PERCENT),
        reduced_max=section.number("reduced_max", high=PERCENT),
        citation=section.text("citation"),
    )
    if frame.reduced_min > frame.reduced_max:
        data.reader.fail(section.at("reduced_min"), "Không được lớn hơn reduced_max.")
    return frame


def read_unit_rules_applied(data: Fields) -> UnitRulesApplied | None:
    """``unit_rules_applied`` of a copy; None when no unit's rules were applied."""
    if "unit_rules_applied" not in data.data:
        return None
    section = data.section("unit_rules_applied", APPLIED_KEYS)
    return UnitRulesApplied(*(section.text(key) for key in APPLIED_KEYS))
