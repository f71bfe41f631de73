"""``kpi_score FILE|-`` and ``kpi_score --quota FILE|-`` (SPEC 5.8, 5.9).

Reads the JSON, computes with the current rule sets, prints the JSON result. Bad input,
including a file that cannot be read, prints the SPEC 8.1 error body (in Vietnamese)
and exits with status 2. Nothing is written.

The rule sets are the database's current versions. With no database configured (a bare
``make install``: no ``DATABASE_URL`` nor ``DB_NAME``, and no demo SQLite file yet) the
command uses the rule sets shipped in ``fixtures/base/rule_sets.json`` without touching
the database, as SPEC 5.8 says; so it does, with a warning on standard error, when the
configured database cannot be read.
"""

import errno
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections

from thanhhoa_kpi.appraisals.rulesets import rule_sets_current
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.scoring import (
    RuleParams,
    ScoringInputError,
    parse_json_text,
    parse_rule_sets,
    quota_preview,
    score_preview,
)

SHIPPED_RULE_SETS = FIXTURES_DIR / "base" / "rule_sets.json"

# Why a file could not be read, in the user's words (the system's own text is English).
_READ_ERRORS = {
    errno.ENOENT: "Không tìm thấy tệp {file}.",
    errno.EISDIR: "{file} là một thư mục, không phải tệp.",
    errno.EACCES: "Không có quyền đọc tệp {file}.",
}


def database_configured() -> bool:
    """False for the zero-setup SQLite demo before its file exists (opening it would create it)."""
    database = settings.DATABASES["default"]
    if connections["default"].vendor == "sqlite":  # Django's backend or thanhhoa_kpi.core.sqlite
        return Path(database["NAME"]).is_file()
    return True


def shipped_rule_sets() -> dict[str, RuleParams]:
    return {code: rule_set.params for code, rule_set in parse_rule_sets(read_file(SHIPPED_RULE_SETS)).items()}


def read_error(file: str, exc: OSError) -> str:
    template = _READ_ERRORS.get(exc.errno or 0, "Không đọc được tệp {file} (mã lỗi {code}).")
    return template.format(file=file, code=exc.errno)


class Command(BaseCommand):
    help = "Tính thử điểm một kỳ của một cán bộ (hoặc áp dụng tỷ lệ xuất sắc với --quota) từ tệp JSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="Tệp JSON, hoặc - để đọc từ đầu vào chuẩn")
        parser.add_argument("--quota", action="store_true", help="Xem trước tỷ lệ xuất sắc của một đơn vị (SPEC 5.9)")

    def handle(self, *args: Any, file: str, quota: bool, **options: Any) -> None:
        try:
            text = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            self._fail({"status": "ERROR", "code": "FILE_NOT_READABLE", "message": "Không đọc được tệp đầu vào.",
                        "errors": [{"field": "file", "message": read_error(file, exc)}]})  # fmt: skip
            return
        try:
            data = parse_json_text(text)
            result = (quota_preview if quota else score_preview)(data, self._rule_sets())
        except ScoringInputError as exc:
            self._fail(exc.as_dict())
            return
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _rule_sets(self) -> Mapping[str, RuleParams]:
        """The current rule sets of the database, or the shipped ones without one (SPEC 5.8)."""
        if not database_configured():
            return shipped_rule_sets()
        try:
            return rule_sets_current()
        except DatabaseError:
            self.stderr.write("Không đọc được cơ sở dữ liệu; dùng bộ quy tắc kèm theo (fixtures/base/rule_sets.json).")
            return shipped_rule_sets()

    def _fail(self, body: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(body, ensure_ascii=False))
        sys.exit(2)
