"""Workspaces (SPEC 6): per-role desk homes as data files, checked against the schema and
the registries; a broken file is refused naming the file and the path; the desk home
shows the workspace of the user's main role, computed in their scope."""

import re
import shutil

import pytest
from django.core.management import CommandError, call_command

from tests.factories.reports import ensure_report_roles
from thanhhoa_kpi.dashboards import workspaces
from thanhhoa_kpi.dashboards.charts import PHONE_WIDTH, chart_svg
from thanhhoa_kpi.dashboards.workspaces import WorkspaceError, load_all, load_file, schema_errors, workspace_for

pytestmark = pytest.mark.django_db

BROKEN = """\
title: Hỏng
roles: [OFFICIAL, KING]
priority: "một"
cards:
  - metric: logs_this_week
  - label: Thiếu chỉ số
charts:
  - source: officials_by_unit
    type: radar
shortcuts:
  - label: Không có trang
    url: admin:khong_co_trang
color: red
"""


def test_every_workspace_file_is_valid_and_each_role_has_one():
    loaded = {w.name: w for w in load_all()}
    assert set(loaded) == {"official", "deputy", "unit_head", "bloc_authority", "hr_admin", "leadership_viewer"}
    expected = {
        "OFFICIAL": "official", "DEPUTY": "deputy", "HEAD": "unit_head", "BLOC_AUTHORITY": "bloc_authority",
        "HR_ADMIN": "hr_admin", "SYSTEM_ADMIN": "hr_admin", "VIEWER": "leadership_viewer",
    }  # fmt: skip
    for role, name in expected.items():
        assert workspace_for({role}).name == name
    assert workspace_for({"OFFICIAL", "HEAD"}).name == "unit_head"  # the main role wins
    assert workspace_for({"OFFICIAL", "HR_ADMIN"}).name == "hr_admin"
    assert workspace_for(set()) is None


def test_a_broken_file_is_refused_naming_the_file_and_each_path(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(WorkspaceError) as caught:
        load_file(path)
    messages = [m.split(": ", 1)[1] for m in caught.value.messages]
    assert all(m.startswith(f"{path}: ") for m in caught.value.messages)
    assert "roles[1]: Giá trị «KING» không hợp lệ (chỉ: OFFICIAL, DEPUTY, HEAD, BLOC_AUTHORITY, HR_ADMIN, VIEWER, " \
           "SYSTEM_ADMIN)." in messages  # fmt: skip
    assert "priority: Phải là số nguyên." in messages
    assert "cards[1].metric: Thiếu mục bắt buộc." in messages
    assert "charts[0].type: Giá trị «radar» không hợp lệ (chỉ: bar, line, pie)." in messages
    assert any(m.startswith("color: Mục không được phép") for m in messages)


def test_unknown_metrics_charts_and_pages_are_refused(tmp_path):
    path = tmp_path / "refs.yaml"
    path.write_text(
        "title: T\nroles: [OFFICIAL]\npriority: 1\ncards: [{metric: logs_this_week}]\n"
        "charts: [{source: khong_co_bieu_do, type: bar}]\nshortcuts: [{label: X, url: 'admin:khong_co'}]\n",
        encoding="utf-8",
    )
    with pytest.raises(WorkspaceError) as caught:
        load_file(path)
    text = "\n".join(caught.value.messages)
    assert "cards[0].metric: Không có chỉ số «logs_this_week»" in text
    assert "charts[0].source: Không có nguồn biểu đồ «khong_co_bieu_do»" in text
    assert "shortcuts[0].url: Không có trang «admin:khong_co» trên bàn làm việc." in text


def test_bad_yaml_is_reported_with_the_file_name(tmp_path):
    path = tmp_path / "syntax.yaml"
    path.write_text("title: [", encoding="utf-8")
    with pytest.raises(WorkspaceError) as caught:
        load_file(path)
    assert caught.value.messages[0].startswith(f"{path}: không đọc được tệp YAML")


def test_the_schema_validator_handles_the_keywords_it_claims():
    schema = {"type": "object", "required": ["a"], "additionalProperties": False,
              "properties": {"a": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string",
                             "minLength": 2, "pattern": "^[a-z]+$"}}, "n": {"type": "integer", "minimum": 1,
                             "maximum": 3}, "b": {"type": "boolean"}}}  # fmt: skip
    assert schema_errors({"a": ["ab"], "n": 2, "b": True}, schema) == []
    assert schema_errors({"a": ["A", "abc"], "n": 9, "b": 1}, schema) == [
        ("a[0]", "Độ dài phải từ 2 đến ∞."), ("a[0]", "Giá trị «A» không đúng dạng."),
        ("n", "Phải từ 1 đến 3."), ("b", "Phải là đúng/sai."),
    ]  # fmt: skip
    assert schema_errors({"a": [], "z": 1}, schema) == [
        ("a", "Cần ít nhất 1 mục."),
        ("z", "Mục không được phép (chỉ: a, n, b)."),
    ]
    assert schema_errors({"n": True}, schema)[1] == ("n", "Phải là số nguyên.")  # a boolean is not an integer
    assert schema_errors([], schema) == [("", "Phải là đối tượng.")]


def test_the_check_command_passes_and_fails(tmp_path, monkeypatch, capsys):
    call_command("check_workspaces")
    assert "6 tệp hợp lệ." in capsys.readouterr().out
    shutil.copy(workspaces.WORKSPACE_DIR / "schema.json", tmp_path / "schema.json")
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    monkeypatch.setattr(workspaces, "WORKSPACE_DIR", tmp_path)
    with pytest.raises(CommandError, match="lỗi trong các tệp bàn làm việc"):
        call_command("check_workspaces")
    assert "broken.yaml: priority: Phải là số nguyên." in capsys.readouterr().err


@pytest.mark.parametrize(
    ("persona", "title", "cards"),
    [
        ("head", "Bàn làm việc của người đứng đầu", {"Cán bộ của đơn vị": "4", "Đơn vị trực thuộc": "1"}),
        ("hr", "Bàn làm việc quản trị nhân sự", {"Cán bộ trong phạm vi": "4", "Đơn vị trong phạm vi": "2"}),
        ("viewer", "Tổng quan toàn tỉnh", {"Cán bộ toàn tỉnh": "6", "Đơn vị toàn tỉnh": "6"}),
        ("authority", "Bàn làm việc của cơ quan phê duyệt khối", {"Cán bộ trong khối": "6"}),
        ("deputy", "Bàn làm việc của cấp phó", {"Cán bộ thuộc lĩnh vực phụ trách": "2"}),
        ("official", "Bàn làm việc của tôi", {"Báo cáo đã lưu dùng được": "0"}),
    ],
)
def test_the_desk_home_shows_the_roles_workspace(cast, client, persona, title, cards):
    ensure_report_roles()
    client.force_login(getattr(cast, persona))
    response = client.get("/admin/")
    assert response.status_code == 200
    workspace = response.context["workspace"]
    assert workspace["title"] == title
    shown = {card["label"]: card["value"] for card in workspace["cards"]}
    assert cards.items() <= shown.items()
    html = response.content.decode()
    assert title in html and all(label in html for label in cards)


def test_the_desk_home_draws_charts_and_permitted_shortcuts(cast, client):
    ensure_report_roles()
    client.force_login(cast.head)
    html = client.get("/admin/").content.decode()
    assert html.count("<svg") >= 2 and "Phòng Văn hóa - Xã hội A" in html
    assert "Trình tạo báo cáo" in html and "/admin/reports/savedreport/builder/" in html


def test_a_broken_workspace_shows_its_errors_instead_of_failing(cast, client, tmp_path, monkeypatch):
    shutil.copy(workspaces.WORKSPACE_DIR / "schema.json", tmp_path / "schema.json")
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    monkeypatch.setattr(workspaces, "WORKSPACE_DIR", tmp_path)
    client.force_login(cast.head)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Tệp bàn làm việc có lỗi" in response.content.decode()
    assert any("broken.yaml: priority" in m for m in response.context["workspace_errors"])


@pytest.mark.parametrize("kind", ["bar", "line", "pie"])
def test_charts_are_inline_svg_with_escaped_labels(kind):
    svg = str(chart_svg(kind, ["<script>x</script>", "Thể thao"], [3, 1.5], title="Cán bộ"))
    assert svg.startswith("<svg") and "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Thể thao" in svg
    assert "Chưa có dữ liệu" in str(chart_svg(kind, [], []))


def test_a_line_chart_breaks_where_nothing_was_measured_and_a_percentage_axis_ends_at_100():
    svg = str(chart_svg("line", ["T1", "T2", "T3", "T4", "T5"], [80, 100, None, 90, 95], title="Đúng tiến độ (%)"))
    assert svg.count("<polyline") == 2  # T1–T2 and T4–T5, nothing drawn through T3
    assert svg.count("<circle") == 4
    assert ">100<" in svg and ">200<" not in svg
    assert "Chưa có dữ liệu" in str(chart_svg("line", ["T1", "T2"], [None, None]))


def test_each_chart_of_the_desk_home_is_also_drawn_for_a_phone(cast, client):
    ensure_report_roles()
    client.force_login(cast.head)
    charts = client.get("/admin/").context["workspace"]["charts"]
    drawn = [chart for chart in charts if "<svg" in str(chart["svg"])]
    assert len(drawn) >= 2  # the head's unit has officials and a week of lines to draw
    for chart in drawn:
        assert 'viewBox="0 0 640 ' in str(chart["svg"])
        assert f'viewBox="0 0 {PHONE_WIDTH} ' in str(chart["phone_svg"])


def test_a_pie_for_a_phone_puts_its_legend_under_the_pie():
    labels = ["Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ"]
    svg = str(chart_svg("pie", labels, [2, 1, 0], width=PHONE_WIDTH))
    legend = [float(y) for y in re.findall(r'<rect x="8" y="([\d.]+)"', svg)]
    assert len(legend) == 3 and legend == sorted(legend)
    assert min(legend) > 300  # under the pie, which is 300 high (the chart's height)
    assert "Hoàn thành xuất sắc nhiệm vụ: 2 (67%)" in svg
