"""The demo data (SPEC 8): this month open with draft appraisals, last month fully published; twice is harmless."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from thanhhoa_kpi.accounts.models import User
from thanhhoa_kpi.appraisals import selectors
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod, UnitAppraisal
from thanhhoa_kpi.core.seeding import seed
from thanhhoa_kpi.workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

PERSONAS = {"DEMO0001", "DEMO0002", "DEMO0003", "DEMO0004", "DEMO0005", "DEMO0007", "DEMO0008"}


def _month(offset: int) -> tuple[int, int]:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 + offset
    return index // 12, index % 12 + 1


def test_the_demo_holds_an_open_month_and_a_published_one_and_loads_twice(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed(["base", "thanhhoa", "demo"], log=lambda message: None)
    year, month = _month(0)
    current = AppraisalPeriod.objects.get(kind="MONTH", bloc="CHINH_QUYEN", year=year, number=month)
    assert (current.status, current.opening_status) == ("OPEN", "DONE")
    drafts = Appraisal.objects.filter(period=current)
    assert set(drafts.values_list("official__code", flat=True)) == PERSONAS
    assert set(drafts.values_list("state", flat=True)) == {"DRAFT"}
    assert drafts.get(official__code="DEMO0001").self_general_score is not None
    year, month = _month(-1)
    previous = AppraisalPeriod.objects.get(kind="MONTH", bloc="CHINH_QUYEN", year=year, number=month)
    published = Appraisal.objects.filter(period=previous)
    assert set(published.values_list("state", flat=True)) == {"PUBLISHED"} and published.count() == len(PERSONAS)
    an = published.get(official__code="DEMO0001")
    assert an.final_classification and an.total is not None and an.published_at is not None
    logs = TransitionLog.objects.filter(content_type=ContentType.objects.get_for_model(Appraisal), object_id=an.pk)
    assert list(logs.values_list("action", flat=True)) == ["submit", "approve", "publish"]
    agency = UnitAppraisal.objects.get(unit__code="HT_VHXH", year=year)  # scored from the month, then approved
    assert agency.state == "APPROVED" and agency.months_counted > 0 and agency.explanation
    counts = (Appraisal.objects.count(), TransitionLog.objects.count(), AppraisalPeriod.objects.count())
    seed(["base", "thanhhoa", "demo"], log=lambda message: None)
    assert (Appraisal.objects.count(), TransitionLog.objects.count(), AppraisalPeriod.objects.count()) == counts
    year_period = AppraisalPeriod.objects.get(kind="YEAR", bloc="CHINH_QUYEN", year=year)
    found = selectors.classification_list(period=year_period, unit=None, user=User.objects.get(username="demo_noivu"))
    assert found.rolled_up and {row.official.code for row in found.rows} >= PERSONAS
