"""The result of checking (or running) an import: row count, counts per action, errors.

Every error names the Excel row (the header is row 1) and the column header, in
Vietnamese, so people can fix the file without guessing. File-level problems (not an
Excel file, too large, empty) have no row.

A kind that compares a whole file with the database (the national CBCCVC export) also
lists what applying would change, as :class:`Difference` rows shown before confirming.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thanhhoa_kpi.core.errors import FieldError, ValidationFailed

# Past this many, listing more helps nobody: the rest are counted in one closing line.
MAX_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    message: str
    sheet: str = ""

    @property
    def field(self) -> str:
        """``Dòng 5, cột Mã đơn vị`` (with the sheet when the kind has several sheets)."""
        parts = [f"Trang {self.sheet}"] if self.sheet else []
        if self.row is not None:
            parts.append(f"dòng {self.row}" if parts else f"Dòng {self.row}")
        if self.column:
            parts.append(f"cột {self.column}")
        return ", ".join(parts) or "Tệp"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


@dataclass(frozen=True)
class Difference:
    """One change applying would make, or one fact to act on by hand (an official missing
    from the file): ``kind`` is a stable code, the rest Vietnamese text for the table."""

    kind: str
    code: str
    name: str
    subject: str = ""
    old: str = ""
    new: str = ""
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_label": DIFFERENCE_LABELS.get(self.kind, self.kind),
            "row": self.row,
            "code": self.code,
            "name": self.name,
            "subject": self.subject,
            "old": self.old,
            "new": self.new,
        }


DIFFERENCE_LABELS = {
    "new_official": "Cán bộ mới",
    "changed": "Thay đổi thông tin",
    "new_posting": "Quá trình công tác mới",
    "ended_posting": "Kết thúc quá trình công tác",
    "not_in_file": "Quá trình công tác không có trong tệp (giữ nguyên)",
    "missing": "Cán bộ không có trong tệp (giữ nguyên)",
}


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    hidden_errors: int = 0
    sheet_order: tuple[str, ...] = ()
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.hidden_errors

    def add(self, row: int | None, column: str, message: str, sheet: str = "") -> None:
        if len(self.errors) >= MAX_ERRORS:
            self.hidden_errors += 1
            return
        self.errors.append(RowError(row, column, message, sheet))

    def sorted_errors(self) -> list[RowError]:
        def key(error: RowError) -> tuple[int, int]:
            index = self.sheet_order.index(error.sheet) if error.sheet in self.sheet_order else -1
            return index, error.row or 0

        return sorted(self.errors, key=key)

    def error_dicts(self) -> list[dict[str, Any]]:
        out = [e.as_dict() for e in self.sorted_errors()]
        if self.hidden_errors:
            message = f"Còn {self.hidden_errors} lỗi khác chưa hiển thị; hãy sửa các lỗi trên rồi kiểm tra lại."
            out.append(RowError(None, "", message).as_dict())
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "valid": self.ok,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": self.error_count,
            "errors": self.error_dicts(),
            "differences": self.difference_dicts(),
        }

    def difference_dicts(self) -> list[dict[str, Any]]:
        return [d.as_dict() for d in self.differences]

    def failure(self) -> ImportInvalid:
        return ImportInvalid(self)


class ImportInvalid(ValidationFailed):
    """Raised by ``import_apply`` when any row fails: nothing has been written.

    A :class:`ValidationFailed`, so the API answers 400 with the SPEC 8.1 body whose
    ``errors`` name each row and column; the full report travels along for the desk.
    """

    def __init__(self, report: ImportReport):
        errors = [FieldError(e["field"], e["message"]) for e in report.error_dicts()]
        message = f"Tệp có {report.error_count} lỗi; chưa có dữ liệu nào được ghi. Hãy sửa và tải lên lại."
        super().__init__(message, errors, code="IMPORT_INVALID")
        self.report = report
