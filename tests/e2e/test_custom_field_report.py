"""An HR admin adds a select field on officials in the desk and fills it in; a unit head
builds, runs and saves a report grouped by it and sees the grouped counts (issue 6)."""

import re
from datetime import date

import pytest

from tests.e2e.conftest import desk_login
from tests.factories.cast import PASSWORD
from tests.factories.reports import ensure_report_roles
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.customfields.models import FieldDefinition
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.reports.models import SavedReport

pytestmark = pytest.mark.django_db(transaction=True)

NEWCOMERS = [
    ("T0101", "Đỗ Thị Hoa", "Văn hóa"),
    ("T0102", "Ngô Văn Hải", "Văn hóa"),
    ("T0103", "Mai Thị Lan", "Thể thao"),
]


def table_rows(page):
    rows = page.locator("[data-report-table] tr.data-row").all_inner_texts()
    return [" ".join(row.split()) for row in rows]


def test_hr_adds_a_select_field_and_a_head_groups_a_report_by_it(live_server, cast, page, shot):
    ensure_report_roles()
    for code, name, _group in NEWCOMERS:  # recruits without desk accounts yet, in the head's unit
        org.official_create(
            by=SYSTEM,
            code=code,
            full_name=name,
            assignment={"unit": cast.team, "position": cast.position, "start_date": date(2026, 3, 1)},
        )
    url = live_server.url

    # 1. the HR admin defines «Nhóm chuyên môn», a select field shown in lists and filters
    desk_login(page, url, "hr", PASSWORD)
    page.goto(f"{url}/admin/customfields/fielddefinition/add/")
    page.select_option("select[name=doctype]", "official")
    page.fill("input[name=key]", "nhom_chuyen_mon")
    page.fill("input[name=label]", "Nhóm chuyên môn")
    page.select_option("select[name=field_type]", "select")
    page.fill("textarea[name=options_text]", "Văn hóa\nThể thao\nDu lịch")
    page.locator("input[name=show_in_list]").check()
    page.locator("input[name=show_in_filters]").check()
    shot("custom-field-definition")
    page.locator("button[name=_save]").first.click()
    page.wait_for_url("**/admin/customfields/fielddefinition/")
    field = FieldDefinition.objects.get(key="nhom_chuyen_mon")
    assert field.options == ["Văn hóa", "Thể thao", "Du lịch"] and field.show_in_list and field.show_in_filters

    # 2. ...and fills it in on the officials' records
    for code, _name, group in NEWCOMERS:
        official = Official.objects.get(code=code)
        page.goto(f"{url}/admin/organization/official/{official.pk}/change/")
        assert page.get_by_text("Thông tin bổ sung").count() >= 1
        page.select_option("select[name=custom__nhom_chuyen_mon]", group)
        page.locator("button[name=_save]").first.click()
        page.wait_for_url("**/admin/organization/official/")
    assert Official.objects.get(code="T0103").custom == {"nhom_chuyen_mon": "Thể thao"}
    page.goto(f"{url}/admin/organization/official/?cf_nhom_chuyen_mon=V%C4%83n+h%C3%B3a")
    shot("custom-field-list-filter")
    assert page.get_by_text("Đỗ Thị Hoa").count() >= 1 and page.get_by_text("Mai Thị Lan").count() == 0

    # 3. the unit head builds a report grouped by the new field, runs it and saves it
    page.context.clear_cookies()
    desk_login(page, url, "head", PASSWORD)
    assert page.get_by_text("Bàn làm việc của người đứng đầu").count() == 1  # the head's workspace
    shot("desk-home-head")
    page.get_by_role("link", name="Trình tạo báo cáo").first.click()
    page.wait_for_url("**/admin/reports/savedreport/builder/**")
    page.locator("input[name=group_by][value='custom.nhom_chuyen_mon']").check()
    page.select_option("select[name=agg_fn_0]", "count")
    page.select_option("select[name=chart_type]", "bar")
    page.locator("button[name=_run]").click()
    page.wait_for_selector("#report-result")
    assert table_rows(page) == ["(Trống) 4", "Thể thao 1", "Văn hóa 2"]
    assert page.locator("#report-result svg").filter(visible=True).count() == 1  # the phone's drawing is hidden
    shot("report-builder")
    page.fill("input[name=name]", "Cán bộ theo nhóm chuyên môn")
    page.locator("button[name=_save]").click()
    page.wait_for_url(re.compile(r".*/admin/reports/savedreport/\d+/run/$"))
    shot("custom-field-report")
    assert table_rows(page) == ["(Trống) 4", "Thể thao 1", "Văn hóa 2"]
    saved = SavedReport.objects.get()
    assert saved.owner == cast.head and saved.group_by == ["custom.nhom_chuyen_mon"]
