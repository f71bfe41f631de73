"""Desk pages of appraisals: scope, who edits which column, the period, publish and list pages."""

import re

import pytest
from django.utils import timezone

from tests.factories.appraisals import FULL_SELF, appraisal_of, opened, place, prepare_appraisals, scored
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod, UnitAppraisal
from thanhhoa_kpi.core.actors import SYSTEM

pytestmark = pytest.mark.django_db

LIST = "/admin/appraisals/appraisal/"


def form_data(html: str) -> dict[str, str]:
    """The fields a browser would post back from a change form (inputs, textareas, selects)."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, value, kind = (re.search(rf'{attr}="([^"]*)"', tag) for attr in ("name", "value", "type"))
        if name and (kind is None or kind.group(1) not in ("checkbox", "submit", "file")):
            data[name.group(1)] = value.group(1) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = text.strip()
    for name in re.findall(r'<select[^>]*name="([^"]+)"', html):
        data.setdefault(name, "")
    return data


@pytest.fixture
def period(cast):
    prepare_appraisals()
    return opened(cast)


def _page(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_each_persona_lists_only_the_appraisals_in_scope(cast, client, period):
    for persona, shown, hidden in (
        ("official", ["Nguyễn Văn An"], ["Trần Thị Bình", "Vũ Thị Giang"]),
        ("head", ["Nguyễn Văn An", "Trần Thị Bình"], ["Vũ Thị Giang"]),
        ("authority", ["Nguyễn Văn An", "Vũ Thị Giang"], []),
        ("outsider", ["Vũ Thị Giang"], ["Nguyễn Văn An"]),
    ):
        html = _page(client, getattr(cast, persona), f"{LIST}?period__id__exact={period.pk}").content.decode()
        assert all(name in html for name in shown), persona
        assert not any(name in html for name in hidden), persona
    other = appraisal_of(cast.outsider, period)
    assert _page(client, cast.official, f"{LIST}{other.pk}/change/").status_code == 302  # not in scope


def test_the_subject_and_the_reviewer_each_edit_their_column(cast, client, period):
    url = f"{LIST}{appraisal_of(cast.official, period).pk}/change/"
    mine = _page(client, cast.official, url).content.decode()
    assert 'name="criteria-0-self_score"' in mine and 'name="criteria-0-reviewer_score"' not in mine
    assert 'value="submit"' in mine  # the workflow panel offers «Gửi»
    review = _page(client, cast.head, url).content.decode()
    assert 'name="criteria-0-reviewer_score"' in review and 'name="criteria-0-self_score"' not in review
    viewer = _page(client, cast.viewer, url).content.decode()
    assert "criteria-0-self_score" not in viewer and "criteria-0-reviewer_score" not in viewer
    assert "Bạn không có thao tác nào" in viewer


def test_saving_the_form_goes_through_the_services(cast, client, period):
    appraisal = appraisal_of(cast.official, period)
    url = f"{LIST}{appraisal.pk}/change/"
    data = form_data(_page(client, cast.official, url).content.decode())
    bad = {**data, "criteria-0-self_score": "4.3", "_continue": "1"}
    response = client.post(url, bad, follow=True)
    assert "bước 0,5" in response.content.decode()
    assert not Appraisal.objects.get(pk=appraisal.pk).criteria.filter(self_score__isnull=False).exists()
    good = {**data, **{f"criteria-{i}-self_score": value for i, value in enumerate(FULL_SELF)}, "_continue": "1"}
    good["self_comment"] = "Tôi hoàn thành tốt."
    client.post(url, good)
    appraisal.refresh_from_db()
    assert appraisal.self_general_score == 30 and appraisal.self_comment == "Tôi hoàn thành tốt."
    assert appraisal.criteria.get(code="1.1").history.first().history_user == cast.official


def test_a_published_appraisal_is_read_only_for_everyone(cast, client, period):
    appraisal = place(appraisal_of(cast.official, period), "PUBLISHED")
    url = f"{LIST}{appraisal.pk}/change/"
    for user in (cast.official, cast.head, cast.authority, cast.sysadmin):
        html = _page(client, user, url).content.decode()
        assert 'name="criteria-0-self_score"' not in html and 'name="criteria-0-reviewer_score"' not in html
        assert 'name="_save"' not in html


def test_the_authority_creates_and_opens_a_period_and_follows_the_progress(cast, client):
    prepare_appraisals()
    client.force_login(cast.authority)
    add = "/admin/appraisals/appraisalperiod/add/"
    today = timezone.localdate()
    response = client.post(add, {"kind": "MONTH", "bloc": "CHINH_QUYEN", "year": today.year, "number": today.month,
                                 "rule_set_code": "ND335"})  # fmt: skip
    period = AppraisalPeriod.objects.get()
    assert response.status_code == 302 and period.created_by == cast.authority
    again = client.post(add, {"kind": "MONTH", "bloc": "CHINH_QUYEN", "year": today.year, "number": today.month,
                              "rule_set_code": "ND335"})  # fmt: skip
    assert "Khối này đã có kỳ đánh giá này." in again.content.decode()
    open_url = f"/admin/appraisals/appraisalperiod/{period.pk}/open/"
    question = client.get(open_url)  # a link only asks: a GET (from a mail, another site) never opens a period
    assert question.status_code == 200 and 'id="confirm-action"' in question.content.decode()
    period.refresh_from_db()
    assert period.status != "OPEN"
    opened_page = client.post(open_url)
    assert opened_page.url == f"/admin/appraisals/appraisalperiod/{period.pk}/progress/"
    assert "opening-bar" in client.get(opened_page.url).content.decode()
    status = client.get(f"/admin/appraisals/appraisalperiod/{period.pk}/progress.json").json()
    assert status["status"] == "OPEN" and status["opening_status"] in ("QUEUED", "RUNNING", "DONE")
    client.force_login(cast.official)
    assert client.get(add).status_code == 403


def test_the_home_affairs_page_shows_the_quota_and_publishes_the_batch(cast, client, period):
    for user, total in ((cast.official, "95"), (cast.colleague, "80"), (cast.deputy, "93")):
        scored(appraisal_of(user, period), total)
    url = f"/admin/appraisals/appraisalperiod/home-affairs/?period={period.pk}&unit={cast.team.pk}"
    html = _page(client, cast.authority, url).content.decode()
    assert "Giới hạn (E): <strong>0</strong>" in html and 'id="publish-button"' in html
    assert _page(client, cast.official, url).status_code == 302
    client.force_login(cast.authority)
    done = client.post(url, {"period": period.pk, "unit": cast.team.pk}, follow=True).content.decode()
    assert "Đã công khai 3 phiếu" in done
    assert Appraisal.objects.filter(period=period, state="PUBLISHED").count() == 3
    listing = client.get(f"/admin/appraisals/appraisalperiod/classification/?period={period.pk}&unit={cast.team.pk}")
    assert "Hoàn thành tốt nhiệm vụ" in listing.content.decode()


def test_unit_appraisals_in_the_desk(cast, client):
    prepare_appraisals()
    client.force_login(cast.authority)
    data = {"unit": cast.team.pk, "year": 2026, "general_score": "27", "task_score": "55", "classification": "",
            "notes": ""}  # fmt: skip
    assert client.post("/admin/appraisals/unitappraisal/add/", data).status_code == 302
    assert UnitAppraisal.objects.get().classification == "HOAN_THANH_TOT"
    higher = client.post("/admin/appraisals/unitappraisal/add/", {**data, "classification": "HOAN_THANH_XUAT_SAC"})
    assert "Không được xếp cao hơn mức theo điểm." in higher.content.decode()
    client.force_login(cast.official)
    assert client.get("/admin/appraisals/unitappraisal/add/").status_code == 403


def test_the_appraisal_list_costs_the_same_number_of_queries_for_more_rows(
    cast, client, period, django_assert_max_num_queries
):
    client.force_login(cast.viewer)
    client.get(LIST)  # warm the per-user caches
    with django_assert_max_num_queries(25):
        response = client.get(LIST)
    assert response.status_code == 200 and "Vũ Thị Giang" in response.content.decode()


def test_custom_fields_show_on_the_appraisal_form(cast, client, period):
    from thanhhoa_kpi.customfields.services import field_definition_create

    field_definition_create(by=SYSTEM, doctype="appraisal", key="ghi_chu_them", label="Ghi chú thêm", field_type="text")
    appraisal = appraisal_of(cast.official, period)
    url = f"{LIST}{appraisal.pk}/change/"
    data = form_data(_page(client, cast.official, url).content.decode())
    assert "custom__ghi_chu_them" in data
    client.post(url, {**data, "custom__ghi_chu_them": "Đã tham gia lớp bồi dưỡng", "_continue": "1"})
    appraisal.refresh_from_db()
    assert appraisal.custom == {"ghi_chu_them": "Đã tham gia lớp bồi dưỡng"}
    assert "Đã tham gia lớp bồi dưỡng" in _page(client, cast.viewer, url).content.decode()
