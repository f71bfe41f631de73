"""Work-log lines: every bad input refused with a field error; snapshots; edits until reviewed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories.worklogs import (
    assign,
    docx_file,
    exe_file,
    log,
    pdf_file,
    previous_period,
    publish_catalogue,
)
from thanhhoa_kpi.catalogue import services as catalogue_services
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.core.errors import Conflict, PermissionRefused, ValidationFailed
from thanhhoa_kpi.worklogs import services
from thanhhoa_kpi.worklogs.evidence import MAX_EVIDENCE_BYTES
from thanhhoa_kpi.worklogs.models import LineStatus, PeriodStatus, WorkLogLine

pytestmark = pytest.mark.django_db


def refused(call, field, code=None):
    with pytest.raises(ValidationFailed) as error:
        call()
    assert [e.field for e in error.value.errors] == [field], error.value
    assert all(e.message for e in error.value.errors)
    if code:
        assert error.value.code == code
    return error.value


def test_a_line_copies_the_coefficient_and_the_unit(cast, work):
    line = log(cast.official, work.culture, "3", description="Viết 3 tin bài")
    assert (line.coefficient, line.unit, line.period, line.status) == (Decimal("2"), cast.team, work.period, "DRAFT")
    assert line.official == cast.official_of(cast.official)
    assert line.history.count() == 1


@pytest.mark.parametrize("quantity", ["0", "-1", "-0.5"])
def test_it_refuses_a_quantity_that_is_not_positive(cast, work, quantity):
    refused(lambda: log(cast.official, work.culture, quantity), "quantity")


def test_it_refuses_a_quantity_with_too_many_decimals(cast, work):
    refused(lambda: log(cast.official, work.culture, "1.234"), "quantity")


@pytest.mark.parametrize("minutes", [-5, 24 * 60 + 1])
def test_it_refuses_minutes_outside_one_day(cast, work, minutes):
    refused(lambda: log(cast.official, work.culture, minutes=minutes), "minutes")


def test_it_refuses_a_date_in_the_future(cast, work):
    tomorrow = timezone.localdate() + timedelta(days=1)
    refused(lambda: log(cast.official, work.culture, date=tomorrow), "date", "FUTURE_DATE")


def test_it_refuses_a_line_in_a_closed_period(cast, work):
    closed = previous_period()
    closed.status = PeriodStatus.CLOSED
    closed.save()
    refused(lambda: log(cast.official, work.culture, date=closed.last_day), "date", "PERIOD_CLOSED")


def test_it_refuses_a_date_outside_the_period_of_the_assignment(cast, work):
    assignment = assign(cast.head, cast.official_of(cast.official), work.culture)
    last_month = previous_period().last_day
    refused(lambda: log(cast.official, None, assignment=assignment, date=last_month), "date", "DATE_OUTSIDE_PERIOD")


def test_it_refuses_an_item_from_another_units_catalogue(cast, work):
    error = refused(lambda: log(cast.official, work.foreign), "catalogue_item", "ITEM_NOT_IN_FORCE")
    assert "danh mục đang có hiệu lực" in error.errors[0].message


def test_it_refuses_an_item_of_a_draft_catalogue(cast, work):
    refused(lambda: log(cast.official, work.draft_item), "catalogue_item", "ITEM_NOT_IN_FORCE")


def test_it_refuses_a_line_without_item_or_assignment(cast, work):
    refused(lambda: log(cast.official, None), "catalogue_item")


def test_it_refuses_someone_elses_assignment(cast, work):
    other = assign(cast.head, cast.official_of(cast.colleague), work.sport)
    refused(lambda: log(cast.official, None, assignment=other), "assignment")


def test_a_line_on_an_assignment_takes_the_assignments_coefficient(cast, work):
    assignment = assign(cast.head, cast.official_of(cast.official), work.culture)
    CatalogueItem.objects.filter(pk=work.culture.pk).update(coefficient=Decimal("7"))
    line = log(cast.official, None, assignment=assignment)
    assert (line.catalogue_item, line.coefficient) == (work.culture, Decimal("2"))


def test_coefficient_snapshots_survive_a_catalogue_change(cast, work):
    assignment = assign(cast.head, cast.official_of(cast.official), work.culture)
    line = log(cast.official, work.culture)
    copy = catalogue_services.catalogue_new_version(
        catalogue=work.catalogue, user=cast.hr, effective_from=work.catalogue.effective_from + timedelta(days=30)
    )
    item = copy.items.get(code="VH01")
    catalogue_services.catalogue_item_save(catalogue=copy, user=cast.hr, item=item, coefficient=Decimal("5"))
    publish_catalogue(copy, cast.authority)
    CatalogueItem.objects.filter(pk=work.culture.pk).update(coefficient=Decimal("9"))
    assignment.refresh_from_db()
    line.refresh_from_db()
    assert assignment.coefficient == line.coefficient == Decimal("2")
    assert log(cast.official, item).coefficient == Decimal("5")


def test_an_evidence_file_is_kept_when_allowed(cast, work):
    line = log(cast.official, work.culture, evidence=pdf_file())
    assert line.evidence.name.endswith(".pdf")
    assert log(cast.official, work.culture, evidence=docx_file()).evidence.name.endswith(".docx")


def test_it_refuses_an_evidence_file_too_large(cast, work):
    big = pdf_file(size=MAX_EVIDENCE_BYTES + 1)
    refused(lambda: log(cast.official, work.culture, evidence=big), "evidence", "FILE_TOO_LARGE")


def test_it_refuses_a_forbidden_type_of_evidence(cast, work):
    refused(lambda: log(cast.official, work.culture, evidence=exe_file()), "evidence", "FILE_TYPE_REFUSED")


def test_it_refuses_a_file_whose_content_does_not_match_its_name(cast, work):
    disguised = exe_file("bao-cao.pdf")
    refused(lambda: log(cast.official, work.culture, evidence=disguised), "evidence", "FILE_TYPE_REFUSED")
    fake_docx = pdf_file("bao-cao.docx")
    refused(lambda: log(cast.official, work.culture, evidence=fake_docx), "evidence", "FILE_TYPE_REFUSED")


def test_the_official_edits_their_line_until_it_is_reviewed(cast, work):
    line = log(cast.official, work.culture, "2")
    line = services.worklog_update(line=line, user=cast.official, quantity=Decimal("3"), description="Sửa")
    assert (line.quantity, line.description, line.coefficient) == (Decimal("3"), "Sửa", Decimal("2"))
    services.worklog_review(line=line, reviewer=cast.deputy)
    with pytest.raises(Conflict) as error:
        services.worklog_update(line=line, user=cast.official, quantity=Decimal("1"))
    assert error.value.code == "LINE_REVIEWED"
    with pytest.raises(Conflict):
        services.worklog_delete(line=line, user=cast.official)


def test_an_edit_is_checked_like_a_new_line(cast, work):
    line = log(cast.official, work.culture)
    refused(lambda: services.worklog_update(line=line, user=cast.official, quantity=Decimal("0")), "quantity")
    refused(
        lambda: services.worklog_update(line=line, user=cast.official, catalogue_item=work.foreign), "catalogue_item"
    )


def test_nobody_edits_or_deletes_someone_elses_line(cast, work):
    line = log(cast.official, work.culture)
    for user in (cast.colleague, cast.head):
        with pytest.raises(PermissionRefused):
            services.worklog_update(line=line, user=user, quantity=Decimal("5"))
        with pytest.raises(PermissionRefused):
            services.worklog_delete(line=line, user=user)


def test_a_user_without_an_official_record_cannot_log(cast, work):
    with pytest.raises(PermissionRefused):
        log(cast.hr, work.culture)


def test_the_official_deletes_a_draft_line(cast, work):
    line = log(cast.official, work.culture)
    services.worklog_delete(line=line, user=cast.official)
    assert not WorkLogLine.objects.filter(pk=line.pk).exists()


def test_a_line_is_copied_to_today_without_its_file(cast, work):
    yesterday = timezone.localdate() - timedelta(days=1)
    if yesterday.month != timezone.localdate().month:
        yesterday = timezone.localdate()
    line = log(cast.official, work.culture, "2", date=yesterday, evidence=pdf_file(), description="Tin bài")
    copy = services.worklog_copy(line=line, user=cast.official)
    assert (copy.date, copy.quantity, copy.description, copy.status) == (timezone.localdate(), Decimal("2"), "Tin bài",
                                                                          LineStatus.DRAFT)  # fmt: skip
    assert not copy.evidence
    with pytest.raises(PermissionRefused):
        services.worklog_copy(line=line, user=cast.colleague)
