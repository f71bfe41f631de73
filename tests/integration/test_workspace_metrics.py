"""Workspace metrics and charts of work logs, reviews, the inbox and appraisals (SPEC 6):
every workspace file validates with them; each number is computed in the user's scope."""

import pytest

from tests.factories.appraisals import appraisal_of, opened, prepare_appraisals, scored
from tests.factories.reports import ensure_report_roles
from tests.factories.worklogs import log, work_cast
from thanhhoa_kpi.dashboards import metrics_work
from thanhhoa_kpi.dashboards.metrics import CHART_SOURCES, METRICS
from thanhhoa_kpi.dashboards.workspaces import load_all
from thanhhoa_kpi.worklogs import services

pytestmark = pytest.mark.django_db

NEW_METRICS = {"my_logs_this_week", "lines_awaiting_my_review", "inbox_count", "my_current_total",
               "published_this_month"}  # fmt: skip
NEW_CHARTS = {"score_distribution", "on_time_rate", "logs_per_week"}


def test_every_workspace_validates_and_uses_the_new_figures():
    assert NEW_METRICS <= set(METRICS) and NEW_CHARTS <= set(CHART_SOURCES)
    loaded = {w.name: w.data for w in load_all()}
    metrics = {name: {card["metric"] for card in data.get("cards", [])} for name, data in loaded.items()}
    charts = {name: {chart["source"] for chart in data.get("charts", [])} for name, data in loaded.items()}
    assert {"my_logs_this_week", "my_current_total", "inbox_count"} <= metrics["official"]
    assert {"lines_awaiting_my_review", "inbox_count"} <= metrics["unit_head"] & metrics["deputy"]
    assert {"score_distribution", "logs_per_week"} <= charts["unit_head"] & charts["deputy"]
    assert {"inbox_count", "published_this_month"} <= metrics["bloc_authority"]
    assert {"score_distribution", "on_time_rate"} <= charts["bloc_authority"]
    assert {"score_distribution", "on_time_rate", "logs_per_week"} <= charts["leadership_viewer"]


@pytest.fixture
def work(cast):
    ensure_report_roles()
    work = work_cast(cast)
    log(cast.official, work.culture)
    log(cast.official, work.culture_small)
    log(cast.colleague, work.sport)
    log(cast.outsider, work.foreign)
    return work


def test_the_head_home_shows_the_lines_awaiting_review(cast, work, client):
    client.force_login(cast.head)
    response = client.get("/admin/")
    assert response.status_code == 200
    cards = {card["label"]: card["value"] for card in response.context["workspace"]["cards"]}
    assert cards["Dòng nhật ký chờ tôi duyệt"] == "3"  # official ×2 and colleague; not the outsider's
    assert "Dòng nhật ký chờ tôi duyệt" in response.content.decode()


def test_the_metrics_count_within_the_scope(cast, work):
    assert metrics_work.my_logs_this_week(cast.official) == 2
    assert metrics_work.my_logs_this_week(cast.viewer) == 0
    assert metrics_work.lines_awaiting_my_review(cast.head) == 3
    assert metrics_work.lines_awaiting_my_review(cast.official) == 0
    labels, values = metrics_work.logs_per_week(cast.head)
    assert len(labels) == 8 and values[-1] == 3
    assert metrics_work.logs_per_week(cast.viewer)[1][-1] == 4
    line = cast.official_of(cast.official).work_log_lines.first()
    services.worklog_review(line=line, reviewer=cast.head, delays=1)
    services.worklog_review(line=cast.official_of(cast.colleague).work_log_lines.first(), reviewer=cast.head)
    rates = metrics_work.on_time_rate(cast.head)[1]
    assert rates[-1] == 50.0
    assert rates[:-1] == [None] * 7  # weeks with no reviewed line have no rate, not 0 %


def test_scores_inbox_and_the_distribution(cast, work):
    prepare_appraisals()
    period = opened(cast)
    scored(appraisal_of(cast.official, period), "92", "66", state="PUBLISHED")
    scored(appraisal_of(cast.outsider, period), "80", "58", state="PUBLISHED")
    scored(appraisal_of(cast.colleague, period), "75", "50", state="HOME_AFFAIRS")
    assert metrics_work.my_current_total(cast.official) == 92.0
    labels, values = metrics_work.score_distribution(cast.viewer)
    assert dict(zip(labels, values, strict=True))["Hoàn thành xuất sắc nhiệm vụ"] == 1
    assert sum(values) == 2
    assert sum(metrics_work.score_distribution(cast.head)[1]) == 1
    assert metrics_work.inbox_count(cast.authority) >= 1  # the colleague's appraisal awaits approval
    assert metrics_work.inbox_count(cast.outsider) == 0
