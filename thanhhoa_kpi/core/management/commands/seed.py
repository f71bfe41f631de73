from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thanhhoa_kpi.core.seeding import seed


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu từ fixtures/ theo khóa tự nhiên (chạy nhiều lần không sao)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--sets", default="base,thanhhoa", help="Ví dụ: base,thanhhoa,demo")

    def handle(self, *args: Any, sets: str, **options: Any) -> None:
        names = [s.strip() for s in sets.split(",") if s.strip()]
        try:
            counts = seed(names, log=self.stdout.write if options["verbosity"] > 1 else (lambda _m: None))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Đã nạp {sum(counts.values())} bản ghi từ {', '.join(names)}."))
