"""Officials with their current posting: upsert by code, postings changed through services.

The posting a row describes is compared with the official's open posting (no end date,
the latest start): the same unit and position update it in place; another unit or
position is a transfer on the row's start date (``official_transfer`` closes the old
posting the day before, so history is kept). Blank unit, position and start date keep an
existing official's posting as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.db.models import QuerySet

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import JobPosition, Official, OfficialAssignment, OrgUnit
from thanhhoa_kpi.transfer.custom import plan_custom, with_custom_cells
from thanhhoa_kpi.transfer.kinds.base import (
    CREATE,
    SAME,
    UPDATE,
    Change,
    cell_key,
    differences,
    directory,
    unique_rows,
)
from thanhhoa_kpi.transfer.kinds.base import Directory as _Lookup
from thanhhoa_kpi.transfer.report import ImportReport
from thanhhoa_kpi.transfer.specs import OFFICIALS
from thanhhoa_kpi.transfer.workbook import Row, SheetRows

PERSON = ("full_name", "birth_date", "gender", "email", "phone", "category")
PLACE = ("unit", "position", "start_date")
FAILED = object()  # a posting with errors (already reported)


@dataclass(frozen=True)
class _Posting:
    unit: OrgUnit
    position: JobPosition
    start_date: date
    leadership_role: str
    fields_in_charge: list[str]
    current: OfficialAssignment | None

    @property
    def same_place(self) -> bool:
        current = self.current
        return current is not None and (current.unit_id, current.position_id) == (self.unit.pk, self.position.pk)

    @property
    def unchanged(self) -> bool:
        current = self.current
        if current is None or not self.same_place:
            return False
        now = (current.leadership_role, current.fields_in_charge or [], current.start_date)
        return now == (self.leadership_role, self.fields_in_charge, self.start_date)


def plan(sheets: dict[str, SheetRows], user: Any, report: ImportReport) -> list[Change]:
    data = sheets[OFFICIALS.main.title]
    rows = unique_rows(data, cell_key("code"), "code", report)
    lookup = _lookup([r.get("code") for r in rows], user)
    changes = []
    for row in rows:
        change = _plan_row(row, lookup, data, report, user)
        if change is not None and not row.bad:
            changes.append(change)
    return changes


def _lookup(codes: list[str], user: Any) -> _Lookup:
    return directory(codes, user, _open_postings)


def _open_postings(rows: QuerySet) -> dict[int, OfficialAssignment]:
    return {a.official_id: a for a in rows.filter(end_date__isnull=True).order_by("start_date")}  # latest start wins


def _plan_row(row: Row, lookup: _Lookup, data: SheetRows, report: ImportReport, user: Any) -> Change | None:
    code = row.get("code")
    official = lookup.officials.get(code)
    if official is not None and official.pk not in lookup.writable_ids:
        message = f"Mã CBCCVC «{code}» đã thuộc về một cán bộ ngoài phạm vi bạn quản lý."
        data.error(report, row.number, "code", message)
        return None
    posting = _posting(row, official, lookup, data, report)
    place = posting.unit if isinstance(posting, _Posting) else None  # the unit the row posts them to
    custom = plan_custom("official", row, data, report, official, host=place)
    if posting is FAILED or custom is None:
        return None
    if posting is not None and official is not None and official.user_id and official.user_id == user.pk:
        data.error(report, row.number, "unit", "Không ai được tự thay đổi quá trình công tác của chính mình.")
        return None
    person = {name: row.get(name) for name in PERSON if row.has(name)} | {"custom": custom}
    if official is None:
        return Change(row.number, "", CREATE, partial(_create, user, code, person, posting))
    diff = differences(official, person)
    if not diff and posting is None:
        return Change(row.number, "", SAME)
    return Change(row.number, "", UPDATE, partial(_update, user, official, diff, posting))


def _posting(row: Row, official: Official | None, lookup: _Lookup, data: SheetRows, report: ImportReport) -> Any:
    """The posting to write, ``None`` to keep the current one, or ``FAILED``."""
    if row.bad & set(PLACE):
        return FAILED
    given = {name: row.get(name) for name in PLACE if row.get(name)}
    if not given and official is not None:
        return None
    missing = [name for name in PLACE if name not in given]
    for name in missing:
        message = (
            "Cán bộ mới phải có đơn vị, vị trí và ngày bắt đầu."
            if official is None
            else "Cần ghi đủ đơn vị, vị trí và ngày bắt đầu."
        )
        data.error(report, row.number, name, message)
    unit = lookup.units.get(given.get("unit", ""))
    position = lookup.positions.get(given.get("position", ""))
    if "unit" in given and unit is None:
        data.error(report, row.number, "unit", f"Không tìm thấy đơn vị có mã «{given['unit']}».")
    if "position" in given and position is None:
        data.error(report, row.number, "position", f"Không tìm thấy vị trí việc làm có mã «{given['position']}».")
    if missing or unit is None or position is None:
        return FAILED
    return _checked_posting(row, _posting_of(row, unit, position, official, lookup), lookup, data, report)


def _posting_of(row: Row, unit: OrgUnit, position: JobPosition, official: Official | None, lookup: _Lookup) -> _Posting:
    current = lookup.postings.get(official.pk) if official is not None else None
    role = row.get("leadership_role") if row.has("leadership_role") else getattr(current, "leadership_role", "NONE")
    fields = (
        row.get("fields_in_charge") if row.has("fields_in_charge") else list(getattr(current, "fields_in_charge", []))
    )
    return _Posting(unit, position, row.get("start_date"), role, fields, current)


def _checked_posting(row: Row, posting: _Posting, lookup: _Lookup, data: SheetRows, report: ImportReport) -> Any:
    if posting.unchanged:
        return None
    if posting.unit.pk not in lookup.writable_units:
        data.error(report, row.number, "unit", f"Bạn không quản lý đơn vị «{posting.unit.code}».")
        return FAILED
    current = posting.current
    if current is not None and not posting.same_place and posting.start_date <= current.start_date:
        message = (
            "Đổi đơn vị hoặc vị trí là điều động: ngày bắt đầu phải sau ngày bắt đầu hiện tại "
            f"({current.start_date:%d/%m/%Y})."
        )
        data.error(report, row.number, "start_date", message)
        return FAILED
    return posting


def _create(user: Any, code: str, person: dict[str, Any], posting: _Posting) -> None:
    assignment = {
        "unit": posting.unit,
        "position": posting.position,
        "start_date": posting.start_date,
        "leadership_role": posting.leadership_role,
        "fields_in_charge": posting.fields_in_charge,
    }
    org.official_create(by=user, code=code, assignment=assignment, **person)


def _update(user: Any, official: Official, person: dict[str, Any], posting: _Posting | None) -> None:
    if person:
        org.official_update(by=user, official=official, **person)
    if posting is None:
        return
    place = {"unit": posting.unit, "position": posting.position}
    role = {"leadership_role": posting.leadership_role, "fields_in_charge": posting.fields_in_charge}
    if posting.current is None:
        org.official_assign(by=user, official=official, start_date=posting.start_date, **place, **role)
    elif posting.same_place:
        current = posting.current
        current.start_date = posting.start_date
        current.leadership_role, current.fields_in_charge = role["leadership_role"], role["fields_in_charge"]
        org.assignment_save(by=user, assignment=current)
    else:
        org.official_transfer(by=user, official=official, on=posting.start_date, **place, **role)


def export(user: Any) -> dict[str, Iterable[dict[str, Any]]]:
    return {OFFICIALS.main.title: with_custom_cells(OFFICIALS.custom_doctype, _export_rows(user))}


def _export_rows(user: Any) -> Iterator[dict[str, Any]]:
    officials = access.scoped(Official.objects.order_by("code"), user)
    postings = {}
    rows = OfficialAssignment.objects.filter(official__in=officials.values("pk"), end_date__isnull=True)
    fields = ("official_id", "unit__code", "position__code", "leadership_role", "fields_in_charge", "start_date")
    for values in rows.order_by("start_date").values_list(*fields):
        postings[values[0]] = values[1:]  # the latest start wins
    for official in officials.values("pk", "code", "custom", *PERSON).iterator(chunk_size=2000):
        posting = postings.get(official.pop("pk"), (None,) * 5)
        yield official | dict(
            zip(("unit", "position", "leadership_role", "fields_in_charge", "start_date"), posting, strict=True)
        )
