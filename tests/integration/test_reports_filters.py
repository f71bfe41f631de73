"""Issue 11: built-in reports are set up from their filter bar (and their exports follow it),
the builder filters choice fields by label, and official outputs leave drafts out of the
levels and state their cut-off."""

import csv
import io
import subprocess
import unicodedata
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories.appraisals import appraisal_of, scored
from tests.factories.competencies import YEAR, approved, assessment_of, prepare_competencies
from tests.factories.reports import builtin_report_data
from tests.factories.worklogs import log, previous_period
from thanhhoa_kpi.competencies.assessments import competency_assessment_open
from thanhhoa_kpi.competencies.models import Competency, CompetencyFramework, PositionRequirement
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.reports import exports
from thanhhoa_kpi.reports.pdf import unit_summary_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(cast):
    cast, period, work = builtin_report_data(cast)
    framework = CompetencyFramework.objects.create(code="KNL", name="Khung năng lực", effective_from=date(2026, 1, 1))
    skill = Competency.objects.create(framework=framework, code="NL01", name="Soạn thảo văn bản", kind="CHUNG")
    PositionRequirement.objects.create(framework=framework, position=cast.position, competency=skill, required_level=3)
    # The gap report reads approved assessments: the official's, rated 2 against 3 required.
    prepare_competencies()
    competency_assessment_open(user=SYSTEM, year=YEAR, unit=cast.team)
    approved(assessment_of(cast.official), subject=cast.official, reviewer=cast.head, own={"NL01": 3},
             given={"NL01": 2})  # fmt: skip
    return cast, period, work


def page(client, user, code, query):
    client.force_login(user)
    response = client.get(reverse("admin:reports_builtin_run", args=[code]), query)
    assert response.status_code == 200
    return response


def csv_rows(client, code, query):
    response = client.get(reverse("admin:reports_builtin_export", args=[code, "csv"]), query)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]


def as_csv(result):
    return [[str(exports._csv_value(value)) for value in row] for row in result.rows]


# (report, the filter that changes its rows, its value); the viewer sees the whole province
FILTERS = [
    ("officials_by_unit", "unit", "other_dept"),
    ("competency_gap", "bloc", "DANG"),
    ("nhat_ky_ca_nhan", "unit", "other_dept"),
    ("tong_hop_gio_lam_viec", "unit", "other_dept"),
    ("tong_hop_danh_gia_ca_nhan", "unit", "other_dept"),
    ("tong_hop_don_vi_thang", "unit", "other_dept"),
    ("bao_cao_thang_tinh", "unit", "other_dept"),
    ("so_ket_quy", "bloc", "DANG"),
    ("danh_sach_xep_loai_nam", "unit", "other_dept"),
]


@pytest.mark.parametrize(("code", "name", "value"), FILTERS)
def test_each_builtin_reports_filter_bar_changes_the_rows_and_its_export_follows(data, client, code, name, value):
    cast, _period, _work = data
    chosen = str(getattr(cast, value).pk) if name == "unit" else value
    before = page(client, cast.viewer, code, {}).context["result"]
    html = page(client, cast.viewer, code, {}).content.decode()
    assert f'name="{name}"' in html and "số hiệu" not in html  # picked by name from the bar, not typed
    if name == "unit":
        assert f'<option value="{chosen}">' in html and "Sở Khoa học (thử)" in html
    response = page(client, cast.viewer, code, {name: chosen})
    after = response.context["result"]
    assert as_csv(after) != as_csv(before), code
    assert f'value="{chosen}" selected' in response.content.decode()
    assert csv_rows(client, code, {name: chosen}) == as_csv(after)
    export_links = [url for label, url in response.context["exports"]]
    assert all(f"{name}={chosen}" in url for url in export_links)


def test_the_unit_picker_lists_only_the_users_scope(data, client):
    cast, _period, _work = data
    html = page(client, cast.head, "officials_by_unit", {}).content.decode()
    assert "Phòng Văn hóa - Xã hội A" in html and "Sở Khoa học (thử)" not in html
    foreign = str(cast.other_dept.pk)
    assert page(client, cast.head, "officials_by_unit", {"unit": foreign}).context["result"].rows == []


def test_the_province_monthly_report_for_last_month_from_the_ui(data, client):
    cast, _period, work = data
    last = previous_period()
    log(cast.official, work.culture, minutes=300, date=date(last.year, last.month, 10))
    html = page(client, cast.viewer, "bao_cao_thang_tinh", {}).content.decode()
    assert f'<option value="{last.month}">Tháng {last.month}</option>' in html  # the month is a picker
    response = page(client, cast.viewer, "bao_cao_thang_tinh", {"year": last.year, "month": last.month})
    result = response.context["result"]
    assert result.subtitle.startswith(f"Tháng {last.month:02d}/{last.year}")
    total = result.rows[-1]
    assert total[:2] == ["Toàn tỉnh", "Tổng cộng"] and total[-2] == 1 and total[-1] == 5
    csv_total = csv_rows(client, "bao_cao_thang_tinh", {"year": last.year, "month": last.month})[-1]
    assert csv_total[-2:] == ["1", "5.00"]


def builder_post(client, user, **filters):
    client.force_login(user)
    data = {"doctype": "appraisal", "columns": ["official", "state"], "name": ""}
    data.update({k: v for k, v in filters.items()})
    return client.post(reverse("admin:reports_builder") + "?doctype=appraisal", data)


def test_a_choice_filter_is_a_dropdown_of_labels_that_filters_by_code(data, client):
    cast, period, _work = data
    scored(appraisal_of(cast.colleague, period), "40", "20", state="DRAFT")
    client.force_login(cast.viewer)
    html = client.get(reverse("admin:reports_builder") + "?doctype=appraisal").content.decode()
    assert '<option value="state=PUBLISHED">Công khai</option>' in html
    response = builder_post(client, cast.viewer, filter_field_0="state", filter_op_0="eq",
                            filter_choice_0="state=PUBLISHED")  # fmt: skip
    rows = response.context["result"].rows
    assert sorted(rows) == [["Nguyễn Văn An", "Công khai"], ["Vũ Thị Giang", "Công khai"]]
    typed = builder_post(client, cast.viewer, filter_field_0="state", filter_op_0="eq", filter_value_0="Công khai")
    assert sorted(typed.context["result"].rows) == sorted(rows)
    wrong = builder_post(client, cast.viewer, filter_field_0="official", filter_op_0="eq",
                         filter_choice_0="state=PUBLISHED")  # fmt: skip
    assert "thuộc một trường khác" in wrong.content.decode()


def pdf_text(content):
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(unicodedata.normalize("NFC", proc.stdout.decode("utf-8")).split())


def test_the_unit_summary_pdf_marks_drafts_provisional_and_states_its_cut_off(data, client):
    cast, period, _work = data
    scored(appraisal_of(cast.colleague, period), "40", "20", state="DRAFT")
    client.force_login(cast.authority)
    url = reverse("admin:appraisals_unit_summary_pdf") + f"?period={period.pk}&unit={cast.team.pk}"
    response = client.get(url)
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Không hoàn thành nhiệm vụ (tạm tính)" in text
    assert "Số liệu tính đến" in text and f"{timezone.localdate():%d/%m/%Y}" in text
    assert "«Cơ quan tổ chức cán bộ phê duyệt», «Công khai»" in text
    assert "Chưa tính 3 phiếu tạm tính" in text  # the draft scored 40 and two not scored yet
    # The summary of levels counts the published appraisal only: no "Không hoàn thành" there.
    summary = text[text.index("Tổng hợp xếp loại") :]
    assert "Không hoàn thành nhiệm vụ 0 0 " in summary and "Hoàn thành xuất sắc nhiệm vụ 1 100" in summary


def test_the_province_report_leaves_drafts_out_of_the_levels_and_says_so(data, client):
    cast, period, _work = data
    scored(appraisal_of(cast.colleague, period), "40", "20", state="DRAFT")
    result = page(client, cast.viewer, "bao_cao_thang_tinh", {}).context["result"]
    columns = [column.key for column in result.columns]
    total = dict(zip(columns, result.rows[-1], strict=True))
    assert total["n_khong_hoan_thanh"] == 0 and total["provisional"] >= 1
    assert total["n_hoan_thanh_xuat_sac"] == 1
    assert "Số liệu tính đến" in result.note and "tạm tính" in result.note
    client.force_login(cast.viewer)
    content = client.get(reverse("admin:reports_builtin_export", args=["bao_cao_thang_tinh", "pdf"])).content
    text = pdf_text(content)
    assert "Số liệu tính đến" in text and "«Công khai»" in text and "tạm tính" in text


def test_the_unit_summary_pdf_without_a_cut_off_still_renders():
    assert unit_summary_pdf({"agency": "A", "unit": "B", "period": "Tháng 01/2026"}).startswith(b"%PDF")
