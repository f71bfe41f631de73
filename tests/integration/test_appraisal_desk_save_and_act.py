"""The appraisal page saves before it acts: a workflow button posts the form, so what was typed
is kept; a refused save moves nothing and comes back as typed, each error at its input."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories.appraisals import FULL_SELF, appraisal_of, opened, place, prepare_appraisals, self_assess
from tests.integration.test_appraisal_desk import form_data
from thanhhoa_kpi.appraisals.models import Appraisal

pytestmark = pytest.mark.django_db

LIST = "/admin/appraisals/appraisal/"


@pytest.fixture
def period(cast):
    prepare_appraisals()
    return opened(cast)


def _form(client, user, url):
    client.force_login(user)
    return form_data(client.get(url).content.decode())


def _self_scores(data):
    return {f"criteria-{i}-self_score": value for i, value in enumerate(FULL_SELF)}


def test_submitting_without_saving_keeps_the_self_scores_and_comment_and_moves_the_state(cast, client, period):
    appraisal = appraisal_of(cast.official, period)
    url = f"{LIST}{appraisal.pk}/change/"
    data = _form(client, cast.official, url)
    posted = {**data, **_self_scores(data), "self_comment": "Hoàn thành đầy đủ nhiệm vụ.",
              "_workflow_action": "submit", "_workflow_comment": "Kính gửi trưởng phòng."}  # fmt: skip
    response = client.post(url, posted, follow=True)
    appraisal.refresh_from_db()
    assert appraisal.state != "DRAFT" and appraisal.state == Appraisal.objects.get(pk=appraisal.pk).state
    assert appraisal.self_comment == "Hoàn thành đầy đủ nhiệm vụ."
    assert [str(v.normalize()) for v in appraisal.criteria.order_by("order").values_list("self_score", flat=True)] == [
        str(Decimal(v).normalize()) for v in FULL_SELF
    ]
    assert appraisal.self_general_score == 30
    assert "Đã lưu phiếu và thực hiện «Gửi»" in response.content.decode()


def test_a_heads_approve_with_an_edited_reviewer_score_stores_that_score(cast, client, period):
    appraisal = self_assess(appraisal_of(cast.official, period), cast.official)  # every line 5 / 2,5
    place(appraisal, "UNIT_REVIEW")
    url = f"{LIST}{appraisal.pk}/change/"
    data = _form(client, cast.head, url)
    assert "approve" in client.get(url).content.decode()
    client.post(url, {**data, "criteria-0-reviewer_score": "4", "_workflow_action": "approve"})
    appraisal.refresh_from_db()
    first = appraisal.criteria.order_by("order").first()
    assert first.self_score == 5 and first.reviewer_score == 4  # not replaced by the self score
    assert appraisal.state != "UNIT_REVIEW"
    assert appraisal.general_score == Decimal("29")


def test_an_invalid_value_keeps_every_input_and_shows_the_vietnamese_message_at_the_criterion(cast, client, period):
    appraisal = appraisal_of(cast.official, period)
    url = f"{LIST}{appraisal.pk}/change/"
    data = _form(client, cast.official, url)
    posted = {**data, **_self_scores(data), "criteria-2-self_score": "2.3", "self_comment": "Nhận xét của tôi.",
              "_workflow_action": "submit", "_workflow_comment": "Ý kiến gửi kèm."}  # fmt: skip
    response = client.post(url, posted)
    html = response.content.decode()
    assert response.status_code == 200  # the page again, not a redirect that forgets the input
    kept = form_data(html)
    assert all(kept[name] == value for name, value in _self_scores(data).items() if name != "criteria-2-self_score")
    assert kept["criteria-2-self_score"] == "2.3" and kept["self_comment"] == "Nhận xét của tôi."
    assert "Ý kiến gửi kèm." in html
    cell = re.search(r'name="criteria-2-self_score".*?</td>', html, re.S)  # the input's own cell
    message = f"Tiêu chí {appraisal.criteria.order_by('order')[2].code}: chấm theo bước 0,5 điểm."
    assert cell is not None and message in cell.group(0)
    assert "lines[" not in html and ".score:" not in html
    appraisal.refresh_from_db()
    assert appraisal.state == "DRAFT" and not appraisal.criteria.filter(self_score__isnull=False).exists()
    assert appraisal.self_comment == ""


def test_the_page_shows_when_the_appraisal_was_last_scored(cast, client, period):
    appraisal = appraisal_of(cast.official, period)
    moment = timezone.make_aware(timezone.datetime(2026, 3, 14, 9, 26))
    Appraisal.objects.filter(pk=appraisal.pk).update(scored_at=moment)
    client.force_login(cast.viewer)
    html = client.get(f"{LIST}{appraisal.pk}/change/").content.decode()
    shown = re.search(r"id=['\"]appraisal-scored-at['\"]>(.*?)</p>", html, re.S)
    expected = timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")
    assert shown is not None and "Điểm tính lúc" in shown.group(1) and expected in shown.group(1)
