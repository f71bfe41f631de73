"""A unit's own scoring rules in Chromium (issue 14, item 3): the unit's HR admin types the
groups' maxima and the reduced d/đ/e value, sees a group outside the frame refused at its own
box, corrects it and sends the rules; the bloc authority approves them with the panel's
button and they are in force. Desktop and phone; screenshots at 1440x900 and 390x844 go to
test-artifacts/."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import ARTIFACTS, desk_login
from tests.factories.appraisals import prepare_appraisals
from tests.factories.cast import PASSWORD
from thanhhoa_kpi.appraisals.models import UnitRules
from thanhhoa_kpi.appraisals.unit_rules import unit_rules_save

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.mark.parametrize("size", SIZES)
def test_the_hr_admin_enters_the_units_rules_and_the_authority_puts_them_in_force(live_server, cast, browser, size):
    prepare_appraisals()
    row = unit_rules_save(user=cast.hr, unit=cast.team, reference="Quyết định 12/QĐ", reduced="50",
                          weights={"1": "10", "2": "10", "3": "10"})  # fmt: skip
    width, height = SIZES[size]
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    context.set_default_timeout(15000)
    page = context.new_page()
    base = live_server.url
    url = base + reverse("admin:appraisals_unitrules_change", args=[row.pk])
    desk_login(page, base, "hr", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(url)
    assert "Khung: từ 5 điểm" in page.locator("#content").inner_text()
    page.fill("input[name=weight_1]", "22")
    page.fill("input[name=weight_2]", "4")
    page.fill("input[name=weight_3]", "4")
    page.fill("input[name=reduced]", "75")
    page.get_by_role("button", name="Lưu và tiếp tục chỉnh sửa").click()
    page.wait_for_load_state()
    box = page.locator(".field-weight_2")
    assert "phải từ 5 đến 30 điểm" in box.inner_text()  # refused at the group's own box, nothing saved
    assert UnitRules.objects.get(pk=row.pk).reduced == 50
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"unit-rules-refused-{size}.png"), full_page=True)

    page.fill("input[name=weight_1]", "12")
    page.fill("input[name=weight_2]", "8")
    page.fill("input[name=weight_3]", "10")
    page.get_by_role("button", name="Lưu và tiếp tục chỉnh sửa").click()
    page.wait_for_load_state()
    saved = UnitRules.objects.get(pk=row.pk)
    assert (saved.weights, saved.reduced) == ({"1": 12, "2": 8, "3": 10}, 75)
    page.get_by_role("button", name="Gửi phê duyệt").first.click()
    page.wait_for_load_state()
    assert UnitRules.objects.get(pk=row.pk).state == "AUTHORITY"
    context.clear_cookies()

    desk_login(page, base, "authority", PASSWORD)
    page.goto(url)
    text = page.locator("#content").inner_text()
    assert "nhóm 1: 12" in text and "Cơ quan tổ chức cán bộ phê duyệt" in text
    page.get_by_role("button", name="Phê duyệt, áp dụng").first.click()
    page.wait_for_load_state()
    approved = UnitRules.objects.get(pk=row.pk)
    assert (approved.state, approved.in_force) == ("IN_FORCE", True)
    assert "Đang áp dụng" in page.locator("#content").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"unit-rules-in-force-{size}.png"), full_page=True)
    context.close()
