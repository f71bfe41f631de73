"""``python manage.py outbox_flush``: send the jobs that waited in the outbox while Redis was down."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thanhhoa_kpi.core.outbox import outbox_flush


class Command(BaseCommand):
    help = "Gửi các việc còn chờ trong outbox (khi Redis gián đoạn) lên hàng đợi RQ."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=1000, help="Số việc tối đa mỗi lần chạy.")

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        sent, pending = outbox_flush(limit=limit)
        self.stdout.write(f"Đã gửi {sent} việc; còn chờ {pending}.")
        if pending and not sent:
            raise CommandError("Redis vẫn chưa kết nối được; các việc vẫn được giữ trong outbox.")
