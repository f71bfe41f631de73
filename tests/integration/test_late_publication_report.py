"""«Đơn vị chậm công khai kết quả» (issue 14, item 6): units whose appraisals are not all
published by the period's approval deadline, in the caller's scope, exportable."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories.appraisals import appraisal_of
from tests.factories.reports import builtin_report_data
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod
from thanhhoa_kpi.reports.builtin import BUILTINS, builtin_run

pytestmark = pytest.mark.django_db
CODE = "don_vi_cham_cong_khai"


@pytest.fixture
def late(cast):
    cast, period, _work = builtin_report_data(cast)
    AppraisalPeriod.objects.filter(pk=period.pk).update(approval_deadline=timezone.localdate() - timedelta(days=3))
    return cast, AppraisalPeriod.objects.get(pk=period.pk)


def run(user, period):
    return builtin_run(code=CODE, user=user, params={"period": str(period.pk)})


def by_unit(result):
    keys = [c.key for c in result.columns]
    return {row[0]: dict(zip(keys, row, strict=True)) for row in result.rows}


def test_units_with_unpublished_appraisals_after_the_deadline_are_late(late):
    cast, period = late
    assert BUILTINS[CODE].title == "Đơn vị chậm công khai kết quả"
    result = run(cast.viewer, period)
    rows = by_unit(result)
    assert rows, "the viewer sees the late units of the whole province"
    unit = appraisal_of(cast.colleague, period).unit.name
    assert rows[unit]["days_late"] == 3 and rows[unit]["unpublished"] >= 1
    assert "hạn phê duyệt, công khai" in result.subtitle
    assert all(row["days_late"] == 3 for row in rows.values())
    head = by_unit(run(cast.head, period))
    assert "Sở Khoa học (thử)" not in " ".join(head) and set(head) <= set(rows)


def test_a_unit_all_published_after_the_deadline_is_late_by_its_last_publication(late):
    cast, period = late
    rows = Appraisal.objects.filter(period=period, unit=appraisal_of(cast.outsider, period).unit)
    published = rows.filter(state="PUBLISHED")
    name = published.first().unit.name
    assert not rows.exclude(state="PUBLISHED").exists(), "the outsider's unit holds only this published appraisal"
    assert name not in by_unit(run(cast.viewer, period))
    published.update(published_at=timezone.now() - timedelta(days=1))
    row = by_unit(run(cast.viewer, period))[name]
    assert (row["unpublished"], row["published_late"], row["days_late"]) == (0, 1, 2)


def test_no_deadline_or_not_yet_due_lists_no_unit(late):
    cast, period = late
    AppraisalPeriod.objects.filter(pk=period.pk).update(approval_deadline=None)
    result = run(cast.viewer, period)
    assert result.rows == [] and "chưa đặt hạn phê duyệt" in result.subtitle
    AppraisalPeriod.objects.filter(pk=period.pk).update(approval_deadline=timezone.localdate() + timedelta(days=2))
    result = run(cast.viewer, period)
    assert result.rows == [] and "chưa đến hạn" in result.subtitle


def test_the_report_exports_to_xlsx(late, api_for):
    cast, period = late
    response = api_for(cast.viewer).get(f"/api/v1/reports/builtin/{CODE}/?format=xlsx&period={period.pk}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert values[0] == "Đơn vị chậm công khai kết quả" and "Số ngày chậm" in values
