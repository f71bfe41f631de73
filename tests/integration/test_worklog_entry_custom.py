"""The fast work-log entry form carries the custom fields HR admins add to work logs."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories.reports import make_field
from tests.factories.worklogs import work_cast
from thanhhoa_kpi.worklogs.models import WorkLogLine

pytestmark = pytest.mark.django_db


def post_line(client, work, **extra):
    data = {"action": "create", "date": timezone.localdate().isoformat(), "catalogue_item": work.culture.pk,
            "quantity": "2", "minutes": "45", "description": "Tuyên truyền", **extra}  # fmt: skip
    return client.post(reverse("admin:worklogs_my_week"), data)


def test_a_required_worklog_field_is_offered_and_saved_from_the_fast_entry(cast, client):
    work = work_cast(cast)
    make_field(
        "nguon", "select", doctype="worklog", label="Nguồn việc", options=["Kế hoạch", "Đột xuất"], required=True
    )
    client.force_login(cast.official)
    page = client.get(reverse("admin:worklogs_my_week")).content.decode()
    assert 'name="custom__nguon"' in page and "Nguồn việc" in page

    refused = post_line(client, work)
    assert refused.status_code == 200
    assert "custom__nguon" in refused.context["form"].errors
    assert not WorkLogLine.objects.exists()

    post_line(client, work, custom__nguon="Đột xuất")
    assert WorkLogLine.objects.get().custom == {"nguon": "Đột xuất"}
