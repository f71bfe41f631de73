"""Custom fields on work logs and catalogue items (SPEC 7): validated in the services, carried
by the API as ``custom``, a 400 naming ``custom.<key>``, reportable and groupable."""

from decimal import Decimal

import pytest

from tests.factories.reports import make_field
from tests.factories.worklogs import log
from thanhhoa_kpi.catalogue import services as catalogue_services
from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.reports.registry import SOURCES
from thanhhoa_kpi.reports.services import report_preview
from thanhhoa_kpi.worklogs import services
from thanhhoa_kpi.worklogs.models import WorkLogLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def kind(work):
    return make_field("hinh_thuc", "select", doctype="worklog", label="Hình thức", options=["Trực tiếp", "Trực tuyến"])


def test_a_worklog_custom_field_is_written_read_and_checked_through_the_api(cast, work, kind, api_for):
    client = api_for(cast.official)
    body = {"date": work.today.isoformat(), "catalogue_item": work.culture.pk, "quantity": "2", "minutes": 30,
            "custom": {"hinh_thuc": "Trực tuyến"}}  # fmt: skip
    created = client.post("/api/v1/worklogs/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["custom"] == {"hinh_thuc": "Trực tuyến"}
    line_id = created.json()["id"]
    assert WorkLogLine.objects.get(pk=line_id).custom == {"hinh_thuc": "Trực tuyến"}
    assert client.get(f"/api/v1/worklogs/{line_id}/").json()["custom"] == {"hinh_thuc": "Trực tuyến"}

    bad = client.patch(f"/api/v1/worklogs/{line_id}/", {"custom": {"hinh_thuc": "Qua thư"}}, format="json")
    assert bad.status_code == 400
    assert bad.json()["status"] == "ERROR"
    assert any(error["field"] == "custom.hinh_thuc" for error in bad.json()["errors"])
    assert WorkLogLine.objects.get(pk=line_id).custom == {"hinh_thuc": "Trực tuyến"}  # nothing half-saved

    kept = client.patch(f"/api/v1/worklogs/{line_id}/", {"quantity": "3"}, format="json")
    assert kept.status_code == 200 and kept.json()["custom"] == {"hinh_thuc": "Trực tuyến"}


def test_the_service_refuses_a_bad_or_missing_required_value(cast, work, kind):
    make_field("so_nguoi", "integer", doctype="worklog", label="Số người tham dự", required=True)
    with pytest.raises(ValidationFailed) as caught:
        log(cast.official, work.culture, custom={"hinh_thuc": "Trực tiếp"})
    assert [e.field for e in caught.value.errors] == ["custom.so_nguoi"]
    line = log(cast.official, work.culture, custom={"hinh_thuc": "Trực tiếp", "so_nguoi": "12"})
    assert line.custom == {"hinh_thuc": "Trực tiếp", "so_nguoi": 12}
    line = services.worklog_update(line=line, user=cast.official, custom={"so_nguoi": 15})
    assert line.custom == {"hinh_thuc": "Trực tiếp", "so_nguoi": 15}


def test_a_catalogue_item_custom_field_is_checked_by_the_service(cast, work):
    make_field("nguon", "text", doctype="catalogue_item", label="Nguồn quy định", required=True)
    draft, item = work.draft, work.draft_item
    with pytest.raises(ValidationFailed) as caught:
        catalogue_services.catalogue_item_save(catalogue=draft, user=cast.hr, item=item, custom={"nguon": ""})
    assert caught.value.errors[0].field == "custom.nguon"
    saved = catalogue_services.catalogue_item_save(catalogue=draft, user=cast.hr, item=item, custom={"nguon": "QĐ 1"})
    assert saved.custom == {"nguon": "QĐ 1"}
    saved = catalogue_services.catalogue_item_save(catalogue=draft, user=cast.hr, item=saved, coefficient=Decimal(2))
    assert saved.custom == {"nguon": "QĐ 1"}


def test_the_catalogue_item_api_carries_custom(cast, work, api_for):
    make_field("nguon", "text", doctype="catalogue_item", label="Nguồn quy định")
    client = api_for(cast.hr)
    response = client.patch(f"/api/v1/catalogue-items/{work.draft_item.pk}/", {"custom": {"nguon": "QĐ 2"}},
                            format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json()["custom"] == {"nguon": "QĐ 2"}


def test_reports_group_work_logs_by_a_custom_field(cast, work, kind):
    for value, users in (("Trực tiếp", ["official", "colleague"]), ("Trực tuyến", ["official"])):
        for user in users:
            log(getattr(cast, user), work.culture, minutes=90, custom={"hinh_thuc": value})
    log(cast.outsider, work.foreign, minutes=45, custom={"hinh_thuc": "Trực tuyến"})
    assert {"worklog", "catalogue_item", "appraisal"} <= set(SOURCES)
    assert "custom.hinh_thuc" in SOURCES["worklog"].all_fields()
    definition = {"doctype": "worklog", "group_by": ["custom.hinh_thuc"],
                  "aggregates": [{"fn": "count"}, {"fn": "sum", "field": "minutes"}]}  # fmt: skip
    head = report_preview(definition=definition, user=cast.head)
    assert head.columns[0].label == "Hình thức"
    assert sorted([row[0], row[1], row[2]] for row in head.rows) == [["Trực tiếp", 2, 180], ["Trực tuyến", 1, 90]]
    viewer = report_preview(definition=definition, user=cast.viewer)
    assert sorted([row[0], row[1]] for row in viewer.rows) == [["Trực tiếp", 2], ["Trực tuyến", 2]]
