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

from django.db.models import QuerySet

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.organization.models import JobPosition, Official, OfficialAssignment, OrgUnit
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


@dataclass
class Directory:
    """What a file of officials is checked against: the officials its codes name (and those
    the user may change), every unit and position by code (and the units the user manages),
    and each named official's stored postings in the form the kind wants."""

    officials: dict[str, Official]
    writable_ids: set[int]
    units: dict[str, OrgUnit]
    writable_units: set[int]
    positions: dict[str, JobPosition]
    postings: dict[int, Any]


def directory(codes: list[str], user: Any, postings: Callable[[QuerySet], dict[int, Any]]) -> Directory:
    """``postings`` turns the postings of some officials into the kind's entries by official id."""
    officials: dict[str, Official] = {}
    writable_ids: set[int] = set()
    for part in chunks(codes):
        found = Official.objects.filter(code__in=part)
        officials.update({o.code: o for o in found})
        writable_ids |= set(access.writable(found, user).values_list("id", flat=True))
    stored: dict[int, Any] = {}
    for part in chunks([o.pk for o in officials.values()]):
        stored.update(postings(OfficialAssignment.objects.filter(official_id__in=part)))
    return Directory(
        officials=officials,
        writable_ids=writable_ids,
        units={u.code: u for u in OrgUnit.objects.all()},
        writable_units=set(access.writable(OrgUnit.objects.all(), user).values_list("id", flat=True)),
        positions={p.code: p for p in JobPosition.objects.all()},
        postings=stored,
    )


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
