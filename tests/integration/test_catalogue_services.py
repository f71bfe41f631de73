"""Catalogue services on MariaDB: rights, drafts, approval, versions, constraints, loader."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.factories.worklogs import make_catalogue, work_cast
from thanhhoa_kpi.catalogue import services
from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueItem, CatalogueStatus
from thanhhoa_kpi.core.errors import Conflict, PermissionRefused, ValidationFailed

pytestmark = pytest.mark.django_db


def new_catalogue(cast, user=None, **extra):
    fields = {"code": "DM_MOI", "name": "Danh mục mới", "owner_unit": cast.ward, "effective_from": date(2026, 1, 1)}
    return services.catalogue_create(user=user or cast.hr, **{**fields, **extra})


def test_hr_admin_creates_a_draft_catalogue_for_their_unit(cast):
    catalogue = new_catalogue(cast)
    assert catalogue.status == CatalogueStatus.DRAFT
    assert catalogue.created_by == cast.hr
    assert catalogue.history.count() == 1


def test_it_refuses_a_catalogue_for_a_unit_outside_the_hr_scope(cast):
    with pytest.raises(PermissionRefused):
        new_catalogue(cast, owner_unit=cast.other_team)


def test_an_official_cannot_create_a_catalogue(cast):
    with pytest.raises(PermissionRefused):
        new_catalogue(cast, user=cast.official)


def test_it_refuses_two_owners_or_none(cast):
    with pytest.raises(ValidationFailed) as error:
        services.catalogue_create(
            user=cast.sysadmin, code="X", name="X", owner_unit=cast.ward, owner_bloc="DANG", effective_from=date.today()
        )
    assert error.value.errors[0].field == "owner_unit"


def test_a_bloc_catalogue_belongs_to_the_hr_admin_of_that_bloc(cast):
    from thanhhoa_kpi.accounts.models import RoleGrant

    RoleGrant.objects.create(user=cast.hr, role="HR_ADMIN", bloc="MTTQ")
    catalogue = new_catalogue(cast, owner_unit=None, owner_bloc="MTTQ")
    assert catalogue.owner_label == "Khối MTTQ và đoàn thể"


def test_items_of_an_approved_catalogue_cannot_be_changed(cast):
    work = work_cast(cast)
    with pytest.raises(Conflict) as error:
        services.catalogue_item_save(catalogue=work.catalogue, user=cast.hr, item=work.culture, coefficient="9")
    assert error.value.code == "CATALOGUE_NOT_DRAFT"


def test_an_item_coefficient_must_be_positive(cast):
    catalogue = new_catalogue(cast)
    for bad in ("0", "-1"):
        with pytest.raises(ValidationFailed) as error:
            services.catalogue_item_save(
                catalogue=catalogue, user=cast.hr, code="A1", field="Văn hóa", task="T", unit_of_measure="Văn bản",
                coefficient=Decimal(bad),
            )  # fmt: skip
        assert "coefficient" in {e.field for e in error.value.errors}


def test_the_database_refuses_a_non_positive_coefficient(cast):
    work = work_cast(cast)
    with pytest.raises(IntegrityError), transaction.atomic():
        CatalogueItem.objects.filter(pk=work.culture.pk).update(coefficient=0)


def test_only_the_bloc_authority_approves_and_never_the_author(cast):
    catalogue = new_catalogue(cast)
    services.catalogue_item_save(
        catalogue=catalogue, user=cast.hr, code="A1", field="Văn hóa", task="T", unit_of_measure="Văn bản",
        coefficient=Decimal("1.5"),
    )  # fmt: skip
    for user in (cast.hr, cast.head, cast.official):
        with pytest.raises(PermissionRefused):
            services.catalogue_approve(catalogue=catalogue, user=user)
    Catalogue.objects.filter(pk=catalogue.pk).update(created_by=cast.authority)
    with pytest.raises(PermissionRefused) as error:
        services.catalogue_approve(catalogue=Catalogue.objects.get(pk=catalogue.pk), user=cast.authority)
    assert error.value.code == "SELF_APPROVAL"
    Catalogue.objects.filter(pk=catalogue.pk).update(created_by=cast.hr)
    approved = services.catalogue_approve(catalogue=catalogue, user=cast.authority)
    assert approved.status == CatalogueStatus.APPROVED and approved.approved_by == cast.authority


def test_an_empty_catalogue_cannot_be_approved(cast):
    catalogue = new_catalogue(cast)
    with pytest.raises(ValidationFailed):
        services.catalogue_approve(catalogue=catalogue, user=cast.authority)


def test_a_new_version_copies_every_item_and_closes_the_old_one_when_approved(cast):
    from thanhhoa_kpi.organization.models import JobPosition

    work = work_cast(cast)
    work.culture.positions.add(JobPosition.objects.get(code="T_CV"))
    copy = services.catalogue_new_version(catalogue=work.catalogue, user=cast.hr, effective_from=date(2026, 3, 1))
    assert (copy.version, copy.status) == (2, CatalogueStatus.DRAFT)
    assert copy.items.count() == work.catalogue.items.count()
    moved = copy.items.get(code="VH01")
    assert moved.coefficient == Decimal("2") and list(moved.positions.values_list("code", flat=True)) == ["T_CV"]
    assert moved.history.count() == 1
    services.catalogue_item_save(catalogue=copy, user=cast.hr, item=moved, coefficient=Decimal("3"))
    services.catalogue_approve(catalogue=copy, user=cast.authority)
    work.catalogue.refresh_from_db()
    assert work.catalogue.effective_to == date(2026, 3, 1) - timedelta(days=1)
    assert CatalogueItem.objects.get(pk=work.culture.pk).coefficient == Decimal("2")


def test_a_new_version_must_start_after_the_version_in_force(cast):
    work = work_cast(cast)
    copy = services.catalogue_new_version(
        catalogue=work.catalogue, user=cast.hr, effective_from=work.catalogue.effective_from
    )
    with pytest.raises(ValidationFailed):
        services.catalogue_approve(catalogue=copy, user=cast.authority)


def test_catalogues_in_force_are_approved_and_dated(cast):
    work = work_cast(cast)
    on = date(2026, 6, 1)
    codes = set(Catalogue.objects.in_force(on).values_list("code", flat=True))
    assert codes == {"DM_PHUONG_A", "DM_SO_KHAC"}
    assert not Catalogue.objects.in_force(date(2024, 12, 31)).exists()
    Catalogue.objects.filter(pk=work.catalogue.pk).update(effective_to=date(2026, 5, 31))
    assert "DM_PHUONG_A" not in set(Catalogue.objects.in_force(on).values_list("code", flat=True))


def test_the_fixture_loader_loads_approved_catalogues_twice_without_harm(db):
    from thanhhoa_kpi.catalogue.loaders import load_catalogues
    from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
    from thanhhoa_kpi.organization.loaders import load_positions, load_units

    load_units(
        read_file(FIXTURES_DIR / "base" / "org_units.yaml") + read_file(FIXTURES_DIR / "thanhhoa" / "org_units.yaml")
    )
    load_positions(read_file(FIXTURES_DIR / "thanhhoa" / "positions.yaml"))
    rows = read_file(FIXTURES_DIR / "thanhhoa" / "catalogues.yaml")
    first = load_catalogues(rows)
    second = load_catalogues(rows)
    assert first == second == CatalogueItem.objects.count() >= 4 * 45
    assert set(Catalogue.objects.values_list("status", flat=True)) == {CatalogueStatus.APPROVED}
    assert Catalogue.objects.count() == 4
    item = CatalogueItem.objects.get(catalogue__code="DMCV_PHUONG_HAC_THANH_2026", code="HT001")
    assert item.coefficient == Decimal("1") and item.positions.count() > 3


def test_a_bloc_catalogue_is_usable_by_every_unit_of_the_bloc(cast):
    from thanhhoa_kpi.catalogue.selectors import items_usable_by

    make_catalogue(None, "DM_KHOI", [("K01", "Văn hóa", "1")], bloc="CHINH_QUYEN")
    make_catalogue(None, "DM_DANG", [("D01", "Văn hóa", "1")], bloc="DANG")
    official = cast.official_of(cast.official)
    codes = set(items_usable_by(official=official, on=date(2026, 6, 1)).values_list("code", flat=True))
    assert codes == {"K01"}
