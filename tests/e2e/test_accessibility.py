"""The desk's daily pages pass axe-core's checks (WCAG 2 A/AA and best practices) in Chromium.

axe-core found, on the pages below: select2's pickers with no accessible name (an empty
picker was announced as an unnamed combobox), no main landmark, simplebar's scroll boxes all
named "scrollable content" in English, unnamed <nav>s, and the fields of the postings table
on the official form with no label at all. ``desk/js/a11y.js`` repairs what the third-party
parts draw; this test keeps every page here at zero violations, of any impact.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import desk_login
from tests.factories.cast import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {
    "official": [
        "/admin/",
        "/admin/worklogs/worklogline/quick/",
        "/admin/worklogs/worklogline/my-week/",
        "/admin/worklogs/worklogline/my-score/",
        "/admin/workflow/notification/inbox/",
        "/admin/worklogs/assignment/",
    ],
    "head": ["/admin/worklogs/worklogline/review/", "/admin/worklogs/worklogline/assign/"],
    "authority": ["/admin/", "/admin/appraisals/appraisalperiod/home-affairs/", "/admin/appraisals/appraisal/"],
    "viewer": ["/admin/", "/admin/reports/savedreport/builtin/"],
    "hr": ["/admin/organization/official/add/", "/admin/organization/orgunit/{team}/change/"],
}


def _violations(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [
        f"{v['impact']} {v['id']}: {v['help']} — {', '.join(' '.join(n['target']) for n in v['nodes'][:3])}"
        for v in found
    ]


@pytest.mark.parametrize("who", sorted(PAGES))
def test_the_daily_pages_have_no_accessibility_violations(live_server, cast, day, browser, who):
    page = browser.new_context(locale="vi-VN", viewport={"width": 1440, "height": 900}).new_page()
    page.set_default_timeout(15000)
    desk_login(page, live_server.url, who, PASSWORD)
    found = {}
    for address in PAGES[who]:
        page.goto(live_server.url + address.format(team=cast.team.pk))
        page.wait_for_load_state("load")
        if problems := _violations(page):
            found[address] = problems
    page.context.close()
    assert found == {}


def test_the_login_page_has_no_accessibility_violations(live_server, page):
    page.goto(live_server.url + "/admin/login/")
    page.wait_for_load_state("load")
    assert _violations(page) == []
