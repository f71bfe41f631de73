"""The public holiday calendar (``fixtures/base/holidays.yaml``), loaded by date.

Bộ luật Lao động 2019 Điều 112 gives the days (Tết Dương lịch, five days of Tết Âm lịch,
Giỗ Tổ Hùng Vương 10/3 âm lịch, 30/4, 1/5, Quốc khánh 2/9 and one day beside it); a day
falling on a weekend is taken on the next working day (Điều 111 khoản 3); each year the
Ministry of Home Affairs announces where Tết and the adjacent days fall and any day swapped
for a Saturday worked (``WORKDAY``). Province admins correct the rows in the desk
(«Lịch nghỉ lễ, Tết»); the loader upserts by date and never deletes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from thanhhoa_kpi.core.seeding import register_loader
from thanhhoa_kpi.worklogs.models import HolidayKind, PublicHoliday


@register_loader("holidays.yaml", priority=10)
def load_holidays(rows: list[dict[str, Any]]) -> int:
    for row in rows:
        day = row["date"] if isinstance(row["date"], date) else date.fromisoformat(str(row["date"]))
        kind = str(row.get("kind") or HolidayKind.HOLIDAY)
        if kind not in HolidayKind.values:
            raise ValueError(f"holidays.yaml: loại ngày không hợp lệ: {kind}")
        PublicHoliday.objects.update_or_create(date=day, defaults={"name": str(row["name"]), "kind": kind})
    return len(rows)
