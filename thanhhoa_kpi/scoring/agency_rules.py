"""``params.agency``: the numbers of the agency appraisal and its quota (rule-set data).

Optional object of a rule set's params; every key optional, absent → the default, which is
the decrees' number (ND 233/2026/NĐ-CP Điều 7; ND 335/2025/NĐ-CP Điều 20 by analogy):

- ``excellent_exceeded_share`` (0.3): the share of the planned work done beyond the plan
  that «xuất sắc» needs (ND 233 Điều 7 khoản 1);
- ``pass_max_delayed_share`` (0.2): the most of the planned work done late that «hoàn
  thành» allows (Điều 7 khoản 3);
- ``fail_below_done_share`` (0.7): below this share of the planned work done the agency
  is «không hoàn thành» whatever its score (Điều 7 khoản 4);
- ``quota_rate`` (0.2) and ``quota_exception_rate`` (0.25): «xuất sắc» agencies as a share
  of the «tốt» ones within one recognising authority's scope, and in outstanding cases
  the authority records (Điều 7 khoản 7);
- ``small_scope_below`` (5) and ``small_scope_most`` (1): fewer agencies than that in the
  scope → at most that many «xuất sắc» (Điều 7 khoản 7);
- ``citation``: the article the explanation cites.

Kept apart from :mod:`.agency` (which scores) so that :mod:`.params` can read it without an
import cycle, as :mod:`.edge_cases` is.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .reader import Fields

AGENCY_KEYS = (
    "excellent_exceeded_share",
    "pass_max_delayed_share",
    "fail_below_done_share",
    "quota_rate",
    "quota_exception_rate",
    "small_scope_below",
    "small_scope_most",
    "citation",
)


@dataclass(frozen=True)
class AgencyRules:
    """``params.agency``: the conditions of each level and the agencies' quota."""

    excellent_exceeded_share: Decimal = Decimal("0.3")
    pass_max_delayed_share: Decimal = Decimal("0.2")
    fail_below_done_share: Decimal = Decimal("0.7")
    quota_rate: Decimal = Decimal("0.2")
    quota_exception_rate: Decimal = Decimal("0.25")
    small_scope_below: int = 5
    small_scope_most: int = 1
    citation: str = "Nghị định 233/2026/NĐ-CP, Điều 7 (áp dụng tương tự cho Nghị định 335/2025/NĐ-CP, Điều 20)"


DEFAULT_AGENCY_RULES = AgencyRules()


def read_agency_rules(data: Fields) -> AgencyRules:
    """``agency`` of a rule set's params; the defaults for what it leaves out."""
    if "agency" not in data.data:
        return DEFAULT_AGENCY_RULES
    section = data.section("agency", (), optional=AGENCY_KEYS)
    base = DEFAULT_AGENCY_RULES

    def share(key: str, default: Decimal) -> Decimal:
        value = section.maybe_number(key, high=Decimal(1))
        return default if value is None else value

    below = base.small_scope_below
    if "small_scope_below" in section.data:
        below = section.count("small_scope_below", low=2, high=20)
    most = base.small_scope_most
    if "small_scope_most" in section.data:
        most = section.count("small_scope_most", low=0, high=5)
    return AgencyRules(
        excellent_exceeded_share=share("excellent_exceeded_share", base.excellent_exceeded_share),
        pass_max_delayed_share=share("pass_max_delayed_share", base.pass_max_delayed_share),
        fail_below_done_share=share("fail_below_done_share", base.fail_below_done_share),
        quota_rate=share("quota_rate", base.quota_rate),
        quota_exception_rate=share("quota_exception_rate", base.quota_exception_rate),
        small_scope_below=below,
        small_scope_most=most,
        citation=section.text("citation") or base.citation,
    )
