"""PDF downloads in the desk (SPEC 6): the appraisal form from its change page and the unit
summary from the authority's page; both scoped (an outsider gets no file)."""

import subprocess
import unicodedata

import pytest
from django.urls import reverse

from tests.factories.appraisals import appraisal_of, opened, prepare_appraisals, scored

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(cast):
    prepare_appraisals()
    period = opened(cast)
    scored(appraisal_of(cast.official, period), "88", "62", state="HOME_AFFAIRS")
    return period


def pdf_text(content):
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(unicodedata.normalize("NFC", proc.stdout.decode("utf-8")).split())


def test_the_appraisal_change_page_offers_the_form_as_pdf(cast, period, client):
    appraisal = appraisal_of(cast.official, period)
    url = reverse("admin:appraisals_appraisal_download_pdf", args=[appraisal.pk])
    client.force_login(cast.head)
    page = client.get(reverse("admin:appraisals_appraisal_change", args=[appraisal.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Tải phiếu đánh giá (PDF)" in html and url in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Nguyễn Văn An" in pdf_text(response.content)
    client.force_login(cast.official)
    assert client.get(url).status_code == 200  # one's own form


def test_an_outsider_gets_no_appraisal_form(cast, period, client):
    url = reverse("admin:appraisals_appraisal_download_pdf", args=[appraisal_of(cast.official, period).pk])
    client.force_login(cast.outsider)
    assert client.get(url).status_code in (302, 404)
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_unit_summary_pdf_from_the_authoritys_page(cast, period, client):
    url = reverse("admin:appraisals_unit_summary_pdf") + f"?period={period.pk}&unit={cast.team.pk}"
    client.force_login(cast.authority)
    page = client.get(reverse("admin:appraisals_home_affairs") + f"?period={period.pk}&unit={cast.team.pk}")
    assert "Tải bảng tổng hợp (PDF)" in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = pdf_text(response.content)
    assert "Nguyễn Văn An" in content and "Phạm Thị Dung" in content
    client.force_login(cast.head)
    assert client.get(url).status_code == 200


def test_an_outsider_gets_no_unit_summary(cast, period, client):
    client.force_login(cast.outsider)
    url = reverse("admin:appraisals_unit_summary_pdf")
    assert client.get(url + f"?period={period.pk}&unit={cast.team.pk}").status_code in (302, 404)
    assert client.get(url + "?period=abc&unit=").status_code == 404


def test_custom_fields_appear_on_the_printed_appraisal_form(cast, period, client):
    from tests.factories.reports import make_field, set_custom

    make_field("trinh_do", "select", label="Trình độ lý luận chính trị", options=["Trung cấp", "Cao cấp"])
    set_custom(cast.official_of(cast.official), trinh_do="Cao cấp")
    appraisal = appraisal_of(cast.official, period)
    client.force_login(cast.head)
    text = pdf_text(client.get(reverse("admin:appraisals_appraisal_download_pdf", args=[appraisal.pk])).content)
    assert "Trình độ lý luận chính trị: Cao cấp" in text
