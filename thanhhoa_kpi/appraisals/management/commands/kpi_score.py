"""``kpi_score FILE|-`` and ``kpi_score --quota FILE|-`` (SPEC 5.8, 5.9).

Reads the JSON, computes with the current rule sets, prints the JSON result. Bad input
prints the SPEC 8.1 error body and exits with status 2. Nothing is written.
"""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from thanhhoa_kpi.appraisals.rulesets import rule_sets_current
from thanhhoa_kpi.scoring import ScoringInputError, parse_json_text, quota_preview, score_preview


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
                        "errors": [{"field": "file", "message": str(exc.strerror or exc)}]})  # fmt: skip
            return
        try:
            data = parse_json_text(text)
            result = (quota_preview if quota else score_preview)(data, rule_sets_current())
        except ScoringInputError as exc:
            self._fail(exc.as_dict())
            return
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _fail(self, body: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(body, ensure_ascii=False))
        sys.exit(2)
