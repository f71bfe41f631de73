"""The agency appraisal in Chromium (issue 14, item 1): the bloc authority reads an agency's
appraisal scored from its officials' results (figures, explanation, citation), approves it
with the panel's button, previews the agencies' quota of the year and applies it. Desktop
and phone; screenshots at 1440x900 and 390x844 go to test-artifacts/."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.e2e.conftest import ARTIFACTS, desk_login
from tests.factories.agency import agency_row
from tests.factories.appraisals import appraisal_of, opened, prepare_appraisals
from tests.factories.cast import PASSWORD
from thanhhoa_kpi.appraisals import services
from thanhhoa_kpi.appraisals.models import Appraisal, UnitAppraisal
from thanhhoa_kpi.appraisals.rulesets import current_rule_set, rule_set_params
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.workflow.services import workflow_transition

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


def _world(cast):
    prepare_appraisals()
    period = opened(cast)
    for user, on_time in ((cast.official, "10"), (cast.colleague, "10"), (cast.head, "9")):
        Appraisal.objects.filter(pk=appraisal_of(user, period).pk).update(
            score_status="OK", task_percent=Decimal("92"), assigned_converted=Decimal(10),
            completed_converted=Decimal(10), progress_converted=Decimal(on_time), quality_converted=Decimal(10),
        )  # fmt: skip
    row = services.unit_appraisal_save(user=cast.hr, unit=cast.team, year=period.year, general_score="28",
                                       task_score="60")  # fmt: skip
    workflow_transition(document=row, action="submit", user=cast.head)
    params = rule_set_params(current_rule_set("ND335"))
    for index, total in enumerate(["96", "94", "92", "85", "80", "75"]):
        unit = org.org_unit_create(by=SYSTEM, parent=cast.province, code=f"T_SO_E{index}", name=f"Sở mẫu {index + 1}",
                                   bloc="CHINH_QUYEN", level="TINH", kind="SO")  # fmt: skip
        agency_row(unit, period.year, total, state="APPROVED", params=params)
    return UnitAppraisal.objects.get(pk=row.pk), period


@pytest.mark.parametrize("size", SIZES)
def test_the_authority_approves_an_agency_and_applies_the_agencies_quota(live_server, cast, browser, size):
    row, period = _world(cast)
    width, height = SIZES[size]
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    context.set_default_timeout(15000)
    page = context.new_page()
    base = live_server.url
    desk_login(page, base, "authority", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(base + reverse("admin:appraisals_unitappraisal_change", args=[row.pk]))
    text = page.locator("#content").inner_text()
    # 28 + 70 × 92 % = 28 + 64.40 = 92.40, but 29 of 30 on time: not «tốt», «hoàn thành».
    for shown in ("Cơ quan tổ chức cán bộ thẩm định", "92,4", "Chưa đủ điều kiện «Hoàn thành tốt nhiệm vụ»",
                  "Nghị định 335/2025/NĐ-CP, Điều 20", "3 phiếu của cán bộ"):  # fmt: skip
        assert shown in text, shown
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"agency-appraisal-{size}.png"), full_page=True)
    page.get_by_role("button", name="Phê duyệt").first.click()
    page.wait_for_load_state()
    assert UnitAppraisal.objects.get(pk=row.pk).state == "APPROVED"

    page.goto(base + reverse("admin:appraisals_unitappraisal_quota"))
    page.select_option("select[name=year]", str(period.year))
    page.get_by_role("button", name="Xem trước").click()
    shown = "#agency-quota-preview" if size == "desktop" else "#agency-quota-cards"  # a table, or cards on a phone
    preview = page.locator(shown).inner_text()
    assert "Sở mẫu 1" in preview and "Vượt tỷ lệ xuất sắc" in preview
    assert "3 đề nghị «Hoàn thành xuất sắc nhiệm vụ», 3 «Hoàn thành tốt nhiệm vụ», tỷ lệ 20%: giữ tối đa 1" in (
        page.locator("#agency-quota-formula").inner_text()
    )
    page.screenshot(path=str(ARTIFACTS / f"agency-quota-preview-{size}.png"), full_page=True)
    page.get_by_role("button", name="Áp dụng cho").click()
    page.wait_for_url("**/unitappraisal/**")
    assert "cơ quan, đơn vị hạ mức" in page.locator("body").inner_text()
    levels = dict(UnitAppraisal.objects.filter(unit__code__startswith="T_SO_E").values_list("total", "classification"))
    # 3 candidates (96, 94, 92), 3 «tốt» (85, 80, 75): E ≤ floor(0.2 × (6 − E)) → 1.
    assert levels[Decimal("96.00")] == "HOAN_THANH_XUAT_SAC"
    assert levels[Decimal("94.00")] == levels[Decimal("92.00")] == "HOAN_THANH_TOT"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"agency-quota-applied-{size}.png"), full_page=True)
    context.close()
