"""Worklogs API (SPEC 8.1): scope per role, the error body, review rights, live score, hours."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories.worklogs import assign, exe_file, log, pdf_file
from thanhhoa_kpi.worklogs.models import LineStatus, WorkLogLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(cast, work):
    """One line for each of official, colleague, deputy, head and the outsider."""
    return {
        "official": log(cast.official, work.culture),
        "colleague": log(cast.colleague, work.sport),
        "deputy": log(cast.deputy, work.culture),
        "head": log(cast.head, work.office),
        "outsider": log(cast.outsider, work.foreign),
    }


def owners(response):
    assert response.status_code == 200, response.json()
    return sorted(row["official"] for row in response.json()["results"])


def ids(cast, *users):
    return sorted(cast.official_of(getattr(cast, u)).pk for u in users)


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("official", ["official"]),
        ("colleague", ["colleague"]),
        ("deputy", ["official", "deputy"]),
        ("head", ["official", "colleague", "deputy", "head"]),
        ("hr", ["official", "colleague", "deputy", "head"]),
        ("authority", ["official", "colleague", "deputy", "head", "outsider"]),
        ("viewer", ["official", "colleague", "deputy", "head", "outsider"]),
        ("sysadmin", ["official", "colleague", "deputy", "head", "outsider"]),
        ("outsider", ["outsider"]),
    ],
)
def test_each_role_sees_the_worklogs_of_its_scope(cast, lines, api_for, role, visible):
    assert owners(api_for(getattr(cast, role)).get("/api/v1/worklogs/")) == ids(cast, *visible)


def test_anonymous_callers_get_the_error_body(api_for):
    response = api_for(None).get("/api/v1/worklogs/")
    assert response.status_code == 401 and response.json()["code"] == "NOT_AUTHENTICATED"


def test_an_official_records_a_line_with_the_copied_coefficient(cast, work, api_for):
    payload = {"date": str(timezone.localdate()), "catalogue_item": work.culture.pk, "quantity": "2.5",
               "minutes": 90, "description": "Viết tin bài"}  # fmt: skip
    response = api_for(cast.official).post("/api/v1/worklogs/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["coefficient"], body["quantity"], body["status"]) == ("2.0000", "2.50", "DRAFT")
    assert body["official"] == cast.official_of(cast.official).pk


def test_a_line_with_evidence_is_sent_as_multipart(cast, work, api_for):
    payload = {"date": str(timezone.localdate()), "catalogue_item": work.culture.pk, "quantity": "1",
               "evidence": pdf_file()}  # fmt: skip
    response = api_for(cast.official).post("/api/v1/worklogs/", payload, format="multipart")
    assert response.status_code == 201, response.json()
    bad = {**payload, "evidence": exe_file()}
    response = api_for(cast.official).post("/api/v1/worklogs/", bad, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "FILE_TYPE_REFUSED" and response.json()["errors"][0]["field"] == "evidence"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"quantity": "0"}, "quantity", "VALIDATION_ERROR"),
        ({"quantity": "-2"}, "quantity", "VALIDATION_ERROR"),
        ({"quantity": "abc"}, "quantity", "VALIDATION_ERROR"),
        ({"date": "2999-01-01"}, "date", "FUTURE_DATE"),
        ({"catalogue_item": "FOREIGN"}, "catalogue_item", "ITEM_NOT_IN_FORCE"),
        ({"catalogue_item": None}, "catalogue_item", "VALIDATION_ERROR"),
    ],
)
def test_bad_lines_get_a_400_naming_the_field(cast, work, api_for, change, field, code):
    payload = {"date": str(timezone.localdate()), "catalogue_item": work.culture.pk, "quantity": "1"}
    payload.update(change)
    if payload["catalogue_item"] == "FOREIGN":
        payload["catalogue_item"] = work.foreign.pk
    if payload["catalogue_item"] is None:
        payload.pop("catalogue_item")
    response = api_for(cast.official).post("/api/v1/worklogs/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "ERROR" and body["code"] == code
    assert [e["field"] for e in body["errors"]] == [field] and body["errors"][0]["message"]


def test_the_official_updates_and_deletes_their_draft(cast, lines, api_for):
    client, pk = api_for(cast.official), lines["official"].pk
    response = client.patch(f"/api/v1/worklogs/{pk}/", {"quantity": "3", "minutes": 30}, format="json")
    assert response.status_code == 200 and response.json()["quantity"] == "3.00"
    assert client.delete(f"/api/v1/worklogs/{pk}/").status_code == 204


def test_nobody_changes_another_officials_line(cast, lines, api_for):
    pk = lines["official"].pk
    response = api_for(cast.head).patch(f"/api/v1/worklogs/{pk}/", {"quantity": "3"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "PERMISSION_DENIED"
    assert api_for(cast.colleague).patch(f"/api/v1/worklogs/{pk}/", {"quantity": "3"}, format="json").status_code == 404


def test_the_deputy_reviews_through_the_api(cast, lines, api_for):
    payload = {"accepted_quantity": "1", "quality_failures": 1, "delays": 1, "exempt_quality_failures": 0,
               "exempt_delays": 1, "exemption_reason": "Hệ thống một cửa ngừng hoạt động"}  # fmt: skip
    response = api_for(cast.deputy).post(f"/api/v1/worklogs/{lines['official'].pk}/review/", payload, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["accepted_quantity"], body["quality_failures"], body["exempt_delays"]) == (
        LineStatus.REVIEWED, "1.00", 1, 1,
    )  # fmt: skip
    again = api_for(cast.official).patch(f"/api/v1/worklogs/{lines['official'].pk}/", {"quantity": "5"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "LINE_REVIEWED"


def test_review_rights_through_the_api(cast, lines, api_for):
    own = api_for(cast.official).post(f"/api/v1/worklogs/{lines['official'].pk}/review/", {}, format="json")
    assert own.status_code == 403 and own.json()["code"] == "SELF_REVIEW"
    other_field = api_for(cast.deputy).post(f"/api/v1/worklogs/{lines['colleague'].pk}/review/", {}, format="json")
    assert other_field.status_code == 404  # the colleague's fields are not the deputy's: not even visible
    outsider = api_for(cast.outsider).post(f"/api/v1/worklogs/{lines['official'].pk}/review/", {}, format="json")
    assert outsider.status_code == 404 and outsider.json()["code"] == "NOT_FOUND"
    assert api_for(cast.outsider).get(f"/api/v1/worklogs/{lines['official'].pk}/").status_code == 404
    viewer = api_for(cast.viewer).post(f"/api/v1/worklogs/{lines['official'].pk}/review/", {}, format="json")
    assert viewer.status_code == 403


def test_a_deputy_cannot_review_an_item_outside_their_fields(cast, work, api_for):
    line = log(cast.official, work.sport)
    response = api_for(cast.deputy).post(f"/api/v1/worklogs/{line.pk}/review/", {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "PERMISSION_DENIED"


def test_a_bad_review_names_the_field(cast, lines, api_for):
    url = f"/api/v1/worklogs/{lines['official'].pk}/review/"
    response = api_for(cast.deputy).post(url, {"delays": 1, "exempt_delays": 2}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "exempt_delays"
    response = api_for(cast.deputy).post(url, {"quality_failures": -1}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "quality_failures"


def test_bulk_review_and_the_awaiting_filter(cast, work, lines, api_for):
    extra = log(cast.official, work.culture_small)
    client = api_for(cast.deputy)
    awaiting = client.get("/api/v1/worklogs/?awaiting_review=1").json()["results"]
    assert sorted(row["id"] for row in awaiting) == sorted([lines["official"].pk, extra.pk])
    response = client.post("/api/v1/worklogs/review-bulk/", {"lines": [lines["official"].pk, extra.pk]}, format="json")
    assert response.status_code == 200 and len(response.json()) == 2
    assert not client.get("/api/v1/worklogs/?awaiting_review=1").json()["results"]
    hidden = client.post("/api/v1/worklogs/review-bulk/", {"lines": [lines["outsider"].pk]}, format="json")
    assert hidden.status_code == 404


def test_assignments_through_the_api(cast, work, api_for):
    me = cast.official_of(cast.official)
    payload = {"catalogue_item": work.culture.pk, "assignee": me.pk, "quantity": "5",
               "deadline": str(work.period.last_day), "period": work.period.pk}  # fmt: skip
    response = api_for(cast.head).post("/api/v1/assignments/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["coefficient"], response.json()["approved"]) == ("2.0000", True)
    refused = api_for(cast.official).post("/api/v1/assignments/", payload, format="json")
    assert refused.status_code == 403
    own = api_for(cast.official).post("/api/v1/assignments/", {**payload, "origin": "SELF_REGISTERED"}, format="json")
    assert own.status_code == 201 and own.json()["approved"] is False
    approved = api_for(cast.deputy).post(f"/api/v1/assignments/{own.json()['id']}/approve/", format="json")
    assert approved.status_code == 200 and approved.json()["approved"] is True
    zero = api_for(cast.head).post("/api/v1/assignments/", {**payload, "quantity": "0"}, format="json")
    assert zero.status_code == 400 and zero.json()["errors"][0]["field"] == "quantity"
    outsider = cast.official_of(cast.outsider)
    hidden = api_for(cast.head).post("/api/v1/assignments/", {**payload, "assignee": outsider.pk}, format="json")
    assert hidden.status_code == 400 and hidden.json()["errors"][0]["field"] == "assignee"
    assert api_for(cast.outsider).get("/api/v1/assignments/").json()["count"] == 0


def test_bulk_assignment_through_the_api(cast, work, api_for):
    team = [cast.official_of(u).pk for u in (cast.official, cast.colleague)]
    payload = {"catalogue_item": work.office.pk, "assignees": team, "quantity": "2", "period": work.period.pk}
    response = api_for(cast.head).post("/api/v1/assignments/bulk/", payload, format="json")
    assert response.status_code == 201 and len(response.json()) == 2


def test_the_live_score_endpoint(cast, work, api_for):
    row = assign(cast.head, cast.official_of(cast.official), work.culture, "4")
    line = log(cast.official, None, "3", assignment=row)
    from thanhhoa_kpi.worklogs import services

    services.worklog_review(line=line, reviewer=cast.deputy)
    for url in ("/api/v1/worklogs/live-score/", "/api/v1/me/score/"):
        body = api_for(cast.official).get(url).json()
        assert (body["status"], body["a"], body["task_score"]) == ("OK", 75.0, 52.5)
        assert body["period"]["id"] == work.period.pk and body["explanation"]
    assert api_for(cast.hr).get("/api/v1/me/score/").status_code == 404


def test_the_hours_endpoint(cast, lines, api_for):
    body = api_for(cast.head).get("/api/v1/worklogs/hours/").json()
    assert body["by_unit"][0]["minutes"] == 4 * 60 and len(body["by_official"]) == 4
    assert api_for(cast.head).get(f"/api/v1/worklogs/hours/?unit={cast.other_team.pk}").status_code == 404


def test_closed_periods_are_visible_but_frozen(cast, lines, api_for, work):
    work.period.status = "CLOSED"
    work.period.save()
    response = api_for(cast.official).patch(
        f"/api/v1/worklogs/{lines['official'].pk}/", {"quantity": "2"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "PERIOD_CLOSED"
    assert WorkLogLine.objects.get(pk=lines["official"].pk).quantity == Decimal("1")
    assert api_for(cast.official).get("/api/v1/work-periods/").json()["results"][0]["status"] == "CLOSED"


def test_list_queries_do_not_grow_with_the_rows(cast, work, api_for, django_assert_max_num_queries):
    client = api_for(cast.head)
    client.get("/api/v1/worklogs/")  # warm the scope and permission caches of this client's user
    for _ in range(3):
        log(cast.official, work.culture)
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/worklogs/")
    for _ in range(20):
        log(cast.official, work.culture)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/worklogs/").json()["count"] == 23
