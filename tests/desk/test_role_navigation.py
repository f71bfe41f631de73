"""The sidebar shows each persona the pages of their work (issue 11, item 11).

Like Frappe's workspaces and Odoo's apps hidden without rights: an official sees their own
work, a unit head adds the review queue and the unit's appraisals, a bloc authority the
periods and publication, an HR admin the master data, the viewer dashboards and reports, the
system admin everything they can open. The personas come from the scope (roles, grants,
official record), so these tests use the cast's accounts as they are.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tests.factories.worklogs import assign
from thanhhoa_kpi.desk import navigation
from thanhhoa_kpi.desk.navigation import personas, sidebar

HOME = ("Việc của tôi", ["Bàn làm việc", "Hộp việc cần xử lý", "Thông báo"])
MY_WORK = (
    "Việc của tôi",
    ["Bàn làm việc", "Nhật ký của tôi", "Ghi nhanh nhật ký", "Điểm của tôi", "Việc được giao cho tôi",
     "Đề xuất từ hệ thống nghiệp vụ", "Phiếu đánh giá của tôi", "Đánh giá năng lực của tôi", "Hộp việc cần xử lý",
     "Thông báo"],
)  # fmt: skip
MY_REPORTS = ("Báo cáo", ["Báo cáo có sẵn", "Báo cáo đã lưu"])
REPORTS = ("Báo cáo", ["Báo cáo có sẵn", "Tổng hợp giờ làm việc", "Trình tạo báo cáo", "Báo cáo đã lưu",
                       "Lịch gửi báo cáo"])  # fmt: skip
HR_REPORTS = ("Báo cáo", ["Báo cáo có sẵn", "Trình tạo báo cáo", "Báo cáo đã lưu", "Lịch gửi báo cáo"])
UNIT_WORK = ("Giao việc và duyệt", ["Duyệt nhật ký", "Giao việc", "Việc giao trong đơn vị", "Nhật ký của đơn vị"])
UNIT_APPRAISALS = ("Đánh giá, xếp loại", ["Phiếu đánh giá", "Đánh giá đơn vị", "Đánh giá năng lực"])
APPRAISALS = ("Đánh giá, xếp loại", ["Kỳ đánh giá", "Phiếu đánh giá", "Đánh giá đơn vị", "Xét tỷ lệ và công khai",
                                     "Danh sách xếp loại", "Đánh giá năng lực",
                                     "Quy chế đánh giá của đơn vị"])  # fmt: skip
# HR admins open and follow the yearly competency assessment (issue 14, item 4) and enter
# their units' own scoring rules (item 3).
HR_ASSESSMENTS = ("Đánh giá, xếp loại", ["Đánh giá năng lực", "Quy chế đánh giá của đơn vị"])


def master_data(province: bool) -> list[tuple[str, list[str]]]:
    """The HR admin's groups; an admin of the province also changes province-wide definitions."""
    only = (lambda *titles: list(titles)) if province else (lambda *_titles: [])
    return [
        ("Tổ chức bộ máy", ["Đơn vị", "Nhóm nhiệm vụ tương đồng", *only("Cơ quan phê duyệt của khối")]),
        ("Cán bộ, công chức, viên chức", ["Hồ sơ cán bộ", "Quá trình công tác", "Thời gian nghỉ"]),
        ("Vị trí việc làm và năng lực", ["Vị trí việc làm", "Bản mô tả vị trí việc làm", "Khung năng lực",
                                         "Yêu cầu năng lực theo vị trí"]),
        ("Danh mục đầu công việc", ["Danh mục", "Đầu công việc", "Nhập danh mục từ Excel", "Lịch sử nhập Excel"]),
        ("Nhập, xuất dữ liệu", ["Nhập từ Excel", "Các lượt nhập", "Xuất Excel"]),
        ("Cấu hình", ["Quy trình phê duyệt", *only("Đề xuất thay đổi quy định", "Bộ quy tắc chấm điểm"),
                      "Lịch nghỉ lễ, Tết", "Ngưỡng kiểm tra nhật ký"]),
        ("Kết nối hệ thống nghiệp vụ", ["Sự kiện chờ xử lý", "Quy tắc đối chiếu sự kiện", "Hệ thống gửi sự kiện"]),
        ("Tùy biến", ["Trường tùy biến", *only("Tùy chỉnh trường có sẵn")]),
    ]  # fmt: skip


EXPECTED = {
    "official": [MY_WORK, MY_REPORTS],
    "colleague": [MY_WORK, MY_REPORTS],
    "outsider": [MY_WORK, MY_REPORTS],
    "deputy": [MY_WORK, UNIT_WORK, UNIT_APPRAISALS, REPORTS],
    "head": [MY_WORK, UNIT_WORK, UNIT_APPRAISALS, REPORTS],
    "authority": [MY_WORK, APPRAISALS, REPORTS],  # the cast's authority is an official of Sở Nội vụ too
    "hr": [HOME, HR_ASSESSMENTS, HR_REPORTS, *master_data(province=False)],
    "province_hr": [HOME, HR_ASSESSMENTS, HR_REPORTS, *master_data(province=True)],
    "viewer": [
        ("Việc của tôi", ["Bàn làm việc", "Thông báo"]),
        ("Đánh giá, xếp loại", ["Danh sách xếp loại", "Đánh giá năng lực"]),
        REPORTS,
    ],  # fmt: skip
    "sysadmin": [
        HOME,
        UNIT_WORK,
        APPRAISALS,
        REPORTS,
        *master_data(province=True),
        ("Quản trị", ["Người dùng", "Phân quyền vai trò", "Bản vá dữ liệu", "Kỳ công việc", "Nhật ký kiểm toán"]),
    ],  # fmt: skip
}


def groups_of(user, path: str = "/admin/") -> list[dict]:
    request = RequestFactory().get(path)
    request.user = user
    return sidebar(request)


def links_of(user) -> dict[str, str]:
    return {entry["title"]: entry["link"] for group in groups_of(user) for entry in group["items"]}


@pytest.mark.parametrize("persona", EXPECTED)
def test_each_persona_sees_the_pages_of_its_work(persona, cast):
    shown = [
        (group["title"], [entry["title"] for entry in group["items"]]) for group in groups_of(getattr(cast, persona))
    ]
    assert shown == EXPECTED[persona]


@pytest.mark.parametrize("persona", EXPECTED)
def test_every_link_shown_opens_for_the_persona(persona, cast, client):
    user = getattr(cast, persona)
    client.force_login(user)
    links = links_of(user)
    assert len(set(links.values())) == len(links), "the same page twice in one sidebar"
    refused = {title: client.get(link).status_code for title, link in links.items()}
    assert {title: status for title, status in refused.items() if status != 200} == {}
    html = client.get(reverse("admin:index")).content.decode()
    for link in links.values():  # the desk draws this sidebar
        assert f'href="{link.replace("&", "&amp;")}"' in html


@pytest.mark.parametrize("persona", EXPECTED)
def test_a_page_of_ones_work_is_hidden_only_when_it_cannot_be_opened(persona, cast, client):
    """Role-shaping hides other people's work; within one's own, only pages refused to the
    caller are missing (the system admin, without an official record, has no personal pages)."""
    user = getattr(cast, persona)
    client.force_login(user)
    shown = {link.split("?")[0] for link in links_of(user).values()}
    mine = personas(user)
    hidden = {(title, link) for title, link, who in navigation.catalogue() if who & mine and link not in shown}
    opened = {title: link for title, link in hidden if client.get(link).status_code == 200}
    assert opened == {}


def test_the_system_admin_misses_only_the_pages_of_an_official(cast, client):
    client.force_login(cast.sysadmin)
    shown = {link.split("?")[0] for link in links_of(cast.sysadmin).values()}
    hidden = sorted({title for title, link, _who in navigation.catalogue() if link not in shown})
    assert hidden == ["Ghi nhanh nhật ký", "Nhật ký của tôi", "Điểm của tôi", "Đề xuất từ hệ thống nghiệp vụ"]


def test_personas_come_from_the_scope_not_the_username(cast):
    assert personas(cast.official) == {"MINE"}
    assert personas(cast.head) == {"MINE", "LEAD"}
    assert personas(cast.authority) == {"MINE", "AUTHORITY"}
    assert personas(cast.hr) == {"HR"}
    assert personas(cast.province_hr) == {"HR", "PROVINCE"}
    assert personas(cast.viewer) == {"VIEWER"}
    assert "MINE" not in personas(cast.sysadmin) and "ADMIN" in personas(cast.sysadmin)


def test_ones_own_lists_are_filtered_to_oneself(cast, work, client):
    official, deputy = cast.official_of(cast.official), cast.official_of(cast.deputy)
    assign(cast.head, official, work.culture, quantity="3")
    assign(cast.head, deputy, work.culture, quantity="2")
    client.force_login(cast.deputy)
    links = links_of(cast.deputy)
    own = client.get(links["Việc được giao cho tôi"]).context["cl"].result_list
    unit = client.get(links["Việc giao trong đơn vị"]).context["cl"].result_list
    assert [row.assignee_id for row in own] == [deputy.pk]
    assert sorted(row.assignee_id for row in unit) == sorted([official.pk, deputy.pk])


@pytest.mark.parametrize(
    ("path", "active"),
    [
        ("/admin/worklogs/worklogline/my-week/", "Nhật ký của tôi"),
        ("/admin/worklogs/worklogline/", "Nhật ký của đơn vị"),
        ("/admin/workflow/notification/inbox/", "Hộp việc cần xử lý"),
        ("/admin/reports/savedreport/builtin/tong_hop_gio_lam_viec/", "Báo cáo có sẵn"),
        ("/admin/", "Bàn làm việc"),
    ],
)
def test_one_item_is_active_the_page_one_is_on(path, active, cast):
    marked = [entry["title"] for group in groups_of(cast.head, path) for entry in group["items"] if entry["active"]]
    assert marked == [active]


def test_ones_own_filtered_list_is_active_on_its_own_filter(cast):
    official_id = cast.official_of(cast.head).pk
    path = f"/admin/appraisals/appraisal/?official={official_id}"
    request = RequestFactory().get(path)
    request.user = cast.head
    marked = [e["title"] for group in sidebar(request) for e in group["items"] if e["active"]]
    assert marked == ["Phiếu đánh giá của tôi"]
