"""The SPEC 8.1 error body where the API used to answer 500 or HTML (issue 9, finding 7).

Each test is the regression test of one probe finding (or of what the fuzzing in
tests/security/test_fuzz_api.py found): the answer is a 4xx with the error body naming the
field, never a server error.
"""

import json

import pytest
from django.conf import settings
from django.utils import timezone

from tests.factories.appraisals import opened, prepare_appraisals
from tests.factories.worklogs import log
from thanhhoa_kpi.appraisals.models import AppraisalPeriod
from thanhhoa_kpi.worklogs.models import WorkLogLine

pytestmark = pytest.mark.django_db


def error(response, status):
    """The SPEC 8.1 body of ``response``, after checking its status and shape."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "ERROR" and body["code"] and body["message"]
    assert all(set(e) == {"field", "message"} for e in body["errors"])
    return body


def fields(body):
    return {e["field"] for e in body["errors"]}


# ----------------------------------------------------------------------------- query parameters


@pytest.mark.parametrize("value", ["abc", "1.5", "-3", "²", "1" * 40])
def test_the_hours_summary_refuses_a_unit_that_is_not_an_id(cast, work, api_for, value):
    body = error(api_for(cast.hr).get("/api/v1/worklogs/hours/", {"unit": value}), 400)
    assert fields(body) == {"unit"}


@pytest.mark.parametrize("url", ["/api/v1/worklogs/hours/", "/api/v1/worklogs/live-score/"])
def test_a_period_that_is_not_an_id_is_refused_not_ignored(cast, work, api_for, url):
    body = error(api_for(cast.official).get(url, {"period": "²"}), 400)
    assert fields(body) == {"period"}


def test_the_hours_summary_still_takes_a_real_unit(cast, work, api_for):
    response = api_for(cast.hr).get("/api/v1/worklogs/hours/", {"unit": cast.team.pk})
    assert response.status_code == 200, response.json()


# ----------------------------------------------------------------------------- periods


def test_a_period_created_without_kind_is_a_month(cast, api_for):
    prepare_appraisals()
    payload = {"bloc": "CHINH_QUYEN", "year": 2026, "number": 3}
    response = api_for(cast.authority).post("/api/v1/periods/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert AppraisalPeriod.objects.get(pk=response.json()["id"]).kind == "MONTH"


@pytest.mark.parametrize("payload", [{}, {"bloc": "CHINH_QUYEN", "year": 2000}, {"year": "x", "kind": "?"}])
def test_an_official_creating_a_period_is_refused_before_the_input_is_checked(cast, api_for, payload):
    body = error(api_for(cast.official).post("/api/v1/periods/", payload, format="json"), 403)
    assert body["code"] == "PERMISSION_DENIED"
    assert not AppraisalPeriod.objects.exists()


def test_an_official_changing_a_period_is_refused_before_the_input_is_checked(cast, api_for):
    prepare_appraisals()
    period = opened(cast)
    response = api_for(cast.official).patch(f"/api/v1/periods/{period.pk}/", {"approval_deadline": "x"}, format="json")
    assert error(response, 403)["code"] == "PERMISSION_DENIED"


@pytest.mark.parametrize("payload", ["5", "[1]", '"text"'])
def test_publishing_with_a_body_that_is_not_an_object_is_a_400(cast, api_for, payload):
    prepare_appraisals()
    period = opened(cast)
    response = api_for(cast.authority).post(
        f"/api/v1/periods/{period.pk}/publish/", payload, content_type="application/json"
    )
    assert fields(error(response, 400)) == {"unit"}


# ----------------------------------------------------------------------------- review


def test_bulk_review_refuses_ids_out_of_range(cast, work, api_for):
    log(cast.official, work.culture)
    response = api_for(cast.head).post("/api/v1/worklogs/review-bulk/", {"lines": [2**70, -1]}, format="json")
    assert {f.split(".")[0] for f in fields(error(response, 400))} == {"lines"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quality_failures": 40_000}, "quality_failures"),
        ({"delays": 2**40}, "delays"),
        ({"delays": 1, "exempt_delays": 1, "exemption_reason": "Mất điện", "exemption_confirmed_by": "x" * 300},
         "exemption_confirmed_by"),
        ({"comment": "x" * 4001}, "comment"),
    ],
)  # fmt: skip
def test_a_review_with_values_the_database_cannot_hold_is_a_400(cast, work, api_for, change, field):
    line = log(cast.official, work.culture)
    response = api_for(cast.head).post(f"/api/v1/worklogs/{line.pk}/review/", change, format="json")
    assert fields(error(response, 400)) == {field}
    assert WorkLogLine.objects.get(pk=line.pk).status == "DRAFT"


# ----------------------------------------------------------------------------- protected rows


def test_deleting_a_unit_with_people_answers_409(cast, api_for):
    body = error(api_for(cast.sysadmin).delete(f"/api/v1/org-units/{cast.team.pk}/"), 409)
    assert body["code"] == "PROTECTED" and "đang được dùng" in body["message"]


def test_deleting_an_official_with_work_lines_answers_409(cast, work, api_for):
    log(cast.official, work.culture)
    official = cast.official_of(cast.official)
    body = error(api_for(cast.sysadmin).delete(f"/api/v1/officials/{official.pk}/"), 409)
    assert body["code"] == "PROTECTED"


def test_deleting_a_position_in_use_answers_409(cast, api_for):
    body = error(api_for(cast.sysadmin).delete(f"/api/v1/positions/{cast.position.pk}/"), 409)
    assert body["code"] == "PROTECTED"


# ----------------------------------------------------------------------------- bodies


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("url", ["/api/v1/worklogs/", "/api/v1/scoring/preview/", "/api/v1/assignments/"])
def test_deeply_nested_json_is_a_400(cast, api_for, url):
    body = error(api_for(cast.official).post(url, DEEP, content_type="application/json"), 400)
    assert body["code"] == "MALFORMED_JSON"


@pytest.mark.parametrize("url", ["/api/v1/worklogs/", "/api/v1/scoring/preview/", "/api/v1/me/"])
def test_an_oversize_body_is_a_413_with_the_spec_body(cast, api_for, url):
    data = json.dumps({"description": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    body = error(api_for(cast.official).post(url, data, content_type="application/json"), 413)
    assert body["code"] == "REQUEST_TOO_LARGE" and "MB" in body["message"]


def test_a_long_description_is_refused_naming_the_field(cast, work, api_for):
    payload = {"date": str(timezone.localdate()), "catalogue_item": work.culture.pk, "quantity": "1",
               "description": "x" * 4001}  # fmt: skip
    assert fields(error(api_for(cast.official).post("/api/v1/worklogs/", payload, format="json"), 400)) == {
        "description"
    }
    assert not WorkLogLine.objects.exists()


def test_any_text_over_the_parser_limit_is_refused_naming_its_path(cast, work, api_for):
    payload = {"date": str(timezone.localdate()), "catalogue_item": work.culture.pk, "quantity": "1",
               "custom": {"ghi_chu": "x" * 10_001}}  # fmt: skip
    body = error(api_for(cast.official).post("/api/v1/worklogs/", payload, format="json"), 400)
    assert body["code"] == "TEXT_TOO_LONG" and fields(body) == {"custom.ghi_chu"}


@pytest.mark.parametrize("format", ["json", "multipart"])
def test_control_characters_are_removed_from_text_on_input(cast, work, api_for, format):
    payload = {"date": str(timezone.localdate()), "catalogue_item": work.culture.pk, "quantity": "1",
               "description": "Viết\x00 tin\x1b bài\x7f\tđủ\r\ndòng"}  # fmt: skip
    response = api_for(cast.official).post("/api/v1/worklogs/", payload, format=format)
    assert response.status_code == 201, response.json()
    assert WorkLogLine.objects.get().description == "Viết tin bài\tđủ\r\ndòng"


@pytest.mark.parametrize("birth_date", ["6623-01-01", "1899-12-31", f"{timezone.localdate().year - 5}-01-01"])
def test_an_implausible_birth_date_is_refused(cast, api_for, birth_date):
    official = cast.official_of(cast.official)
    response = api_for(cast.hr).patch(f"/api/v1/officials/{official.pk}/", {"birth_date": birth_date}, format="json")
    assert fields(error(response, 400)) == {"birth_date"}


def test_a_plausible_birth_date_is_kept(cast, api_for):
    official = cast.official_of(cast.official)
    response = api_for(cast.hr).patch(f"/api/v1/officials/{official.pk}/", {"birth_date": "1985-03-09"}, format="json")
    assert response.status_code == 200, response.json()


# ----------------------------------------------------------------------------- outside the views


@pytest.mark.parametrize("url", ["/api/v1/no-such-thing/", "/api/v1/worklogs/1/no-such-action/", "/api/v2/"])
def test_an_unknown_api_path_is_a_404_with_the_spec_body(cast, api_for, url):
    assert error(api_for(cast.official).get(url), 404)["code"] == "NOT_FOUND"


def test_a_wrong_method_is_a_405_with_the_spec_body(cast, api_for):
    response = api_for(cast.official).delete("/api/v1/worklogs/hours/")
    assert error(response, 405)["code"] == "METHOD_NOT_ALLOWED" and "GET" in response["Allow"]


def test_pages_outside_the_api_keep_their_html_404(client):
    response = client.get("/admin/no-such-page/")
    assert response.status_code in {302, 404} and "json" not in response.get("Content-Type", "")


def test_a_server_error_under_the_api_answers_the_json_body_not_the_html_page(settings, rf):
    from django.http import HttpResponseServerError

    from thanhhoa_kpi.api.middleware import ApiErrorBodyMiddleware

    settings.DEBUG = False
    middleware = ApiErrorBodyMiddleware(lambda request: HttpResponseServerError("<h1>Server Error (500)</h1>"))
    response = middleware(rf.get("/api/v1/worklogs/"))
    assert response.status_code == 500 and json.loads(response.content)["code"] == "SERVER_ERROR"
    assert middleware(rf.get("/admin/")).content == b"<h1>Server Error (500)</h1>"
