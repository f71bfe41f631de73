"""The yearly competency assessment in Chromium (issue 14, item 4): the official rates
themself on a phone and sends it in one click, the head rates and approves, the official
reads their own gaps on «Điểm của tôi», the viewer reads the gap report. Screenshots at
1440x900 and 390x844 go to test-artifacts/; no page scrolls sideways."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import ARTIFACTS, desk_login
from tests.factories.cast import PASSWORD
from tests.factories.competencies import YEAR, assessment_of, opened, prepare_competencies

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


def _page(browser, size):
    width, height = SIZES[size]
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    context.set_default_timeout(15000)
    return context, context.new_page()


def _fits(page, size):
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]


def _choose(page, field, values):
    """Pick each line's level in the inline (lines-<i>-<field>), in the lines' order."""
    for index, value in enumerate(values):
        page.select_option(f"select[name='lines-{index}-{field}']", str(value))


@pytest.mark.parametrize("size", SIZES)
def test_an_official_and_their_head_complete_the_years_competency_assessment(live_server, cast, browser, size):
    prepare_competencies()
    opened(cast)
    assessment = assessment_of(cast.official)
    url = live_server.url + reverse("admin:competencies_competencyassessment_change", args=[assessment.pk])
    ARTIFACTS.mkdir(exist_ok=True)

    context, page = _page(browser, size)
    desk_login(page, live_server.url, "official", PASSWORD)
    page.goto(url)
    assert "Tự đánh giá" in page.locator("#content").inner_text()
    _choose(page, "self_level", [3, 2])  # GT, VB (the lines in code order)
    _fits(page, size)
    page.screenshot(path=str(ARTIFACTS / f"competency-self-{size}.png"), full_page=True)
    page.get_by_role("button", name="Gửi").first.click()
    page.wait_for_load_state()
    assert "Đã lưu phiếu và thực hiện «Gửi»" in page.locator("body").inner_text()
    context.close()

    context, page = _page(browser, size)
    desk_login(page, live_server.url, "head", PASSWORD)
    page.goto(url)
    _choose(page, "reviewer_level", [3, 1])
    page.screenshot(path=str(ARTIFACTS / f"competency-review-{size}.png"), full_page=True)
    page.get_by_role("button", name="Duyệt").first.click()
    page.wait_for_load_state()
    assessment.refresh_from_db()
    assert assessment.state == "APPROVED" and assessment.approved_at is not None
    context.close()

    context, page = _page(browser, size)
    desk_login(page, live_server.url, "official", PASSWORD)
    page.goto(live_server.url + reverse("admin:worklogs_my_score"))
    gaps = page.locator("body").inner_text()
    assert f"năm {YEAR}" in gaps and "Soạn thảo văn bản" in gaps and "Thiếu 1 cấp độ" in gaps
    _fits(page, size)
    page.screenshot(path=str(ARTIFACTS / f"competency-own-gaps-{size}.png"), full_page=True)
    context.close()

    context, page = _page(browser, size)
    desk_login(page, live_server.url, "viewer", PASSWORD)
    page.goto(live_server.url + reverse("admin:reports_builtin_run", args=["competency_gap"]) + f"?year={YEAR}")
    report = page.locator("#content").inner_text()
    assert "Soạn thảo văn bản" in report
    _fits(page, size)
    page.screenshot(path=str(ARTIFACTS / f"competency-gap-report-{size}.png"), full_page=True)
    context.close()
