"""Built-in reports come in pages of 50 rows that say how many there are; exports hold all rows
(issue 11, item 13: the officials list sent 2.4 MB and showed 500 of 2,009 rows silently)."""

import io
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories.reports import ensure_report_roles
from thanhhoa_kpi.organization.models import Official, OfficialAssignment
from thanhhoa_kpi.reports.builtin import BUILTINS

pytestmark = pytest.mark.django_db

EXTRA = 1030  # with the cast's own officials: more than a thousand rows


@pytest.fixture
def many(cast):
    ensure_report_roles()
    officials = Official.objects.bulk_create(
        Official(code=f"P{n:05d}", full_name=f"Cán bộ thử {n:05d}") for n in range(EXTRA)
    )
    OfficialAssignment.objects.bulk_create(
        OfficialAssignment(official=o, unit=cast.team, position=cast.position, start_date=date(2026, 1, 1))
        for o in officials
    )
    return OfficialAssignment.objects.filter(official__in=Official.objects.all(), end_date__isnull=True).count()


def rows_of(html):
    return re.findall(r"<tr[^>]*>\s*<td", html.split("data-report-table", 1)[1])


def test_the_officials_list_shows_fifty_rows_and_says_of_how_many(cast, many):
    client = Client()
    client.force_login(cast.viewer)
    url = reverse("admin:reports_builtin_run", args=["officials_by_unit"])
    first = client.get(url).content.decode()
    total = f"{many // 1000}.{many % 1000:03d}"
    assert f"Hiển thị 1–50 / {total} dòng" in first
    assert len(rows_of(first)) == 50
    pages = -(-many // 50)
    assert f"Trang 1 / {pages}" in first and 'href="?page=2"' in first and "← Trang trước" not in first

    last = client.get(url + f"?page={pages}").content.decode()
    start = (pages - 1) * 50 + 1
    assert f"Hiển thị {start // 1000}.{start % 1000:03d}–{total} / {total} dòng" in last and "Trang sau →" not in last
    assert len(rows_of(last)) == many - start + 1


def test_pages_keep_the_filters_and_the_exports_hold_every_row(cast, many):
    client = Client()
    client.force_login(cast.viewer)
    url = reverse("admin:reports_builtin_run", args=["officials_by_unit"])
    page = client.get(url, {"unit": cast.team.pk, "page": 2}).content.decode()
    assert f"?unit={cast.team.pk}&amp;page=3" in page and f"?unit={cast.team.pk}&amp;page=1" in page
    export = re.search(r'href="([^"]*/export/xlsx/[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "page=" not in export and f"unit={cast.team.pk}" in export
    sheet = load_workbook(io.BytesIO(client.get(export).content)).active
    in_team = OfficialAssignment.objects.filter(unit=cast.team, end_date__isnull=True).count()
    assert sheet.max_row - 3 == in_team > 1000  # title, subtitle, header, then every row


def test_the_built_in_report_pages_are_headed_as_built_in_reports_not_as_saved_ones(cast):
    """unfold heads a page "app › model" from its ``opts``: the saved reports' would read «Báo cáo đã lưu»."""
    ensure_report_roles()
    client = Client()
    client.force_login(cast.viewer)
    listing = client.get(reverse("admin:reports_builtin")).content.decode()
    assert _header(listing) == "Báo cáo có sẵn"
    page = client.get(reverse("admin:reports_builtin_run", args=["officials_by_unit"])).content.decode()
    assert _header(page) == BUILTINS["officials_by_unit"].title
    assert f'href="{reverse("admin:reports_builtin")}">← Báo cáo có sẵn</a>' in page
    saved_list = client.get(reverse("admin:reports_savedreport_changelist")).content.decode()
    assert "Báo cáo đã lưu" in _header(saved_list)


def _header(html):
    """The text of the page's header (unfold's first ``<h1>``), its parts joined by « › »."""
    inner = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    parts = re.findall(r"<(?:a|span)[^>]*tracking-tight[^>]*>\s*(.*?)\s*</(?:a|span)\s*>", inner, re.S)
    return " › ".join(parts)
