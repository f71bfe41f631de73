"""``python manage.py verify_audit``: walk both audit chains; exit 1 at the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thanhhoa_kpi.audit.chain import verify


class Command(BaseCommand):
    help = "Kiểm tra chuỗi băm của nhật ký kiểm toán; báo mục đầu tiên bị sửa hoặc xóa (mã thoát 1)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default="default", help="Cơ sở dữ liệu cần kiểm tra (mặc định: default).")

    def handle(self, *args: Any, database: str, **options: Any) -> None:
        verdict = verify(database)
        if not verdict.ok:
            raise CommandError(f"{verdict.message} ({verdict.checked} mục trước đó còn nguyên vẹn.)", returncode=1)
        self.stdout.write(f"Chuỗi kiểm toán nguyên vẹn: {verdict.checked} mục đã kiểm tra.")
