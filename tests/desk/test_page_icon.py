"""Every desk page names its icon: browsers asked for /favicon.ico and got a 404 on each visit."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db

ICON = '<link rel="icon" href="/static/desk/img/favicon.svg" type="image/svg+xml"'


def test_the_login_page_and_the_desk_link_the_sites_icon(client, cast):
    assert ICON in client.get(reverse("admin:login")).content.decode()
    client.force_login(cast.official)
    assert ICON in client.get(reverse("admin:index")).content.decode()
    assert finders.find("desk/img/favicon.svg")
