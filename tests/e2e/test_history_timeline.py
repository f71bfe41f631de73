"""An appraisal's history in Chromium (issue 11, item 10): the «Lịch sử xử lý» tab and the
change timeline read labels, full names and Việt Nam time, and fit a phone without sideways
scrolling. Screenshots at 1440x900 and 390x844 go to test-artifacts/."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import ARTIFACTS, desk_login
from tests.factories.appraisals import appraisal_of, opened, prepare_appraisals, self_assess
from tests.factories.cast import PASSWORD
from thanhhoa_kpi.workflow.services import workflow_transition

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
CODES = ("DRAFT", "UNIT_REVIEW", "HOME_AFFAIRS", "None")


@pytest.mark.parametrize("size", SIZES)
def test_the_appraisal_history_reads_as_a_timeline(live_server, cast, browser, size):
    prepare_appraisals()
    appraisal = self_assess(appraisal_of(cast.official, opened(cast)), cast.official)
    workflow_transition(document=appraisal, action="submit", user=cast.official)
    workflow_transition(document=appraisal, action="return", user=cast.head, comment="Bổ sung minh chứng.")
    width, height = SIZES[size]
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    context.set_default_timeout(15000)
    page = context.new_page()
    base = live_server.url
    desk_login(page, base, "official", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(base + reverse("admin:appraisals_appraisal_change", args=[appraisal.pk]))
    page.get_by_role("link", name="Lịch sử xử lý").first.click()
    tab = page.locator("#workflow-transitionlog-content_type-object_id-group")
    text = tab.inner_text()
    for shown in ("Nguyễn Văn An", "Phạm Thị Dung", "Gửi", "Trả lại", "Nháp", "Đơn vị xem xét", "Bổ sung minh chứng."):
        assert shown in text, shown
    assert not any(code in text for code in CODES)
    page.screenshot(path=str(ARTIFACTS / f"history-tab-{size}.png"), full_page=True)

    page.goto(base + reverse("admin:appraisals_appraisal_history", args=[appraisal.pk]))
    timeline = page.locator("#history-timeline").inner_text()
    assert "Trạng thái" in timeline and "Đơn vị xem xét" in timeline and "Phạm Thị Dung" in timeline
    assert "Mở kỳ đánh giá" in timeline  # the reason of the first version: the opening job
    assert not any(code in timeline for code in CODES)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"history-timeline-{size}.png"), full_page=True)
    context.close()
