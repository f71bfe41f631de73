"""``generate_demo`` fills work logs at scale: counts, own units, published items, reruns."""

import io

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from thanhhoa_kpi.catalogue.models import CatalogueStatus
from thanhhoa_kpi.organization.models import Official, OfficialAssignment
from thanhhoa_kpi.worklogs.demo import ASSIGNMENTS_PER_MONTH, ITEMS, LINES_PER_MONTH
from thanhhoa_kpi.worklogs.models import Assignment, LineStatus, WorkLogLine, WorkPeriod

pytestmark = pytest.mark.django_db


def _run(officials: int) -> None:
    call_command("generate_demo", officials=officials, months=2, stdout=io.StringIO())


def test_it_generates_reviewed_lines_in_each_officials_own_unit_against_a_published_catalogue():
    _run(50)
    assert Official.objects.count() == 50
    today = timezone.localdate()
    periods = list(WorkPeriod.objects.order_by("year", "month"))
    assert [(p.status, p.month) for p in periods][-1] == ("OPEN", today.month)
    assert [p.status for p in periods] == ["CLOSED", "OPEN"]
    assert Assignment.objects.filter(approved=True).count() == 50 * 2 * ASSIGNMENTS_PER_MONTH
    lines = WorkLogLine.objects.all()
    assert lines.count() == 50 * 2 * LINES_PER_MONTH
    assert not lines.exclude(status=LineStatus.REVIEWED).exists()
    assert not lines.filter(date__gt=today).exists()
    assert not lines.filter(reviewed_at__gt=timezone.now()).exists()
    own_units = dict(OfficialAssignment.objects.values_list("official_id", "unit_id"))
    assert all(own_units[o] == u for o, u in lines.values_list("official_id", "unit_id").distinct())
    assert not lines.exclude(catalogue_item__catalogue__status=CatalogueStatus.APPROVED).exists()
    assert not lines.exclude(catalogue_item__catalogue__state="PUBLISHED").exists()
    assert not lines.exclude(coefficient=F("catalogue_item__coefficient")).exists()
    assert not lines.exclude(assignment__assignee_id=F("official_id")).exists()
    assert lines.filter(quality_failures__gt=0).exists() and lines.filter(delays__gt=0).exists()
    catalogue = lines.first().catalogue_item.catalogue
    assert catalogue.items.count() == ITEMS and catalogue.owner_unit.code == "GEN_ROOT"


def test_running_it_twice_adds_officials_and_keeps_one_catalogue_and_one_period_per_month():
    _run(50)
    _run(30)
    assert Official.objects.count() == 80
    assert len(set(Official.objects.values_list("code", flat=True))) == 80
    assert WorkPeriod.objects.count() == 2
    assert WorkLogLine.objects.count() == 80 * 2 * LINES_PER_MONTH
    assert WorkLogLine.objects.values("catalogue_item__catalogue").distinct().count() == 1
