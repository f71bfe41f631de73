"""The desk's login in Chromium (issue 11, item 8): bordered boxes, the keyboard alone, and
the two-factor code on a second page only for an account with a device. Screenshots of
both steps at 1440x900 and 390x844 go to test-artifacts/."""

import pytest
from django_otp.oath import totp

from tests.e2e.conftest import ARTIFACTS
from tests.factories.cast import PASSWORD
from thanhhoa_kpi.accounts.twofactor import device_create

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


def current_code(device):
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def new_page(browser, size):
    width, height = SIZES[size]
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    context.set_default_timeout(15000)
    return context.new_page()


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"login-{name}.png"), full_page=True)


def border_width(page, selector):
    return page.locator(selector).evaluate("e => parseFloat(getComputedStyle(e).borderTopWidth)")


def type_credentials(page, username):
    """The keyboard only: the username box has the focus, Tab reaches the password, Enter sends."""
    page.wait_for_function("document.activeElement && document.activeElement.name === 'username'")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("size", SIZES)
def test_two_steps_for_an_account_with_a_device(live_server, cast, browser, size):
    base = live_server.url
    device = device_create(user=cast.authority)
    page = new_page(browser, size)
    page.goto(f"{base}/admin/login/")
    assert page.locator("input[name=otp_token]").count() == 0
    for box in ("input[name=username]", "input[name=password]"):
        assert page.locator(box).is_visible() and border_width(page, box) >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
    page.locator("input[name=username]").fill("authority")  # shown filled, then typed again
    shoot(page, f"step1-{size}")
    page.locator("input[name=username]").fill("")
    type_credentials(page, "authority")

    page.wait_for_url(f"{base}/admin/login/code/")
    body = page.locator("body").inner_text()
    assert "Bước 2/2" in body and "authority" in body and "mã 6 chữ số" in body
    page.wait_for_function("document.activeElement && document.activeElement.name === 'otp_token'")
    assert border_width(page, "input[name=otp_token]") >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
    # Not signed in yet: the desk still sends this browser to the login page.
    assert "/admin/login/" in page.request.get(f"{base}/admin/", max_redirects=0).headers.get("location", "")
    shoot(page, f"step2-{size}")

    page.keyboard.type("12345")  # one digit short
    with page.expect_navigation():  # the answer is a new page; read it, not the one before
        page.keyboard.press("Enter")
    assert "gồm đúng 6 chữ số" in page.locator("body").inner_text()
    shoot(page, f"step2-error-{size}")
    page.locator("input[name=otp_token]").fill(current_code(device))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/admin/")
    assert page.locator("input[name=password]").count() == 0 and page.locator("#logout-form").count() == 1
    page.context.close()


def test_one_step_for_an_account_without_a_device(live_server, cast, browser):
    base = live_server.url
    page = new_page(browser, "phone")
    page.goto(f"{base}/admin/login/")
    type_credentials(page, "official")
    page.wait_for_url(f"{base}/admin/")
    shoot(page, "one-step-home-phone")
    page.context.close()
