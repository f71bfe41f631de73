"""Each year's classifications in the national CBCCVC database's keys (issue 15, item 3):
Mã CBCCVC, year, the level in the national code list's wording and the unit, from the
year's PUBLISHED results only, in the caller's scope, as Excel and CSV from the desk and
the API."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories.appraisals import appraisal_of, month_period, opened, prepare_appraisals, scored
from tests.factories.xlsx import read_xlsx
from thanhhoa_kpi.appraisals import services
from thanhhoa_kpi.transfer import classifications

pytestmark = pytest.mark.django_db

YEAR = date.today().year
HEADERS = ("Mã CBCCVC", "Họ và tên", "Năm", "Xếp loại chất lượng", "Mã đơn vị", "Tên đơn vị")
AN = ("T0001", "Nguyễn Văn An", YEAR, "Hoàn thành tốt nhiệm vụ", "T_PHONG_A", "Phòng Văn hóa - Xã hội A")
GIANG = ("T0006", "Vũ Thị Giang", YEAR, "Hoàn thành nhiệm vụ", "T_PHONG_B", "Phòng B")


@pytest.fixture
def year(cast):
    """Twelve months of the government bloc: An's and Giang's published, Bình's scored but
    still in draft, everyone else's never scored; then the year's period."""
    prepare_appraisals()
    for month in range(1, 13):
        period = opened(cast, month_period(cast, year=YEAR, month=month))
        scored(appraisal_of(cast.official, period), "80", state="PUBLISHED")
        scored(appraisal_of(cast.outsider, period), "60", state="PUBLISHED")
        scored(appraisal_of(cast.colleague, period), "95", state="DRAFT")
    return services.period_create(user=cast.authority, kind="YEAR", bloc="CHINH_QUYEN", year=YEAR, number=1)


def as_tuples(rows):
    return [
        tuple(row[key] for key in ("code", "full_name", "year", "classification", "unit", "unit_name")) for row in rows
    ]


def test_the_export_lists_the_published_levels_in_the_national_wording_and_leaves_drafts_out(cast, year):
    assert as_tuples(classifications.classification_rows(user=cast.province_hr, year=YEAR)) == [AN, GIANG]


def test_a_year_without_published_results_exports_only_the_headers(cast, year):
    assert classifications.classification_rows(user=cast.province_hr, year=YEAR - 1) == []
    content, mime, name = classifications.classifications_export(user=cast.province_hr, year=YEAR - 1, fmt="csv")
    assert content.decode("utf-8-sig").splitlines() == [",".join(HEADERS)]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("official", [AN]),
        ("colleague", []),
        ("head", [AN]),
        ("hr", [AN]),
        ("outsider", [GIANG]),
        ("authority", [AN, GIANG]),
        ("viewer", [AN, GIANG]),
        ("province_hr", [AN, GIANG]),
        ("sysadmin", [AN, GIANG]),
    ],
)
def test_the_export_is_scoped_like_the_reports(cast, year, persona, expected):
    assert as_tuples(classifications.classification_rows(user=getattr(cast, persona), year=YEAR)) == expected


def test_the_desk_offers_the_year_and_downloads_excel_and_csv(cast, year, client):
    client.force_login(cast.hr)
    page = client.get(reverse("admin:transfer_importjob_export")).content.decode()
    assert f"Năm {YEAR}" in page
    url = reverse("admin:transfer_importjob_classifications", args=["xlsx"])
    assert f"{url}?year={YEAR}" in page
    response = client.get(url, {"year": YEAR})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="xep-loai-cbccvc-{YEAR}.xlsx"'
    assert read_xlsx(response.content)["Xếp loại"] == [HEADERS, AN]
    response = client.get(reverse("admin:transfer_importjob_classifications", args=["csv"]), {"year": YEAR})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8-sig").splitlines() == [",".join(HEADERS), ",".join(map(str, AN))]


def test_the_desk_refuses_an_unknown_format_in_vietnamese(cast, client):
    client.force_login(cast.hr)
    response = client.get(reverse("admin:transfer_importjob_classifications", args=["pdf"]), follow=True)
    assert "Định dạng không được hỗ trợ." in [str(m) for m in response.context["messages"]]


def test_the_api_exports_csv_and_excel_in_the_callers_scope(cast, year, api_for):
    url = reverse("api-export-classifications")
    response = api_for(cast.outsider).get(url, {"year": YEAR, "output": "csv"})
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines() == [",".join(HEADERS), ",".join(map(str, GIANG))]
    response = api_for(cast.sysadmin).get(url, {"year": YEAR})
    assert read_xlsx(response.content)["Xếp loại"] == [HEADERS, AN, GIANG]
    response = api_for(cast.sysadmin).get(url, {"year": YEAR, "output": "pdf"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "output"
    assert api_for(None).get(url, {"year": YEAR}).status_code in (401, 403)
