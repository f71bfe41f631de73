"""What every desk page carries around its content.

- its icon: browsers asked for /favicon.ico and got a 404 on each visit;
- on an add form, the page's title («Thêm đơn vị»): unfold's header names only the section and
  the list, so an empty add form did not say it adds.
"""

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


def test_an_add_form_is_headed_by_its_title_and_a_change_form_is_not(client, cast):
    client.force_login(cast.hr)
    added = client.get(reverse("admin:organization_orgunit_add")).content.decode()
    assert "data-add-title>Thêm đơn vị</h2>" in added
    changed = client.get(reverse("admin:organization_orgunit_change", args=[cast.team.pk])).content.decode()
    assert "data-add-title" not in changed
