"""The excellence quota counts per agency and binds the annual classification (issue 10, item 8; SPEC 5.6).

ND 335/2025/NĐ-CP Điều 20 khoản 5 limits "Hoàn thành xuất sắc" per agency (cơ quan, tổ
chức, đơn vị) and similar-task group, not per phòng: five phòng of one ward, each with four
"tốt" and one candidate, share one limit (E = 4 of 5), where counting per phòng gave none.
A month's publication shows the quota's effect as a preview and lowers nobody, unless the
rule set binds months too.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.factories.appraisals import appraisal_of, month_period, opened, prepare_appraisals, scored, staff
from tests.factories.workflow import rule_set_in_force
from thanhhoa_kpi.appraisals import quota, selectors, services
from thanhhoa_kpi.appraisals.models import Appraisal, RuleSet
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.organization import services as org

pytestmark = pytest.mark.django_db


def five_phong(cast: Any) -> list[list[Any]]:
    """Five phòng of the ward, each with five officials of the default group."""
    teams = []
    for number in range(5):
        phong = org.org_unit_create(by=SYSTEM, parent=cast.ward, code=f"T_PHONG_{number}", name=f"Phòng {number}",
                                    bloc="CHINH_QUYEN", level="XA", kind="PHONG")  # fmt: skip
        teams.append([staff(phong, f"P{number}{i}", f"Cán bộ {number}.{i}", position=cast.position) for i in range(5)])
    return teams


def score_teams(period: Any, teams: list[list[Any]]) -> list[Appraisal]:
    candidates = []
    for team in teams:
        candidates.append(scored(appraisal_of(team[0], period), "95"))
        for official in team[1:]:
            scored(appraisal_of(official, period), "80")
    return candidates


def binding_months(kinds: list[str]) -> None:
    current = RuleSet.objects.get(code="ND335", is_current=True)
    rule_set_in_force(code="ND335", name=current.name, params={**current.params, "quota_binding_kinds": kinds})


def test_the_quota_counts_per_agency_not_per_phong(cast):
    prepare_appraisals()
    binding_months(["MONTH", "QUARTER", "YEAR"])
    teams = five_phong(cast)
    period = opened(cast, month_period(cast, year=2026, month=9))
    candidates = score_teams(period, teams)
    assert {row.quota_unit_id for row in candidates} == {cast.ward.pk}

    outcome = services.period_publish_unit(period=period, unit=cast.ward, user=cast.authority)
    finals = [Appraisal.objects.get(pk=row.pk).final_classification for row in candidates]
    assert finals.count("HOAN_THANH_XUAT_SAC") == 4 and finals.count("HOAN_THANH_TOT") == 1
    assert len(outcome.demoted) == 1


def test_the_rule_set_may_count_per_unit(cast):
    prepare_appraisals()
    current = RuleSet.objects.get(code="ND335", is_current=True)
    params = {**current.params, "quota_scope": "UNIT", "quota_binding_kinds": ["MONTH", "YEAR"]}
    rule_set_in_force(code="ND335", name=current.name, params=params)
    teams = five_phong(cast)
    period = opened(cast, month_period(cast, year=2026, month=9))
    candidates = score_teams(period, teams)
    assert len({row.quota_unit_id for row in candidates}) == 5
    services.period_publish_unit(period=period, unit=cast.ward, user=cast.authority)
    finals = [Appraisal.objects.get(pk=row.pk).final_classification for row in candidates]
    assert finals == ["HOAN_THANH_TOT"] * 5  # C = 1, G = 4 in each phòng: E = 0


def test_a_month_is_published_by_score_with_the_quota_as_a_preview(cast):
    prepare_appraisals()
    assert RuleSet.objects.get(code="ND335", is_current=True).params.get("quota_binding_kinds", ["YEAR"]) == ["YEAR"]
    teams = five_phong(cast)
    period = opened(cast, month_period(cast, year=2026, month=9))
    candidates = score_teams(period, teams)

    view = selectors.quota_view(period=period, unit=cast.ward, user=cast.authority)
    assert not view.binding and view.can_publish and len(view.demoted) == 1
    # Each alone may be published above the limit: the guard does not bind a month.
    assert all(quota.quota_refusal(row) is None for row in candidates)
    outcome = services.period_publish_unit(period=period, unit=cast.ward, user=cast.authority)
    finals = [Appraisal.objects.get(pk=row.pk).final_classification for row in candidates]
    assert finals == ["HOAN_THANH_XUAT_SAC"] * 5
    assert outcome.demoted == [] and len(outcome.would_demote) == 1
    assert outcome.warnings and "cả năm" in outcome.warnings[0]
    assert all(Appraisal.objects.get(pk=row.pk).quota_reason == "" for row in candidates)


def test_the_desk_shows_the_preview_and_the_warning_when_publishing_a_month(cast, client):
    prepare_appraisals()
    teams = five_phong(cast)
    period = opened(cast, month_period(cast, year=2026, month=9))
    score_teams(period, teams)
    client.force_login(cast.authority)
    url = reverse("admin:appraisals_home_affairs") + f"?period={period.pk}&unit={cast.ward.pk}"
    page = client.get(url)
    assert page.status_code == 200, url
    assert "quota-preview" in page.content.decode() and "Công khai theo điểm" in page.content.decode()
    answer = client.post(url, {"period": period.pk, "unit": cast.ward.pk}, follow=True)
    assert "khi xếp loại cả năm" in answer.content.decode()
