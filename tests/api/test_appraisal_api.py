"""The appraisal API (SPEC 8.1): periods, appraisals with their actions, unit appraisals, lists."""

from datetime import date

import pytest
from django.utils import timezone

from tests.factories.appraisals import FULL_SELF, appraisal_of, lines, opened, place, prepare_appraisals, scored
from tests.factories.workflow import rule_set_in_force
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod, RuleSet
from thanhhoa_kpi.core.actors import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(cast):
    prepare_appraisals()
    return opened(cast)


def _error(response, status, code):
    body = response.json()
    assert response.status_code == status, body
    assert (body["status"], body["code"]) == ("ERROR", code)
    return body


def test_the_authority_creates_opens_and_follows_a_period(cast, api_for, django_capture_on_commit_callbacks):
    prepare_appraisals()
    client = api_for(cast.authority)
    created = client.post("/api/v1/periods/", {"kind": "MONTH", "bloc": "CHINH_QUYEN", "year": 2026, "number": 3},
                          format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["label"], data["start_date"], data["status"]) == ("Tháng 03/2026", "2026-03-01", "DRAFT")
    with django_capture_on_commit_callbacks(execute=True):
        opening = client.post(f"/api/v1/periods/{data['id']}/open/")
    assert opening.status_code == 202 and opening.json()["progress_url"].endswith(f"/periods/{data['id']}/status/")
    status = client.get(f"/api/v1/periods/{data['id']}/status/").json()
    assert (status["opening_status"], status["total"], status["done"], status["percent"]) == ("DONE", 6, 6, 100)
    patched = client.patch(f"/api/v1/periods/{data['id']}/", {"approval_deadline": "2026-04-15"}, format="json")
    assert patched.json()["approval_deadline"] == "2026-04-15"
    _error(client.patch(f"/api/v1/periods/{data['id']}/", {"year": 2025}, format="json"), 400, "VALIDATION_ERROR")
    assert client.post(f"/api/v1/periods/{data['id']}/close/").json()["status"] == "CLOSED"


def test_others_read_periods_but_may_not_write_them(cast, api_for):
    prepare_appraisals()
    for persona in ("official", "head", "hr", "viewer", "outsider"):
        client = api_for(getattr(cast, persona))
        assert client.get("/api/v1/periods/").status_code == 200
        body = _error(client.post("/api/v1/periods/", {"kind": "MONTH", "bloc": "CHINH_QUYEN", "year": 2026},
                                  format="json"), 403, "PERMISSION_DENIED")  # fmt: skip
        assert body["message"]
    bad = api_for(cast.authority).post("/api/v1/periods/", {"kind": "WEEK", "bloc": "CHINH_QUYEN", "year": 2026},
                                       format="json")  # fmt: skip
    assert "kind" in {item["field"] for item in _error(bad, 400, "VALIDATION_ERROR")["errors"]}
    assert _error(api_for(None).get("/api/v1/periods/"), 401, "NOT_AUTHENTICATED")


def test_appraisals_are_listed_within_the_scope_and_filtered(cast, api_for, period):
    seen = {}
    for persona in ("official", "deputy", "head", "authority", "hr", "viewer", "outsider", "sysadmin"):
        response = api_for(getattr(cast, persona)).get("/api/v1/appraisals/", {"period": period.pk})
        seen[persona] = {row["official"]["code"] for row in response.json()["results"]}
    assert seen["official"] == {"T0001"} and seen["outsider"] == {"T0006"}
    assert seen["deputy"] == {"T0001", "T0003"}
    assert seen["head"] == {"T0001", "T0002", "T0003", "T0004"} == seen["hr"]
    assert len(seen["authority"]) == len(seen["viewer"]) == len(seen["sysadmin"]) == 6
    client = api_for(cast.authority)
    in_team = client.get("/api/v1/appraisals/", {"unit": cast.ward.pk, "state": "DRAFT"}).json()
    assert in_team["count"] == 4 and "available_actions" not in in_team["results"][0]
    assert client.get("/api/v1/appraisals/", {"state": "PUBLISHED"}).json()["count"] == 0
    other = appraisal_of(cast.outsider, period)
    _error(api_for(cast.official).get(f"/api/v1/appraisals/{other.pk}/"), 404, "NOT_FOUND")


def test_the_subject_and_the_reviewer_score_their_own_column(cast, api_for, period):
    appraisal = appraisal_of(cast.official, period)
    url = f"/api/v1/appraisals/{appraisal.pk}/general-criteria/"
    mine = api_for(cast.official).put(url, {"lines": lines(FULL_SELF, appraisal), "comment": "Tự nhận xét"},
                                      format="json")  # fmt: skip
    assert mine.status_code == 200, mine.json()
    data = mine.json()
    assert data["self_general_score"] == "30.00" and data["self_comment"] == "Tự nhận xét"
    assert [option["action"] for option in data["available_actions"]] == ["submit"]
    assert data["editable"] == ["self_comment", "self_score"]
    assert data["criteria"][0]["self_score"] == "5.00" and data["criteria"][0]["reviewer_score"] is None
    review = api_for(cast.head).put(url, {"lines": [{"code": "1.1", "score": 3, "comment": "Cần cố gắng"}]},
                                    format="json")  # fmt: skip
    assert review.json()["criteria"][0]["reviewer_score"] == "3.00" and review.json()["general_score"] == "28.00"
    bad = api_for(cast.official).put(url, {"lines": [{"code": "1.1", "score": 7}, {"code": "X"}]}, format="json")
    assert [item["field"] for item in _error(bad, 400, "VALIDATION_ERROR")["errors"]] == ["lines[0].score",
                                                                                          "lines[1].code"]  # fmt: skip
    _error(api_for(cast.colleague).put(url, {"lines": []}, format="json"), 404, "NOT_FOUND")
    _error(api_for(cast.authority).put(url, {"lines": []}, format="json"), 403, "PERMISSION_DENIED")


def test_the_chain_through_the_api(cast, api_for, period):
    appraisal = appraisal_of(cast.official, period)
    base = f"/api/v1/appraisals/{appraisal.pk}"
    api_for(cast.official).put(f"{base}/general-criteria/", {"lines": lines(FULL_SELF, appraisal)}, format="json")
    submitted = api_for(cast.official).post(f"{base}/transition/", {"action": "submit"}, format="json")
    assert submitted.json()["state"] == "UNIT_REVIEW"
    _error(api_for(cast.deputy).post(f"{base}/transition/", {"action": "approve"}, format="json"), 403,
           "NOT_AN_APPROVER")  # fmt: skip
    body = _error(api_for(cast.head).post(f"{base}/transition/", {"action": "return"}, format="json"), 400,
                  "COMMENT_REQUIRED")  # fmt: skip
    assert body["errors"][0]["field"] == "comment"
    assert api_for(cast.head).post(f"{base}/transition/", {"action": "approve"}, format="json").status_code == 200
    _error(api_for(cast.official).put(f"{base}/general-criteria/", {"lines": []}, format="json"), 409, "NOT_EDITABLE")
    published = api_for(cast.authority).post(f"{base}/transition/", {"action": "publish"}, format="json")
    assert published.json()["state"] == "PUBLISHED"
    history = api_for(cast.official).get(f"{base}/history/").json()
    assert [row["action"] for row in history] == ["submit", "approve", "publish"]
    people = [cast.official, cast.head, cast.authority]
    assert [row["actor"] for row in history] == [user.username for user in people]
    assert [row["actor_name"] for row in history] == [user.get_full_name() for user in people]
    assert all(row["actor_name"] != row["actor"] for row in history)  # names, not logins
    _error(api_for(cast.head).post(f"{base}/score/"), 409, "APPRAISAL_PUBLISHED")


def test_unit_criteria_ranking_and_disqualifiers(cast, api_for, period):
    deputy = appraisal_of(cast.deputy, period)
    url = f"/api/v1/appraisals/{deputy.pk}"
    head = api_for(cast.head)
    bad = head.put(f"{url}/unit-criteria/", {"dd": "50", "e": "100"}, format="json")
    assert [item["field"] for item in _error(bad, 400, "VALIDATION_ERROR")["errors"]] == ["reason"]
    good = head.put(f"{url}/unit-criteria/", {"dd": "50", "e": "100", "reason": "Chậm kéo dài"}, format="json")
    assert (good.json()["unit_dd"], good.json()["unit_d"]) == ("50.00", "100.00")
    assert head.put(f"{url}/ranking/", {"decision_rank": 1}, format="json").json()["decision_rank"] == 1
    row = head.post(
        f"{url}/disqualifiers/",
        {"code": "DISCIPLINE", "evidence": "QĐ khiển trách 5/QĐ", "decided_on": str(timezone.localdate())},
    )
    assert row.status_code == 201 and row.json()["recorded_by"] == "head"
    _error(api_for(cast.deputy).post(f"{url}/disqualifiers/", {"code": "DEGRADATION", "evidence": "x"}), 403,
           "PERMISSION_DENIED")  # fmt: skip
    removed = head.delete(f"{url}/disqualifiers/{row.json()['id']}/")
    assert removed.status_code == 200 and removed.json()["disqualifiers"] == []


@pytest.fixture
def binding_period(cast):
    """A month whose publication applies the quota per unit (the shipped default binds only the year)."""
    prepare_appraisals()
    current = RuleSet.objects.get(code="ND335", is_current=True)
    params = {**current.params, "quota_scope": "UNIT", "quota_binding_kinds": ["MONTH", "QUARTER", "YEAR"]}
    rule_set_in_force(code="ND335", name=current.name, params=params)
    return opened(cast)


def test_quota_publish_and_classification_list(cast, api_for, binding_period):
    period = binding_period
    for user, total in ((cast.official, "95"), (cast.colleague, "80"), (cast.deputy, "93")):
        scored(appraisal_of(user, period), total)
    client = api_for(cast.authority)
    view = client.get(f"/api/v1/periods/{period.pk}/quota/", {"unit": cast.team.pk}).json()
    group = view["groups"][0]
    assert view["can_publish"] and (group["candidates"], group["good"], group["limit"]) == (2, 1, 0)
    assert _error(client.get(f"/api/v1/periods/{period.pk}/quota/"), 400, "VALIDATION_ERROR")
    _error(api_for(cast.head).post(f"/api/v1/periods/{period.pk}/publish/", {"unit": cast.team.pk}), 403,
           "PERMISSION_DENIED")  # fmt: skip
    published = client.post(f"/api/v1/periods/{period.pk}/publish/", {"unit": cast.team.pk}, format="json").json()
    assert len(published["published"]) == 3 and len(published["demoted"]) == 2
    listing = api_for(cast.head).get(f"/api/v1/periods/{period.pk}/classification-list/", {"unit": cast.team.pk})
    data = listing.json()
    assert data["rolled_up"] is False and data["counts"]["HOAN_THANH_TOT"] == 3
    finals = {row["official"]["code"]: row["final"]["code"] if row["final"] else None for row in data["results"]}
    assert finals == {"T0001": "HOAN_THANH_TOT", "T0002": "HOAN_THANH_TOT", "T0003": "HOAN_THANH_TOT", "T0004": None}
    start, end = date(period.year, 1, 1), date(period.year, 12, 31)
    year = AppraisalPeriod.objects.create(kind="YEAR", bloc="CHINH_QUYEN", year=period.year, start_date=start,
                                          end_date=end)  # fmt: skip
    rolled = client.get(f"/api/v1/periods/{year.pk}/classification-list/").json()
    assert rolled["rolled_up"] is True and len(rolled["results"]) == 6


def test_unit_appraisals_api(cast, api_for):
    prepare_appraisals()
    payload = {"unit": cast.team.pk, "year": 2026, "general_score": "27", "task_score": "55"}
    created = api_for(cast.authority).post("/api/v1/unit-appraisals/", payload, format="json")
    assert created.status_code == 201 and created.json()["classification"] == "HOAN_THANH_TOT"
    _error(api_for(cast.official).post("/api/v1/unit-appraisals/", payload, format="json"), 403, "PERMISSION_DENIED")
    url = f"/api/v1/unit-appraisals/{created.json()['id']}/"
    lowered = api_for(cast.hr).patch(url, {"classification": "HOAN_THANH", "notes": "Chậm tiến độ"}, format="json")
    assert lowered.json()["classification"] == "HOAN_THANH"
    assert api_for(cast.outsider).get("/api/v1/unit-appraisals/").json()["count"] == 0
    assert api_for(cast.viewer).get("/api/v1/unit-appraisals/").json()["count"] == 1


def test_list_queries_do_not_grow_with_rows(cast, api_for, period, django_assert_max_num_queries):
    for user in (cast.official, cast.colleague, cast.deputy):
        place(appraisal_of(user, period), "UNIT_REVIEW")
    with django_assert_max_num_queries(12):
        response = api_for(cast.viewer).get("/api/v1/appraisals/")
    assert response.json()["count"] == Appraisal.objects.count()


def test_custom_field_values_travel_on_the_appraisal(cast, api_for, period):
    from thanhhoa_kpi.customfields.services import field_definition_create

    field_definition_create(by=SYSTEM, doctype="appraisal", key="nhom_chuyen_mon", label="Nhóm chuyên môn",
                            field_type="select", options=["Văn hóa", "Thể thao"])  # fmt: skip
    appraisal = appraisal_of(cast.official, period)
    url = f"/api/v1/appraisals/{appraisal.pk}/custom/"
    saved = api_for(cast.official).patch(url, {"custom": {"nhom_chuyen_mon": "Văn hóa"}}, format="json")
    assert saved.status_code == 200 and saved.json()["custom"] == {"nhom_chuyen_mon": "Văn hóa"}
    bad = api_for(cast.official).patch(url, {"custom": {"nhom_chuyen_mon": "Bóng đá"}}, format="json")
    assert [item["field"] for item in _error(bad, 400, "VALIDATION_ERROR")["errors"]] == ["custom.nhom_chuyen_mon"]
    _error(api_for(cast.authority).patch(url, {"custom": {}}, format="json"), 403, "PERMISSION_DENIED")
    place(appraisal, "PUBLISHED")
    _error(api_for(cast.official).patch(url, {"custom": {}}, format="json"), 409, "APPRAISAL_PUBLISHED")
