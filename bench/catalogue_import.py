"""Benchmark: import a catalogue of N items (default 3,000) from Excel into the database.

Usage (MariaDB, as in production)::

    set -a; source var/db.env; set +a
    .venv/bin/python bench/catalogue_import.py [--rows 3000] [--keep]

It generates a workbook like an HR admin would upload (every item with a coefficient and
two job positions), then times the same service the desk and the API use
(:func:`thanhhoa_kpi.catalogue.imports.catalogue_import_file`): every row is checked,
then all items, their history and their positions are written. Everything happens in
one transaction that is rolled back at the end unless ``--keep`` is given, so the
benchmark leaves the database as it found it. Target (issue 4): 3,000 items in ≤ 30 s.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thanhhoa_kpi.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from thanhhoa_kpi.accounts.models import RoleGrant, User  # noqa: E402
from thanhhoa_kpi.catalogue.excel import HEADER_ROWS, HEADER_SHEET, ITEM_COLUMNS, ITEM_SHEET  # noqa: E402
from thanhhoa_kpi.catalogue.imports import catalogue_import_file  # noqa: E402
from thanhhoa_kpi.organization.models import JobPosition, OrgUnit  # noqa: E402

FIELDS = ["Hành chính - văn phòng", "Tư pháp - hộ tịch", "Văn hóa - xã hội", "Địa chính - xây dựng", "Kinh tế"]


def workbook(rows: int) -> bytes:
    book = Workbook(write_only=True)
    head = book.create_sheet(HEADER_SHEET)
    head.append(["Thông tin", "Giá trị"])
    values = {
        "code": "BENCH_DM", "name": "Danh mục đo hiệu năng", "version": 1, "owner_unit": "BENCH_UNIT",
        "effective_from": "01/01/2026", "standard_product": "Văn bản hành chính", "standard_minutes": 60,
    }  # fmt: skip
    for key, label in HEADER_ROWS:
        head.append([label, values.get(key, "")])
    items = book.create_sheet(ITEM_SHEET)
    items.append([label for _key, label, _limit in ITEM_COLUMNS])
    for n in range(rows):
        group = 1 + n % 5
        items.append([
            f"CV{n:05d}", FIELDS[n % len(FIELDS)], f"Nhiệm vụ số {n}",
            f"Công việc chi tiết số {n}: tiếp nhận, xử lý, trình ký và lưu hồ sơ theo quy định",
            "Văn bản được ban hành", "Văn bản", group, f"{(n % 40) / 4 + 0.25}", (n % 40) * 15 + 15,
            "BENCH_CV, BENCH_TP",
        ])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def fixtures() -> User:
    unit = OrgUnit.objects.filter(code="BENCH_UNIT").first()
    if unit is None:
        node = OrgUnit(code="BENCH_UNIT", name="Đơn vị đo hiệu năng", bloc="CHINH_QUYEN", level="TINH", kind="KHAC")
        OrgUnit.objects.add_root(instance=node)
    for code in ("BENCH_CV", "BENCH_TP"):
        JobPosition.objects.get_or_create(
            code=code, defaults={"name": code, "group": "CHUYEN_MON_NGHIEP_VU", "bloc": "CHINH_QUYEN"}
        )
    user, _ = User.objects.get_or_create(username="bench_hr")
    RoleGrant.objects.get_or_create(user=user, role="SYSTEM_ADMIN", bloc="", unit=None)
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--keep", action="store_true", help="commit the imported catalogue instead of rolling back")
    args = parser.parse_args()

    started = time.perf_counter()
    data = workbook(args.rows)
    generated = time.perf_counter() - started
    print(f"database       : {connection.vendor} {connection.settings_dict.get('NAME')}")
    print(f"rows           : {args.rows}")
    print(f"workbook       : {len(data) / 1024:.0f} KiB, generated in {generated:.2f} s")
    with transaction.atomic():
        user = fixtures()
        checked: list[float] = []

        def progress(done: int, total: int) -> None:
            if done == total:
                checked.append(time.perf_counter())

        started = time.perf_counter()
        catalogue = catalogue_import_file(user=user, source=io.BytesIO(data), progress=progress)
        finished = time.perf_counter()
        items = catalogue.items.count()
        links = catalogue.items.model.positions.through.objects.filter(catalogueitem__catalogue=catalogue).count()
        validate = (checked[0] if checked else finished) - started
        print(f"items written  : {items} (+{links} position links, +{items} history rows)")
        print(f"read + check   : {validate:.2f} s")
        print(f"write          : {finished - started - validate:.2f} s")
        print(f"import total   : {finished - started:.2f} s ({items / (finished - started):.0f} items/s)")
        print(f"target         : ≤ 30 s for 3,000 items — {'OK' if finished - started <= 30 else 'TOO SLOW'}")
        if not args.keep:
            transaction.set_rollback(True)
    print("rolled back    : " + ("no (--keep)" if args.keep else "yes, the database is unchanged"))


if __name__ == "__main__":
    main()
