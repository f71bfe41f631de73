from typing import Any

from django.core.management.base import BaseCommand

from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file


class Command(BaseCommand):
    help = "In danh sách tài khoản demo (một tài khoản cho mỗi vai trò)."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = read_file(FIXTURES_DIR / "demo" / "personas.yaml")
        self.stdout.write("Tài khoản demo (mật khẩu chung: demo-2026):")
        for row in rows:
            roles = ", ".join(g["role"] for g in row.get("grants", []))
            official = row.get("official", {})
            where = f"{official.get('leadership_role', '')} @ {official['unit']}" if official else ""
            self.stdout.write(f"  {row['username']:<15} {row.get('password', ''):<10} {roles} {where}".rstrip())
