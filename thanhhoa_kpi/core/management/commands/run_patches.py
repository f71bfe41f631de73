"""Applies each line of patches/patches.txt once, recording it in AppliedPatch.

A line names a module under ``patches/`` (e.g. ``patches.v0_1.fill_short_names``) whose
``execute()`` calls services. Blank lines and ``#`` comments are ignored.
"""

from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from thanhhoa_kpi.core.models import AppliedPatch


class Command(BaseCommand):
    help = "Chạy các bản vá dữ liệu chưa áp dụng trong patches/patches.txt (mỗi bản một lần)."

    def handle(self, *args: Any, **options: Any) -> None:
        listing = Path(settings.BASE_DIR) / "patches" / "patches.txt"
        names = [ln.strip() for ln in listing.read_text(encoding="utf-8").splitlines()]
        done = set(AppliedPatch.objects.values_list("name", flat=True))
        applied = 0
        for name in names:
            if not name or name.startswith("#") or name in done:
                continue
            with transaction.atomic():
                import_module(name).execute()
                AppliedPatch.objects.create(name=name)
            applied += 1
            self.stdout.write(f"  đã áp dụng {name}")
        self.stdout.write(self.style.SUCCESS(f"Bản vá: {applied} mới, {len(done)} đã có."))
