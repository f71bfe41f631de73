"""Plausibility checks of work-log lines (issue 15, item 1), computed in the database.

Every check is tried on data that trips it and on data that does not. The lines are in
last month (opened by ``previous_period``), so the tests hold whatever today is.
"""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories.appraisals import staff
from tests.factories.worklogs import assign, log, pdf_file, previous_period
from thanhhoa_kpi.organization.models import LeavePeriod
from thanhhoa_kpi.worklogs import plausibility
from thanhhoa_kpi.worklogs import plausibility_rules as rules
from thanhhoa_kpi.worklogs.models import (
    HolidayKind,
    Origin,
    PlausibilityThresholds,
    PublicHoliday,
    WorkLogLine,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(work):
    """Last month, and its working days (Monday to Friday) in order."""
    period = previous_period()
    days = [period.first_day + timedelta(days=n) for n in range(period.last_day.day)]
    return period, [day for day in days if day.weekday() < 5]


def flags_of(*lines):
    found = plausibility.flags_for(WorkLogLine.objects.filter(pk__in=[line.pk for line in lines]))
    return {line.pk: {flag.code: flag.text for flag in found.get(line.pk, [])} for line in lines}


def codes(line):
    return set(flags_of(line)[line.pk])


def test_minutes_of_a_day_beyond_the_working_day_are_flagged(cast, work, month):
    _period, days = month
    long_a = log(cast.official, work.culture, date=days[0], minutes=300)
    long_b = log(cast.official, work.culture_small, date=days[0], minutes=240)
    fine_a = log(cast.official, work.culture, date=days[1], minutes=240)
    fine_b = log(cast.official, work.culture_small, date=days[1], minutes=240)
    found = flags_of(long_a, long_b, fine_a, fine_b)
    assert "9 giờ, vượt ngày làm việc 8 giờ" in found[long_a.pk][rules.DAY_TOO_LONG]
    assert rules.DAY_TOO_LONG in found[long_b.pk]
    assert rules.DAY_TOO_LONG not in found[fine_a.pk] and rules.DAY_TOO_LONG not in found[fine_b.pk]
    # The working day is a parameter.
    PlausibilityThresholds.objects.create(working_day_minutes=420)
    assert rules.DAY_TOO_LONG in codes(fine_a)


def test_weekends_and_holidays_are_flagged_unless_worked_in_exchange(cast, work, month):
    period, days = month
    saturday = next(period.first_day + timedelta(days=n) for n in range(7)
                    if (period.first_day + timedelta(days=n)).weekday() == 5)  # fmt: skip
    weekend = log(cast.official, work.culture, date=saturday)
    weekday = log(cast.official, work.culture, date=days[2])
    holiday = log(cast.official, work.culture, date=days[3])
    assert "là thứ Bảy" in flags_of(weekend)[weekend.pk][rules.NON_WORKING_DAY]
    assert rules.NON_WORKING_DAY not in codes(weekday) | codes(holiday)
    PublicHoliday.objects.create(date=days[3], name="Ngày lễ thử")
    assert "là ngày nghỉ: Ngày lễ thử" in flags_of(holiday)[holiday.pk][rules.NON_WORKING_DAY]
    PublicHoliday.objects.create(date=saturday, name="Làm bù", kind=HolidayKind.WORKDAY)
    assert rules.NON_WORKING_DAY not in codes(weekend)


def test_a_line_during_the_officials_leave_is_flagged(cast, work, month):
    _period, days = month
    during = log(cast.official, work.culture, date=days[5])
    after = log(cast.official, work.culture, date=days[7])
    colleague = log(cast.colleague, work.sport, date=days[5])
    LeavePeriod.objects.create(official=cast.official_of(cast.official), kind="SICK", start_date=days[4],
                               end_date=days[6])  # fmt: skip
    found = flags_of(during, after, colleague)
    assert "nghỉ ốm từ" in found[during.pk][rules.ON_LEAVE]
    assert rules.ON_LEAVE not in found[after.pk] and rules.ON_LEAVE not in found[colleague.pk]


def test_a_document_number_used_by_several_officials_is_flagged(cast, work, month):
    _period, days = month
    mine = log(cast.official, work.culture, date=days[0], document_number="12/UBND-VP")
    theirs = log(cast.colleague, work.culture, date=days[1], document_number=" 12/ubnd-vp ")
    other_step = log(cast.colleague, work.sport, date=days[2], document_number="15/UBND-VP")
    other_step_b = log(cast.official, work.culture, date=days[2], document_number="15/UBND-VP")
    unique = log(cast.official, work.culture, date=days[3], document_number="99/UBND-VP")
    found = flags_of(mine, theirs, other_step, unique)
    assert "ở 2 dòng nhật ký" in found[mine.pk][rules.DOCUMENT_REUSED]
    assert "của 2 cán bộ" in found[mine.pk][rules.DOCUMENT_REUSED]
    assert "ghi trùng" in found[theirs.pk][rules.DOCUMENT_REUSED]
    # Different items on one dossier may be its steps (received, examined): said so.
    assert "các bước khác nhau" in found[other_step.pk][rules.DOCUMENT_REUSED]
    assert "các bước khác nhau" in flags_of(other_step_b)[other_step_b.pk][rules.DOCUMENT_REUSED]
    assert rules.DOCUMENT_REUSED not in found[unique.pk]


def test_document_numbers_are_compared_within_one_year(cast, work, month):
    period, days = month
    line = log(cast.official, work.culture, date=days[0], document_number="7/QĐ-UBND")
    assert rules.DOCUMENT_REUSED not in codes(line)
    # The same number a year earlier is another document (numbering restarts each year).
    WorkLogLine.objects.create(
        official=line.official, period=period, date=days[0].replace(year=days[0].year - 1),
        catalogue_item=work.culture, quantity=1, coefficient=2, document_number="7/QĐ-UBND",
    )  # fmt: skip
    assert rules.DOCUMENT_REUSED not in codes(line)
    log(cast.official, work.culture, date=days[1], document_number="7/QĐ-UBND")
    assert "của cùng một cán bộ" in flags_of(line)[line.pk][rules.DOCUMENT_REUSED]


def test_an_evidence_file_reused_across_lines_is_flagged_by_its_hash(cast, work, month):
    _period, days = month
    first = log(cast.official, work.culture, date=days[0], evidence=pdf_file("a.pdf"))
    again = log(cast.colleague, work.sport, date=days[1], evidence=pdf_file("b-khac-ten.pdf"))
    other = log(cast.official, work.culture, date=days[2], evidence=pdf_file("c.pdf", size=400))
    plain = log(cast.official, work.culture, date=days[3])
    body = pdf_file().read()
    assert WorkLogLine.objects.get(pk=first.pk).evidence_sha256 == hashlib.sha256(body).hexdigest()
    assert plain.evidence_sha256 == ""
    found = flags_of(first, again, other, plain)
    assert "ở 2 dòng nhật ký (của 2 cán bộ)" in found[first.pk][rules.EVIDENCE_REUSED]
    assert rules.EVIDENCE_REUSED in found[again.pk]
    assert rules.EVIDENCE_REUSED not in found[other.pk] and rules.EVIDENCE_REUSED not in found[plain.pk]


def test_a_new_upload_on_edit_gets_its_own_hash(cast, work, month):
    from thanhhoa_kpi.worklogs.services import worklog_update

    _period, days = month
    line = log(cast.official, work.culture, date=days[0], evidence=pdf_file())
    kept = worklog_update(line=line, user=cast.official, description="Sửa nội dung")
    assert kept.evidence_sha256 == line.evidence_sha256
    body = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\nkhac\n%%EOF\n"
    changed = worklog_update(line=line, user=cast.official,
                             evidence=SimpleUploadedFile("moi.pdf", body, content_type="application/pdf"))  # fmt: skip
    assert changed.evidence_sha256 == hashlib.sha256(body).hexdigest()


def _month_of(user, item, dates, **extra):
    return [log(user, item, date=day, **extra) for day in dates]


def test_a_month_end_burst_is_flagged_on_the_lines_of_the_last_days(cast, work, month):
    period, days = month
    last = [period.last_day - timedelta(days=n) for n in range(4)]
    early = log(cast.official, work.culture, date=days[0])
    burst = _month_of(cast.official, work.culture, last + last[:2], quantity="3")
    even = _month_of(cast.colleague, work.sport, days[:3] + days[-3:])
    found = flags_of(early, *burst, *even)
    assert "% khối lượng quy đổi của tháng được ghi vào 5 ngày cuối tháng" in found[burst[0].pk][rules.MONTH_END_BURST]
    assert rules.MONTH_END_BURST not in found[early.pk]
    assert not any(rules.MONTH_END_BURST in found[line.pk] for line in even)
    # Fewer lines than the minimum: no share is judged.
    PlausibilityThresholds.objects.create(min_month_lines=10)
    assert rules.MONTH_END_BURST not in codes(burst[0])


def test_lines_after_their_assignments_deadline_are_flagged_when_they_dominate(cast, work, month):
    period, days = month
    late_work = assign(cast.head, cast.official_of(cast.official), work.culture, "20", period=period, deadline=days[1])
    on_time = assign(cast.head, cast.official_of(cast.colleague), work.sport, "20", period=period, deadline=days[-1])
    late = _month_of(cast.official, None, days[4:10], assignment=late_work)
    timely = _month_of(cast.colleague, None, days[4:10], assignment=on_time)
    found = flags_of(*late, *timely)
    assert "được ghi sau hạn hoàn thành" in found[late[0].pk][rules.AFTER_DEADLINE]
    assert not any(rules.AFTER_DEADLINE in found[line.pk] for line in timely)


def test_self_registered_work_dominating_the_month_is_flagged(cast, work, month):
    period, days = month
    given = assign(cast.head, cast.official_of(cast.colleague), work.sport, "20", period=period)
    own = _month_of(cast.official, work.culture, days[:6])
    assigned = _month_of(cast.colleague, None, days[:6], assignment=given)
    found = flags_of(*own, *assigned)
    assert "100 % khối lượng quy đổi của tháng là việc tự đăng ký" in found[own[0].pk][rules.SELF_REGISTERED]
    assert not any(rules.SELF_REGISTERED in found[line.pk] for line in assigned)
    registered = assign(cast.colleague, cast.official_of(cast.colleague), work.sport, "20", period=period,
                        origin=Origin.SELF_REGISTERED)  # fmt: skip
    extra = _month_of(cast.colleague, None, days[6:18], assignment=registered, quantity="2")
    assert rules.SELF_REGISTERED in codes(extra[0])


def _peer_lines(unit, item, period, day, rates):
    """One official of the team's similar-task group per rate: 6 lines, converted output per hour ``rate``."""
    for n, rate in enumerate(rates):
        official = staff(unit, f"PEER{n}", f"Đồng nghiệp {n}", position=unit.assignments.first().position,
                         group="CHUYEN_VIEN")  # fmt: skip
        for _ in range(6):
            WorkLogLine.objects.create(official=official, unit=unit, period=period, date=day, catalogue_item=item,
                                       quantity=Decimal(rate) / 2, coefficient=2, minutes=60)  # fmt: skip


def test_output_per_hour_far_above_the_similar_task_group_is_flagged(cast, work, month):
    period, days = month
    _peer_lines(cast.team, work.culture, period, days[0], ["1", "1.5", "2", "2", "2.5"])
    # VH01 has coefficient 2: 4 × 2 = 8 converted per hour, four times the peers' median 2.
    fast = _month_of(cast.official, work.culture, days[:6], quantity="4", minutes=60)
    found = flags_of(*fast)
    text = found[fast[0].pk][rules.RATE_OUTLIER]
    assert "Khối lượng quy đổi mỗi giờ là 8" in text and "«Chuyên viên»" in text and "trung vị" in text
    usual = _month_of(cast.colleague, work.sport, days[:6], quantity="1", minutes=60)
    assert rules.RATE_OUTLIER not in codes(usual[0])
    PlausibilityThresholds.objects.create(rate_median_multiple=5)
    assert rules.RATE_OUTLIER not in codes(fast[0])


def test_a_group_too_small_is_not_compared(cast, work, month):
    period, days = month
    _peer_lines(cast.team, work.culture, period, days[0], ["1", "1"])
    fast = _month_of(cast.official, work.culture, days[:6], quantity="50", minutes=60)
    assert rules.RATE_OUTLIER not in codes(fast[0])


def test_the_holiday_fixture_covers_2025_to_2027(db):
    from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
    from thanhhoa_kpi.worklogs.holidays import load_holidays

    load_holidays(read_file(FIXTURES_DIR / "base" / "holidays.yaml"))
    load_holidays(read_file(FIXTURES_DIR / "base" / "holidays.yaml"))  # idempotent
    names = {row.date: row.name for row in PublicHoliday.objects.all()}
    for year in (2025, 2026, 2027):
        assert date(year, 1, 1) in names and date(year, 4, 30) in names and date(year, 5, 1) in names
        assert date(year, 9, 2) in names
        assert any("Tết Nguyên đán" in n for d, n in names.items() if d.year == year)
        assert any("Giỗ Tổ" in n for d, n in names.items() if d.year == year)
    assert date(2026, 2, 17) in names and PublicHoliday.objects.filter(kind=HolidayKind.WORKDAY).exists()


def test_the_checks_take_a_fixed_number_of_queries(cast, work, month, django_assert_max_num_queries):
    _period, days = month
    few = _month_of(cast.official, work.culture, days[:2], document_number="1/UB", evidence=pdf_file())
    many = _month_of(cast.official, work.culture, days[2:12], document_number="1/UB", evidence=pdf_file())
    with django_assert_max_num_queries(13) as small:
        plausibility.flags_for(WorkLogLine.objects.filter(pk__in=[line.pk for line in few]))
    with django_assert_max_num_queries(len(small.captured_queries)):
        plausibility.flags_for(WorkLogLine.objects.filter(pk__in=[line.pk for line in few + many]))
