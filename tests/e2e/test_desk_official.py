"""An HR admin logs into the Vietnamese desk and creates an official (issue 2)."""

import pytest

from tests.e2e.conftest import desk_login
from tests.factories.cast import PASSWORD
from thanhhoa_kpi.organization.models import Official

pytestmark = pytest.mark.django_db(transaction=True)


def test_hr_admin_creates_an_official_in_the_vietnamese_desk(live_server, cast, page, shot):
    desk_login(page, live_server.url, "hr", PASSWORD)
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("link", name="Hồ sơ cán bộ").first.click()
    page.wait_for_url("**/admin/organization/official/")
    assert page.get_by_text("Nguyễn Văn An").count() >= 1
    assert page.get_by_text("Vũ Thị Giang").count() == 0  # another unit's official stays hidden
    page.goto(f"{live_server.url}/admin/organization/official/add/")
    page.fill("input[name=code]", "T0200")
    page.fill("input[name=full_name]", "Lương Thị Hạnh")
    page.fill("input[name=birth_date]", "12/03/1991")
    page.select_option("select[name=category]", "CONG_CHUC")
    unit_options = page.locator("select[name=assignments-0-unit]").inner_text()
    assert "Phòng B" not in unit_options  # only units this HR admin manages are offered
    page.select_option("select[name=assignments-0-unit]", label="Phòng Văn hóa - Xã hội A")
    page.select_option("select[name=assignments-0-position]", label="Chuyên viên")
    page.fill("input[name=assignments-0-start_date]", "01/04/2026")
    page.fill(
        "textarea[name=assignments-0-fields_in_charge], input[name=assignments-0-fields_in_charge]", '["Văn hóa"]'
    )
    shot("hr-official-form")
    page.locator("button[name=_save], input[name=_save]").first.click()
    page.wait_for_url("**/admin/organization/official/")
    created = Official.objects.get(code="T0200")
    assert created.full_name == "Lương Thị Hạnh"
    assert created.birth_date.isoformat() == "1991-03-12"
    assert created.history.count() == 1
    assert created.assignments.get().unit.code == "T_PHONG_A"
    assert page.get_by_text("Lương Thị Hạnh").count() >= 1  # the new official is inside the admin's own scope
    shot("hr-official-list")
