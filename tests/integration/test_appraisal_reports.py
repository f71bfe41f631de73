"""Report hooks for the reports app: the unit summary and the official PDF forms' contexts."""

import pytest

from tests.factories.appraisals import appraisal_of, opened, place, prepare_appraisals, scored, self_assess
from thanhhoa_kpi.appraisals import selectors
from thanhhoa_kpi.reports.pdf import appraisal_form_pdf, unit_summary_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(cast):
    prepare_appraisals()
    return opened(cast)


def test_the_unit_summary_counts_states_and_levels_within_the_scope(cast, period):
    scored(appraisal_of(cast.official, period), "85", state="PUBLISHED")
    scored(appraisal_of(cast.colleague, period), "60", state="HOME_AFFAIRS")
    summary = selectors.unit_summary(period=period, unit=cast.team, user=cast.head)
    assert summary["count"] == 4 and summary["published"] == 1
    assert summary["by_classification"]["HOAN_THANH_TOT"] == 1 and summary["by_classification"]["HOAN_THANH"] == 1
    assert float(summary["average_total"]) == 72.5
    assert {row["full_name"] for row in summary["rows"]} >= {"Nguyễn Văn An", "Trần Thị Bình"}
    mine = selectors.unit_summary(period=period, unit=cast.team, user=cast.official)
    assert [row["full_name"] for row in mine["rows"]] == ["Nguyễn Văn An"]


def test_the_pdf_forms_render_from_the_contexts(cast, period):
    appraisal = self_assess(appraisal_of(cast.head, period), cast.head)
    place(appraisal, "PUBLISHED")
    context = selectors.appraisal_form_context(appraisal=appraisal)
    assert context["is_leader"] and context["task"]["dd"] == 100 and context["general_total"]["self"] == 30
    assert [group["code"] for group in context["general_criteria"]] == ["1", "2", "3"]
    assert appraisal_form_pdf(context).startswith(b"%PDF")
    summary = selectors.unit_summary_form_context(period=period, unit=cast.team, user=cast.head)
    assert summary["signers"]["head"] == "Phạm Thị Dung" and len(summary["rows"]) == 4
    assert unit_summary_pdf(summary).startswith(b"%PDF")
