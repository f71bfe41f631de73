"""The national CBCCVC database's export: officials and their postings, compared before applying.

The file has one row per posting (quá trình công tác), the official's own fields repeated
on each of their rows and keyed by "Mã CBCCVC" (docs/cbccvc.md). For each official the
rows are compared with what is stored, and every difference is listed in the report
before anything is written (:class:`~thanhhoa_kpi.transfer.report.Difference`):

- an unknown code is a new official with every posting of the file;
- the official's own fields are taken from their first row; another row disagreeing is
  an error of that row and column, so a half-edited export is never guessed at;
- a posting is the same posting when the unit, the position and "Từ ngày" are the same;
  its "Đến ngày" and leadership role are updated from the file (an open posting given
  an end date is an ended posting); a posting of the file not stored is a new posting;
- a stored open posting absent from the file is ended the day before the next posting
  of the file that starts after it (a transfer, as ``official_transfer`` does), and kept
  as it is, but listed, when the file has no later posting;
- officials with an open posting in a unit the file places people in now, in the
  importer's scope, who are absent from the file are listed as missing and left alone:
  leaving or retiring is decided in the desk, not inferred from a missing row.

Rights: the importer must be allowed to change each official (``access.writable``) and
every unit a written posting is in, and nobody changes their own postings; the write
services check the same again. The official is checked here once, before their postings
are written, so the services are told so (``official_checked``): a posting history
written in any order would otherwise leave the official out of scope halfway.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.db.models import QuerySet

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.choices import LeadershipRole
from thanhhoa_kpi.organization.models import JobPosition, Official, OfficialAssignment, OrgUnit
from thanhhoa_kpi.transfer import cells
from thanhhoa_kpi.transfer.kinds.base import CREATE, SAME, UPDATE, Change, chunks, differences, directory
from thanhhoa_kpi.transfer.kinds.base import Directory as _Lookup
from thanhhoa_kpi.transfer.report import Difference, ImportReport
from thanhhoa_kpi.transfer.specs import CBCCVC
from thanhhoa_kpi.transfer.workbook import Row, SheetRows

PERSON = ("full_name", "birth_date", "gender", "email", "phone", "category")
PLACE = ("unit", "position", "start_date", "end_date", "leadership_role")
CURRENT = "đang công tác"
BLANK = "(trống)"


@dataclass(frozen=True)
class _Posting:
    """The posting one row describes; ``leadership_role`` is None when the column is absent."""

    row: int
    unit: OrgUnit
    position: JobPosition
    start_date: date
    end_date: date | None
    leadership_role: str | None

    @property
    def key(self) -> tuple[int, int, date]:
        return (self.unit.pk, self.position.pk, self.start_date)


@dataclass
class _Plan:
    """What applying writes for one official."""

    code: str
    official: Official | None
    person: dict[str, Any] = field(default_factory=dict)  # every field when new, else only the changed ones
    edits: list[tuple[OfficialAssignment, dict[str, Any], int]] = field(default_factory=list)  # posting, values, row
    new: list[_Posting] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        return self.official is None or bool(self.person or self.edits or self.new)

    @property
    def moves(self) -> bool:
        return bool(self.edits or self.new)

    def write(self, user: Any) -> None:
        official = self.official
        if official is None:
            official = org.official_create(by=user, code=self.code, **self.person)
        elif self.person:
            official = org.official_update(by=user, official=official, **self.person)
        for posting, values, _row in self.edits:  # ends first: at most one posting stays open
            for name, value in values.items():
                setattr(posting, name, value)
            org.assignment_save(by=user, assignment=posting, official_checked=True)
        for new in self.new:
            posting = OfficialAssignment(
                official=official,
                unit=new.unit,
                position=new.position,
                start_date=new.start_date,
                end_date=new.end_date,
                leadership_role=new.leadership_role or LeadershipRole.NONE,
            )
            org.assignment_save(by=user, assignment=posting, official_checked=True)


def plan(sheets: dict[str, SheetRows], user: Any, report: ImportReport) -> list[Change]:
    data = sheets[CBCCVC.main.title]
    groups = _groups(data)
    lookup = _lookup(list(groups), user)
    changes: list[Change] = []
    for code, rows in groups.items():
        changes += _plan_official(code, rows, lookup, data, report, user)
    report.differences += _missing(data, groups, lookup, user)
    return changes


def _groups(data: SheetRows) -> dict[str, list[Row]]:
    """Rows by official code, in file order (rows without a usable code are reported already)."""
    groups: dict[str, list[Row]] = {}
    for row in data.rows:
        if "code" not in row.bad and row.get("code"):
            groups.setdefault(row.get("code"), []).append(row)
    return groups


def _lookup(codes: list[str], user: Any) -> _Lookup:
    return directory(codes, user, _all_postings)


def _all_postings(rows: QuerySet) -> dict[int, list[OfficialAssignment]]:
    found: dict[int, list[OfficialAssignment]] = {}
    for posting in rows.select_related("unit", "position").order_by("start_date", "pk"):
        found.setdefault(posting.official_id, []).append(posting)
    return found


def _plan_official(
    code: str, rows: list[Row], lookup: _Lookup, data: SheetRows, report: ImportReport, user: Any
) -> list[Change]:
    official = lookup.officials.get(code)
    first = rows[0]
    if official is not None and official.pk not in lookup.writable_ids:
        data.error(report, first.number, "code", f"Mã CBCCVC «{code}» thuộc về một cán bộ ngoài phạm vi bạn quản lý.")
        return []
    person = _person(rows, data, report)
    postings = _postings(rows, lookup, data, report)
    if person is None or postings is None:
        return []
    name = person.get("full_name") or getattr(official, "full_name", "")
    found = _Plan(code, official)
    actions = dict.fromkeys((row.number for row in rows), SAME)
    diffs: list[Difference] = []
    if official is None:
        found.person = person
        diffs.append(Difference("new_official", code, name, row=first.number))
    else:
        found.person = differences(official, person)
        diffs += [_changed(data, code, name, key, getattr(official, key), value, first.number)
                  for key, value in found.person.items()]  # fmt: skip
        if found.person:
            actions[first.number] = UPDATE
    stored = lookup.postings.get(official.pk, []) if official is not None else []
    diffs += _compare_postings(found, postings, stored, actions, name)
    if not _allowed(found, first, lookup, data, report, user):
        return []
    report.differences += diffs
    write = partial(found.write, user) if found.writes else None
    return [Change(row.number, "", actions[row.number], write if row is first else None) for row in rows]


def _person(rows: list[Row], data: SheetRows, report: ImportReport) -> dict[str, Any] | None:
    """The official's own fields, from their first row; later rows must say the same."""
    first = rows[0]
    values = {key: first.get(key) for key in PERSON if first.has(key)}
    ok = not (first.bad & set(PERSON))
    for row in rows[1:]:
        ok = ok and not (row.bad & set(PERSON))
        for key, value in values.items():
            if row.has(key) and row.get(key) != value:
                shown = _shown(data, key, value)
                message = f"Khác với dòng {first.number} của cùng Mã CBCCVC (dòng {first.number} ghi «{shown}»)."
                data.error(report, row.number, key, message)
                ok = False
    return values if ok else None


def _postings(rows: list[Row], lookup: _Lookup, data: SheetRows, report: ImportReport) -> list[_Posting] | None:
    """The file's postings of one official; ``None`` when any is wrong (each error reported)."""
    found: list[_Posting] = []
    seen: dict[tuple[int, int, date], int] = {}
    open_row = None
    ok = True
    for row in rows:
        posting = _posting(row, lookup, data, report)
        if posting is None:
            ok = False
        elif posting.key in seen:
            message = f"Trùng với dòng {seen[posting.key]}: cùng cán bộ, đơn vị, vị trí việc làm và ngày bắt đầu."
            data.error(report, row.number, "start_date", message)
            ok = False
        elif posting.end_date is None and open_row is not None:
            message = f"Mỗi cán bộ chỉ có một quá trình công tác đang diễn ra; dòng {open_row} cũng để trống Đến ngày."
            data.error(report, row.number, "end_date", message)
            ok = False
        else:
            seen[posting.key] = row.number
            open_row = row.number if posting.end_date is None else open_row
            found.append(posting)
    return found if ok else None


def _posting(row: Row, lookup: _Lookup, data: SheetRows, report: ImportReport) -> _Posting | None:
    if row.bad & set(PLACE):
        return None  # the cell errors are reported already
    unit = lookup.units.get(row.get("unit"))
    position = lookup.positions.get(row.get("position"))
    start, end = row.get("start_date"), row.get("end_date")
    if unit is None:
        data.error(report, row.number, "unit", f"Không tìm thấy đơn vị có mã «{row.get('unit')}».")
    if position is None:
        data.error(report, row.number, "position", f"Không tìm thấy vị trí việc làm có mã «{row.get('position')}».")
    if end is not None and end < start:
        data.error(report, row.number, "end_date", f"Đến ngày phải từ Từ ngày ({start:%d/%m/%Y}) trở đi.")
        return None
    if unit is None or position is None:
        return None
    role = row.get("leadership_role") if row.has("leadership_role") else None
    return _Posting(row.number, unit, position, start, end, role)


def _compare_postings(
    found: _Plan, postings: list[_Posting], stored: list[OfficialAssignment], actions: dict[int, str], name: str
) -> list[Difference]:
    by_key = {(a.unit_id, a.position_id, a.start_date): a for a in stored}
    listed = {posting.key for posting in postings}
    starts = sorted(posting.start_date for posting in postings)
    diffs = [
        _unlisted(found, current, starts, postings, name)
        for key, current in by_key.items()
        if key not in listed and current.end_date is None
    ]
    for posting in postings:
        current = by_key.get(posting.key)
        if current is None:
            found.new.append(posting)
            actions[posting.row] = CREATE
            place = _place(posting.unit, posting.position, posting.start_date)
            diffs.append(Difference("new_posting", found.code, name, place, "", _span(posting), posting.row))
            continue
        edits = _edit(found, current, posting, name)
        if edits:
            actions[posting.row] = UPDATE
        diffs += edits
    return diffs


def _edit(found: _Plan, current: OfficialAssignment, posting: _Posting, name: str) -> list[Difference]:
    """The end date and leadership role of a stored posting the file lists too."""
    values: dict[str, Any] = {}
    diffs = []
    place = _place(current.unit, current.position, current.start_date)
    if current.end_date != posting.end_date:
        values["end_date"] = posting.end_date
        kind = "ended_posting" if current.end_date is None else "changed"
        old, new = _day(current.end_date), _day(posting.end_date)
        diffs.append(Difference(kind, found.code, name, f"{place}: Đến ngày", old, new, posting.row))
    role = posting.leadership_role
    if role is not None and role != current.leadership_role:
        values["leadership_role"] = role
        old, new = LeadershipRole(current.leadership_role).label, LeadershipRole(role).label
        diffs.append(Difference("changed", found.code, name, f"{place}: Chức vụ lãnh đạo", old, new, posting.row))
    if values:
        found.edits.append((current, values, posting.row))
    return diffs


def _unlisted(
    found: _Plan, current: OfficialAssignment, starts: list[date], postings: list[_Posting], name: str
) -> Difference:
    """A stored open posting the file leaves out: ended before the file's next posting, else kept."""
    place = _place(current.unit, current.position, current.start_date)
    later = [start for start in starts if start > current.start_date]
    if not later:
        return Difference("not_in_file", found.code, name, place, CURRENT, CURRENT)
    end = later[0] - timedelta(days=1)
    row = next(p.row for p in postings if p.start_date == later[0])
    found.edits.append((current, {"end_date": end}, row))
    return Difference("ended_posting", found.code, name, f"{place}: Đến ngày", CURRENT, _day(end), row)


def _allowed(found: _Plan, first: Row, lookup: _Lookup, data: SheetRows, report: ImportReport, user: Any) -> bool:
    """Every unit written is the importer's, and nobody moves themself."""
    ok = True
    for posting in found.new:
        if posting.unit.pk not in lookup.writable_units:
            data.error(report, posting.row, "unit", f"Bạn không quản lý đơn vị «{posting.unit.code}».")
            ok = False
    for current, _values, row in found.edits:
        if current.unit_id not in lookup.writable_units:
            message = f"Quá trình công tác tại «{current.unit.code}» thuộc đơn vị bạn không quản lý."
            data.error(report, row, "unit", message)
            ok = False
    official = found.official
    if ok and found.moves and official is not None and official.user_id and official.user_id == user.pk:
        data.error(report, first.number, "unit", "Không ai được tự thay đổi quá trình công tác của chính mình.")
        ok = False
    return ok


def _missing(data: SheetRows, groups: dict[str, list[Row]], lookup: _Lookup, user: Any) -> list[Difference]:
    """Officials posted now in a unit where the file posts people now, absent from the file."""
    units = {
        lookup.units[row.get("unit")].pk
        for rows in groups.values()
        for row in rows
        if not row.bad and row.get("end_date") is None and row.get("unit") in lookup.units
    }
    if not units:
        return []
    postings = (
        OfficialAssignment.objects.filter(end_date__isnull=True, unit_id__in=units)
        .select_related("official", "unit")
        .order_by("unit__path", "official__full_name", "official__code")
    )
    absent = [p for p in postings if p.official.code not in groups]
    allowed: set[int] = set()
    for part in chunks(sorted({p.official_id for p in absent})):
        allowed |= set(access.writable(Official.objects.filter(pk__in=part), user).values_list("id", flat=True))
    return [
        Difference("missing", p.official.code, p.official.full_name, f"{p.unit.code} – {p.unit.name}", CURRENT, "")
        for p in absent
        if p.official_id in allowed
    ]


# --- text of the differences ---------------------------------------------------------------
def _place(unit: OrgUnit, position: JobPosition, start: date) -> str:
    return f"{unit.code} – {position.name}, từ {start:%d/%m/%Y}"


def _day(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else CURRENT


def _span(posting: _Posting) -> str:
    return f"{posting.start_date:%d/%m/%Y} – {_day(posting.end_date)}"


def _shown(data: SheetRows, key: str, value: Any) -> str:
    rendered = cells.render(data.sheet.column(key), value)
    if isinstance(rendered, date):
        return f"{rendered:%d/%m/%Y}"
    return BLANK if rendered in (None, "") else str(rendered)


def _changed(data: SheetRows, code: str, name: str, key: str, old: Any, new: Any, row: int) -> Difference:
    header = data.sheet.header(key)
    return Difference("changed", code, name, header, _shown(data, key, old), _shown(data, key, new), row)


# --- export in the same layout ---------------------------------------------------------------
def export(user: Any) -> dict[str, Iterable[dict[str, Any]]]:
    """Every posting of the officials the user sees, one row each (officials without any posting
    have no row: the layout needs a unit). Re-importing it changes nothing."""
    return {CBCCVC.main.title: _export_rows(user)}


def _export_rows(user: Any) -> Iterator[dict[str, Any]]:
    officials = access.scoped(Official.objects.all(), user)
    fields = ("unit__code", "position__code", "leadership_role", "start_date", "end_date")
    people = {o["pk"]: o for o in officials.values("pk", "code", *PERSON)}
    postings = OfficialAssignment.objects.filter(official_id__in=officials.values("pk"))
    rows = postings.order_by("official__code", "start_date", "pk").values_list("official_id", *fields)
    for official_id, *values in rows.iterator(chunk_size=2000):
        person = dict(people[official_id])
        person.pop("pk")
        yield person | dict(zip(("unit", "position", "leadership_role", "start_date", "end_date"), values, strict=True))
