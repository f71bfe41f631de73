"""Honest logs in the demo, in Debian's Chromium (issue 15, "Done when").

On the demo data (``seed --sets base,thanhhoa,demo``) served by a live server: the simulator
pushes a day of e-office and one-stop-shop events over HTTP, signed with each source's
secret; the official confirms the proposed lines in one click each; the head's review queue
shows the plausibility flags with their explanations; the monthly integrity report of last
month lists the cases the demo plants (fixtures/demo/worklogs.yaml), for the head his unit's
and for the Home Affairs authority every one; HR sees the events waiting for it and the
national CBCCVC import page. Each page is looked at on a desktop and a phone (screenshots
under test-artifacts/, and nothing wider than the phone).
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.e2e.conftest import ARTIFACTS, desk_login
from thanhhoa_kpi.core.seeding import seed
from thanhhoa_kpi.integrations.models import EventStatus, InboundEvent
from thanhhoa_kpi.integrations.simulator import day_events
from thanhhoa_kpi.worklogs.models import WorkLogLine

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "demo-2026"  # fixtures/demo/personas.yaml
SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
# What fixtures/demo/worklogs.yaml plants in last month: (official, check) as the report names them.
PLANTED_IN_THE_HEADS_UNIT = {
    ("DEMO0001", "Số văn bản / hồ sơ dùng nhiều lần"),
    ("DEMO0002", "Vượt thời gian ngày làm việc"),
    ("DEMO0002", "Ghi vào ngày nghỉ"),
    ("DEMO0002", "Trùng thời gian nghỉ"),
}
PLANTED_ELSEWHERE = {
    ("DEMO0005", "Chủ yếu việc tự đăng ký"),
    ("DEMO0007", "Dồn việc cuối tháng"),
    ("DEMO0007", "Ghi sau hạn được giao"),
}


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed(["base", "thanhhoa", "demo"], log=lambda message: None)


def _last_month() -> str:
    today = timezone.localdate()
    first = date(today.year, today.month, 1)
    previous = date.fromordinal(first.toordinal() - 1)
    return f"{previous.year}-{previous.month}"


def _look(browser, base_url: str, username: str, path: str, name: str) -> dict[str, str]:
    """Open ``path`` as ``username`` at each size; save the screenshots; return each size's text."""
    texts = {}
    for label, size in SIZES.items():
        context = browser.new_context(locale="vi-VN", viewport=size)
        context.set_default_timeout(15000)
        page = context.new_page()
        desk_login(page, base_url, username, PASSWORD)
        page.goto(base_url + path)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"honest-logs-{name}-{label}.png"), full_page=True)
        if label == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= size["width"] + 1, name
        texts[label] = page.locator("main, #content, body").first.inner_text()
        context.close()
    return texts


def test_a_pushed_day_is_confirmed_reviewed_with_flags_and_the_integrity_report_finds_the_planted_cases(
    demo, live_server, browser
):
    # 1. The simulator pushes today's events over HTTP, signed as the real systems sign them.
    out = io.StringIO()
    call_command("simulate_integration_events", "--day", timezone.localdate().isoformat(), "--url",
                 live_server.url, stdout=out)  # fmt: skip
    assert InboundEvent.objects.count() == len(day_events(timezone.localdate())) > 10
    assert "sự kiện" in out.getvalue() and " 500 " not in out.getvalue()
    proposed = InboundEvent.objects.filter(official__code="DEMO0001", status=EventStatus.PROPOSED)
    assert proposed.count() == 4  # a letter, a plan and two dossiers (the invitation matches no rule)

    # 2. The official confirms each proposed line in one click.
    context = browser.new_context(locale="vi-VN", viewport=SIZES["desktop"])
    context.set_default_timeout(15000)
    page = context.new_page()
    desk_login(page, live_server.url, "demo_official", PASSWORD)
    page.goto(live_server.url + reverse("admin:integrations_proposals"))
    page.screenshot(path=str(ARTIFACTS / "honest-logs-proposals-before-desktop.png"), full_page=True)
    numbers = list(proposed.values_list("document_number", flat=True))
    for number in numbers:
        assert number in page.locator("body").inner_text()
    lines_before = WorkLogLine.objects.filter(official__code="DEMO0001").count()
    for _ in numbers:
        page.get_by_role("button", name="Xác nhận").first.click()
        page.wait_for_load_state()
    assert WorkLogLine.objects.filter(official__code="DEMO0001").count() == lines_before + len(numbers)
    assert not InboundEvent.objects.filter(official__code="DEMO0001", status=EventStatus.PROPOSED).exists()
    confirmed = WorkLogLine.objects.filter(official__code="DEMO0001", document_number__in=numbers)
    assert confirmed.count() == len(numbers) and {line.date for line in confirmed} == {timezone.localdate()}
    page.screenshot(path=str(ARTIFACTS / "honest-logs-proposals-after-desktop.png"), full_page=True)
    context.close()
    _look(browser, live_server.url, "demo_official", reverse("admin:integrations_proposals"), "proposals")

    # 3. The head's review queue shows the flags beside the lines, with their explanations.
    queue = _look(browser, live_server.url, "demo_head", reverse("admin:worklogs_review"), "review-queue")
    for text in queue.values():
        assert "Số văn bản / hồ sơ dùng nhiều lần" in text  # 205/UBND-VHXH, logged twice this month
        assert "205/UBND-VHXH" in text
        assert numbers[0] in text  # the confirmed lines wait for the head like typed ones

    # 4. The monthly integrity report of last month lists the planted cases.
    report = reverse("admin:reports_builtin_run", args=["kiem_tra_nhat_ky"]) + f"?period={_last_month()}"
    heads = _look(browser, live_server.url, "demo_head", report, "integrity-report-head")["desktop"]
    authority = _look(browser, live_server.url, "demo_noivu", report, "integrity-report-home-affairs")["desktop"]
    rows = {line for line in authority.splitlines() if "DEMO00" in line}
    for code, check in PLANTED_IN_THE_HEADS_UNIT | PLANTED_ELSEWHERE:
        assert any(code in row and check in row for row in rows), (code, check)
    assert len(rows) == len(PLANTED_IN_THE_HEADS_UNIT | PLANTED_ELSEWHERE)  # nothing but the planted cases
    head_rows = {line for line in heads.splitlines() if "DEMO00" in line}
    assert len(head_rows) == len(PLANTED_IN_THE_HEADS_UNIT) and not any("DEMO0007" in row for row in head_rows)

    # 5. HR's queue opens on what waits for HR: the ward's HR admin sees the rows of the ward no
    # rule matched; the unknown handler (no unit) waits for the province's administrators.
    context = browser.new_context(locale="vi-VN", viewport=SIZES["desktop"])
    page = context.new_page()
    desk_login(page, live_server.url, "demo_hr", PASSWORD)
    page.get_by_role("link", name="Sự kiện chờ xử lý").click()
    page.wait_for_load_state()
    assert "queue=waiting" in page.url
    waiting = page.locator("#result_list").inner_text()
    assert "2.000986" in waiting and "Chưa có quy tắc đối chiếu" in waiting  # Em's dossier: no rule for it
    assert "Đã xác nhận" not in waiting and "Đề xuất, chờ cán bộ xác nhận" not in waiting
    context.close()
    province = _look(browser, live_server.url, "admin", reverse("admin:integrations_inboundevent_changelist")
                     + "?queue=waiting", "hr-queue")["desktop"]  # fmt: skip
    assert "CBCCVC-9900001" in province and "Chưa xác định người xử lý" in province
    upload = _look(browser, live_server.url, "admin", reverse("admin:transfer_importjob_upload") + "?kind=cbccvc",
                   "cbccvc-import")["desktop"]  # fmt: skip
    assert "CSDL CBCCVC" in upload
