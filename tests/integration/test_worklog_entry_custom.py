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


def test_the_line_edit_page_shows_and_saves_the_worklog_custom_fields(cast, client):
    work = work_cast(cast)
    make_field("nguon", "select", doctype="worklog", label="Nguồn việc", options=["Kế hoạch", "Đột xuất"])
    make_field("so_ho_so", "integer", doctype="worklog", label="Số hồ sơ xử lý")
    client.force_login(cast.official)
    post_line(client, work, custom__nguon="Đột xuất", custom__so_ho_so="3")
    line = WorkLogLine.objects.get()
    url = reverse("admin:worklogs_line_edit", args=[line.pk])

    form = client.get(url).context["form"]
    assert {"custom__nguon", "custom__so_ho_so"} <= set(form.fields)
    assert (form["custom__nguon"].value(), form["custom__so_ho_so"].value()) == ("Đột xuất", 3)
    page = client.get(url).content.decode()
    assert "Nguồn việc" in page and "Số hồ sơ xử lý" in page

    data = {"date": line.date.isoformat(), "catalogue_item": work.culture.pk, "quantity": "2", "minutes": "45",
            "custom__nguon": "Kế hoạch", "custom__so_ho_so": "5"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    line.refresh_from_db()
    assert line.custom == {"nguon": "Kế hoạch", "so_ho_so": 5}
