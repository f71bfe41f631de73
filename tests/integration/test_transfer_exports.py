"""Excel exports: the import layout, only the caller's scope, and a round trip that changes nothing."""

from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.factories.xlsx import COMPETENCY_HEADERS, OFFICIAL_HEADERS, UNIT_HEADERS, read_xlsx
from thanhhoa_kpi.competencies.models import Competency, CompetencyFramework, PositionRequirement, ProficiencyLevel
from thanhhoa_kpi.organization.models import JobPosition, Official, OfficialAssignment, OrgUnit
from thanhhoa_kpi.transfer import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_and_private(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def framework(cast):
    fw = CompetencyFramework.objects.create(code="KNL", version=2, name="Khung chung", effective_from=date(2026, 1, 1))
    talk = Competency.objects.create(framework=fw, code="NL01", name="Giao tiếp", kind="CHUNG")
    lead = Competency.objects.create(framework=fw, code="NL02", name="Lãnh đạo", kind="QUAN_LY")
    for level, text in [(1, "Biết"), (2, "Hiểu"), (3, "Vận dụng")]:
        ProficiencyLevel.objects.create(competency=talk, level=level, description=text)
    ProficiencyLevel.objects.create(competency=lead, level=5, description="Dẫn dắt")
    PositionRequirement.objects.create(framework=fw, position=cast.position, competency=talk, required_level=3)
    PositionRequirement.objects.create(framework=fw, position=cast.lead_position, competency=lead, required_level=4)
    return fw


def snapshot():
    """Every imported table, field by field (``updated_at`` included), plus history sizes."""
    return {
        "units": list(OrgUnit.objects.order_by("code").values()),
        "officials": list(Official.objects.order_by("code").values()),
        "assignments": list(OfficialAssignment.objects.order_by("pk").values()),
        "positions": list(JobPosition.objects.order_by("code").values()),
        "frameworks": list(CompetencyFramework.objects.order_by("pk").values()),
        "competencies": list(Competency.objects.order_by("pk").values()),
        "levels": list(ProficiencyLevel.objects.order_by("pk").values()),
        "requirements": list(PositionRequirement.objects.order_by("pk").values()),
        "history": [OrgUnit.history.count(), Official.history.count(), OfficialAssignment.history.count()],
    }


def first_column(content, sheet):
    return sorted(row[0] for row in read_xlsx(content)[sheet][1:])


def test_an_export_holds_only_the_callers_scope(cast):
    assert first_column(services.export_rows(kind="officials", user=cast.hr), "Cán bộ") == [
        "T0001",
        "T0002",
        "T0003",
        "T0004",
    ]
    assert first_column(services.export_rows(kind="officials", user=cast.outsider), "Cán bộ") == ["T0006"]
    assert len(first_column(services.export_rows(kind="officials", user=cast.viewer), "Cán bộ")) == 6
    assert first_column(services.export_rows(kind="org_units", user=cast.hr), "Đơn vị") == ["T_PHONG_A", "T_PHUONG_A"]
    assert "T_PHONG_B" not in first_column(services.export_rows(kind="org_units", user=cast.head), "Đơn vị")


def test_an_export_uses_the_import_headers_labels_and_real_dates(cast):
    sheets = read_xlsx(services.export_rows(kind="officials", user=cast.hr))
    header, *rows = sheets["Cán bộ"]
    assert list(header) == OFFICIAL_HEADERS
    an = next(r for r in rows if r[0] == "T0001")
    assert an[6] == "Công chức" and an[7] == "T_PHONG_A" and an[9] == "Không giữ chức vụ"
    assert an[10] == "Văn hóa" and an[11] == datetime(2026, 1, 1)
    assert "Hướng dẫn" in sheets
    book = load_workbook(BytesIO(services.export_rows(kind="officials", user=cast.hr)))
    assert book["Cán bộ"]["L2"].number_format == "DD/MM/YYYY"
    units = read_xlsx(services.export_rows(kind="org_units", user=cast.hr))["Đơn vị"]
    assert list(units[0]) == UNIT_HEADERS
    assert (
        "T_PHUONG_A",
        "Phường A",
        None,
        "Khối chính quyền",
        "Cấp xã",
        "UBND xã/phường",
        "T_UBND",
        None,
        None,
    ) in units


def test_competency_frameworks_export_on_two_sheets(cast, framework):
    sheets = read_xlsx(services.export_rows(kind="competency_frameworks", user=cast.official))
    assert list(sheets["Năng lực"][0]) == COMPETENCY_HEADERS
    assert sheets["Năng lực"][1] == (
        "KNL", 2, "Khung chung", datetime(2026, 1, 1), "Có",
        "NL01", "Giao tiếp", "Năng lực chung", "Biết", "Hiểu", "Vận dụng", None, None,
    )  # fmt: skip
    assert sheets["Yêu cầu theo vị trí"][1:] == [("KNL", 2, "T_CV", "NL01", 3), ("KNL", 2, "T_TP", "NL02", 4)]


@pytest.mark.parametrize("kind", ["org_units", "officials", "positions", "competency_frameworks"])
@pytest.mark.parametrize("persona", ["hr", "sysadmin"])
def test_export_then_import_changes_nothing(cast, framework, kind, persona):
    user = getattr(cast, persona)
    before = snapshot()
    content = services.export_rows(kind=kind, user=user)
    report = services.import_apply(kind=kind, content=content, user=user)
    assert report.ok and report.rows > 0
    assert (report.created, report.updated, report.unchanged) == (0, 0, report.rows)
    assert snapshot() == before


def test_an_edited_export_updates_exactly_the_edited_row(cast):
    book = load_workbook(BytesIO(services.export_rows(kind="officials", user=cast.hr)))
    sheet = book["Cán bộ"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "T0002")
    row[1].value = "Trần Thị Bình An"
    buffer = BytesIO()
    book.save(buffer)
    report = services.import_apply(kind="officials", content=buffer.getvalue(), user=cast.hr)
    assert (report.updated, report.unchanged) == (1, 3)
    assert Official.objects.get(code="T0002").full_name == "Trần Thị Bình An"


def test_an_empty_template_has_the_headers_and_the_guide(cast):
    sheets = read_xlsx(services.export_template(kind="competency_frameworks"))
    assert list(sheets) == ["Năng lực", "Yêu cầu theo vị trí", "Hướng dẫn"]
    assert sheets["Năng lực"] == [tuple(COMPETENCY_HEADERS)]
    guide = sheets["Hướng dẫn"]
    assert any(r[1] == "Nhóm năng lực" and "Năng lực chung (CHUNG)" in r[4] for r in guide[3:])
