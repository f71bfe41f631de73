"""Synthetic data at any scale: ``generate_demo --officials N --months M``.

Org units and officials come from :mod:`thanhhoa_kpi.organization.demo`; other apps add
their share (assignments, work logs...) through ``DEMO_GENERATORS`` below, each a function
``(generated, months, rng_seed) -> str`` returning a one-line summary.
"""

import time
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thanhhoa_kpi.organization.demo import generate_org

DEMO_GENERATORS = ["thanhhoa_kpi.worklogs.demo.generate"]


def _optional(path: str) -> Any:
    module, _, name = path.rpartition(".")
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError):
        return None


class Command(BaseCommand):
    help = "Sinh dữ liệu giả lập quy mô tùy ý (chèn hàng loạt)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--officials", type=int, required=True)
        parser.add_argument("--months", type=int, default=1)
        parser.add_argument("--per-unit", type=int, default=40)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, officials: int, months: int, per_unit: int, seed: int, **options: Any) -> None:
        if officials <= 0 or months < 0 or per_unit <= 0:
            raise CommandError("--officials và --per-unit phải > 0, --months ≥ 0.")
        started = time.perf_counter()
        generated = generate_org(officials=officials, per_unit=per_unit, seed=seed)
        self.stdout.write(f"  {len(generated.units)} đơn vị, {len(generated.officials)} cán bộ")
        for path in DEMO_GENERATORS:
            func = _optional(path)
            if func is not None and months:
                self.stdout.write(f"  {func(generated, months, seed)}")
        self.stdout.write(self.style.SUCCESS(f"Xong trong {time.perf_counter() - started:.1f} giây."))
