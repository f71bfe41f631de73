"""``manage.py demo_year``: one pilot agency's year on the demo data (:mod:`thanhhoa_kpi.appraisals.demo_year`)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand, CommandError

from thanhhoa_kpi.appraisals import demo_year
from thanhhoa_kpi.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Chạy trọn chu kỳ một năm của một đơn vị thí điểm trên dữ liệu mẫu: mười hai tháng đánh giá, đánh giá "
        "đơn vị, danh sách xếp loại năm (tỷ lệ xuất sắc, giới hạn người đứng đầu), đánh giá năng lực và báo cáo "
        "khoảng cách năng lực. Chạy lại không tạo trùng."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--unit", default=demo_year.DEFAULT_UNIT, help="Mã đơn vị (mặc định HT_VHXH).")
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="Năm đánh giá (mặc định: năm trước nếu cán bộ của đơn vị đã công tác từ 1/1 năm đó, "
            "nếu không thì năm nay).",
        )
        parser.add_argument("--out", default="var/demo_year", help="Thư mục ghi báo cáo khoảng cách năng lực.")
        parser.add_argument(
            "--mail", action="store_true",
            help="Gửi thư thông báo theo cấu hình thư hiện hành (mặc định: chỉ giữ trong bộ nhớ và đếm).",
        )  # fmt: skip

    def handle(self, *args: Any, unit: str, year: int | None, out: str, **options: Any) -> None:
        if not options.get("mail"):
            # A year of demo work sends some 150 notices; printed by the console backend they
            # would bury the summary, so they are kept in memory and counted.
            settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
            mail.outbox = []
        try:
            found = demo_year.find_unit(unit)
            chosen = year or demo_year.default_year(found)
            self.stdout.write(f"Chu kỳ năm {chosen} của {found.name} ({found.code}):")
            result = demo_year.run_year(unit=found, year=chosen, out_dir=Path(out), log=self.stdout.write)
        except (ValueError, DomainError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("")
        for line in demo_year.summary(result):
            self.stdout.write(line)
        if not options.get("mail"):
            self.stdout.write(f"Thư thông báo: {len(mail.outbox)} thư, giữ trong bộ nhớ (--mail để gửi thật).")
        self.stdout.write(self.style.SUCCESS("Xong."))
