"""Synthetic work logs at any scale, for demos and benchmarks (``generate_demo``).

For the officials :mod:`thanhhoa_kpi.organization.demo` just generated: one work period
per month (the past ones closed, this one open), and per official and month 8 approved
assignments and 40 reviewed lines against one bench catalogue of 3,000 items owned by
the generated root (created once, already published like a seeded catalogue). Lines
are written in the official's own unit, never dated in the future, with a few quality
failures, delays and exemptions, and the item coefficient copied as the services do.

Rows are bulk-inserted (no per-row history; lines by a multi-row INSERT): the data is consistent by construction,
and speed matters at 75,000 officials × 40 lines.
"""

from __future__ import annotations

import calendar
import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from datetime import time as clock
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from thanhhoa_kpi.catalogue.loaders import _upsert_catalogue
from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueItem
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.organization.models import OfficialAssignment
from thanhhoa_kpi.workflow.loaders import load_workflows
from thanhhoa_kpi.worklogs.models import Assignment, LineStatus, PeriodStatus, WorkLogLine, WorkPeriod

BENCH_CATALOGUE = "GEN_BENCH"
ITEMS = 3000
ASSIGNMENTS_PER_MONTH = 8
LINES_PER_MONTH = 40
BATCH = 5000
FIELDS = ["Hành chính - văn phòng", "Tư pháp - hộ tịch", "Văn hóa - xã hội", "Địa chính - xây dựng", "Kinh tế"]


def generate(generated: object, months: int, seed: int, *, prefix: str = "GEN") -> str:
    """Periods, assignments and reviewed lines of ``months`` months for the generated officials."""
    started = time.perf_counter()
    officials: list[int] = list(generated.officials)  # type: ignore[attr-defined]
    units = _units_of(list(generated.units))  # type: ignore[attr-defined]
    items = bench_items(prefix=prefix)
    rng = random.Random(seed)
    assignments = lines = 0
    for period in _periods(months):
        days = _days(period)
        for start in range(0, len(officials), BATCH // ASSIGNMENTS_PER_MONTH):
            chunk = [o for o in officials[start : start + BATCH // ASSIGNMENTS_PER_MONTH] if o in units]
            made = _month_of(chunk, units, period, days, items, rng)
            assignments += made[0]
            lines += made[1]
    seconds = time.perf_counter() - started
    return (
        f"{months} kỳ, {assignments} việc được giao, {lines} dòng nhật ký đã duyệt "
        f"(danh mục {BENCH_CATALOGUE}: {len(items)} đầu việc) trong {seconds:.1f} giây"
    )


def bench_items(*, prefix: str = "GEN") -> list[tuple[int, Decimal]]:
    """(id, coefficient) of the bench catalogue's items, creating the catalogue once."""
    catalogue = Catalogue.objects.filter(code=BENCH_CATALOGUE, version=1).first()
    if catalogue is None:
        catalogue = _create_catalogue(prefix)
    return list(CatalogueItem.objects.filter(catalogue=catalogue).order_by("pk").values_list("pk", "coefficient"))


@transaction.atomic
def _create_catalogue(prefix: str) -> Catalogue:
    # The loader's own path: a seeded catalogue goes on the CATALOGUE workflow straight
    # into PUBLISHED/APPROVED. The workflow definitions may not be loaded in a bare DB.
    load_workflows(read_file(FIXTURES_DIR / "base" / "workflows.json"))
    catalogue = _upsert_catalogue(
        {
            "code": BENCH_CATALOGUE,
            "name": "Danh mục đo hiệu năng (sinh tự động)",
            "owner": f"{prefix}_ROOT",
            "effective_from": date(2020, 1, 1),
            "standard_product": "Văn bản hành chính",
            "standard_minutes": 60,
        }
    )
    CatalogueItem.objects.bulk_create(
        [
            CatalogueItem(
                catalogue=catalogue, code=f"GB{n:05d}", field=FIELDS[n % len(FIELDS)], task=f"Nhiệm vụ mẫu số {n}",
                detailed_work=f"Công việc chi tiết số {n}", output_product="Văn bản", unit_of_measure="Văn bản",
                complexity_group=1 + n % 5, coefficient=Decimal(n % 40) / 4 + Decimal("0.25"),
                standard_minutes=(n % 40) * 15 + 15,
            )
            for n in range(ITEMS)
        ],
        batch_size=BATCH,
    )  # fmt: skip
    return catalogue


def _units_of(unit_ids: list[int]) -> dict[int, int]:
    """official id -> unit id of the generated officials' assignments."""
    found: dict[int, int] = {}
    for start in range(0, len(unit_ids), 1000):
        rows = OfficialAssignment.objects.filter(unit_id__in=unit_ids[start : start + 1000])
        found.update(rows.values_list("official_id", "unit_id"))
    return found


def _periods(months: int) -> Iterator[WorkPeriod]:
    today = timezone.localdate()
    for back in range(months - 1, -1, -1):
        index = today.year * 12 + today.month - 1 - back
        status = PeriodStatus.OPEN if back == 0 else PeriodStatus.CLOSED
        period, _ = WorkPeriod.objects.get_or_create(
            year=index // 12, month=index % 12 + 1, defaults={"status": status}
        )
        yield period


def _days(period: WorkPeriod) -> list[date]:
    """The days of the month a line may carry: never after today."""
    last = calendar.monthrange(period.year, period.month)[1]
    today = timezone.localdate()
    return [d for d in (date(period.year, period.month, n) for n in range(1, last + 1)) if d <= today]


# Lines are written with one multi-row INSERT per batch instead of ``bulk_create``: at
# this volume Django's insert compiler took two thirds of the time (profiled), the
# database one third. The columns are those of the model; the data obeys its constraints.
_LINE_COLUMNS = (
    "created_at", "updated_at", "official_id", "unit_id", "date", "period_id", "assignment_id",
    "catalogue_item_id", "quantity", "minutes", "description", "evidence", "evidence_sha256", "document_number",
    "coefficient", "status", "custom", "accepted_quantity", "quality_failures", "delays", "exempt_quality_failures",
    "exempt_delays", "exemption_reason", "exemption_confirmed_by", "exemption_attachment", "review_comment",
    "reviewed_at",
)  # fmt: skip


@transaction.atomic
def _month_of(
    officials: list[int],
    units: dict[int, int],
    period: WorkPeriod,
    days: list[date],
    items: list[tuple[int, Decimal]],
    rng: random.Random,
) -> tuple[int, int]:
    now = timezone.now()
    plans = []
    for official in officials:
        for item_id, coefficient in rng.sample(items, ASSIGNMENTS_PER_MONTH):
            plans.append(
                Assignment(
                    catalogue_item_id=item_id, assignee_id=official, period=period, quantity=rng.randint(3, 8),
                    deadline=period.last_day, approved=True, approved_at=now, coefficient=coefficient,
                )
            )  # fmt: skip
    made = Assignment.objects.bulk_create(plans, batch_size=BATCH)
    stamp = _naive_utc(now)
    # A line of today is reviewed by now, not tonight.
    reviewed = {day: min(_naive_utc(_at_five(day)), stamp) for day in days}
    rows = []
    for index, official in enumerate(officials):
        mine = made[index * ASSIGNMENTS_PER_MONTH : (index + 1) * ASSIGNMENTS_PER_MONTH]
        for n in range(LINES_PER_MONTH):
            plan = mine[n % ASSIGNMENTS_PER_MONTH]
            rows.append(_line(stamp, official, units[official], period.pk, plan, rng.choice(days), reviewed, rng))
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        WorkLogLine._meta.db_table, ", ".join(_LINE_COLUMNS), ", ".join(["%s"] * len(_LINE_COLUMNS))
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])
    return len(made), len(rows)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _at_five(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock(17, 0)))


def _line(
    stamp: datetime, official: int, unit: int, period: int, plan: Assignment, day: date,
    reviewed: dict[date, datetime], rng: random.Random,
) -> tuple[object, ...]:  # fmt: skip
    quantity = rng.randint(1, 2)
    failures = 1 if rng.random() < 0.04 else 0
    delays = 1 if rng.random() < 0.03 else 0
    exempt = 1 if delays and rng.random() < 0.3 else 0
    accepted = quantity - 1 if rng.random() < 0.05 else quantity
    return (
        stamp, stamp, official, unit, day, period, plan.pk, plan.catalogue_item_id, quantity, rng.randint(15, 240),
        "Xử lý hồ sơ (dữ liệu sinh tự động)", "", "", "", plan.coefficient, LineStatus.REVIEWED.value, "{}", accepted,
        failures, delays, 0, exempt, "Nguyên nhân khách quan" if exempt else "", "", "", "", reviewed[day],
    )  # fmt: skip
