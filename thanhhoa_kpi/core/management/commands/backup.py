"""``python manage.py backup [--output DIR]``: the database, the uploads and the private imports in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from thanhhoa_kpi.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu MariaDB (mariadb-dump --single-transaction), tệp minh chứng (MEDIA_ROOT) "
        "và tệp nhập dữ liệu vào một tệp .tar.gz có ngày giờ, kèm manifest.json (mã băm sha256 từng tệp)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "var" / "backups"),
            help="Thư mục ghi tệp sao lưu (mặc định var/backups).",
        )

    def handle(self, *args: Any, output: str, **options: Any) -> None:
        try:
            archive = backup(Path(output))
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from error
        self.stdout.write(str(archive))
