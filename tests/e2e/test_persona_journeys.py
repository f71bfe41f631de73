"""The desk's daily journeys per persona, in Debian's Chromium (issue 11, "Done when").

Each journey saves screenshots under test-artifacts/ and checks the texts a person reads on
them: the official self-assesses on a phone with a mistake (input kept, Vietnamese error
at the criterion), fixes it and submits without a separate save, and the head reviews the
line, sees the appraisal's figures follow and approves; the authority previews the quota,
confirms publication and unlocks a period with a reason; the viewer runs the province
monthly report for last month and exports it; a search typed without diacritics finds its
rows. (The official logging a day's work on a phone is in test_phone_pages.py.)
"""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import desk_login
from tests.factories.appraisals import appraisal_of, month_period, opened, prepare_appraisals, scored
from tests.factories.cast import PASSWORD
from tests.factories.reports import ensure_report_roles
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def _last_month() -> tuple[int, int]:
    today = date.today()
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def _context(browser, size):
    context = browser.new_context(locale="vi-VN", viewport=size)
    context.set_default_timeout(15000)
    return context


def _shot(page, name: str) -> None:
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_authority_previews_the_quota_publishes_after_confirming_and_unlocks_with_a_reason(
    live_server, cast, browser
):
    prepare_appraisals()
    period = opened(cast)
    for user, total in ((cast.official, "95"), (cast.colleague, "96"), (cast.deputy, "93")):
        scored(appraisal_of(user, period), total)
    cast.team.name = "Phòng Văn hóa - Xã hội phường Hạc Thành, tỉnh Thanh Hóa"  # wider than a phone's picker
    cast.team.save(update_fields=["name"])
    for size, label in ((PHONE, "phone"), (DESKTOP, "desktop")):  # the phone only looks
        context = _context(browser, size)
        page = context.new_page()
        desk_login(page, live_server.url, "authority", PASSWORD)
        page.goto(
            f"{live_server.url}/admin/appraisals/appraisalperiod/home-affairs/?period={period.pk}&unit={cast.team.pk}"
        )
        batch = page.locator("#home-affairs-batch").inner_text()
        assert "3 phiếu của" in batch and "Cơ quan tổ chức cán bộ phê duyệt" in batch
        assert "Ứng viên xuất sắc (C)" in page.locator(".quota-figures").first.inner_text()
        _shot(page, f"journey-authority-quota-{label}")
        if label == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
            assert page.locator("#choose-unit").evaluate("(el) => el.getBoundingClientRect().right") <= PHONE["width"]
            # The quota's members are cards on a phone: no header row, no row wider than the
            # screen, each figure read beside its own label.
            members = page.locator("table.quota-members").first
            assert not members.locator("thead").is_visible()
            widths = members.locator("tbody > tr").evaluate_all("(rows) => rows.map((r) => r.scrollWidth)")
            assert len(widths) == 3 and max(widths) <= PHONE["width"]
            card = members.locator("tbody > tr", has_text="Nguyễn Văn An")
            total = card.locator("td[data-label='Tổng điểm']")
            label = total.evaluate("(td) => getComputedStyle(td, '::before').content")
            assert label == '"Tổng điểm"'
            reason = card.locator("td[data-label='Lý do']")  # a long text: under its label, left to right
            assert reason.evaluate("(td) => [getComputedStyle(td).display, getComputedStyle(td).textAlign]") == [
                "block",
                "left",
            ]
            context.close()
            continue
        page.locator("#publish-button").click()
        question = page.locator("#confirm-question").inner_text()
        assert "Công khai 3 phiếu đánh giá" in question
        assert Appraisal.objects.filter(period=period, state="PUBLISHED").count() == 0  # asking moved nothing
        _shot(page, "journey-authority-publish-question")
        page.locator("#confirm-action button[type=submit]").click()
        page.wait_for_load_state()
        assert page.get_by_text("Đã công khai 3 phiếu").count() >= 1
        assert Appraisal.objects.filter(period=period, state="PUBLISHED").count() == 3
        _shot(page, "journey-authority-published")

        page.goto(f"{live_server.url}/admin/appraisals/appraisalperiod/{period.pk}/close/")
        assert "không sửa được nữa" in page.locator("#confirm-action").inner_text()
        page.locator("#confirm-action button[type=submit]").click()
        page.wait_for_load_state()
        assert AppraisalPeriod.objects.get(pk=period.pk).status == "CLOSED"

        page.goto(f"{live_server.url}/admin/appraisals/appraisalperiod/{period.pk}/reopen/")
        page.locator("#confirm-action button[type=submit]").click()  # no reason: the browser refuses
        assert AppraisalPeriod.objects.get(pk=period.pk).status == "CLOSED"
        page.fill("#confirm-action textarea[name=reason]", "Sửa điểm theo kết luận thanh tra")
        _shot(page, "journey-authority-unlock-reason")
        page.locator("#confirm-action button[type=submit]").click()
        page.wait_for_load_state()
        reopened = AppraisalPeriod.objects.get(pk=period.pk)
        assert reopened.status == "OPEN"
        record = AppraisalPeriod.history.filter(id=period.pk).latest("history_date")
        assert record.history_change_reason == "Sửa điểm theo kết luận thanh tra"
        context.close()


def test_the_viewer_runs_last_months_province_report_and_exports_it(live_server, cast, browser):
    prepare_appraisals()
    ensure_report_roles()
    year, month = _last_month()
    last = opened(cast, month_period(cast, year=year, month=month))
    scored(appraisal_of(cast.official, last), "92", "66", state="PUBLISHED")
    scored(appraisal_of(cast.colleague, last), "80", "58", state="PUBLISHED")
    context = _context(browser, DESKTOP)
    page = context.new_page()
    desk_login(page, live_server.url, "viewer", PASSWORD)
    page.goto(f"{live_server.url}/admin/reports/savedreport/builtin/")
    row = page.locator("div.flex-row", has_text="Báo cáo tháng kết quả đánh giá cán bộ toàn tỉnh").last
    row.get_by_role("link", name="Xem").click()
    page.wait_for_url("**/builtin/bao_cao_thang_tinh/**")
    form = page.locator("form[data-report-filters]")
    form.locator("select[name=year]").select_option(str(year))
    form.locator("select[name=month]").select_option(str(month))
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**month={month}**")
    body = page.locator("#content, main").first.inner_text()
    assert f"Tháng {month:02d}/{year}" in body and "Toàn tỉnh" in body
    _shot(page, "journey-viewer-province-report")
    with page.expect_download() as download:
        page.get_by_text("Tải XLSX").first.click()
    workbook = load_workbook(BytesIO(open(download.value.path(), "rb").read()))
    cells = [str(cell) for row in workbook.active.iter_rows(values_only=True) for cell in row if cell is not None]
    assert any(f"Tháng {month:02d}/{year}" in cell for cell in cells) and "Toàn tỉnh" in cells
    context.close()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_search_without_diacritics_finds_its_rows(live_server, cast, browser, size):
    context = _context(browser, size)
    page = context.new_page()
    desk_login(page, live_server.url, "hr", PASSWORD)
    page.goto(f"{live_server.url}/admin/organization/official/?q=nguyen+van+an")
    results = page.locator("#result_list, #changelist").first.inner_text()
    assert "Nguyễn Văn An" in results
    assert "Vũ Thị Giang" not in results
    _shot(page, f"journey-search-unaccented-{'phone' if size is PHONE else 'desktop'}")
    context.close()


def _task_score(page) -> str:
    return page.locator("#appraisal-scores").inner_text()


def test_the_official_self_assesses_on_a_phone_with_a_mistake_and_the_head_reviews_and_approves(
    live_server, cast, browser
):
    from tests.factories.appraisals import FULL_SELF
    from tests.factories.worklogs import assign, log, work_cast

    prepare_appraisals()
    work = work_cast(cast)
    period = opened(cast)
    official = cast.official_of(cast.official)
    culture = assign(cast.head, official, work.culture, "4")
    line = log(cast.official, quantity="4", assignment=culture, description="Tổ chức 4 buổi sinh hoạt văn hóa")
    appraisal = appraisal_of(cast.official, period)
    change_url = f"{live_server.url}/admin/appraisals/appraisal/{appraisal.pk}/change/"

    phone = _context(browser, PHONE)
    page = phone.new_page()
    desk_login(page, live_server.url, "official", PASSWORD)
    page.goto(change_url)
    wrong = list(FULL_SELF)
    wrong[2] = "2,3"  # not on the 0.5 step
    for index, score in enumerate(wrong):
        page.fill(f"input[name='criteria-{index}-self_score']", score)
    page.fill("textarea[name=self_comment]", "Hoàn thành các việc được giao trong tháng.")
    page.locator("#workflow-panel button[value=submit]").click()
    page.wait_for_load_state()
    row = page.locator("tr", has=page.locator("input[name='criteria-2-self_score']"))
    assert "chấm theo bước 0,5 điểm" in row.inner_text()  # Vietnamese, at the criterion
    assert page.input_value("input[name='criteria-2-self_score']") == "2,3"  # kept as typed
    assert page.input_value("textarea[name=self_comment]") == "Hoàn thành các việc được giao trong tháng."
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    _shot(page, "journey-official-mistake-phone")
    assert Appraisal.objects.get(pk=appraisal.pk).state == "DRAFT"
    page.fill("input[name='criteria-2-self_score']", "2,5")
    page.locator("#workflow-panel button[value=submit]").click()
    page.wait_for_load_state()
    assert "Đơn vị xem xét" in page.locator("#workflow-panel").inner_text()
    _shot(page, "journey-official-sent-phone")
    phone.close()

    desk = _context(browser, DESKTOP)
    head = desk.new_page()
    desk_login(head, live_server.url, "head", PASSWORD)
    head.goto(change_url)
    before = _task_score(head)
    head.get_by_role("link", name="Duyệt nhật ký").first.click()
    head.wait_for_selector("#review-table")
    assert "Tổ chức 4 buổi sinh hoạt văn hóa" in head.locator("#review-table").inner_text()
    head.locator(f"input.review-line[value='{line.pk}']").check()
    head.locator("#bulk-accept").click()
    head.wait_for_load_state()
    head.goto(change_url)
    after = _task_score(head)
    assert after != before  # the appraisal's figures follow the review, nobody saved it
    assert Appraisal.objects.get(pk=appraisal.pk).task_score == 70  # 4 of 4 assigned, on time
    _shot(head, "journey-head-figures-follow")
    head.locator("#workflow-panel button[value=approve]").click()
    head.wait_for_load_state()
    assert "Cơ quan tổ chức cán bộ phê duyệt" in head.locator("#workflow-panel").inner_text()
    _shot(head, "journey-head-approved")
    desk.close()
