"""Invariants of the org model, enforced by the database and the services."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.organization import services
from thanhhoa_kpi.organization.models import JobPosition, LeavePeriod, OfficialAssignment, OrgUnit

pytestmark = pytest.mark.django_db


def test_unit_codes_are_unique(cast):
    with pytest.raises(ValidationFailed):
        services.org_unit_create(
            by=cast.hr, parent=cast.ward, code="T_PHONG_A", name="x", bloc="CHINH_QUYEN", level="XA", kind="PHONG"
        )


def test_the_subtree_of_a_unit_is_its_path_prefix(cast):
    subtree = set(OrgUnit.objects.filter(path__startswith=cast.ward.path).values_list("code", flat=True))
    assert subtree == {"T_PHUONG_A", "T_PHONG_A"}


def test_a_unit_cannot_move_under_its_own_child(cast):
    with pytest.raises(ValidationFailed) as caught:
        services.org_unit_move(by=cast.province_hr, unit=cast.ward, new_parent=cast.team)
    assert caught.value.errors[0].field == "parent"


def test_assignment_dates_must_be_ordered_in_the_database(cast):
    asg = OfficialAssignment.objects.filter(official__code="T0001").first()
    asg.end_date = date(2025, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        asg.save()


def test_leave_dates_must_be_ordered_in_the_database(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        LeavePeriod.objects.create(
            official=cast.official_of(cast.official),
            kind="SICK",
            start_date=date(2026, 3, 5),
            end_date=date(2026, 3, 1),
        )


def test_professional_level_is_between_1_and_5(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        JobPosition.objects.create(code="X", name="X", group="HO_TRO_PHUC_VU", bloc="DANG", professional_level=6)


def test_a_transfer_closes_the_old_posting_and_keeps_it(cast):
    official = cast.official_of(cast.official)
    services.official_transfer(
        by=cast.province_hr, official=official, unit=cast.other_team, position=cast.position, on=date(2026, 6, 1)
    )
    rows = list(OfficialAssignment.objects.filter(official=official).order_by("start_date"))
    assert [(r.unit.code, r.end_date) for r in rows] == [("T_PHONG_A", date(2026, 5, 31)), ("T_PHONG_B", None)]


def test_a_transfer_dated_before_the_current_posting_is_refused(cast):
    official = cast.official_of(cast.official)
    with pytest.raises(ValidationFailed):
        services.official_transfer(
            by=cast.province_hr, official=official, unit=cast.other_team, position=cast.position, on=date(2025, 6, 1)
        )
    assert OfficialAssignment.objects.filter(official=official).count() == 1


def test_vietnamese_text_and_emoji_round_trip_in_utf8mb4(cast):
    unit = OrgUnit.objects.get(code="T_PHONG_A")
    unit.name = "Phòng Văn hóa – Xã hội Đắk Lắk ✅"
    unit.save()
    assert OrgUnit.objects.get(pk=unit.pk).name == "Phòng Văn hóa – Xã hội Đắk Lắk ✅"


def test_seed_loads_every_set_in_any_order_and_twice_without_harm(db):
    from thanhhoa_kpi.core.seeding import seed

    first = seed(["demo", "thanhhoa", "base"], log=lambda _m: None)
    counts = (OrgUnit.objects.count(), JobPosition.objects.count(), OfficialAssignment.objects.count())
    seed(["base", "thanhhoa", "demo"], log=lambda _m: None)
    assert (OrgUnit.objects.count(), JobPosition.objects.count(), OfficialAssignment.objects.count()) == counts
    assert first["thanhhoa/org_units.yaml"] > 50
    assert OrgUnit.objects.get(code="HT_VHXH").bloc == "CHINH_QUYEN"
