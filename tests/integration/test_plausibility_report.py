"""«Kiểm tra tính hợp lý của nhật ký công việc» (issue 15, item 1): the built-in report per
unit and month lists the planted cases, in the caller's scope, and exports."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from tests.factories.worklogs import log, pdf_file, previous_period
from thanhhoa_kpi.reports.builtin import BUILTINS, builtin_run

pytestmark = pytest.mark.django_db
CODE = "kiem_tra_nhat_ky"


@pytest.fixture
def planted(cast, work):
    """Last month: the official logs 9 hours on a Monday and reuses a colleague's evidence
    file; the colleague's lines are otherwise unremarkable; the outsider logs a long day."""
    period = previous_period()
    monday = next(period.first_day + timedelta(days=n) for n in range(7)
                  if (period.first_day + timedelta(days=n)).weekday() == 0)  # fmt: skip
    log(cast.official, work.culture, date=monday, minutes=300)
    log(cast.official, work.culture_small, date=monday, minutes=240, evidence=pdf_file("cua-toi.pdf"))
    log(cast.colleague, work.sport, date=monday + timedelta(days=1), minutes=120, evidence=pdf_file("goc.pdf"))
    log(cast.colleague, work.sport, date=monday + timedelta(days=2), minutes=120)
    log(cast.outsider, work.foreign, date=monday, minutes=600)
    return cast, period


def run(user, period, **params):
    return builtin_run(code=CODE, user=user, params={"period": f"{period.year}-{period.month:02d}", **params})


def rows_of(result):
    keys = [c.key for c in result.columns]
    return [dict(zip(keys, row, strict=True)) for row in result.rows]


def test_the_report_lists_each_officials_flags_in_the_heads_unit(planted):
    cast, period = planted
    assert BUILTINS[CODE].title == "Kiểm tra tính hợp lý của nhật ký công việc"
    result = run(cast.head, period)
    rows = rows_of(result)
    found = {(row["official"], row["check"]): row for row in rows}
    long_day = found[("Nguyễn Văn An", "Vượt thời gian ngày làm việc")]
    assert long_day["lines"] == 2 and "9 giờ" in long_day["explanation"] and long_day["code"] == "T0001"
    assert found[("Nguyễn Văn An", "Tệp minh chứng dùng lại")]["lines"] == 1
    assert found[("Trần Thị Bình", "Tệp minh chứng dùng lại")]["lines"] == 1
    assert ("Trần Thị Bình", "Vượt thời gian ngày làm việc") not in found
    assert all(row["official"] != "Vũ Thị Giang" for row in rows)
    assert "không tự động trừ điểm" in result.note and str(period) in result.subtitle


def test_an_official_sees_only_their_own_rows_and_a_foreign_unit_none(planted):
    cast, period = planted
    mine = rows_of(run(cast.official, period))
    assert mine and {row["official"] for row in mine} == {"Nguyễn Văn An"}
    assert rows_of(run(cast.head, period, unit=str(cast.other_team.pk))) == []
    outsider = rows_of(run(cast.viewer, period, unit=str(cast.other_team.pk)))
    assert {(row["official"], row["check"]) for row in outsider} == {("Vũ Thị Giang", "Vượt thời gian ngày làm việc")}


def test_an_honest_month_lists_nobody(cast, work):
    period = previous_period()
    log(cast.colleague, work.sport, date=period.first_day + timedelta(days=14 - period.first_day.weekday()))
    assert run(cast.head, period).rows == []


def test_the_report_exports_to_xlsx(planted, api_for):
    cast, period = planted
    response = api_for(cast.head).get(f"/api/v1/reports/builtin/{CODE}/?format=xlsx&period={period.year}-"
                                      f"{period.month:02d}")  # fmt: skip
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert values[0] == "Kiểm tra tính hợp lý của nhật ký công việc" and "Giải thích" in values
    assert "Nguyễn Văn An" in values


def test_a_scope_too_large_without_a_unit_asks_for_one(planted, monkeypatch):
    from thanhhoa_kpi.reports import builtin_plausibility

    cast, period = planted
    monkeypatch.setattr(builtin_plausibility, "MAX_LINES", 2)
    result = run(cast.viewer, period)
    assert result.rows == [] and "hãy chọn một đơn vị" in result.subtitle
    assert rows_of(run(cast.viewer, period, unit=str(cast.team.pk)))
