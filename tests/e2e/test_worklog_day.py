"""An official logs a day's work in the desk and the unit head reviews it (issue 4)."""

import pytest
from django.utils import timezone

from tests.e2e.conftest import desk_login
from tests.factories.cast import PASSWORD
from tests.factories.worklogs import assign, work_cast
from thanhhoa_kpi.worklogs.models import WorkLogLine

pytestmark = pytest.mark.django_db(transaction=True)


def pick_item(page, text: str) -> None:
    """The item picker is a select2 autocomplete: open it, type, choose the match."""
    page.locator("#id_catalogue_item").locator("xpath=following-sibling::span[1]").click()
    page.locator(".select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_an_official_logs_work_and_the_head_reviews_it(live_server, cast, browser, shot):
    work = work_cast(cast)
    assign(cast.head, cast.official_of(cast.official), work.culture, quantity="4")
    official_page = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000}).new_page()
    desk_login(official_page, live_server.url, "official", PASSWORD)
    official_page.get_by_role("link", name="Nhật ký của tôi").first.click()
    official_page.wait_for_selector("#worklog-entry-form")
    assert official_page.input_value("#id_date") == timezone.localdate().isoformat()  # today by default
    pick_item(official_page, "VH01")
    official_page.fill("#id_quantity", "3")
    official_page.fill("#id_minutes", "90")
    official_page.fill("#id_description", "Soạn 3 báo cáo phong trào văn hóa khu phố")
    official_page.locator("#worklog-save").click()
    official_page.wait_for_selector("#week-table .worklog-line")
    assert "Soạn 3 báo cáo" in official_page.locator("#week-table").inner_text()
    line = WorkLogLine.objects.get(description__startswith="Soạn 3 báo cáo")
    assert line.status == "DRAFT" and line.coefficient == work.culture.coefficient
    shot("official-week", official_page)

    head_page = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000}).new_page()
    desk_login(head_page, live_server.url, "head", PASSWORD)
    head_page.get_by_role("link", name="Duyệt nhật ký").first.click()
    head_page.wait_for_selector("#review-table")
    head_page.locator(f"input.review-line[value='{line.pk}']").check()
    head_page.locator("#bulk-accept").click()
    head_page.wait_for_load_state()
    line.refresh_from_db()
    assert line.status == "REVIEWED"
    assert line.accepted_quantity == 3
    assert line.reviewed_by == cast.head
    shot("head-reviewed", head_page)

    official_page.goto(f"{live_server.url}/admin/worklogs/worklogline/my-score/")
    assert official_page.locator("#score-a").inner_text().strip().startswith("75")  # 3 of 4 assigned
    official_page.context.close()
    head_page.context.close()
