"""An official's day on a phone (issue 11, item 12).

At 390x844 (a common phone) the official's week page, quick entry, score, inbox and a
built-in report, and the unit head's review queue, hours summary and assign page: no page-level sideways scroll, nothing
cut off at the right edge except inside a scroll box, the key texts visible, list labels in
sentence case (only the first word capitalised), tap targets of at least 40 px; and unfold's change list
(the unit's assignments) with links and search button of 40 px and 24 px selection boxes; the HR admin's
unit form with a long parent name; the province HR admin's workflow preview and a form whose
picker has its «⋮» beside it. Each page is
also shot at 1440x900 for people reviewing the run.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, desk_login
from tests.factories.cast import PASSWORD
from tests.factories.workflow import prepare_workflows
from tests.factories.worklogs import work_cast
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.integrations.models import IntegrationSource, MatchingRule
from thanhhoa_kpi.organization import services
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.workflow.models import WorkflowDefinition
from thanhhoa_kpi.worklogs.models import WorkLogLine

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1440, "height": 900}
LONG_UNIT = "Phòng Văn hóa - Xã hội và Khoa học, Công nghệ, Thông tin và Truyền thông phường A"

WEEK = "/admin/worklogs/worklogline/my-week/"
QUICK = "/admin/worklogs/worklogline/quick/"
SCORE = "/admin/worklogs/worklogline/my-score/"
INBOX = "/admin/workflow/notification/inbox/"
REVIEW = "/admin/worklogs/worklogline/review/"
REPORT = "/admin/reports/savedreport/builtin/nhat_ky_ca_nhan/"
HOURS = "/admin/worklogs/worklogline/hours/"
ASSIGN = "/admin/worklogs/worklogline/assign/"

# (who, shot name, address, texts a person reads there)
PAGES = [
    ("official", "tuan", WEEK, ["Ghi nhanh một dòng nhật ký", "Nhật ký trong tuần", "VH01 — Nhiệm vụ VH01",
                                "Soạn báo cáo tổng kết", "Sao chép", "Việc được giao (kỳ đang mở)"]),
    ("official", "ghi-nhanh", QUICK, ["Ghi một dòng nhật ký", "Ghi nhật ký", "Hôm nay đã ghi", "2 dòng, 120 phút",
                                      "Tổ chức giải bóng chuyền hơi", "Xem cả tuần"]),
    ("official", "diem", SCORE, ["a — Số lượng", "Điểm nhiệm vụ (tối đa 70)", "Theo đầu công việc",
                                 "VH01 — Nhiệm vụ VH01", "Diễn giải"]),
    ("official", "hop-viec", INBOX, ["Nguyễn Văn An — Tháng", "Phiếu đánh giá", "Xem lại và xác nhận"]),
    ("head", "duyet", REVIEW, ["Nhật ký chờ duyệt", "Nguyễn Văn An", "Soạn báo cáo tổng kết", "Duyệt chi tiết",
                               "Chấp nhận toàn bộ các dòng đã chọn"]),
    ("official", "bao-cao", REPORT, ["Nhật ký công việc cá nhân", "2 dòng", "Soạn báo cáo tổng kết", "Tải XLSX"]),
    ("head", "tong-hop-gio", HOURS, ["Theo đơn vị", "Phòng Văn hóa - Xã hội A", "Theo cá nhân", "Nguyễn Văn An"]),
    ("head", "giao-viec", ASSIGN, ["Giao một đầu công việc cho một hoặc nhiều người", "Nguyễn Văn An (T0001)",
                                   "Chép kế hoạch tháng trước"]),
]  # fmt: skip

# Elements reaching past the right edge of the screen without a sideways-scrolling box
# around them (a card that hides its overflow cuts them off).
CUT_OFF = """() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (el) => { for (let a = el.parentElement; a; a = a.parentElement) {
        const x = getComputedStyle(a).overflowX; if (x === "auto" || x === "scroll") return true; } return false; };
    return [...document.querySelectorAll("#content *")].filter((el) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && box.right > width + 1 && !scrolls(el);
    }).map((el) => el.tagName + "." + el.className + " " + (el.textContent || "").trim().slice(0, 40));
}"""
# Controls smaller than 40 px in either direction; a check box counts by the label around it
# (a control drawn 1 px wide is one that select2 hides behind its own box, which counts).
SMALL_TARGETS = """() => [...document.querySelectorAll(
        "#content a, #content button, #content select, #content input:not([type=hidden]), #content textarea,"
        + " #content .select2-selection")]
    .map((el) => (el.matches("input[type=checkbox], input[type=radio], input[type=file]") && el.closest("label")) || el)
    .filter((el) => { const b = el.getBoundingClientRect(); return b.width > 1 && b.height > 1
        && getComputedStyle(el).visibility !== "hidden" && (b.height < 40 || b.width < 40); })
    .map((el) => { const b = el.getBoundingClientRect();
        return `${el.tagName} ${Math.round(b.width)}x${Math.round(b.height)} ${el.textContent || el.name}`; })"""
# The words a stacked list card shows before each value: never title-cased by CSS.
LABEL_CASES = """() => [...document.querySelectorAll("#content td[data-label]")]
    .map((el) => getComputedStyle(el, "::before").textTransform)"""


def _signed_in(browser, base_url: str, username: str, viewport: dict):
    page = browser.new_context(locale="vi-VN", viewport=viewport).new_page()
    page.set_default_timeout(15000)
    desk_login(page, base_url, username, PASSWORD)
    return page


def _shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(ARTIFACTS / f"dien-thoai-{name}-{width}.png"), full_page=True)


def _walk(browser, base_url: str, viewport: dict):
    """Open each page as its persona: shot, no sideways page scroll, its key texts visible."""
    pages: dict = {}
    try:
        for who, name, address, texts in PAGES:
            page = pages.get(who) or pages.setdefault(who, _signed_in(browser, base_url, who, viewport))
            page.goto(base_url + address)
            _shoot(page, name)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
            for text in texts:
                expect(page.locator("#content").get_by_text(text).filter(visible=True).first).to_be_visible()
            yield page, name, address
    finally:
        for page in pages.values():
            page.context.close()


def test_the_officials_pages_fit_a_phone(live_server, cast, day, browser):
    for page, name, _address in _walk(browser, live_server.url, PHONE):
        assert page.evaluate(CUT_OFF) == [], name
        assert page.evaluate(SMALL_TARGETS) == [], name
        assert set(page.evaluate(LABEL_CASES)) <= {"none"}, name


def test_the_same_pages_on_a_wide_screen(live_server, cast, day, browser):
    for page, _name, address in _walk(browser, live_server.url, WIDE):
        if address in (WEEK, REVIEW, SCORE):  # tables keep their columns, headed once
            expect(page.locator("#content table thead").first).to_be_visible()


def test_the_official_logs_a_line_on_a_phone_through_the_sidebar(live_server, cast, day, browser):
    page = _signed_in(browser, live_server.url, "official", PHONE)
    page.locator("#header-inner [x-on\\:click]:visible").first.click()  # open the sidebar
    sidebar = page.locator("#nav-sidebar-apps")
    expect(sidebar.get_by_role("link", name="Ghi nhanh nhật ký")).to_be_visible()
    assert sidebar.get_by_role("link", name="Hồ sơ cán bộ").count() == 0  # HR's pages are not an official's
    heights = sidebar.locator("a").evaluate_all("links => links.map((a) => a.getBoundingClientRect().height)")
    assert min(heights) >= 40
    _shoot(page, "thanh-ben")
    sidebar.get_by_role("link", name="Ghi nhanh nhật ký").click()
    page.wait_for_selector("#worklog-entry-form")
    page.locator("#id_catalogue_item").locator("xpath=following-sibling::span[1]").click()
    page.locator(".select2-search__field").fill("TT01")
    page.locator(".select2-results__option", has_text="TT01").first.click()
    page.fill("#id_quantity", "2")
    page.fill("#id_minutes", "45")
    page.fill("#id_description", "Họp ban tổ chức giải thể thao phường")
    page.locator("#worklog-save").click()
    expect(page.get_by_text("Đã ghi dòng nhật ký.")).to_be_visible()
    expect(page.locator("#today-lines")).to_contain_text("Họp ban tổ chức giải thể thao phường")
    expect(page.locator("#today-total")).to_contain_text("3 dòng, 165 phút")
    assert WorkLogLine.objects.filter(description="Họp ban tổ chức giải thể thao phường", minutes=45).exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shoot(page, "ghi-nhanh-da-ghi")
    page.context.close()


def test_a_change_list_on_a_phone_has_tappable_links_boxes_and_search(live_server, cast, day, browser):
    """Unfold's change list (the unit's assignments, as the head, who has a bulk action to
    select rows for): row links, selection boxes and the search button are big enough to
    tap, and the page does not scroll sideways."""
    page = _signed_in(browser, live_server.url, "head", PHONE)
    page.goto(live_server.url + "/admin/worklogs/assignment/")
    _shoot(page, "viec-duoc-giao")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    size = "(els) => els.map((el) => { const b = el.getBoundingClientRect(); return [b.width, b.height]; })"
    links = page.locator("#result_list tbody a").filter(visible=True).evaluate_all(size)
    boxes = page.locator("#result_list input.action-select").filter(visible=True).evaluate_all(size)
    search = page.locator("#searchbar-submit").evaluate_all(size)
    assert links and boxes and search
    assert all(height >= 40 and width >= 40 for width, height in links + search), links + search
    assert all(width >= 24 and height >= 24 for width, height in boxes), boxes
    page.context.close()


def test_the_unit_form_and_list_fit_a_phone_with_a_long_parent_name(live_server, cast, browser):
    """The HR admin's unit form: its parent picker (select2) stays within the screen when the
    parent's name is long, and the unit list's «select all» box is as big as the rows' boxes."""
    OrgUnit.objects.filter(pk=cast.team.pk).update(name=LONG_UNIT)
    child = services.org_unit_create(
        by=SYSTEM, parent=cast.team, code="T_TO_1", name="Tổ một", bloc="CHINH_QUYEN", level="XA", kind="PHONG"
    )
    page = _signed_in(browser, live_server.url, "hr", PHONE)
    page.goto(f"{live_server.url}/admin/organization/orgunit/{child.pk}/change/")
    expect(page.locator(".field-parent .select2-container")).to_contain_text("Phòng Văn hóa - Xã hội và Khoa học")
    _shoot(page, "don-vi")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(CUT_OFF) == []
    page.goto(f"{live_server.url}/admin/organization/orgunit/")
    size = "(el) => { const b = el.getBoundingClientRect(); return [b.width, b.height]; }"
    assert min(page.locator("#result_list input#action-toggle").evaluate(size)) >= 24
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()


def test_a_workflow_preview_and_a_picker_with_its_menu_fit_a_phone(live_server, cast, browser):
    """The workflow's preview tables scroll inside their card, and a type-to-find picker with
    its «⋮» (add or change the related row) gives way to it: 507 and 407 px wide before."""
    work = work_cast(cast)
    prepare_workflows()
    CatalogueItem.objects.filter(pk=work.culture.pk).update(task=LONG_UNIT.replace("Phòng", "Quản lý"))
    source = IntegrationSource.objects.create(code="vpdt", name="Văn phòng điện tử", kind="E_OFFICE")
    rule = MatchingRule.objects.create(source=source, key="CONG_VAN", catalogue_item=work.culture)
    definition = WorkflowDefinition.objects.current("APPRAISAL")
    page = _signed_in(browser, live_server.url, "province_hr", PHONE)
    for name, address, text in [
        ("quy-trinh", f"/admin/workflow/workflowdefinition/{definition.pk}/change/", "Bắt buộc ý kiến"),
        ("quy-tac-doi-chieu", f"/admin/integrations/matchingrule/{rule.pk}/change/", "Quản lý Văn hóa - Xã hội"),
    ]:
        page.goto(live_server.url + address)
        expect(page.locator("#content").get_by_text(text).first).to_be_attached()
        _shoot(page, name)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        assert page.evaluate(CUT_OFF) == [], name
    page.context.close()
