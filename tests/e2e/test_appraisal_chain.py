"""One appraisal through the whole chain in the desk, by three people (SPEC 4):
the official self-assesses and submits, the unit head approves, the authority publishes."""

import pytest

from tests.e2e.conftest import desk_login
from tests.factories.appraisals import FULL_SELF, appraisal_of, opened, prepare_appraisals
from tests.factories.cast import PASSWORD
from thanhhoa_kpi.workflow.selectors import transition_history

pytestmark = pytest.mark.django_db(transaction=True)


def _logout(page, base_url: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/admin/login/")


def test_an_appraisal_goes_from_draft_to_published_in_the_desk(live_server, cast, page, shot):
    prepare_appraisals()
    period = opened(cast)
    appraisal = appraisal_of(cast.official, period)
    change_url = f"{live_server.url}/admin/appraisals/appraisal/{appraisal.pk}/change/"

    desk_login(page, live_server.url, "official", PASSWORD)
    page.get_by_role("link", name="Phiếu đánh giá").first.click()
    page.wait_for_url("**/admin/appraisals/appraisal/**")
    assert page.get_by_text("Nguyễn Văn An").count() >= 1
    assert page.get_by_text("Vũ Thị Giang").count() == 0  # another unit's appraisal stays hidden
    page.goto(change_url)
    for index, score in enumerate(FULL_SELF):
        page.fill(f"input[name='criteria-{index}-self_score']", score)
    page.fill("textarea[name=self_comment]", "Hoàn thành đầy đủ nhiệm vụ được giao.")
    shot("appraisal-self-assessment")
    page.locator("button[name=_continue], input[name=_continue]").first.click()
    page.wait_for_url(f"**/admin/appraisals/appraisal/{appraisal.pk}/change/**")
    shot("appraisal-after-save")
    assert "30" in page.locator("#appraisal-scores").inner_text()
    page.locator("#workflow-panel button[value=submit]").click()
    page.wait_for_load_state()
    assert "Đơn vị xem xét" in page.locator("#workflow-panel").inner_text()

    _logout(page, live_server.url)
    desk_login(page, live_server.url, "head", PASSWORD)
    page.goto(change_url)
    page.fill("input[name='criteria-0-reviewer_score']", "4.5")
    page.locator("button[name=_continue], input[name=_continue]").first.click()
    page.wait_for_url(f"**/admin/appraisals/appraisal/{appraisal.pk}/change/**")
    assert (
        "29,5" in page.locator("#appraisal-scores").inner_text()
        or "29.5" in page.locator("#appraisal-scores").inner_text()
    )
    shot("appraisal-unit-review")
    page.locator("#workflow-panel button[value=approve]").click()
    page.wait_for_load_state()
    assert "Cơ quan tổ chức cán bộ phê duyệt" in page.locator("#workflow-panel").inner_text()

    _logout(page, live_server.url)
    desk_login(page, live_server.url, "authority", PASSWORD)
    page.goto(
        f"{live_server.url}/admin/appraisals/appraisalperiod/home-affairs/?period={period.pk}&unit={cast.team.pk}"
    )
    shot("appraisal-home-affairs")
    assert "Nguyễn Văn An" in page.locator("#home-affairs").inner_text()
    page.locator("#publish-button").click()
    page.wait_for_load_state()
    assert "Công khai 1 phiếu" in page.locator("#confirm-question").inner_text()  # asked first
    shot("appraisal-publish-question")
    page.locator("#confirm-action button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã công khai 1 phiếu").count() >= 1
    page.goto(change_url)
    assert "Công khai" in page.locator("#workflow-panel").inner_text()
    assert page.locator("input[name='criteria-0-reviewer_score']").count() == 0  # published: read-only
    shot("appraisal-published")

    appraisal.refresh_from_db()
    assert appraisal.state == "PUBLISHED" and appraisal.published_at is not None
    actors = [(log.action, log.actor.username) for log in transition_history(document=appraisal)]
    assert actors == [("submit", "official"), ("approve", "head"), ("publish", "authority")]
