"""The competency assessment on the desk (issue 14, item 4): opening a unit's year, the
official rating themself and submitting in one request, the head rating and approving,
a refusal that names the competency at its line and moves nothing, the lists in scope."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories.competencies import YEAR, act, assessment_of, framework, opened, prepare_competencies, self_assess
from tests.integration.test_appraisal_desk import form_data
from thanhhoa_kpi.competencies.models import CompetencyAssessment

pytestmark = pytest.mark.django_db

LIST = "/admin/competencies/competencyassessment/"


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _url(assessment):
    return reverse("admin:competencies_competencyassessment_change", args=[assessment.pk])


def _levels(assessment, field, values):
    """The inline's inputs for ``values`` ({competency code: level}), in the lines' order."""
    codes = list(assessment.lines.order_by("competency__code").values_list("competency__code", flat=True))
    return {f"lines-{i}-{field}": str(values.get(code, "")) for i, code in enumerate(codes)}


@pytest.fixture
def year(cast):
    prepare_competencies()
    opened(cast)
    return YEAR


def test_the_hr_admin_opens_a_units_year_on_the_open_page(cast):
    prepare_competencies()
    framework(cast)
    client = _client(cast.hr)
    page = client.get(reverse("admin:competencies_assessment_open"))
    assert page.status_code == 200 and "Mở phiếu đánh giá năng lực của năm" in page.content.decode()
    response = client.post(reverse("admin:competencies_assessment_open"), {"year": YEAR, "unit": cast.team.pk},
                           follow=True)  # fmt: skip
    assert f"Đã mở 4 phiếu đánh giá năng lực năm {YEAR} cho Phòng Văn hóa - Xã hội A." in response.content.decode()
    assert CompetencyAssessment.objects.filter(year=YEAR, unit=cast.team).count() == 4


def test_the_open_page_refuses_a_unit_outside_the_admins_scope_and_those_who_may_not_open(cast):
    prepare_competencies()
    framework(cast)
    refused = _client(cast.hr).post(reverse("admin:competencies_assessment_open"),
                                    {"year": YEAR, "unit": cast.other_team.pk})  # fmt: skip
    assert refused.status_code == 200 and "Hãy chọn một lựa chọn hợp lệ" in refused.content.decode()
    for user in (cast.official, cast.head, cast.viewer):
        url = reverse("admin:competencies_assessment_open")
        response = _client(user).post(url, {"year": YEAR, "unit": cast.team.pk})
        assert response.status_code == 302
    assert not CompetencyAssessment.objects.exists()


def test_the_official_rates_and_submits_in_one_request(cast, year):
    assessment = assessment_of(cast.official)
    client = _client(cast.official)
    data = form_data(client.get(_url(assessment)).content.decode())
    posted = {**data, **_levels(assessment, "self_level", {"GT": 3, "VB": 2}), "self_comment": "Tự nhận xét",
              "_workflow_action": "submit", "_workflow_comment": "Kính gửi trưởng phòng"}  # fmt: skip
    response = client.post(_url(assessment), posted, follow=True)
    assert "Đã lưu phiếu và thực hiện «Gửi»" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.state == "REVIEW" and assessment.self_comment == "Tự nhận xét"
    assert dict(assessment.lines.values_list("competency__code", "self_level")) == {"GT": 3, "VB": 2}


def test_a_missing_level_refuses_the_submission_at_its_line_and_saves_nothing(cast, year):
    assessment = assessment_of(cast.official)
    client = _client(cast.official)
    data = form_data(client.get(_url(assessment)).content.decode())
    posted = {**data, **_levels(assessment, "self_level", {"GT": 3}), "_workflow_action": "submit"}
    response = client.post(_url(assessment), posted)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Người được đánh giá chưa chọn cấp độ cho 1 năng lực: VB — Soạn thảo văn bản." in html
    assert "Năng lực «Soạn thảo văn bản» chưa có cấp độ." in html
    assessment.refresh_from_db()
    assert assessment.state == "DRAFT" and not assessment.lines.filter(self_level__isnull=False).exists()


def test_the_head_rates_and_approves_in_one_request_and_reads_it_only_before(cast, year):
    assessment = assessment_of(cast.official)
    head = _client(cast.head)
    before = head.get(_url(assessment)).content.decode()
    assert 'name="lines-0-reviewer_level"' not in before  # the official has not submitted yet
    act(self_assess(assessment, cast.official, {"GT": 3, "VB": 2}), cast.official, "submit")
    data = form_data(head.get(_url(assessment)).content.decode())
    assert "lines-0-reviewer_level" in data and "lines-0-self_level" not in data
    posted = {**data, **_levels(assessment, "reviewer_level", {"GT": 2, "VB": 2}), "_workflow_action": "approve"}
    response = head.post(_url(assessment), posted, follow=True)
    assert "Đã lưu phiếu và thực hiện «Duyệt»" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.state == "APPROVED" and assessment.reviewer == cast.head
    assert dict(assessment.lines.values_list("competency__code", "reviewer_level")) == {"GT": 2, "VB": 2}
    after = head.get(_url(assessment)).content.decode()
    assert "Thiếu 1 cấp độ" in after and 'name="lines-0-reviewer_level"' not in after


def test_the_lists_show_each_persona_their_scope(cast, year):
    opened(cast, unit=cast.other_team, by=cast.authority)
    for persona, shown, hidden in (
        ("official", ["Nguyễn Văn An"], ["Trần Thị Bình", "Vũ Thị Giang"]),
        ("head", ["Nguyễn Văn An", "Trần Thị Bình", "Phạm Thị Dung"], ["Vũ Thị Giang"]),
        ("authority", ["Nguyễn Văn An", "Vũ Thị Giang"], []),
        ("outsider", ["Vũ Thị Giang"], ["Nguyễn Văn An"]),
    ):
        html = _client(getattr(cast, persona)).get(LIST, {"q": ""}).content.decode()
        assert all(name in html for name in shown), persona
        assert not any(name in html for name in hidden), persona


def test_the_list_searches_and_filters_by_year_and_state(cast, year):
    act(self_assess(assessment_of(cast.official), cast.official, {"GT": 3, "VB": 2}), cast.official, "submit")
    client = _client(cast.head)
    found = client.get(LIST, {"q": "nguyen van an"}).content.decode()
    assert "Nguyễn Văn An" in found and "Trần Thị Bình" not in found
    waiting = client.get(LIST, {"state": "REVIEW"}).content.decode()
    assert "Nguyễn Văn An" in waiting and "Trần Thị Bình" not in waiting
    assert "Nguyễn Văn An" not in client.get(LIST, {"year": YEAR - 1}).content.decode()
