"""The plausibility flags on the desk (issue 15, item 1): the head's review queue shows
each line's flags with their explanations beside it; an official never sees another's
flags; the holiday calendar and the thresholds are changed by province admins only."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories.worklogs import log, pdf_file, previous_period
from thanhhoa_kpi.worklogs.models import PlausibilityThresholds, PublicHoliday

pytestmark = pytest.mark.django_db


def desk(user):
    client = Client()
    client.force_login(user)
    return client


def row_of(page, line):
    """The review queue's row of ``line`` (its HTML)."""
    found = re.search(rf'<tr class="review-row[^"]*" data-line-id="{line.pk}">(.*?)</tr>', page, re.S)
    assert found, f"line {line.pk} is not in the queue"
    return found.group(1)


@pytest.fixture
def flagged(cast, work):
    """Last month: the official logs 9 hours on a Monday (one line with a colleague's evidence
    file); the colleague logs one ordinary line and the file first."""
    period = previous_period()
    monday = next(period.first_day + timedelta(days=n) for n in range(7)
                  if (period.first_day + timedelta(days=n)).weekday() == 0)  # fmt: skip
    long_a = log(cast.official, work.culture, date=monday, minutes=300)
    long_b = log(cast.official, work.culture_small, date=monday, minutes=240, evidence=pdf_file("cua-toi.pdf"))
    source = log(cast.colleague, work.sport, date=monday + timedelta(days=1), minutes=60, evidence=pdf_file())
    plain = log(cast.colleague, work.sport, date=monday + timedelta(days=2), minutes=60)
    return cast, long_a, long_b, source, plain


def test_the_heads_review_queue_shows_each_lines_flags_with_their_explanations(flagged):
    cast, long_a, long_b, source, plain = flagged
    page = desk(cast.head).get(reverse("admin:worklogs_review")).content.decode()
    assert "không tự động trừ điểm" in page
    first = row_of(page, long_a)
    assert "Cần lưu ý — Vượt thời gian ngày làm việc" in first and "là 9 giờ, vượt ngày làm việc 8 giờ" in first
    second = row_of(page, long_b)
    assert "Vượt thời gian ngày làm việc" in second and "Cần lưu ý — Tệp minh chứng dùng lại" in second
    assert "(của 2 cán bộ)" in second
    assert "Tệp minh chứng dùng lại" in row_of(page, source)
    assert "Cần lưu ý" not in row_of(page, plain)


def test_the_review_page_of_a_line_shows_its_flags_to_its_reviewer(flagged):
    cast, long_a, _long_b, _source, plain = flagged
    page = desk(cast.deputy).get(reverse("admin:worklogs_review_line", args=[long_a.pk])).content.decode()
    assert "Cần lưu ý khi duyệt" in page and "là 9 giờ, vượt ngày làm việc 8 giờ" in page
    clean = desk(cast.deputy).get(reverse("admin:worklogs_review_line", args=[plain.pk])).content.decode()
    assert "Cần lưu ý" not in clean


def test_an_official_never_sees_anothers_flags(flagged):
    cast, long_a, long_b, source, _plain = flagged
    colleague = desk(cast.colleague)
    queue = colleague.get(reverse("admin:worklogs_review")).content.decode()
    assert "Cần lưu ý —" not in queue and "Nguyễn Văn An" not in queue
    assert colleague.get(reverse("admin:worklogs_review_line", args=[long_a.pk])).status_code == 404
    # Their own line's page shows no flags either: the flags are the reviewer's questions.
    own = colleague.get(reverse("admin:worklogs_review_line", args=[source.pk])).content.decode()
    assert "Cần lưu ý" not in own and "cán bộ)" not in own
    outsider = desk(cast.outsider)
    assert outsider.get(reverse("admin:worklogs_review_line", args=[long_b.pk])).status_code == 404
    assert "Cần lưu ý —" not in outsider.get(reverse("admin:worklogs_review")).content.decode()


def test_a_deputy_sees_the_flags_of_the_lines_of_their_fields_only(flagged):
    cast, long_a, _long_b, _source, plain = flagged
    page = desk(cast.deputy).get(reverse("admin:worklogs_review")).content.decode()
    assert "Vượt thời gian ngày làm việc" in row_of(page, long_a)
    assert f'data-line-id="{plain.pk}"' not in page  # sport: not the deputy's field


def test_province_admins_keep_the_holiday_calendar_and_the_thresholds(cast):
    add = reverse("admin:worklogs_publicholiday_add")
    data = {"date": "2026-12-31", "name": "Nghỉ thử", "kind": "DAY_OFF"}
    assert desk(cast.hr).post(add, data).status_code == 403  # a ward's HR admin reads, never writes
    assert not PublicHoliday.objects.exists()
    assert desk(cast.province_hr).post(add, data).status_code == 302
    assert PublicHoliday.objects.get().name == "Nghỉ thử"
    assert "Nghỉ thử" in desk(cast.hr).get(reverse("admin:worklogs_publicholiday_changelist")).content.decode()
    thresholds = reverse("admin:worklogs_plausibilitythresholds_add")
    fields = {"working_day_minutes": "450", "burst_days": "5", "burst_percent": "60", "late_percent": "50",
              "min_month_lines": "6", "rate_median_multiple": "3", "rate_percentile": "99", "rate_min_peers": "5",
              "percentile_min_peers": "100", "self_registered_percent": "70"}  # fmt: skip
    assert desk(cast.province_hr).post(thresholds, fields).status_code == 302
    assert PlausibilityThresholds.objects.get().working_day_minutes == 450
    assert desk(cast.province_hr).get(thresholds).status_code == 403  # one row: change it, never a second
