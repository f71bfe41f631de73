"""The competency gap report from approved assessments (issue 14, item 4), on a small world
whose figures are worked out by hand below; its requirements mode; its exports and filter
bar; and the official's own gaps on «Điểm của tôi».

The world: the cast's ward opened for the year, plus «Phòng C» under the ward (its head and
one «Chuyên viên»). Required: Chuyên viên GT 3, VB 2; Trưởng phòng GT 4, VB 3, LD 3.
Approved, reviewer's levels:

    official   (Phòng A, Chuyên viên)   GT 2 (gap 1)  VB 2 (gap 0)
    colleague  (Phòng A, Chuyên viên)   GT 4 (gap 0)  VB 1 (gap 1)
    deputy     (Phòng A, Trưởng phòng)  GT 3 (gap 1)  VB 3 (gap 0)  LD 1 (gap 2)
    member     (Phòng C, Chuyên viên)   GT 1 (gap 2)  VB 5 (gap 0)

Not approved, so never counted: the head of Phòng A (submitted, in review), the head of
Phòng C (not even submitted).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories.appraisals import staff
from tests.factories.competencies import YEAR, act, approved, assessment_of, opened, prepare_competencies, self_assess
from tests.factories.reports import ensure_report_roles
from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.reports.builtin import builtin_run

pytestmark = pytest.mark.django_db

D = Decimal
TEAM, OTHER = "Phòng Văn hóa - Xã hội A", "Phòng C"
CV, TP = "Chuyên viên", "Trưởng phòng"
GT, VB, LD = "Giao tiếp", "Soạn thảo văn bản", "Lãnh đạo"
CHUNG, CM, QL = "Năng lực chung", "Năng lực chuyên môn", "Năng lực quản lý"


@pytest.fixture
def world(cast):
    prepare_competencies()
    ensure_report_roles()
    unit_c = org.org_unit_create(by=SYSTEM, parent=cast.ward, code="T_PHONG_C", name=OTHER, bloc="CHINH_QUYEN",
                                 level="XA", kind="PHONG")  # fmt: skip
    head_c = staff(unit_c, "T0301", "Đỗ Văn Trưởng", position=cast.lead_position, role="HEAD", with_user=True)
    member = staff(unit_c, "T0302", "Mai Thị Viên", position=cast.position, with_user=True)
    opened(cast)
    for user, reviewer, given in (
        (cast.official, cast.head, {"GT": 2, "VB": 2}),
        (cast.colleague, cast.head, {"GT": 4, "VB": 1}),
        (cast.deputy, cast.head, {"GT": 3, "VB": 3, "LD": 1}),
        (member.user, head_c.user, {"GT": 1, "VB": 5}),
    ):
        own = {code: 3 for code in given}
        approved(assessment_of(user), subject=user, reviewer=reviewer, own=own, given=given)
    act(self_assess(assessment_of(cast.head), cast.head, {"GT": 4, "VB": 4, "LD": 4}), cast.head, "submit")
    for user in (head_c.user, member.user):
        access.forget_scope(user)
    return {"unit_c": unit_c, "head_c": head_c, "member": member}


TEAM_ROWS = [
    [TEAM, CV, GT, CHUNG, 3, 2, D("3.00"), 1, D("0.50")],  # (2 + 4) / 2; official below; (1 + 0) / 2
    [TEAM, CV, VB, CM, 2, 2, D("1.50"), 1, D("0.50")],  # (2 + 1) / 2; colleague below; (0 + 1) / 2
    [TEAM, TP, GT, CHUNG, 4, 1, D("3.00"), 1, D("1.00")],
    [TEAM, TP, LD, QL, 3, 1, D("1.00"), 1, D("2.00")],
    [TEAM, TP, VB, CM, 3, 1, D("3.00"), 0, D("0.00")],
]
OTHER_ROWS = [
    [OTHER, CV, GT, CHUNG, 3, 1, D("1.00"), 1, D("2.00")],
    [OTHER, CV, VB, CM, 2, 1, D("5.00"), 0, D("0.00")],
]


def _run(user, **params):
    return builtin_run(code="competency_gap", user=user, params={"year": str(YEAR), **params})


def test_the_gap_report_counts_approved_assessments_by_unit_position_and_competency(cast, world):
    result = _run(cast.viewer)
    assert [c.label for c in result.columns] == [
        "Đơn vị", "Vị trí việc làm", "Năng lực", "Nhóm năng lực", "Cấp độ yêu cầu", "Số người đã đánh giá",
        "Cấp độ bình quân (người đánh giá)", "Số người chưa đạt yêu cầu", "Khoảng cách bình quân (cấp độ)",
    ]  # fmt: skip
    assert result.rows == TEAM_ROWS + OTHER_ROWS
    assert _run(cast.hr).rows == TEAM_ROWS + OTHER_ROWS  # the ward's HR admin: the whole ward


def test_the_gap_report_filters_by_unit_and_position(cast, world):
    assert _run(cast.viewer, unit=str(world["unit_c"].pk)).rows == OTHER_ROWS
    assert _run(cast.viewer, position=str(cast.position.pk)).rows == TEAM_ROWS[:2] + OTHER_ROWS
    assert _run(cast.viewer, year=str(YEAR - 1)).rows == []


def test_the_gap_report_reads_only_the_callers_scope(cast, world):
    assert _run(cast.head).rows == TEAM_ROWS  # heads Phòng A, not its sibling Phòng C
    assert _run(cast.official).rows == [
        [TEAM, CV, GT, CHUNG, 3, 1, D("2.00"), 1, D("1.00")],
        [TEAM, CV, VB, CM, 2, 1, D("2.00"), 0, D("0.00")],
    ]
    assert _run(cast.outsider).rows == []
    assert _run(cast.outsider, unit=str(world["unit_c"].pk)).rows == []  # a unit outside the scope: nothing


def test_a_reopened_assessment_leaves_the_report(cast, world):
    act(assessment_of(world["member"].user), world["head_c"].user, "reopen", "Đánh giá lại")
    assert _run(cast.viewer).rows == TEAM_ROWS


def test_the_requirements_mode_counts_holders_and_the_years_assessed_and_below(cast, world):
    result = _run(cast.viewer, mode="requirements")
    assert [c.label for c in result.columns][4:] == ["Số CBCCVC đảm nhiệm", "Đã đánh giá", "Chưa đạt yêu cầu"]
    # Chuyên viên: official, colleague, authority, outsider, member (5 holders); assessed: official,
    # colleague, member; below GT 3: official (2), member (1); below VB 2: colleague (1).
    # Trưởng phòng: deputy, head, head of Phòng C; assessed: the deputy only.
    assert result.rows == [
        [CV, GT, CHUNG, 3, 5, 3, 2],
        [CV, VB, CM, 2, 5, 3, 1],
        [TP, GT, CHUNG, 4, 3, 1, 1],
        [TP, LD, QL, 3, 3, 1, 1],
        [TP, VB, CM, 3, 3, 1, 0],
    ]


def test_the_report_page_has_its_filter_bar_and_exports_the_same_rows(cast, world):
    client = Client()
    client.force_login(cast.viewer)
    query = f"year={YEAR}&unit={world['unit_c'].pk}"
    page = client.get(reverse("admin:reports_builtin_run", args=["competency_gap"]) + "?" + query)
    html = page.content.decode()
    assert page.status_code == 200
    for name in ("year", "unit", "bloc", "position", "mode"):
        assert f'name="{name}"' in html
    assert "Theo kết quả đánh giá năng lực" in html and "Mai Thị Viên" not in html
    export = reverse("admin:reports_builtin_export", args=["competency_gap", "csv"]) + "?" + query
    rows = list(csv.reader(io.StringIO(client.get(export).content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Khoảng cách bình quân (cấp độ)"
    assert [row[:6] for row in rows[1:]] == [[OTHER, CV, GT, CHUNG, "3", "1"], [OTHER, CV, VB, CM, "2", "1"]]
    xlsx = client.get(reverse("admin:reports_builtin_export", args=["competency_gap", "xlsx"]) + "?" + query)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [OTHER, CV, GT, CHUNG, 3, 1] in [row[:6] for row in values]


# ------------------------------------------------------------------------- own gaps


def test_the_official_sees_their_own_gaps_beside_their_score(cast, world):
    client = Client()
    client.force_login(cast.official)
    html = client.get(reverse("admin:worklogs_my_score")).content.decode()
    assert 'id="own-competency-gaps"' in html
    table = html.split('id="own-competency-lines"', 1)[1].split("</table>", 1)[0]
    cells = [[cell.strip() for cell in row] for row in _cells(table)]
    assert cells == [
        ["GT — Giao tiếp", CHUNG, "3", "3", "2", "<strong>Thiếu 1 cấp độ</strong>"],
        ["VB — Soạn thảo văn bản", CM, "2", "3", "2", "Đạt"],
    ]
    assert f"Theo phiếu năm {YEAR} đã duyệt:" in html and "1 năng lực chưa đạt" in html
    assert "Trần Thị Bình" not in html  # nobody else's lines


def test_an_official_whose_assessment_awaits_review_is_told_where_it_stands(cast, world):
    client = Client()
    client.force_login(cast.head)
    html = client.get(reverse("admin:worklogs_my_score")).content.decode()
    assert f"Phiếu đánh giá năng lực năm {YEAR} đang ở bước «Người đánh giá xem xét»" in html
    assert "Chưa có phiếu đánh giá năng lực nào của bạn được duyệt." in html
    assert 'id="own-competency-lines"' not in html


def _cells(table):
    import re

    rows = re.findall(r"<tr class=\"border-b[^\"]*\">(.*?)</tr>", table, re.S)[1:]  # past the header
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
