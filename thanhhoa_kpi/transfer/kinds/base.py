"""What every kind's planner returns, and the checks they share.

A planner reads the converted rows, checks them against the database and the user's
scope, reports every problem, and returns one :class:`Change` per row. A change holds
the write to run later, or none when the row already matches the database; planning
itself never writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from thanhhoa_kpi.transfer.report import ImportReport
from thanhhoa_kpi.transfer.workbook import Row, SheetRows

CREATE, UPDATE, SAME = "create", "update", "same"
CHUNK = 1000  # rows per IN (...) query when looking up codes from a large file


@dataclass
class Change:
    row: int
    sheet: str
    action: str
    write: Callable[[], None] | None = None


class Kind(Protocol):
    def plan(self, sheets: dict[str, SheetRows], user: Any, report: ImportReport) -> list[Change]: ...

    def export(self, user: Any) -> dict[str, Iterable[dict[str, Any]]]: ...


def unique_rows(data: SheetRows, key: Callable[[Row], Any], column: str, report: ImportReport) -> list[Row]:
    """Rows whose key cell is usable, without the later repeats of a key (each reported)."""
    first_seen: dict[Any, int] = {}
    out: list[Row] = []
    for row in data.rows:
        value = key(row)
        if value is None:
            continue
        if value in first_seen:
            shown = value if isinstance(value, str) else " / ".join(str(v) for v in value)
            data.error(report, row.number, column, f"Mã «{shown}» bị trùng với dòng {first_seen[value]}.")
            continue
        first_seen[value] = row.number
        out.append(row)
    return out


def cell_key(*keys: str) -> Callable[[Row], Any]:
    """The key of a row from one or several cells; ``None`` when any of them is unusable."""

    def key(row: Row) -> Any:
        if any(k in row.bad or not row.get(k) for k in keys):
            return None
        return row.get(keys[0]) if len(keys) == 1 else tuple(row.get(k) for k in keys)

    return key


def differences(obj: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if getattr(obj, name) != value}


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def apply_values(obj: Any, values: dict[str, Any], *, exclude: Iterable[str] = ()) -> None:
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean(exclude=list(exclude), validate_constraints=False)
    obj.save()
