"""A line logged against a catalogue item counts toward the official's assignment of that item.

Decided in the work-log service, so the desk's quick entry, the line edit page and the API
all link the line the same way (issue 11, item 13: "HT035 stays 5/10").
"""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from tests.factories.worklogs import assign, log, previous_period
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.worklogs import assignments, services
from thanhhoa_kpi.worklogs.models import Origin

pytestmark = pytest.mark.django_db


def progress(assignment):
    return assignment.lines.aggregate(total=Sum("quantity"))["total"] or Decimal(0)


def test_a_line_of_the_assigned_item_counts_toward_the_assignment(cast, work):
    given = assign(cast.head, cast.official_of(cast.official), work.culture, "10")
    log(cast.official, None, "5", assignment=given)
    line = log(cast.official, work.culture, "3")
    assert line.assignment == given
    assert progress(given) == Decimal("8")


def test_the_linked_line_takes_the_coefficient_copied_at_assignment(cast, work):
    given = assign(cast.head, cast.official_of(cast.official), work.culture, "10")
    CatalogueItem.objects.filter(pk=work.culture.pk).update(coefficient=Decimal("7"))
    work.culture.refresh_from_db()
    line = log(cast.official, work.culture, "1")
    assert (line.assignment, line.coefficient) == (given, Decimal("2"))


def test_a_full_assignment_hands_over_to_the_next_one(cast, work):
    official = cast.official_of(cast.official)
    first = assign(cast.head, official, work.culture, "2", deadline=work.period.first_day)
    second = assign(cast.head, official, work.culture, "5")
    assert log(cast.official, work.culture, "2").assignment == first
    assert log(cast.official, work.culture, "1").assignment == second


def test_a_self_registered_assignment_is_linked_too(cast, work):
    official = cast.official_of(cast.official)
    own = assignments.assignment_create(user=cast.official, catalogue_item=work.culture, assignee=official,
                                        quantity="4", period=work.period, origin=Origin.SELF_REGISTERED)  # fmt: skip
    assert log(cast.official, work.culture, "1").assignment == own


def test_no_link_without_an_assignment_of_that_item_in_that_month(cast, work):
    official = cast.official_of(cast.official)
    assign(cast.head, official, work.sport, "3")  # another item
    assign(cast.head, cast.official_of(cast.colleague), work.culture, "3")  # someone else
    last_month = previous_period()
    assign(cast.head, official, work.culture, "3", period=last_month)  # another month
    assert log(cast.official, work.culture, "1").assignment is None


def test_an_edit_that_moves_a_line_to_the_assigned_item_links_it(cast, work):
    given = assign(cast.head, cast.official_of(cast.official), work.culture, "10")
    line = log(cast.official, work.culture_small, "2")
    assert line.assignment is None
    line = services.worklog_update(line=line, user=cast.official, catalogue_item=work.culture)
    assert (line.assignment, line.coefficient) == (given, Decimal("2"))


def test_the_api_links_the_line(cast, work, api_for):
    given = assign(cast.head, cast.official_of(cast.official), work.culture, "10")
    payload = {"date": str(timezone.localdate()), "catalogue_item": work.culture.pk, "quantity": "5", "minutes": 30}
    response = api_for(cast.official).post("/api/v1/worklogs/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["assignment"] == given.pk


def test_the_quick_entry_shows_the_assignment_progress_rise(cast, work, client):
    given = assign(cast.head, cast.official_of(cast.official), work.culture, "10")
    log(cast.official, None, "5", assignment=given)
    client.force_login(cast.official)
    data = {"action": "create", "date": timezone.localdate().isoformat(), "catalogue_item": work.culture.pk,
            "quantity": "2", "minutes": "30"}  # fmt: skip
    assert client.post(reverse("admin:worklogs_my_week"), data).status_code == 302
    page = client.get(reverse("admin:worklogs_my_week")).content.decode()
    assert "7 / 10" in page
