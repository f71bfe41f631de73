"""One Vietnamese notation for numbers (issue 11, item 13: "0.2", "0,8000", "4.50", "2.026").

Decimals: a comma, at most the field's places, trailing zeros dropped (0,2 · 0,8 · 4,5).
Years and ids: plain digits (2026). Counts in a sentence: a dot between thousands (2.009).
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from tests.factories.worklogs import assign, log
from thanhhoa_kpi.formats.numbers import count_text, decimal_text
from thanhhoa_kpi.reports.exports import cell_text


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("0.2000"), 4, "0,2"),
        (Decimal("0.8000"), 4, "0,8"),
        (Decimal("4.50"), 2, "4,5"),
        (Decimal("10.00"), 2, "10"),
        (81.5, 2, "81,5"),
        (1 / 3, 2, "0,33"),
        (Decimal("1234.5"), 2, "1.234,5"),
        (Decimal("0.125"), 2, "0,13"),
        ("x", 2, "x"),
    ],
)
def test_decimals_have_a_comma_and_no_trailing_zeros(value, places, text):
    assert decimal_text(value, places) == text


def test_counts_group_thousands_with_a_dot():
    assert (count_text(2009), count_text(50), count_text(1234567)) == ("2.009", "50", "1.234.567")


def test_report_cells_write_years_and_ids_plainly_and_decimals_trimmed():
    assert [cell_text(v) for v in (2026, 12345, Decimal("0.8000"), 4.5, Decimal("81.50"))] == [
        "2026", "12345", "0,8", "4,5", "81,5",
    ]  # fmt: skip


def test_templates_print_whole_numbers_plainly_and_decimals_through_the_filters():
    template = Template(
        "{% load vn_numbers %}{{ year }} {{ pk }} {{ q|vn_decimal }} {{ k|vn_decimal:4 }} {{ n|vn_count }}"
    )
    context = Context({"year": 2026, "pk": 12345, "q": Decimal("4.50"), "k": Decimal("0.8000"), "n": 2009})
    assert template.render(context) == "2026 12345 4,5 0,8 2.009"


def cells(html: str, column: str) -> list[str]:
    found = re.findall(rf'<td class="field-{column}[^"]*"[^>]*>(.*?)</td>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in found]


def page(user, url):
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.django_db
def test_desk_lists_show_decimals_trimmed_and_years_plainly(cast, work):
    assign(cast.head, cast.official_of(cast.official), work.culture_small, "10")
    log(cast.official, work.culture_small, "2.5")
    items = page(cast.head, reverse("admin:catalogue_catalogueitem_changelist") + "?q=VH02")
    assert cells(items, "coefficient") == ["0,5"]
    assignments = page(cast.head, reverse("admin:worklogs_assignment_changelist"))
    assert cells(assignments, "quantity") == ["10"] and cells(assignments, "coefficient") == ["0,5"]
    lines = page(cast.head, reverse("admin:worklogs_worklogline_changelist"))
    assert cells(lines, "quantity") == ["2,5"]
    periods = page(cast.sysadmin, reverse("admin:worklogs_workperiod_changelist"))
    assert cells(periods, "year") == [str(date.today().year)]
    assert not re.search(r"\b2\.0\d\d\b", periods)


@pytest.mark.django_db
def test_a_read_only_line_shows_its_decimals_trimmed(cast, work):
    line = log(cast.official, work.culture_small, "2.5")
    html = page(cast.official, reverse("admin:worklogs_worklogline_change", args=[line.pk]))
    assert "2,5" in html and "2,50" not in html and "0,5000" not in html


@pytest.mark.django_db
def test_work_pages_and_names_write_decimals_with_a_comma(cast, work):
    given = assign(cast.head, cast.official_of(cast.official), work.culture_small, "10")
    line = log(cast.official, work.culture_small, "2.5")
    week = page(cast.official, reverse("admin:worklogs_my_week"))
    assert "2,5 / 10" in week and not re.search(r">\s*2\.50?\s*<", week) and "2,50" not in week
    review = page(cast.deputy, reverse("admin:worklogs_review_line", args=[line.pk]))
    assert "hệ số 0,5" in review and "0,5000" not in review
    assignments = page(cast.head, reverse("admin:worklogs_assignment_changelist"))
    assert "(hệ số 0,5)" in cells(assignments, "catalogue_item")[0]
    assert str(given) == f"VH02 × 10 — {given.assignee.full_name} ({given.period})"
    assert str(line).endswith("VH02 × 2,5")


def test_chart_shares_have_a_decimal_comma():
    from thanhhoa_kpi.dashboards.charts import chart_svg

    svg = str(chart_svg("pie", ["Nam", "Nữ"], [4, 2], title="Cán bộ theo giới tính"))
    assert "(66,7%)" in svg and "(33,3%)" in svg and "66.7" not in svg
    assert ">2.009<" in str(chart_svg("bar", ["Tỉnh"], [2009]))


@pytest.mark.django_db
def test_decimals_are_typed_and_shown_with_a_comma_in_the_work_log_form(cast, work):
    client = Client()
    client.force_login(cast.official)
    entry = client.get(reverse("admin:worklogs_my_week")).content.decode()
    box = re.search(r'<input[^>]*name="quantity"[^>]*>', entry).group(0)
    assert 'type="text"' in box and 'inputmode="decimal"' in box
    data = {"action": "create", "date": date.today().isoformat(), "catalogue_item": work.culture.pk,
            "quantity": "2,5", "minutes": "30"}  # fmt: skip
    assert client.post(reverse("admin:worklogs_my_week"), data).status_code == 302
    line = cast.official_of(cast.official).work_log_lines.get()
    assert line.quantity == Decimal("2.5")
    edit = client.get(reverse("admin:worklogs_line_edit", args=[line.pk])).content.decode()
    assert re.search(r'<input[^>]*name="quantity"[^>]*value="2,5"', edit)


@pytest.mark.django_db
def test_appraisal_scores_are_typed_and_shown_with_a_comma(cast, client):
    from tests.factories.appraisals import appraisal_of, opened, prepare_appraisals
    from tests.integration.test_appraisal_desk import form_data

    prepare_appraisals()
    appraisal = appraisal_of(cast.official, opened(cast))
    url = f"/admin/appraisals/appraisal/{appraisal.pk}/change/"
    client.force_login(cast.official)
    data = form_data(client.get(url).content.decode())
    assert client.post(url, {**data, "criteria-0-self_score": "4,5", "_continue": "1"}).status_code == 302
    assert appraisal.criteria.order_by("order").first().self_score == Decimal("4.5")
    html = client.get(url).content.decode()
    assert re.search(r'<input[^>]*name="criteria-0-self_score"[^>]*value="4,5"', html)
    assert 'type="number"' not in re.search(r'<input[^>]*name="criteria-0-self_score"[^>]*>', html).group(0)
