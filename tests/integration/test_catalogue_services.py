"""Catalogue services on MariaDB: rights, drafts, versions, constraints, loader.

Approval through the workflow engine is in ``test_catalogue_workflow.py``.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.factories.worklogs import ensure_workflows, make_catalogue, publish_catalogue, put_in_state, work_cast
from thanhhoa_kpi.catalogue import services
from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueItem, CatalogueStatus
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.errors import Conflict, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization import services as org_services
from thanhhoa_kpi.organization.models import BlocAuthority
from thanhhoa_kpi.workflow.services import WorkflowRefused, workflow_transition

pytestmark = pytest.mark.django_db


def new_catalogue(cast, user=None, **extra):
    ensure_workflows()
    fields = {"code": "DM_MOI", "name": "Danh mục mới", "owner_unit": cast.ward, "effective_from": date(2026, 1, 1)}
    return services.catalogue_create(user=user or cast.hr, **{**fields, **extra})


def test_hr_admin_creates_a_draft_catalogue_for_their_unit(cast):
    catalogue = new_catalogue(cast)
    assert (catalogue.status, catalogue.state, catalogue.workflow.code) == (CatalogueStatus.DRAFT, "DRAFT", "CATALOGUE")
    assert catalogue.created_by == cast.hr and catalogue.is_editable
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
    with pytest.raises(ValidationFailed) as error:  # nowhere in the bloc to review it yet
        new_catalogue(cast, owner_unit=None, owner_bloc="MTTQ")
    assert error.value.errors[0].field == "owner_bloc"
    front = org_services.org_unit_create(
        by=SYSTEM, parent=None, code="V_MTTQ", name="Ủy ban MTTQ tỉnh (thử)", bloc="MTTQ", level="TINH", kind="MTTQ"
    )
    BlocAuthority.objects.create(bloc="MTTQ", unit=front)
    catalogue = new_catalogue(cast, owner_unit=None, owner_bloc="MTTQ")
    assert catalogue.owner_label == "Khối MTTQ và đoàn thể"
    assert catalogue.workflow_subject_unit() == front


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


def item_fields(code="A1", coefficient="1.5"):
    return {"code": code, "field": "Văn hóa", "task": "T", "unit_of_measure": "Văn bản",
            "coefficient": Decimal(coefficient)}  # fmt: skip


def test_a_submitted_catalogue_cannot_be_changed_until_it_is_returned(cast):
    catalogue = new_catalogue(cast)
    item = services.catalogue_item_save(catalogue=catalogue, user=cast.hr, **item_fields())
    workflow_transition(document=catalogue, action="submit", user=cast.hr)
    attempts = [
        lambda: services.catalogue_item_save(catalogue=catalogue, user=cast.hr, item=item, coefficient=Decimal("9")),
        lambda: services.catalogue_item_save(catalogue=catalogue, user=cast.hr, **item_fields("A2")),
        lambda: services.catalogue_item_delete(item=item, user=cast.hr),
        lambda: services.catalogue_update(catalogue=catalogue, user=cast.hr, name="Đổi tên"),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as error:
            attempt()
        assert error.value.code == "CATALOGUE_NOT_EDITABLE"
        assert "«Đơn vị xem xét»" in error.value.message
    put_in_state(catalogue, "DRAFT")  # as after a return
    services.catalogue_item_save(catalogue=catalogue, user=cast.hr, item=item, coefficient=Decimal("9"))
    assert CatalogueItem.objects.get(pk=item.pk).coefficient == Decimal("9")


def test_only_a_draft_never_submitted_may_be_deleted(cast):
    untouched = new_catalogue(cast)
    services.catalogue_delete(catalogue=untouched, user=cast.hr)
    assert not Catalogue.objects.filter(pk=untouched.pk).exists()
    returned = new_catalogue(cast, code="DM_TRA_LAI")
    workflow_transition(document=returned, action="submit", user=cast.hr)
    put_in_state(returned, "DRAFT")
    assert not services.may_delete(user=cast.hr, catalogue=returned)
    with pytest.raises(Conflict) as error:
        services.catalogue_delete(catalogue=returned, user=cast.hr)
    assert error.value.code == "NOT_DELETABLE"


def test_a_new_version_copies_every_item_and_closes_the_old_one_when_approved(cast):
    from thanhhoa_kpi.organization.models import JobPosition

    work = work_cast(cast)
    work.culture.positions.add(JobPosition.objects.get(code="T_CV"))
    copy = services.catalogue_new_version(catalogue=work.catalogue, user=cast.hr, effective_from=date(2026, 3, 1))
    assert (copy.version, copy.status, copy.state) == (2, CatalogueStatus.DRAFT, "DRAFT")
    assert copy.items.count() == work.catalogue.items.count()
    moved = copy.items.get(code="VH01")
    assert moved.coefficient == Decimal("2") and list(moved.positions.values_list("code", flat=True)) == ["T_CV"]
    assert moved.history.count() == 1
    services.catalogue_item_save(catalogue=copy, user=cast.hr, item=moved, coefficient=Decimal("3"))
    publish_catalogue(copy, cast.authority)
    work.catalogue.refresh_from_db()
    assert work.catalogue.effective_to == date(2026, 3, 1) - timedelta(days=1)
    assert CatalogueItem.objects.get(pk=work.culture.pk).coefficient == Decimal("2")


def test_a_new_version_must_start_after_the_version_in_force(cast):
    work = work_cast(cast)
    copy = services.catalogue_new_version(
        catalogue=work.catalogue, user=cast.hr, effective_from=work.catalogue.effective_from
    )
    with pytest.raises(WorkflowRefused) as error:
        publish_catalogue(copy, cast.authority)
    assert error.value.code == "GUARD_FAILED" and "phiên bản 1 đang áp dụng từ ngày 01/01/2025" in error.value.message
    assert Catalogue.objects.get(pk=copy.pk).status == CatalogueStatus.DRAFT


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
    ensure_workflows()
    rows = read_file(FIXTURES_DIR / "thanhhoa" / "catalogues.yaml")
    first = load_catalogues(rows)
    second = load_catalogues(rows)
    assert first == second == CatalogueItem.objects.count() >= 4 * 45
    # Seeded catalogues are pre-approved by the province: in force, without a walk through the chain.
    assert set(Catalogue.objects.values_list("status", "state", "workflow__code")) == {
        (CatalogueStatus.APPROVED, "PUBLISHED", "CATALOGUE")
    }
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
