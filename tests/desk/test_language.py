"""The desk speaks Vietnamese only (issue 11, item 13).

The English switch translated only the framework's chrome ("Monday, 30/11/2026 — 0 phút")
while every text of the project stayed Vietnamese: it was removed until the project's own
strings have an English catalogue. A browser asking for English, or an old language cookie,
still gets Vietnamese; weekdays read "Thứ Hai", not Django's "Thứ 2".
"""

from datetime import date

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_vietnamese_is_the_only_language():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _name in settings.LANGUAGES] == ["vi"]
    assert not settings.UNFOLD.get("SHOW_LANGUAGES")
    with pytest.raises(NoReverseMatch):
        reverse("set_language")


def test_a_browser_asking_for_english_gets_vietnamese(cast, client):
    client.force_login(cast.official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi"' in page
    assert 'name="language"' not in page  # no switch in the header
    assert "Log out" not in page and "Welcome" not in page


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 11, 30), "Thứ Hai, 30/11/2026"),
        (date(2026, 12, 1), "Thứ Ba, 01/12/2026"),
        (date(2026, 12, 5), "Thứ Bảy, 05/12/2026"),
        (date(2026, 12, 6), "Chủ nhật, 06/12/2026"),
    ],
)
def test_weekdays_read_in_vietnamese(day, text):
    with translation.override("vi"):
        assert Template('{{ day|date:"l, d/m/Y" }}').render(Context({"day": day})) == text


def test_the_week_page_names_its_days_in_vietnamese(cast, work, client):
    client.force_login(cast.official)
    page = client.get(reverse("admin:worklogs_my_week") + "?week=2026-11-30").content.decode()
    assert "Thứ Hai, 30/11/2026" in page and "Monday" not in page and "Thứ 2," not in page
