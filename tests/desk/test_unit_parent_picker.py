"""The unit form's «Đơn vị cấp trên» is a type-to-find picker over the units the admin manages.

Before, it was one plain ``<select>`` of every unit the admin managed: thousands of options
for a province admin, unstyled on the desk, and as wide as the longest unit name, which
pushed the page wider than a phone.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.organization import services

pytestmark = pytest.mark.django_db

PICKER = reverse("admin:organization_orgunit_parents")


def _found(client, term: str) -> list[str]:
    response = client.get(PICKER, {"term": term})
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_the_picker_finds_managed_units_by_name_or_code_ignoring_accents(client, cast):
    client.force_login(cast.hr)  # HR admin of Phường A

    assert _found(client, "phong van hoa") == ["Phòng Văn hóa - Xã hội A (T_PHONG_A)"]
    assert _found(client, "t_phuong") == ["Phường A (T_PHUONG_A)"]
    assert _found(client, "") == ["Phường A (T_PHUONG_A)", "Phòng Văn hóa - Xã hội A (T_PHONG_A)"]


def test_the_picker_lists_no_unit_outside_what_the_admin_manages(client, cast):
    client.force_login(cast.hr)
    assert _found(client, "so") == []  # Sở Nội vụ, Sở Khoa học: another admin's
    assert _found(client, "phong b") == []

    client.force_login(cast.official)  # manages nothing
    assert _found(client, "") == []

    client.force_login(cast.province_hr)
    assert "Phòng B (T_PHONG_B)" in _found(client, "phong b")


def test_the_unit_form_shows_the_current_parent_as_the_pickers_choice_and_no_list_of_units(client, cast):
    unit = services.org_unit_create(
        by=SYSTEM, parent=cast.team, code="T_TO_1", name="Tổ một", bloc="CHINH_QUYEN", level="XA", kind="PHONG"
    )
    client.force_login(cast.hr)

    page = client.get(reverse("admin:organization_orgunit_change", args=[unit.pk])).content.decode()
    assert f'data-ajax--url="{PICKER}"' in page
    assert "Phòng Văn hóa - Xã hội A (T_PHONG_A)" in page  # the current parent, selected
    assert "Phường A (T_PHUONG_A)" not in page  # not every unit written into the page
