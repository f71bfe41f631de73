from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thanhhoa_kpi.accounts.models import User
from thanhhoa_kpi.accounts.twofactor import device_create


class Command(BaseCommand):
    help = "Tạo thiết bị xác thực hai lớp (TOTP) cho một tài khoản và in địa chỉ otpauth:// để quét."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {username}.")
        device = device_create(user=user)
        self.stdout.write(device.config_url)
