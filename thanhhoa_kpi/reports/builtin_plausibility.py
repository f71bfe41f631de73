"""«Kiểm tra tính hợp lý của nhật ký» (issue 15, item 1): per unit and month, each official
whose lines trip a plausibility check (:mod:`thanhhoa_kpi.worklogs.plausibility`), one row
per official and check: how many lines, which days, and the explanations.

The lines are the user's scope (``access.scoped``) of the month, narrowed to a unit's
subtree when one is picked; an official running it sees only their own. The flags are
questions for the reviewer: the report changes nothing and says so in its note.
Registered in :func:`thanhhoa_kpi.reports.builtin_work.register_work_builtins`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.reports.engine import MAX_ROWS, Column, ReportResult
from thanhhoa_kpi.worklogs import plausibility
from thanhhoa_kpi.worklogs import plausibility_rules as rules
from thanhhoa_kpi.worklogs.models import WorkLogLine

TITLE = "Kiểm tra tính hợp lý của nhật ký công việc"
NOTE = (
    "Kết quả kiểm tra tự động để lãnh đạo xem xét khi duyệt; không tự động trừ điểm, "
    "không thay đổi số lượng hay kết quả duyệt. Ngưỡng kiểm tra do quản trị cấp tỉnh đặt."
)
COLUMNS = [
    Column("official", "Cán bộ", "text"),
    Column("code", "Mã CBCCVC", "text"),
    Column("unit", "Đơn vị", "text"),
    Column("check", "Nội dung kiểm tra", "text"),
    Column("lines", "Số dòng", "number"),
    Column("days", "Ngày", "text"),
    Column("explanation", "Giải thích", "text"),
]
MAX_TEXTS = 5  # explanations listed per row; the rest are counted
MAX_LINES = 50_000  # lines of a month checked at once without a unit picked


@dataclass
class _Row:
    official: str
    code: str
    unit: str
    lines: int = 0
    days: set[date] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)

    def add(self, day: date, text: str) -> None:
        self.lines += 1
        self.days.add(day)
        if text not in self.texts:
            self.texts.append(text)

    def explanation(self) -> str:
        shown = self.texts[:MAX_TEXTS]
        more = len(self.texts) - len(shown)
        return " · ".join(shown) + (f" · (và {more} giải thích khác)" if more else "")


def integrity_report(user: Any, params: dict[str, Any]) -> ReportResult:
    from thanhhoa_kpi.reports.builtin_work import _int, _unit, _work_period  # registered from there

    period = _work_period(params)
    lines = access.scoped(WorkLogLine.objects.filter(period=period), user)
    unit = _unit(user, params)
    if unit is not None:
        lines = lines.filter(unit__path__startswith=unit.path)
    elif _int(params, "unit"):
        lines = lines.none()  # a unit outside the scope
    subtitle = f"{period}" + (f" — {unit.name}" if unit else "")
    if unit is None and lines.count() > MAX_LINES:
        # The checks read every line of the month once per line's day, number and file: a
        # province's month is asked unit by unit.
        return ReportResult(title=TITLE, columns=COLUMNS, rows=[], note=NOTE,
                            subtitle=f"{subtitle}: phạm vi quá lớn, hãy chọn một đơn vị.")  # fmt: skip
    flags = plausibility.flags_for(lines)
    facts = WorkLogLine.objects.filter(pk__in=list(flags)).values_list(
        "pk", "date", "official__full_name", "official__code", "unit__name"
    )
    rows: dict[tuple[str, str, str], _Row] = {}
    for pk, day, name, code, unit_name in facts:
        for flag in flags[pk]:
            row = rows.setdefault((code, unit_name or "", flag.code), _Row(name, code, unit_name or ""))
            row.add(day, flag.text)
    ordered = sorted(rows.items(), key=lambda item: (item[1].unit, item[1].official, rules.ORDER.index(item[0][2])))
    data = [
        [row.official, row.code, row.unit, rules.LABELS[check], row.lines,
         ", ".join(f"{day:%d/%m}" for day in sorted(row.days)), row.explanation()]
        for (_code, _unit_name, check), row in ordered
    ]  # fmt: skip
    truncated = len(data) > MAX_ROWS
    return ReportResult(
        title=TITLE, columns=COLUMNS, rows=data[:MAX_ROWS], truncated=truncated, subtitle=subtitle, note=NOTE,
        warning="Chỉ hiển thị 5.000 dòng đầu; hãy chọn một đơn vị." if truncated else "",
    )  # fmt: skip
