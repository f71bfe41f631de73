"""Search ignores accents and case, with đ = d (issue 11, item 4): people type "van ban",
"VĂN BẢN" or "dang" and find "văn bản" and "Đảng", in desk lists, autocompletes, the item
picker, the sidebar, the API's ``?search=`` and the report builder's "contains".

Rows are renamed with ``update()``, as bulk paths write them: nothing but the query folds.
"""

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories.reports import make_field, set_custom
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.core.search import fold
from thanhhoa_kpi.organization.models import JobPosition, Official
from thanhhoa_kpi.reports.services import report_preview

pytestmark = pytest.mark.django_db

MATCHING = ["van ban", "VĂN BẢN", "Văn bản", "vAn BaN", "dang", "ĐẢNG", "nguyen", "Nguyễn"]
NOTHING = "khong co dau"


@pytest.fixture
def texts(cast, work):
    """Item VH01 is about "văn bản", TT01 about "Đảng", HC01 names "Nguyễn Văn An"."""
    CatalogueItem.objects.update(output_product="Báo cáo")  # the factory's is "Văn bản"
    CatalogueItem.objects.filter(pk=work.culture.pk).update(task="Soạn thảo văn bản hành chính")
    CatalogueItem.objects.filter(pk=work.sport.pk).update(task="Tuyên truyền nghị quyết của Đảng")
    CatalogueItem.objects.filter(pk=work.office.pk).update(detailed_work="Lưu trữ hồ sơ của Nguyễn Văn An")
    return work


# Which item each query finds (VH01: "văn bản", TT01: "Đảng", HC01: "Nguyễn").
EXPECTED_ITEMS = {
    "van ban": ["VH01"], "VĂN BẢN": ["VH01"], "Văn bản": ["VH01"], "vAn BaN": ["VH01"],
    "dang": ["TT01"], "ĐẢNG": ["TT01"], "nguyen": ["HC01"], "Nguyễn": ["HC01"], NOTHING: [],
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Đảng ủy", "dang uy"), ("VĂN BẢN", "van ban"), ("Nguyễn Thị Ánh", "nguyen thi anh"),
     ("Ðường", "duong"), ("Va\u0306n ba\u0309n", "van ban"), ("Ơn Ưng", "on ung")],
)  # fmt: skip
def test_fold_drops_accents_and_case_and_reads_d_for_dd(text, folded):
    assert fold(text) == folded


def test_the_tables_fold_accents_but_not_dd_by_themselves(cast):
    """Why the lookup is needed: MariaDB's utf8mb4_unicode_ci (UCA 4.0) keeps Đ apart."""
    assert connection.vendor == "mysql", "make test runs this suite on MariaDB"
    assert Official.objects.filter(full_name__icontains="nguyen").exists()
    Official.objects.filter(code="T0001").update(full_name="Đặng Văn An")
    assert not Official.objects.filter(full_name__icontains="dang").exists()
    assert Official.objects.filter(full_name__fold_contains="dang").exists()


# ------------------------------------------------------------------ desk
def codes_in(html, codes=("VH01", "VH02", "TT01", "HC01")):
    return sorted(code for code in codes if f">{code}<" in html or f"{code}</" in html)


@pytest.mark.parametrize("query", [*MATCHING, NOTHING])
def test_the_desk_item_list_finds_items_whatever_the_accents(query, cast, texts, client):
    client.force_login(cast.hr)
    response = client.get(reverse("admin:catalogue_catalogueitem_changelist"), {"q": query})
    assert response.status_code == 200
    assert sorted(o.code for o in response.context["cl"].result_list) == EXPECTED_ITEMS[query]


def test_the_desk_official_list_finds_nguyen(cast, client):
    client.force_login(cast.hr)
    url = reverse("admin:organization_official_changelist")
    found = client.get(url, {"q": "nguyen van"}).context["cl"].result_list
    assert [o.code for o in found] == ["T0001"]


def test_an_empty_search_says_so_in_vietnamese(cast, client):
    client.force_login(cast.hr)
    html = client.get(reverse("admin:organization_official_changelist"), {"q": NOTHING}).content.decode()
    assert "Không tìm thấy kết quả" in html
    assert "No results found" not in html


@pytest.mark.parametrize("query", ["nguyen", "NGUYỄN", "nguyễn văn"])
def test_the_admin_autocomplete_finds_officials_without_accents(query, cast, client):
    client.force_login(cast.hr)
    params = {"app_label": "organization", "model_name": "officialassignment", "field_name": "official"}
    rows = client.get(reverse("admin:autocomplete"), {**params, "term": query}).json()["results"]
    assert sorted(Official.objects.filter(pk__in=[r["id"] for r in rows]).values_list("code", flat=True)) == ["T0001"]
    rows = client.get(reverse("admin:autocomplete"), {**params, "term": NOTHING}).json()["results"]
    assert rows == []


@pytest.mark.parametrize("query", [*MATCHING, NOTHING])
def test_the_item_picker_finds_items_whatever_the_accents(query, cast, texts, client):
    client.force_login(cast.official)
    rows = client.get(reverse("admin:worklogs_item_autocomplete"), {"term": query}).json()["results"]
    assert sorted(row["text"].split(" — ")[0] for row in rows) == EXPECTED_ITEMS[query]


def test_the_item_picker_speaks_vietnamese(cast, work, client):
    """select2's own "No results found" comes from its language file, which unfold omits."""
    client.force_login(cast.official)
    html = client.get(reverse("admin:worklogs_my_week")).content.decode()
    assert "admin/js/vendor/select2/i18n/vi.js" in html
    assert 'lang="vi"' in html.split("admin-autocomplete", 1)[1].split(">", 1)[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("danh muc", "danh mục đầu công việc"), ("DAU CONG VIEC", "đầu công việc"), ("don vi", "đơn vị")],
)
def test_the_sidebar_search_finds_pages_without_accents(query, expected, cast, client):
    client.force_login(cast.sysadmin)
    html = client.get(reverse("admin:search"), {"s": query}).content.decode()
    assert expected.casefold() in html.casefold()
    assert client.get(reverse("admin:search"), {"s": NOTHING}).content.decode().count("href=") == 0


# ------------------------------------------------------------------ API
@pytest.mark.parametrize("query", [*MATCHING, NOTHING])
def test_the_api_search_finds_items_whatever_the_accents(query, cast, texts, api_for):
    rows = api_for(cast.official).get("/api/v1/catalogue-items/", {"search": query}).json()["results"]
    assert sorted(row["code"] for row in rows) == EXPECTED_ITEMS[query]


def test_the_api_search_finds_officials_by_name_without_accents(cast, api_for):
    client = api_for(cast.hr)
    rows = client.get("/api/v1/officials/", {"search": "nguyen VAN"}).json()["results"]
    assert [row["code"] for row in rows] == ["T0001"]
    assert client.get("/api/v1/officials/", {"search": NOTHING}).json()["results"] == []


# ------------------------------------------------------------------ report builder
def report(user, doctype, field, value, column):
    contains = {"field": field, "op": "contains", "value": value}
    definition = {"doctype": doctype, "columns": [column], "filters": [contains]}
    return sorted(row[0] for row in report_preview(definition=definition, user=user).rows)


@pytest.mark.parametrize(("query", "expected"), [("nguyen", ["T0001"]), ("NGUYỄN VĂN", ["T0001"]), (NOTHING, [])])
def test_the_report_builder_contains_ignores_accents(query, expected, cast):
    assert report(cast.hr, "official", "full_name", query, "code") == expected


@pytest.mark.parametrize(
    ("query", "expected"), [("van ban", ["T_CV"]), ("VĂN BẢN", ["T_CV"]), ("dang", ["T_TP"]), (NOTHING, [])]
)
def test_the_report_builder_contains_on_text_fields(query, expected, cast):
    JobPosition.objects.filter(code="T_CV").update(duties="Soạn thảo văn bản")
    JobPosition.objects.filter(code="T_TP").update(duties="Lãnh đạo công tác Đảng")
    assert report(cast.province_hr, "position", "duties", query, "code") == expected


@pytest.mark.parametrize(("query", "expected"), [("dang uy", ["T0001"]), ("ĐẢNG ỦY", ["T0001"]), (NOTHING, [])])
def test_the_report_builder_contains_on_custom_text(query, expected, cast):
    make_field("to_chuc", "text", label="Tổ chức đoàn thể")
    set_custom(cast.official_of(cast.official), to_chuc="Đảng ủy phường")
    set_custom(cast.official_of(cast.colleague), to_chuc="Công đoàn")
    assert report(cast.hr, "official", "custom.to_chuc", query, "code") == expected
