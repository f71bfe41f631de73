"""Cases the decrees leave to the agency, as one optional object of a rule set's params.

``params.edge_cases`` (optional; every key optional, absent → the default below). Each
default is the reading that follows the decree's text most closely, so that a rule set
without the object classifies exactly as before; an agency that decides otherwise records
its choice here, where the approver sees it, instead of in code.

- ``small_group_below`` (default 5) and ``small_group_policy`` (default ``DECREE``): a
  similar-task group with fewer members than ``small_group_below``. ND 335 Điều 20 khoản 5
  caps "xuất sắc" at 20 % of "tốt" within each group and names no exception for
  individuals, so ``DECREE`` applies the rate as written (a group of four gets no "xuất
  sắc" unless four are "tốt"). ``ONE_ALLOWED`` lets such a group have one "xuất sắc" when
  the rate gives none, by analogy with ND 233/2026/NĐ-CP Điều 7, which allows one
  excellent agency where fewer than five are assessed together (domain.md 2.8 (v)).
- ``transfer_months`` (default ``ALL_BLOCS``): a person transferred mid-year between
  blocs. ND 335 Điều 21 and ND 233 Điều 15 khoản 1 điểm a have the new unit classify on
  the average of every month or quarter, the old unit sending its results, so the months
  monitored in the other bloc enter the mean. ``THIS_BLOC`` keeps only the months
  monitored in the classifying bloc (for an agency whose other bloc scored on a scale it
  does not accept); the six-month minimum still counts the months actually worked.
- ``full_leave`` (default ``NO_APPRAISAL``): a person on leave for the whole period. ND
  335 Điều 21 classifies on the time actually worked and the roll-up already leaves a
  month covered by leave out of the mean, so opening the period creates no appraisal
  for them (nobody could self-assess it, and reminders would chase someone on leave).
  ``APPRAISE`` opens one anyway.
- ``posting_rule`` (default ``PERIOD_END``): a leader appointed mid-month. The posting in
  force on the period's last day decides the formula (a leader's d, đ and e measure the
  unit they lead when the month is appraised, and its head is who reviews it: ND 233
  Điều 13 khoản 2). ``MOST_DAYS`` takes the posting held for most days of the period
  (the later one on a tie), so a deputy appointed head on the 25th is appraised as a
  deputy that month.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from .reader import Fields


class SmallGroupPolicy(StrEnum):
    DECREE = "DECREE"
    ONE_ALLOWED = "ONE_ALLOWED"


class TransferMonths(StrEnum):
    ALL_BLOCS = "ALL_BLOCS"
    THIS_BLOC = "THIS_BLOC"


class FullLeave(StrEnum):
    NO_APPRAISAL = "NO_APPRAISAL"
    APPRAISE = "APPRAISE"


class PostingRule(StrEnum):
    PERIOD_END = "PERIOD_END"
    MOST_DAYS = "MOST_DAYS"


EDGE_CASE_KEYS = ("small_group_below", "small_group_policy", "transfer_months", "full_leave", "posting_rule")
_Choice = TypeVar("_Choice", bound=StrEnum)
# A group of 20 already allows one "xuất sắc" at 20 % of "tốt" under any reading; a
# bound above that would only hide a typo.
_MAX_SMALL_GROUP = 20


@dataclass(frozen=True)
class EdgeCases:
    small_group_below: int = 5
    small_group_policy: SmallGroupPolicy = SmallGroupPolicy.DECREE
    transfer_months: TransferMonths = TransferMonths.ALL_BLOCS
    full_leave: FullLeave = FullLeave.NO_APPRAISAL
    posting_rule: PostingRule = PostingRule.PERIOD_END

    def small_group_allowance(self, members: int) -> int:
        """The "xuất sắc" a group of ``members`` may have whatever the rate gives."""
        if self.small_group_policy is SmallGroupPolicy.ONE_ALLOWED and members < self.small_group_below:
            return 1
        return 0


DEFAULT_EDGE_CASES = EdgeCases()


def read_edge_cases(data: Fields) -> EdgeCases:
    """``edge_cases`` of a rule set's params; the defaults for what it leaves out."""
    if "edge_cases" not in data.data:
        return DEFAULT_EDGE_CASES
    section = data.section("edge_cases", (), optional=EDGE_CASE_KEYS)
    below = DEFAULT_EDGE_CASES.small_group_below
    if "small_group_below" in section.data:
        below = section.count("small_group_below", low=2, high=_MAX_SMALL_GROUP)
    return EdgeCases(
        small_group_below=below,
        small_group_policy=_choice(section, "small_group_policy", DEFAULT_EDGE_CASES.small_group_policy),
        transfer_months=_choice(section, "transfer_months", DEFAULT_EDGE_CASES.transfer_months),
        full_leave=_choice(section, "full_leave", DEFAULT_EDGE_CASES.full_leave),
        posting_rule=_choice(section, "posting_rule", DEFAULT_EDGE_CASES.posting_rule),
    )


def _choice(section: Fields, key: str, default: _Choice) -> _Choice:
    if key not in section.data:
        return default
    kind = type(default)
    value = section.reader.choice(section.data[key], section.at(key), [item.value for item in kind])
    return default if value is None else kind(value)
