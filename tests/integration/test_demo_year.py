"""``manage.py demo_year``: the annual cycle of the demo's pilot unit runs end to end through the
workflow, and a second run changes nothing (issue 14, "Done when")."""

from io import StringIO

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from thanhhoa_kpi.appraisals import agency, selectors, states
from thanhhoa_kpi.appraisals.demo_year import DEFAULT_UNIT, bloc_authority, default_year
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod, UnitAppraisal
from thanhhoa_kpi.competencies import states as competency_states
from thanhhoa_kpi.competencies.models import CompetencyAssessment, CompetencyAssessmentLine
from thanhhoa_kpi.core.seeding import seed
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.scoring import Classification
from thanhhoa_kpi.scoring.codes import RANK
from thanhhoa_kpi.workflow.models import TransitionLog
from thanhhoa_kpi.workflow.tags import has_tag
from thanhhoa_kpi.worklogs.models import Assignment, WorkLogLine

pytestmark = pytest.mark.django_db

XS = Classification.HOAN_THANH_XUAT_SAC.value


def _counts():
    models = (Appraisal, AppraisalPeriod, TransitionLog, Assignment, WorkLogLine, UnitAppraisal, CompetencyAssessment)
    return {model.__name__: model.objects.count() for model in models}


def _run(out_dir):
    out = StringIO()
    call_command("demo_year", "--out", str(out_dir), stdout=out)
    return out.getvalue()


def _rank(code):
    return RANK[Classification(code)]


def _log(document):
    kind = ContentType.objects.get_for_model(type(document))
    return list(TransitionLog.objects.filter(content_type=kind, object_id=document.pk).order_by("pk"))


def test_demo_year_runs_the_pilot_units_year_end_to_end_and_a_second_run_changes_nothing(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed(["base", "thanhhoa", "demo"], log=lambda message: None)
    unit = OrgUnit.objects.get(code=DEFAULT_UNIT)
    year = default_year(unit)
    authority = bloc_authority(unit.bloc)

    output = _run(tmp_path)

    # Twelve months, each published for every official of the unit, with progress printed per month.
    monthly = Appraisal.objects.filter(
        period__kind="MONTH", period__year=year, period__bloc=unit.bloc, unit__path__startswith=unit.path
    )
    officials = set(monthly.values_list("official_id", flat=True))
    assert len(officials) >= 3
    published = monthly.filter(states.tagged_q(states.PUBLISHED))
    for official in officials:
        assert sorted(published.filter(official_id=official).values_list("period__number", flat=True)) == list(
            range(1, 13)
        )
    assert monthly.count() == published.count() == 12 * len(officials)
    for month in range(1, 13):
        assert f"Tháng {month:02d}/{year}:" in output
    # Work went through assignment, logging and review, some of it late; the levels differ.
    lines = WorkLogLine.objects.filter(period__year=year, official_id__in=officials)
    assert lines.exists() and not lines.filter(status="DRAFT").exists()
    assert lines.filter(delays__gt=0).exists()
    assert len(set(published.exclude(final_classification="").values_list("final_classification", flat=True))) > 1

    # The agency's own appraisal: submitted (scored from the year), approved by the bloc authority.
    row = UnitAppraisal.objects.get(unit=unit, year=year)
    assert has_tag(row, agency.APPROVED) and row.months_counted > 0 and row.explanation
    log = _log(row)
    assert [entry.action for entry in log[-2:]] == ["submit", "approve"]
    assert log[-1].actor == authority and log[-2].actor != authority

    # The YEAR list rolled up from the months: the quota holds, the head is capped by the agency.
    year_period = AppraisalPeriod.objects.get(kind="YEAR", bloc=unit.bloc, year=year)
    listing = selectors.classification_list(period=year_period, unit=unit, user=authority)
    assert listing.rolled_up and {r.official.pk for r in listing.rows} == officials
    excellent = [r for r in listing.rows if r.final == XS]
    assert len(excellent) <= sum(group.figures.limit for group in listing.groups if group.figures)
    assert any(r.quota_reason for r in listing.rows)
    head = next(r for r in listing.rows if r.appraisal is not None and r.appraisal.leadership_role == "HEAD")
    assert head.final and _rank(head.final) <= _rank(row.classification)
    assert head.head_cap_reason and _rank(head.after_quota) > _rank(head.final)
    assert all(r.months_missing == 0 for r in listing.rows)

    # Competency assessments: every one approved through the workflow (the head's by the ward's chairman).
    assessments = CompetencyAssessment.objects.filter(year=year, official_id__in=officials)
    assert set(assessments.values_list("official_id", flat=True)) == officials
    for assessment in assessments:
        assert has_tag(assessment, competency_states.APPROVED)
        assert [entry.action for entry in _log(assessment)] == ["submit", "approve"]
        assert not assessment.lines.filter(reviewer_level__isnull=True).exists()
    head_assessment = assessments.get(official__assignments__leadership_role="HEAD")
    assert _log(head_assessment)[-1].actor.username == "demo_chutich"
    approved = list(assessments)

    # The gap report: one row per position and competency assessed, the officials below it counted.
    files = list(tmp_path.glob("*.xlsx"))
    assert len(files) == 1
    rows = list(openpyxl.load_workbook(files[0], read_only=True).active.iter_rows(values_only=True))
    data = [row for row in rows[3:] if row and row[0] == unit.name]
    lines = CompetencyAssessmentLine.objects.filter(assessment__in=[a.pk for a in approved])
    assert data and len(data) == len(set(lines.values_list("assessment__position_id", "competency_id")))
    below = sum(1 for line in lines if line.reviewer_level < line.required_level)
    assert below > 0 and sum(row[7] for row in data) == below
    assert str(files[0]) in output

    # Again: nothing new, every step reported as existing.
    before = _counts()
    again = _run(tmp_path)
    assert _counts() == before
    assert again.count("đã công khai từ trước") == 12
    assert "giữ nguyên" in again.split("Đánh giá " + unit.name)[1].splitlines()[0]
