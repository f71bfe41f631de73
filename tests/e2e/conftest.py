"""Browser tests: Debian's Chromium driven by Playwright (no browser is ever downloaded)."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot(page):
    """Save a screenshot under test-artifacts/ (for people reviewing a run)."""

    def take(name: str, target=None) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        (target or page).screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


def desk_login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


# A line description long enough to wrap on a phone.
LONG = "Soạn báo cáo tổng kết phong trào toàn dân đoàn kết xây dựng đời sống văn hóa khu dân cư số 3"


@pytest.fixture
def day(cast):
    """Two lines logged today against an assignment, an appraisal awaiting the official."""
    from tests.factories.appraisals import opened, prepare_appraisals
    from tests.factories.worklogs import assign, log, work_cast

    work = work_cast(cast)
    prepare_appraisals()
    opened(cast)
    assign(cast.head, cast.official_of(cast.official), work.culture, quantity="4")
    log(cast.official, work.culture, "2", description=LONG)
    log(cast.official, work.sport, "1", description="Tổ chức giải bóng chuyền hơi")
    return work
