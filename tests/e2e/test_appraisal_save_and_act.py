"""In the browser: an official types the self scores and presses «Gửi» without saving; the
page says there are unsaved changes, then the appraisal is sent with the scores kept."""

import pytest

from tests.e2e.conftest import desk_login
from tests.factories.appraisals import FULL_SELF, appraisal_of, opened, prepare_appraisals
from tests.factories.cast import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_send_without_saving_keeps_the_typed_scores_and_moves_the_state(live_server, cast, page, shot):
    prepare_appraisals()
    appraisal = appraisal_of(cast.official, opened(cast))
    change_url = f"{live_server.url}/admin/appraisals/appraisal/{appraisal.pk}/change/"
    desk_login(page, live_server.url, "official", PASSWORD)
    page.goto(change_url)
    badge = page.locator("#appraisal-unsaved")
    assert badge.is_hidden()
    for index, score in enumerate(FULL_SELF):
        page.fill(f"input[name='criteria-{index}-self_score']", score)
    page.fill("textarea[name=self_comment]", "Hoàn thành đầy đủ nhiệm vụ.")
    assert badge.is_visible() and badge.inner_text() == "Có thay đổi chưa lưu"
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        shot(f"appraisal-unsaved-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})

    page.locator("#workflow-panel button[value=submit]").click()
    page.wait_for_url(f"**/admin/appraisals/appraisal/{appraisal.pk}/change/")
    assert "Đã lưu phiếu và thực hiện «Gửi»" in page.content()
    assert "Đơn vị xem xét" in page.locator("#workflow-panel").inner_text()
    assert page.locator("#appraisal-unsaved").is_hidden()
    shot("appraisal-sent-without-saving-1440")

    appraisal.refresh_from_db()
    assert appraisal.state != "DRAFT" and appraisal.self_general_score == 30
    assert appraisal.self_comment == "Hoàn thành đầy đủ nhiệm vụ."


def test_enter_in_a_score_saves_and_does_not_send(live_server, cast, page):
    prepare_appraisals()
    appraisal = appraisal_of(cast.official, opened(cast))
    change_url = f"{live_server.url}/admin/appraisals/appraisal/{appraisal.pk}/change/"
    desk_login(page, live_server.url, "official", PASSWORD)
    page.goto(change_url)
    page.fill("input[name='criteria-0-self_score']", "4.5")
    page.press("input[name='criteria-0-self_score']", "Enter")
    page.wait_for_url(f"**/admin/appraisals/appraisal/{appraisal.pk}/change/")
    page.wait_for_load_state()
    assert page.locator("input[name='criteria-0-self_score']").input_value() == "4,5"  # Vietnamese notation
    appraisal.refresh_from_db()
    assert appraisal.state == "DRAFT"  # the buttons above the form («Gửi») were not pressed
    assert appraisal.criteria.order_by("order").first().self_score == 4.5
