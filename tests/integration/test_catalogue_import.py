"""Excel import/export of catalogues: all rows checked first, all or nothing, round trip, progress."""

import io
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories.worklogs import catalogue_workbook, ensure_workflows, item_row, put_in_state, work_cast
from thanhhoa_kpi.catalogue.excel import write_catalogue
from thanhhoa_kpi.catalogue.imports import ImportInvalid, catalogue_import_file, catalogue_import_start
from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueImport, CatalogueItem, CatalogueStatus, ImportStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def workflows(db):
    """An imported catalogue starts on the CATALOGUE workflow."""
    ensure_workflows()


HEADER = {
    "code": "DM_NHAP_EXCEL", "name": "Danh mục nhập từ Excel", "version": 1, "owner_unit": "T_PHUONG_A",
    "effective_from": "01/01/2026", "standard_product": "Văn bản", "standard_minutes": 60,
}  # fmt: skip


def load(user, data):
    return catalogue_import_file(user=user, source=io.BytesIO(data))


def item_tuples(catalogue):
    rows = catalogue.items.order_by("code").prefetch_related("positions")
    return [
        (i.code, i.field, i.task, i.detailed_work, i.output_product, i.unit_of_measure, i.complexity_group,
         i.coefficient, i.standard_minutes, sorted(p.code for p in i.positions.all()))
        for i in rows
    ]  # fmt: skip


def test_a_valid_workbook_becomes_a_draft_catalogue(cast):
    data = catalogue_workbook(HEADER, [item_row("A1", "1.5", positions="T_CV, T_TP"), item_row("A2", "0,25")])
    catalogue = load(cast.hr, data)
    assert (catalogue.code, catalogue.status, catalogue.owner_unit) == (
        "DM_NHAP_EXCEL",
        CatalogueStatus.DRAFT,
        cast.ward,
    )
    assert (catalogue.state, catalogue.workflow.code) == ("DRAFT", "CATALOGUE")
    assert dict(catalogue.items.values_list("code", "coefficient")) == {"A1": Decimal("1.5"), "A2": Decimal("0.25")}
    assert sorted(catalogue.items.get(code="A1").positions.values_list("code", flat=True)) == ["T_CV", "T_TP"]
    assert catalogue.items.get(code="A1").history.count() == 1


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_written(cast):
    rows = [
        item_row("A1", "1"),
        item_row("A2", "0"),
        item_row("A3", "abc"),
        item_row("A4", "-2"),
        item_row("A1", "1", group=7, positions="KHONG_CO"),
        item_row("A6", "", field=""),
    ]
    with pytest.raises(ImportInvalid) as error:
        load(cast.hr, catalogue_workbook(HEADER, rows))
    where = {(cell.row, cell.column): cell.message for cell in error.value.cells}
    assert where[(3, "H")] == "Hệ số quy đổi phải lớn hơn 0."
    assert where[(4, "H")] == '"abc" không phải là số.'
    assert where[(5, "H")] == "Hệ số quy đổi phải lớn hơn 0."
    assert where[(6, "A")] == "Mã trùng với dòng 2."
    assert "từ 1 đến 5" in where[(6, "G")]
    assert "KHONG_CO" in where[(6, "J")]
    assert where[(7, "B")] == "Không được để trống." and where[(7, "H")] == "Không được để trống."
    assert error.value.code == "IMPORT_INVALID"
    assert error.value.errors[0].field.startswith("Đầu công việc: dòng 3, cột H (Hệ số quy đổi)")
    assert not Catalogue.objects.filter(code="DM_NHAP_EXCEL").exists()
    assert not CatalogueItem.objects.filter(code="A1").exists()


def test_header_errors_are_reported_too(cast):
    header = {**HEADER, "owner_unit": "KHONG_CO", "effective_from": "31/02/2026", "version": "x"}
    with pytest.raises(ImportInvalid) as error:
        load(cast.hr, catalogue_workbook(header, [item_row("A1")]))
    assert {cell.header.split(" (")[0] for cell in error.value.cells} >= {"Đơn vị sở hữu", "Hiệu lực từ", "Phiên bản"}


def test_a_file_that_is_not_excel_is_refused(cast):
    with pytest.raises(ImportInvalid) as error:
        load(cast.hr, b"not a workbook")
    assert "không phải là bảng tính Excel" in error.value.cells[0].message


def test_it_refuses_an_owner_outside_the_importers_scope(cast):
    with pytest.raises(ImportInvalid) as error:
        load(cast.hr, catalogue_workbook({**HEADER, "owner_unit": "T_PHONG_B"}, [item_row("A1")]))
    assert "không quản lý" in error.value.cells[0].message


def test_an_approved_version_is_never_overwritten_by_an_import(cast):
    work = work_cast(cast)
    data = write_catalogue(work.catalogue)
    with pytest.raises(ImportInvalid) as error:
        load(cast.hr, data)
    assert "đã phê duyệt" in error.value.cells[0].message
    assert work.catalogue.items.get(code="VH01").coefficient == Decimal("2")


def test_a_catalogue_under_review_is_never_overwritten_by_an_import(cast):
    data = catalogue_workbook(HEADER, [item_row("A1", "1")])
    put_in_state(load(cast.hr, data), "UNIT_REVIEW")
    with pytest.raises(ImportInvalid) as error:
        load(cast.hr, catalogue_workbook(HEADER, [item_row("A1", "5")]))
    assert "«Đơn vị xem xét»" in error.value.cells[0].message
    assert Catalogue.objects.get(code="DM_NHAP_EXCEL").items.get().coefficient == Decimal("1")


def test_an_export_reimports_unchanged(cast):
    work = work_cast(cast)
    from thanhhoa_kpi.organization.models import JobPosition

    work.culture.positions.add(*JobPosition.objects.all())
    before = item_tuples(work.catalogue)
    data = write_catalogue(work.catalogue)
    Catalogue.objects.filter(pk=work.catalogue.pk).update(status=CatalogueStatus.DRAFT, state="DRAFT")
    again = load(cast.hr, data)
    assert again.pk == work.catalogue.pk and item_tuples(again) == before
    assert again.items.get(code="VH01").history.count() == 1  # nothing changed, nothing rewritten
    again.delete()
    recreated = load(cast.hr, data)
    assert item_tuples(recreated) == before
    assert write_catalogue(recreated) != b"" and item_tuples(load(cast.hr, write_catalogue(recreated))) == before


def test_reimporting_a_draft_updates_adds_and_removes_items(cast):
    load(cast.hr, catalogue_workbook(HEADER, [item_row("A1", "1"), item_row("A2", "2")]))
    catalogue = load(cast.hr, catalogue_workbook(HEADER, [item_row("A1", "3"), item_row("A3", "4")]))
    assert dict(catalogue.items.values_list("code", "coefficient")) == {"A1": Decimal("3"), "A3": Decimal("4")}


def test_three_thousand_items_import_within_thirty_seconds(cast):
    rows = [item_row(f"M{n:04d}", f"{1 + n % 50}.25", positions="T_CV") for n in range(3000)]
    data = catalogue_workbook(HEADER, rows)
    started = time.perf_counter()
    catalogue = load(cast.hr, data)
    elapsed = time.perf_counter() - started
    assert catalogue.items.count() == 3000
    assert CatalogueItem.positions.through.objects.filter(catalogueitem__catalogue=catalogue).count() == 3000
    assert elapsed < 30, elapsed


def test_an_upload_is_recorded_queued_and_its_progress_kept(cast, django_capture_on_commit_callbacks):
    data = catalogue_workbook(HEADER, [item_row(f"B{n}", "1") for n in range(600)])
    with django_capture_on_commit_callbacks(execute=True):
        record = catalogue_import_start(user=cast.hr, upload=SimpleUploadedFile("dm.xlsx", data))
    record.refresh_from_db()
    assert record.status == ImportStatus.SUCCEEDED, record.message
    assert (record.total_rows, record.processed_rows, record.percent) == (600, 600, 100)
    assert record.catalogue.items.count() == 600 and record.finished_at is not None


def test_a_failed_upload_keeps_its_errors_by_row_and_column(cast, django_capture_on_commit_callbacks):
    data = catalogue_workbook(HEADER, [item_row("A1", "1"), item_row("A2", "0")])
    with django_capture_on_commit_callbacks(execute=True):
        record = catalogue_import_start(user=cast.hr, upload=SimpleUploadedFile("dm.xlsx", data))
    record = CatalogueImport.objects.get(pk=record.pk)
    assert record.status == ImportStatus.FAILED
    assert record.errors == [
        {"sheet": "Đầu công việc", "row": 3, "column": "H", "header": "Hệ số quy đổi",
         "message": "Hệ số quy đổi phải lớn hơn 0."}
    ]  # fmt: skip
    assert not Catalogue.objects.filter(code="DM_NHAP_EXCEL").exists()


def test_only_xlsx_uploads_are_accepted(cast):
    from thanhhoa_kpi.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        catalogue_import_start(user=cast.hr, upload=SimpleUploadedFile("dm.csv", b"a,b"))
