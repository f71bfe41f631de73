"""The desk works in Chromium under its Content-Security-Policy (issue 9, finding 3).

Every page is visited with a listener for ``securitypolicyviolation`` events and for console
messages about the policy; a page that needs a source the policy refuses (an inline script,
a third-party origin) shows up here. Run twice: with the configured policy, and with
``script-src`` stripped of ``'unsafe-inline'`` — the stricter policy the desk is kept ready
for (its scripts are files, behaviours are data attributes; unfold's Alpine.js still needs ``'unsafe-eval'``).
"""

import copy

import pytest
from django.urls import reverse

from tests.e2e.conftest import desk_login
from tests.factories.cast import PASSWORD
from tests.factories.reports import ensure_report_roles
from tests.factories.worklogs import log, work_cast
from thanhhoa_kpi.customfields.models import FieldDefinition

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture(params=["configured", "without-unsafe-inline-scripts"])
def policy(request, settings):
    config = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    if request.param != "configured":
        scripts = config["DIRECTIVES"]["script-src"]
        config["DIRECTIVES"]["script-src"] = [s for s in scripts if s != "'unsafe-inline'"]
        settings.CONTENT_SECURITY_POLICY = config
    return config


def watched(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    return page, console


def visit(page, console, url):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, url
    assert "default-src 'self'" in response.headers.get("content-security-policy", "")
    violations = page.evaluate("window.__csp")
    assert not violations and not console, f"{url}: {violations} {console}"


def test_the_desk_pages_raise_no_policy_violation(live_server, cast, browser, policy):
    ensure_report_roles()
    work = work_cast(cast)
    log(cast.official, work.culture, description="Tin về lễ hội")
    FieldDefinition.objects.create(doctype="worklog", key="nguon", label="Nguồn", field_type="select",
                                   options=["Kế hoạch", "Đột xuất"], help_text="<b>đậm?</b>")  # fmt: skip
    base = live_server.url

    page, console = watched(browser)
    page.goto(f"{base}/admin/login/")
    assert not page.evaluate("window.__csp") and not console
    desk_login(page, base, "official", PASSWORD)
    visit(page, console, f"{base}/admin/")
    visit(page, console, base + reverse("admin:worklogs_my_week"))
    # the select2 picker and the date widget run their scripts under the policy
    page.locator("#id_catalogue_item").locator("xpath=following-sibling::span[1]").click()
    page.locator(".select2-search__field").fill("VH")
    page.locator(".select2-results__option").first.wait_for()
    assert not page.evaluate("window.__csp") and not console
    visit(page, console, base + reverse("admin:worklogs_my_score"))

    page, console = watched(browser)
    desk_login(page, base, "province_hr", PASSWORD)
    official = cast.official_of(cast.official)
    visit(page, console, base + reverse("admin:organization_official_change", args=[official.pk]))
    visit(page, console, base + reverse("admin:organization_official_add"))
    visit(page, console, base + reverse("admin:organization_official_changelist"))

    page, console = watched(browser)
    desk_login(page, base, "head", PASSWORD)
    visit(page, console, base + reverse("admin:reports_builtin"))
    visit(page, console, base + reverse("admin:reports_builtin_run", args=["nhat_ky_ca_nhan"]))
    visit(page, console, base + reverse("admin:appraisals_classification"))
    visit(page, console, base + reverse("admin:worklogs_review"))
    boxes = page.locator("input.review-line")
    assert boxes.count() >= 1
    page.locator("#select-all-lines").check()  # ticks every line: a data attribute, no inline handler
    assert all(box.is_checked() for box in boxes.all())
    visit(page, console, base + reverse("admin:reports_builder"))
    other = page.locator("select[name=doctype] option:not([selected])").first.get_attribute("value")
    with page.expect_navigation():  # choosing a data type reloads the builder for it
        page.select_option("select[name=doctype]", other)
    assert f"doctype={other}" in page.url
    assert not page.evaluate("window.__csp") and not console
