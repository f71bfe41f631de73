"""A generated month with planted cases (issue 15, item 4, for the checks of item 1): the
report «Kiểm tra tính hợp lý của nhật ký công việc» finds each planted official under the
check planted, and honest officials are flagged no more than the stated rate.

Honest officials (one similar-task group of a unit) log on working days only, 5 to 8 hours
a day in 2 to 4 lines, assigned work spread over the month, their own document numbers and
files, with a productivity of 0.6 to 1.6 times a common rate. The stated false-positive
rate is 5 % of honest officials; the measured rate is printed (run with ``-s``).
"""

import random
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.factories.appraisals import staff
from tests.factories.worklogs import previous_period
from thanhhoa_kpi.organization.models import LeavePeriod
from thanhhoa_kpi.reports.builtin import builtin_run
from thanhhoa_kpi.worklogs.models import Assignment, Origin, WorkLogLine, document_key

pytestmark = pytest.mark.django_db
HONEST = 40
STATED_FALSE_POSITIVE_RATE = Decimal("0.05")
PLANTED = {
    "LONG": "Vượt thời gian ngày làm việc",
    "WEEKEND": "Ghi vào ngày nghỉ",
    "LEAVE": "Trùng thời gian nghỉ",
    "DOC": "Số văn bản / hồ sơ dùng nhiều lần",
    "FILE": "Tệp minh chứng dùng lại",
    "BURST": "Dồn việc cuối tháng",
    "LATE": "Ghi sau hạn được giao",
    "FAST": "Năng suất cao bất thường so với nhóm",
    "SELF": "Chủ yếu việc tự đăng ký",
}


class Month:
    def __init__(self, cast, work, period):
        self.cast, self.item, self.period = cast, work.culture, period
        days = [period.first_day + timedelta(days=n) for n in range(period.last_day.day)]
        self.workdays = [day for day in days if day.weekday() < 5]
        self.weekend = [day for day in days if day.weekday() >= 5]
        self.rng = random.Random(2026)
        self.position = cast.team.assignments.first().position
        self.lines = []
        self.serial = 0

    def official(self, code, name):
        return staff(self.cast.team, code, name, position=self.position, group="CHUYEN_VIEN")

    def assignment(self, official, deadline=None, origin=Origin.PLAN):
        return Assignment.objects.create(
            catalogue_item=self.item, assignee=official, period=self.period, quantity=200, coefficient=2,
            deadline=deadline or self.period.last_day, origin=origin, approved=True,
        )  # fmt: skip

    def line(self, official, day, minutes, quantity, assignment=None, **extra):
        self.serial += 1
        extra.setdefault("document_number", f"{self.serial}/UBND-VP")
        extra.setdefault("evidence_sha256", f"{self.serial:064x}")
        extra["document_key"] = document_key(extra["document_number"])  # bulk_create skips save()
        self.lines.append(
            WorkLogLine(
                official=official, unit=self.cast.team, period=self.period, date=day, catalogue_item=self.item,
                coefficient=2, quantity=Decimal(quantity).quantize(Decimal("0.01")), minutes=minutes,
                assignment=assignment, **extra,
            )
        )  # fmt: skip

    def honest_month(self, official, *, days=None, speed=None, assignment=None, minutes_a_day=None):
        """2–4 lines a working day, 5–8 hours, a quantity in proportion to the time."""
        speed = speed or Decimal(self.rng.uniform(0.6, 1.6))
        assignment = assignment or self.assignment(official)
        for day in days or self.workdays:
            total = minutes_a_day or self.rng.randint(300, 480)
            parts = self.rng.randint(2, 4)
            for _ in range(parts):
                minutes = total // parts
                self.line(official, day, minutes, speed * minutes / 60, assignment)

    def save(self):
        WorkLogLine.objects.bulk_create(self.lines)


@pytest.fixture
def planted(cast, work):
    month = Month(cast, work, previous_period())
    honest = [month.official(f"HONEST{n:02d}", f"Cán bộ trung thực {n:02d}") for n in range(HONEST)]
    for official in honest:
        month.honest_month(official)
    cheats = {key: month.official(f"CHEAT_{key}", f"Cán bộ cài {key}") for key in PLANTED}
    month.honest_month(cheats["LONG"], minutes_a_day=660)
    month.honest_month(cheats["WEEKEND"], days=month.workdays + month.weekend)
    month.honest_month(cheats["LEAVE"])
    LeavePeriod.objects.create(official=cheats["LEAVE"], kind="SICK", start_date=month.workdays[3],
                               end_date=month.workdays[7])  # fmt: skip
    month.honest_month(cheats["DOC"])
    # The dossier number of an honest official's line: both lines are flagged, and the honest
    # one counts as a false positive below (the reviewer sees both ends of a reuse).
    copied = month.lines[0].document_number
    month.line(cheats["DOC"], month.workdays[-1], 60, 1, document_number=copied)
    month.honest_month(cheats["FILE"])
    month.line(cheats["FILE"], month.workdays[-2], 60, 1, evidence_sha256=month.lines[-5].evidence_sha256)
    month.honest_month(cheats["BURST"], days=month.workdays[:3])
    month.honest_month(cheats["BURST"], days=month.workdays[-3:], speed=Decimal(8))
    month.honest_month(cheats["LATE"], assignment=month.assignment(cheats["LATE"], deadline=month.workdays[4]))
    month.honest_month(cheats["FAST"], speed=Decimal(6))
    own = month.assignment(cheats["SELF"], origin=Origin.SELF_REGISTERED)
    month.honest_month(cheats["SELF"], assignment=own)
    month.save()
    return cast, month.period, honest, cheats


def test_the_report_finds_every_planted_case_and_few_honest_officials(planted):
    cast, period, honest, cheats = planted
    result = builtin_run(code="kiem_tra_nhat_ky", user=cast.head, params={"period": f"{period.year}-{period.month}"})
    found = {(row[1], row[3]) for row in result.rows}
    for key, check in PLANTED.items():
        assert (cheats[key].code, check) in found, f"{key}: {check} not found"
    flagged = {code for code, _check in found if code.startswith("HONEST")}
    rate = Decimal(len(flagged)) / len(honest)
    print(f"\nplausibility: {len(flagged)} of {len(honest)} honest officials flagged ({rate:.1%}); "
          f"{len(result.rows)} rows in the report")  # fmt: skip
    assert rate <= STATED_FALSE_POSITIVE_RATE, sorted(flagged)
    # A planted official trips what was planted, not the whole list.
    assert {check for code, check in found if code == cheats["FAST"].code} == {PLANTED["FAST"]}
