"""When a discipline counts against a year's classification (issue 14, item 3).

ND 335/2025/NĐ-CP Điều 20 khoản 4 điểm c and ND 233/2026/NĐ-CP Điều 12 khoản 4 điểm c
make a person disciplined (reprimand or heavier) for a violation in their duties «không
hoàn thành nhiệm vụ» for the year of assessment; ND 233 Điều 14 khoản 3, restating ND
48/2023/NĐ-CP, says which year that is:

- the year the discipline is decided, not the year of the violation;
- a violation already counted in an earlier year's classification (as «không hoàn thành»
  before the decision came, or by a Party discipline for the same act in another year) is
  not counted again when a later decision on the same act arrives.

(Violations at a former unit count for that unit: the discipline is recorded on the
appraisal of the unit that assesses the year, which the service's scope already enforces.)
The article cited is the rule set's ``citations.discipline_timing``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .explain import cite
from .params import RuleParams


@dataclass(frozen=True)
class DisciplineFacts:
    """The decision's date, and the year the same violation was already counted in, if any."""

    decided_on: date
    counted_year: int | None = None


def discipline_refusal(facts: DisciplineFacts, year: int, params: RuleParams) -> tuple[str, str] | None:
    """``(field, reason)`` why the discipline does not count for ``year``; None when it counts."""
    where = cite(params.citations.discipline_timing)
    if facts.counted_year is not None and facts.counted_year != year:
        return (
            "counted_year",
            f"Hành vi vi phạm này đã được tính khi xếp loại năm {facts.counted_year}; quyết định kỷ luật sau đó "
            f"cho cùng hành vi không tính lại vào năm {year}{where}.",
        )
    if facts.decided_on.year != year:
        return (
            "decided_on",
            f"Quyết định kỷ luật ngày {facts.decided_on:%d/%m/%Y} không thuộc năm đánh giá {year}: kỷ luật được "
            f"tính vào năm có quyết định{where}.",
        )
    return None
