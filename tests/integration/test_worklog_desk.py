"""Desk pages of work logs and catalogues: they render for each role and write through services."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories.worklogs import (
    assign,
    catalogue_workbook,
    item_row,
    log,
    put_in_state,
)
from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueStatus, ImportStatus
from thanhhoa_kpi.worklogs.models import Assignment, LineStatus, WorkLogLine

pytestmark = pytest.mark.django_db


def desk(user):
    client = Client()
    client.force_login(user)
    return client


def test_my_week_shows_the_entry_form_and_the_lines(cast, work):
    log(cast.official, work.culture, description="Tin về lễ hội")
    page = desk(cast.official).get(reverse("admin:worklogs_my_week"))
    assert page.status_code == 200
    html = page.content.decode()
    for marker in ('id="worklog-entry-form"', 'id="id_catalogue_item"', 'id="id_quantity"', 'id="week-table"',
                   "Tin về lễ hội", "Nhật ký của tôi", 'id="self-register-form"'):  # fmt: skip
        assert marker in html, marker


def test_a_line_is_recorded_from_the_week_page(cast, work):
    data = {"action": "create", "date": str(timezone.localdate()), "catalogue_item": work.culture.pk,
            "quantity": "2", "minutes": "45", "description": "Ghi nhanh"}  # fmt: skip
    response = desk(cast.official).post(reverse("admin:worklogs_my_week"), data)
    assert response.status_code == 302
    line = WorkLogLine.objects.get()
    assert (line.quantity, line.minutes, line.coefficient) == (Decimal("2"), 45, Decimal("2"))


def test_the_week_page_shows_field_errors_in_vietnamese(cast, work):
    data = {"action": "create", "date": str(timezone.localdate()), "catalogue_item": work.foreign.pk, "quantity": "1"}
    response = desk(cast.official).post(reverse("admin:worklogs_my_week"), data)
    assert response.status_code == 200
    assert "không thuộc danh mục đang có hiệu lực" in response.content.decode()
    assert not WorkLogLine.objects.exists()


def test_a_line_is_copied_and_edited_from_the_desk(cast, work):
    line = log(cast.official, work.culture, "2")
    client = desk(cast.official)
    client.post(reverse("admin:worklogs_my_week"), {"action": "copy", "line": line.pk})
    assert WorkLogLine.objects.count() == 2
    edit = reverse("admin:worklogs_line_edit", args=[line.pk])
    assert client.get(edit).status_code == 200
    data = {"date": str(line.date), "catalogue_item": work.culture.pk, "quantity": "5", "minutes": "10"}
    assert client.post(edit, data).status_code == 302
    assert WorkLogLine.objects.get(pk=line.pk).quantity == Decimal("5")
    assert desk(cast.colleague).get(edit).status_code == 404


def test_the_item_picker_offers_only_usable_items(cast, work):
    url = reverse("admin:worklogs_item_autocomplete")
    found = desk(cast.official).get(url, {"term": "nhiệm vụ"}).json()["results"]
    assert sorted(row["text"].split(" — ")[0] for row in found) == ["HC01", "TT01", "VH01", "VH02"]
    found = desk(cast.outsider).get(url, {"term": ""}).json()["results"]
    assert [row["text"].split(" — ")[0] for row in found] == ["KH01"]


def test_the_review_page_lists_and_bulk_accepts(cast, work):
    first, second = log(cast.official, work.culture), log(cast.official, work.culture_small)
    sport = log(cast.official, work.sport)
    client = desk(cast.deputy)
    page = client.get(reverse("admin:worklogs_review")).content.decode()
    assert f'data-line-id="{first.pk}"' in page and f'data-line-id="{sport.pk}"' not in page
    client.post(reverse("admin:worklogs_review"), {"action": "accept_all", "line": [first.pk, second.pk]})
    assert set(WorkLogLine.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        LineStatus.REVIEWED
    }
    assert "Không có dòng nhật ký nào chờ duyệt" in client.get(reverse("admin:worklogs_review")).content.decode()


def test_one_line_is_reviewed_with_failures_on_its_page(cast, work):
    line = log(cast.official, work.culture, "3")
    url = reverse("admin:worklogs_review_line", args=[line.pk])
    data = {"accepted_quantity": "2", "quality_failures": "1", "delays": "0", "exempt_quality_failures": "0",
            "exempt_delays": "0"}  # fmt: skip
    assert desk(cast.deputy).post(url, data).status_code == 302
    line.refresh_from_db()
    assert (line.status, line.accepted_quantity, line.quality_failures) == (LineStatus.REVIEWED, Decimal("2"), 1)
    own = log(cast.deputy, work.culture)
    response = desk(cast.deputy).post(reverse("admin:worklogs_review_line", args=[own.pk]), data)
    assert response.status_code == 403 and "không phải người duyệt" in response.content.decode()
    assert desk(cast.official).post(url, data).status_code == 403  # the line's owner reads, never reviews
    assert desk(cast.outsider).get(url).status_code == 404


def test_my_score_page_shows_a_b_c(cast, work):
    from thanhhoa_kpi.worklogs import services

    row = assign(cast.head, cast.official_of(cast.official), work.culture, "4")
    services.worklog_review(line=log(cast.official, None, "2", assignment=row), reviewer=cast.deputy)
    html = desk(cast.official).get(reverse("admin:worklogs_my_score")).content.decode()
    assert '<p class="text-2xl font-semibold text-important" id="score-a">50</p>' in html and "Diễn giải" in html


def test_the_hours_page_and_the_lists_render_for_each_role(cast, work):
    log(cast.official, work.culture, minutes=90)
    for user in (cast.head, cast.viewer, cast.hr, cast.sysadmin):
        client = desk(user)
        assert "hours-by-unit" in client.get(reverse("admin:worklogs_hours")).content.decode()
        for name in ("worklogs_worklogline", "worklogs_assignment", "worklogs_workperiod", "catalogue_catalogue",
                     "catalogue_catalogueitem"):  # fmt: skip
            assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, (user, name)
    lines_page = desk(cast.official).get(reverse("admin:worklogs_worklogline_changelist") + "?q=VH01")
    assert lines_page.status_code == 200


def test_the_assign_page_assigns_one_item_to_many(cast, work):
    client = desk(cast.head)
    assert client.get(reverse("admin:worklogs_assign")).status_code == 200
    team = [cast.official_of(u).pk for u in (cast.official, cast.colleague)]
    data = {"action": "assign", "catalogue_item": work.office.pk, "assignees": team, "quantity": "3",
            "period": work.period.pk, "origin": "PLAN"}  # fmt: skip
    assert client.post(reverse("admin:worklogs_assign"), data).status_code == 302
    assert Assignment.objects.count() == 2


def test_the_catalogue_is_approved_versioned_and_exported_from_the_desk(cast, work):
    put_in_state(work.draft, "HOME_AFFAIRS")
    authority = desk(cast.authority)
    page = authority.get(reverse("admin:catalogue_catalogue_change", args=[work.draft.pk])).content.decode()
    assert 'id="workflow-panel"' in page and 'name="action" value="publish"' in page
    transition = reverse("admin:catalogue_catalogue_transition", args=[work.draft.pk])
    authority.post(transition, {"action": "publish", "comment": "", "state": "HOME_AFFAIRS"})
    published = Catalogue.objects.get(pk=work.draft.pk)
    assert (published.state, published.status) == ("PUBLISHED", CatalogueStatus.APPROVED)
    assert published.approved_by == cast.authority
    page = authority.get(reverse("admin:catalogue_catalogue_change", args=[work.draft.pk])).content.decode()
    assert "Lịch sử xử lý" in page and "Công khai (có hiệu lực)" in page
    response = desk(cast.hr).post(reverse("admin:catalogue_catalogue_new_version", args=[work.catalogue.pk]))
    assert response.status_code == 302 and Catalogue.objects.filter(code="DM_PHUONG_A", version=2).exists()
    exported = desk(cast.official).get(reverse("admin:catalogue_catalogue_export_xlsx", args=[work.catalogue.pk]))
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    page = desk(cast.hr).get(reverse("admin:catalogue_catalogue_change", args=[work.catalogue.pk]))
    assert page.status_code == 200


def test_the_import_page_shows_progress_and_row_errors(cast, work, django_capture_on_commit_callbacks):
    client = desk(cast.hr)
    assert client.get(reverse("admin:catalogue_import")).status_code == 200
    header = {"code": "DM_DESK", "name": "Nhập ở bàn làm việc", "version": 1, "owner_unit": "T_PHUONG_A",
              "effective_from": "01/01/2026"}  # fmt: skip
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = catalogue_workbook(header, [item_row("A1", "1"), item_row("A2", "0")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:catalogue_import"), {"file": SimpleUploadedFile("dm.xlsx", data)})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="FAILED"' in page and "Hệ số quy đổi phải lớn hơn 0." in page and 'id="import-errors"' in page
    assert ImportStatus.FAILED in page


def test_ids_above_a_thousand_are_not_grouped_in_the_review_form(cast, work):
    """With thousands grouping on, a raw ``{{ line.pk }}`` renders 12345 as "12.345"."""
    line = log(cast.official, work.culture)
    WorkLogLine.objects.filter(pk=line.pk).update(id=12345)
    page = desk(cast.deputy).get(reverse("admin:worklogs_review")).content.decode()
    assert 'data-line-id="12345"' in page and 'value="12345"' in page
    assert "12.345" not in page
    desk(cast.deputy).post(reverse("admin:worklogs_review"), {"action": "accept_all", "line": ["12345"]})
    assert WorkLogLine.objects.get(pk=12345).status == LineStatus.REVIEWED


def test_an_account_without_an_official_record_is_sent_home_with_a_message(cast):
    client = desk(cast.viewer)
    for name in ("admin:worklogs_my_week", "admin:worklogs_my_score"):
        response = client.get(reverse(name), follow=True)
        assert response.redirect_chain[-1][0] == reverse("admin:index")
        assert "chưa gắn với hồ sơ cán bộ" in response.content.decode()
