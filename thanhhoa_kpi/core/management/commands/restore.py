"""``python manage.py restore ARCHIVE [--database NAME] [--force]``: load a backup into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thanhhoa_kpi.core.backup import BackupError, migration_names, restore


class Command(BaseCommand):
    help = (
        "Khôi phục một tệp sao lưu của lệnh backup vào cơ sở dữ liệu trống (kiểm tra mã băm trong manifest "
        "trước khi ghi bất cứ gì), rồi chép lại tệp minh chứng và tệp nhập dữ liệu."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", help="Tệp .tar.gz do lệnh backup tạo.")
        parser.add_argument("--database", help="Tên cơ sở dữ liệu đích (mặc định: cơ sở dữ liệu đang cấu hình).")
        parser.add_argument("--force", action="store_true", help="Xóa và ghi đè cơ sở dữ liệu đích dù nó đã có bảng.")

    def handle(self, *args: Any, archive: str, database: str | None, force: bool, **options: Any) -> None:
        try:
            done = restore(Path(archive), database=database, force=force)
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from error
        self.stdout.write(
            f"Đã khôi phục {done.database} từ bản sao lưu lúc {done.manifest.get('created')} ({done.files} tệp)."
        )
        unknown = sorted(set(done.manifest.get("migrations", [])) - migration_names())
        if unknown:
            self.stderr.write(
                "Cảnh báo: bản sao lưu có migration mà mã nguồn hiện tại không có: " + ", ".join(unknown[:10])
            )
