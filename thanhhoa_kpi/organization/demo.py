"""Synthetic org data at any scale, for demos and benchmarks (``generate_demo``).

Units and officials are bulk-inserted: the treebeard paths of the generated units are
computed directly (one level under a generated root) instead of one ``add_child`` per
unit, which would cost several queries each.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from thanhhoa_kpi.core import refcache
from thanhhoa_kpi.organization.models import JobPosition, Official, OfficialAssignment, OrgUnit, SimilarTaskGroup

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thu", "Đức", "Ngọc", "Quang", "Thanh", "Hồng"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hòa", "Hùng", "Lan", "Linh", "Long", "Mai", "Nam",
         "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến"]  # fmt: skip
FIELDS = ["Văn hóa - xã hội", "Tư pháp - hộ tịch", "Địa chính - xây dựng - đô thị", "Kinh tế - tài chính"]


@dataclass(frozen=True)
class Generated:
    units: list[int]
    officials: list[int]


@transaction.atomic
def generate_org(*, officials: int, per_unit: int = 40, seed: int = 2026, prefix: str = "GEN") -> Generated:
    rng = random.Random(seed)
    root = OrgUnit.objects.filter(code=f"{prefix}_ROOT").first() or OrgUnit.objects.add_root(
        {
            "code": f"{prefix}_ROOT",
            "name": "Đơn vị sinh tự động (demo)",
            "bloc": "CHINH_QUYEN",
            "level": "TINH",
            "kind": "KHAC",
        }
    )
    start = root.numchild
    n_units = max(1, -(-officials // per_unit))
    units = [
        OrgUnit(
            code=f"{prefix}_U{start + i + 1:05d}",
            name=f"Đơn vị demo {start + i + 1}",
            bloc="CHINH_QUYEN",
            level="XA",
            kind="PHONG",
            depth=2,
            numchild=0,
            path=OrgUnit._get_path(root.path, 2, start + i + 1),
        )
        for i in range(n_units)
    ]
    OrgUnit.objects.bulk_create(units, batch_size=1000)
    OrgUnit.objects.filter(pk=root.pk).update(numchild=start + n_units)
    unit_ids = list(OrgUnit.objects.filter(code__in=[u.code for u in units]).values_list("id", flat=True))
    SimilarTaskGroup.objects.bulk_create(
        [SimilarTaskGroup(unit_id=u, code="CHUYEN_VIEN", name="Chuyên viên") for u in unit_ids], batch_size=1000
    )
    groups = dict(SimilarTaskGroup.objects.filter(unit_id__in=unit_ids).values_list("unit_id", "id"))
    staff, lead = _positions()
    base = Official.objects.filter(code__startswith=f"{prefix}O").count()
    people = [
        Official(
            code=f"{prefix}O{base + i + 1:07d}",
            full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            gender=rng.choice(["NAM", "NU"]),
            birth_date=date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28)),
            category="CONG_CHUC",
        )
        for i in range(officials)
    ]
    Official.objects.bulk_create(people, batch_size=2000)
    ids = list(Official.objects.filter(code__in=[p.code for p in people]).order_by("code").values_list("id", flat=True))
    rows = []
    for index, official_id in enumerate(ids):
        unit_id = unit_ids[index // per_unit]
        role = "HEAD" if index % per_unit == 0 else ("DEPUTY" if index % per_unit == 1 else "NONE")
        rows.append(
            OfficialAssignment(
                official_id=official_id,
                unit_id=unit_id,
                position=lead if role != "NONE" else staff,
                leadership_role=role,
                fields_in_charge=[FIELDS[index % len(FIELDS)]],
                task_group_id=groups.get(unit_id),
                start_date=date(2026, 1, 1),
            )
        )
    OfficialAssignment.objects.bulk_create(rows, batch_size=2000)
    refcache.bump()  # bulk_create sends no signal
    return Generated(units=unit_ids, officials=ids)


def _positions() -> tuple[JobPosition, JobPosition]:
    staff, _ = JobPosition.objects.get_or_create(
        code="GEN_CV", defaults={"name": "Chuyên viên (demo)", "group": "CHUYEN_MON_NGHIEP_VU", "bloc": "CHINH_QUYEN"}
    )
    lead, _ = JobPosition.objects.get_or_create(
        code="GEN_LD", defaults={"name": "Lãnh đạo phòng (demo)", "group": "LANH_DAO_QUAN_LY", "bloc": "CHINH_QUYEN"}
    )
    return staff, lead
