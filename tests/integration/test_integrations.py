"""The inbound API of the e-office and one-stop-shop systems (issue 15, items 2 and 4).

Signatures (missing, wrong, stale, another source's secret, the previous secret within and
after its grace period), replays, unknown sources and handlers, malformed events (the SPEC
8.1 body and no row written), matching rules, the official's confirmation through the
worklogs service (one line; refused in a locked month or to another official), rejection,
the HR queue, and the simulator.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from thanhhoa_kpi.core.errors import Conflict, PermissionRefused, ValidationFailed
from thanhhoa_kpi.integrations import services, signing
from thanhhoa_kpi.integrations.models import (
    SECRET_GRACE,
    EventStatus,
    InboundEvent,
    IntegrationSource,
    MatchingRule,
)
from thanhhoa_kpi.integrations.simulator import UNKNOWN_CODE, day_events
from thanhhoa_kpi.worklogs import services as worklogs
from thanhhoa_kpi.worklogs.models import PeriodStatus, WorkLogLine

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_throttle_carry_over():
    """Throttle counts live in the shared cache: start every test from zero."""
    from django.core.cache import cache

    for source in ("vpdt", "motcua", "khong-co"):
        cache.delete(f"throttle_integrations_{source}:127.0.0.1")


@pytest.fixture
def sources(work):
    vpdt = IntegrationSource.objects.create(code="vpdt", name="Văn bản điều hành", kind="E_OFFICE")
    motcua = IntegrationSource.objects.create(code="motcua", name="Một cửa", kind="ONE_STOP")
    MatchingRule.objects.create(source=vpdt, key="CONG_VAN", catalogue_item=work.culture, minutes=40)
    MatchingRule.objects.create(source=motcua, key="1.001029", catalogue_item=work.culture_small, minutes=30)
    return vpdt, motcua


def event(**overrides):
    body = {
        "event_id": "vpdt-1", "document_number": "205/UBND-VHXH", "document_kind": "VAN_BAN_DI",
        "type_code": "CONG_VAN", "date": timezone.localdate().isoformat(), "handler_code": "T0001",
        "on_time": True, "title": "V/v tổ chức ngày hội", "link": "https://vpdt.example.vn/205",
    }  # fmt: skip
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def send(source, body, *, secret=None, timestamp=None, signature=None, raw=None, client=None):
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    stamp = str(int(time.time())) if timestamp is None else timestamp
    headers = {}
    if stamp != "":
        headers["X-KPI-Timestamp"] = stamp
    if signature is None and secret is not None:
        signature = signing.signature(secret, stamp, data)
    if signature:
        headers["X-KPI-Signature"] = signature
    url = reverse("integration-events", args=[source.code if hasattr(source, "code") else source])
    return (client or Client()).post(url, data=data, content_type="application/json", headers=headers)


def rows():
    return InboundEvent.objects.count(), WorkLogLine.objects.count()


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == "ERROR" and body["code"] == code and body["message"]
    assert isinstance(body["errors"], list)
    return body


# ------------------------------------------------------------------ signatures


def test_a_signed_event_is_received_and_proposed_to_its_handler(cast, sources):
    vpdt, _ = sources
    response = send(vpdt, event(), secret=vpdt.secret)
    assert response.status_code == 201
    assert response.json()["result"] == "PROPOSED"
    row = InboundEvent.objects.get()
    assert row.official == cast.official_of(cast.official) and row.status == EventStatus.PROPOSED
    assert row.minutes == 40 and row.quantity == 1
    assert not WorkLogLine.objects.exists()  # only a proposal until the official confirms


def test_a_missing_signature_is_refused_with_401_and_nothing_written(sources):
    vpdt, _ = sources
    before = rows()
    assert_error(send(vpdt, event()), 401, "SIGNATURE_MISSING")
    assert_error(send(vpdt, event(), secret=vpdt.secret, timestamp=""), 401, "SIGNATURE_MISSING")
    assert rows() == before


def test_a_wrong_signature_is_refused(sources):
    vpdt, _ = sources
    before = rows()
    assert_error(send(vpdt, event(), signature="sha256=" + "0" * 64), 401, "SIGNATURE_INVALID")
    body = json.dumps(event()).encode()
    tampered = body.replace(b"205/UBND", b"999/UBND")
    signed_for_other_body = signing.signature(vpdt.secret, str(int(time.time())), body)
    assert_error(send(vpdt, None, raw=tampered, signature=signed_for_other_body), 401, "SIGNATURE_INVALID")
    assert rows() == before


def test_a_stale_timestamp_is_refused_even_when_correctly_signed(sources):
    vpdt, _ = sources
    before = rows()
    old = str(int(time.time()) - signing.TOLERANCE_SECONDS - 60)
    assert_error(send(vpdt, event(), secret=vpdt.secret, timestamp=old), 401, "TIMESTAMP_STALE")
    future = str(int(time.time()) + signing.TOLERANCE_SECONDS + 60)
    assert_error(send(vpdt, event(), secret=vpdt.secret, timestamp=future), 401, "TIMESTAMP_STALE")
    assert_error(send(vpdt, event(), secret=vpdt.secret, timestamp="abc"), 401, "TIMESTAMP_STALE")
    assert rows() == before


def test_another_sources_secret_does_not_sign_for_this_source(sources):
    vpdt, motcua = sources
    before = rows()
    assert_error(send(vpdt, event(), secret=motcua.secret), 401, "SIGNATURE_INVALID")
    assert rows() == before


def test_an_unknown_source_is_404(sources):
    vpdt, _ = sources
    before = rows()
    assert_error(send("khong-co", event(), secret=vpdt.secret), 404, "UNKNOWN_SOURCE")
    assert rows() == before


def test_an_inactive_source_is_refused_with_403(sources):
    vpdt, _ = sources
    IntegrationSource.objects.filter(pk=vpdt.pk).update(active=False)
    before = rows()
    assert_error(send(vpdt, event(), secret=vpdt.secret), 403, "SOURCE_INACTIVE")
    assert rows() == before


def test_the_endpoint_takes_no_session_or_token_and_no_csrf_token(cast, sources, api_for):
    vpdt, _ = sources
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(cast.sysadmin)
    assert_error(send(vpdt, event(), client=signed_in), 401, "SIGNATURE_MISSING")  # a session is no credential
    token_client = api_for(cast.sysadmin)
    url = reverse("integration-events", args=["vpdt"])
    assert_error(token_client.post(url, event(), format="json"), 401, "SIGNATURE_MISSING")
    # A correctly signed request needs no CSRF token even from a client that enforces it.
    assert send(vpdt, event(), secret=vpdt.secret, client=Client(enforce_csrf_checks=True)).status_code == 201


def test_the_endpoint_is_throttled_per_source(sources, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    vpdt, _ = sources
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "integrations": "2/min"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        assert send(vpdt, event(event_id="t1"), secret=vpdt.secret).status_code == 201
        assert send(vpdt, event(event_id="t2"), secret=vpdt.secret).status_code == 201
        assert_error(send(vpdt, event(event_id="t3"), secret=vpdt.secret), 429, "THROTTLED")
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert InboundEvent.objects.count() == 2


# ------------------------------------------------------------------ rotation


def test_rotation_shows_a_new_secret_and_keeps_the_old_one_for_the_grace_period(cast, sources):
    vpdt, _ = sources
    old = vpdt.secret
    new = services.source_rotate_secret(source=vpdt, user=cast.province_hr)
    vpdt.refresh_from_db()
    assert new != old and vpdt.secret == new and vpdt.previous_secret == old
    assert vpdt.previous_valid_until - vpdt.rotated_at == SECRET_GRACE
    assert send(vpdt, event(event_id="a"), secret=new).status_code == 201
    assert send(vpdt, event(event_id="b"), secret=old).status_code == 201  # still in grace
    IntegrationSource.objects.filter(pk=vpdt.pk).update(previous_valid_until=timezone.now() - timedelta(seconds=1))
    assert_error(send(vpdt, event(event_id="c"), secret=old), 401, "SIGNATURE_INVALID")
    assert send(vpdt, event(event_id="d"), secret=new).status_code == 201


def test_a_second_rotation_drops_the_first_secret_at_once(cast, sources):
    vpdt, _ = sources
    first = vpdt.secret
    services.source_rotate_secret(source=vpdt, user=cast.sysadmin)
    third = services.source_rotate_secret(source=vpdt, user=cast.sysadmin)
    assert_error(send(vpdt, event(), secret=first), 401, "SIGNATURE_INVALID")
    assert send(vpdt, event(), secret=third).status_code == 201


@pytest.mark.parametrize("who", ["hr", "official", "viewer"])
def test_only_province_admins_rotate_a_secret(cast, sources, who):
    vpdt, _ = sources
    with pytest.raises(PermissionRefused):
        services.source_rotate_secret(source=vpdt, user=getattr(cast, who))
    vpdt.refresh_from_db()
    assert vpdt.previous_secret == "" and vpdt.rotated_at is None


def test_the_desk_rotation_asks_then_shows_the_secret_once(cast, sources):
    vpdt, _ = sources
    client = Client()
    client.force_login(cast.province_hr)
    url = reverse("admin:integrations_integrationsource_rotate_secret", args=[vpdt.pk])
    asked = client.get(url)
    assert asked.status_code == 200
    vpdt.refresh_from_db()
    assert vpdt.rotated_at is None  # a GET only asks
    shown = client.post(url, {"confirmed": "1"})
    vpdt.refresh_from_db()
    assert shown.status_code == 200 and vpdt.secret in shown.content.decode()
    page = client.get(reverse("admin:integrations_integrationsource_change", args=[vpdt.pk])).content.decode()
    assert vpdt.secret not in page and vpdt.previous_secret not in page
    hr = Client()
    hr.force_login(cast.hr)
    assert hr.post(url, {"confirmed": "1"}).status_code in {302, 403}
    assert IntegrationSource.objects.get(pk=vpdt.pk).secret == vpdt.secret


# ------------------------------------------------------------------ idempotency, schema


def test_a_repeated_event_changes_nothing_and_answers_the_original_result(cast, sources):
    vpdt, _ = sources
    first = send(vpdt, event(), secret=vpdt.secret)
    MatchingRule.objects.all().delete()  # were it matched again, it would now be unmatched
    again = send(vpdt, event(), secret=vpdt.secret)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert InboundEvent.objects.count() == 1
    # Keys in another order are the same event.
    reordered = json.dumps(dict(reversed(list(event().items())))).encode()
    assert send(vpdt, None, raw=reordered, secret=vpdt.secret).json() == first.json()


def test_a_reused_event_id_with_another_body_is_refused(sources):
    vpdt, _ = sources
    send(vpdt, event(), secret=vpdt.secret)
    before = rows()
    assert_error(send(vpdt, event(document_number="999/UBND"), secret=vpdt.secret), 409, "EVENT_ID_REUSED")
    assert rows() == before and InboundEvent.objects.get().document_number == "205/UBND-VHXH"


def test_the_same_event_id_from_two_sources_is_two_events(sources):
    vpdt, motcua = sources
    assert send(vpdt, event(), secret=vpdt.secret).status_code == 201
    assert send(motcua, event(type_code="1.001029", document_kind="HO_SO"), secret=motcua.secret).status_code == 201
    assert InboundEvent.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (event(event_id=None), {"event_id"}),
        (event(document_kind="CONG_VAN_DEN"), {"document_kind"}),
        (event(date="05/12/2026"), {"date"}),
        (event(date="2026-02-30"), {"date"}),
        (event(handler_code=None), {"handler_code"}),
        (event(handler_code=None, handler_email="khong-phai-thu"), {"handler_email"}),
        (event(on_time="yes"), {"on_time"}),
        (event(quantity=0), {"quantity"}),
        (event(quantity="1.234"), {"quantity"}),
        (event(link="javascript:alert(1)"), {"link"}),
        (event(document_number="x" * 121), {"document_number"}),
        (event(extra_field=1), {"extra_field"}),
        ({}, {"event_id", "document_number", "document_kind", "type_code", "date", "handler_code", "on_time"}),
    ],
)
def test_a_malformed_event_gets_the_spec_body_naming_each_field_and_nothing_is_written(sources, body, fields):
    vpdt, _ = sources
    before = rows()
    answer = assert_error(send(vpdt, body, secret=vpdt.secret), 400, "INVALID_EVENT")
    assert {e["field"] for e in answer["errors"]} == fields
    assert all(e["message"] for e in answer["errors"])
    assert rows() == before


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b'"text"'])
def test_a_body_that_is_no_json_object_is_malformed(sources, raw):
    vpdt, _ = sources
    before = rows()
    assert_error(send(vpdt, None, raw=raw, secret=vpdt.secret), 400, "MALFORMED_JSON")
    assert rows() == before


# ------------------------------------------------------------------ handlers and rules


def test_the_handler_is_found_by_e_mail_when_no_code_is_sent(cast, sources):
    vpdt, _ = sources
    send(vpdt, event(handler_code=None, handler_email="OFFICIAL@example.vn"), secret=vpdt.secret)
    assert InboundEvent.objects.get().official == cast.official_of(cast.official)


def test_an_unknown_handler_waits_for_hr(sources):
    vpdt, _ = sources
    response = send(vpdt, event(handler_code="KHONG_CO", handler_email="ai@nowhere.vn"), secret=vpdt.secret)
    assert response.status_code == 201 and response.json()["result"] == "UNKNOWN_HANDLER"
    row = InboundEvent.objects.get()
    assert row.official is None and row.status == EventStatus.UNKNOWN_HANDLER


def test_an_event_without_a_rule_waits_for_hr(cast, sources):
    vpdt, _ = sources
    response = send(vpdt, event(type_code="GIAY_MOI"), secret=vpdt.secret)
    assert response.json()["result"] == "UNMATCHED"
    row = InboundEvent.objects.get()
    assert row.official == cast.official_of(cast.official) and row.catalogue_item is None


def test_rules_compare_type_codes_without_case_or_spaces_and_skip_inactive_ones(work, sources):
    vpdt, _ = sources
    send(vpdt, event(event_id="1", type_code=" cong_van "), secret=vpdt.secret)
    assert InboundEvent.objects.get(event_id="1").catalogue_item == work.culture
    MatchingRule.objects.update(active=False)
    send(vpdt, event(event_id="2"), secret=vpdt.secret)
    assert InboundEvent.objects.get(event_id="2").status == EventStatus.UNMATCHED


def test_a_rule_applies_only_where_its_item_is_in_force_for_the_handler(cast, work, sources):
    """One key, two catalogues: each official gets the item of their own unit's catalogue."""
    vpdt, _ = sources
    MatchingRule.objects.create(source=vpdt, key="CONG_VAN", catalogue_item=work.foreign, minutes=20)
    send(vpdt, event(event_id="a"), secret=vpdt.secret)
    send(vpdt, event(event_id="b", handler_code="T0006"), secret=vpdt.secret)
    assert InboundEvent.objects.get(event_id="a").catalogue_item == work.culture
    outsider = InboundEvent.objects.get(event_id="b")
    assert outsider.catalogue_item == work.foreign and outsider.minutes == 20


def test_minutes_follow_the_rule_per_document_times_the_quantity(sources):
    vpdt, _ = sources
    send(vpdt, event(quantity=3), secret=vpdt.secret)
    row = InboundEvent.objects.get()
    assert row.quantity == Decimal(3) and row.minutes == 120


# ------------------------------------------------------------------ the official's decision


def proposed(cast, sources, **overrides):
    vpdt, _ = sources
    send(vpdt, event(**overrides), secret=vpdt.secret)
    return InboundEvent.objects.get(event_id=overrides.get("event_id", "vpdt-1"))


def test_confirmation_writes_exactly_one_line_through_the_worklogs_service(cast, work, sources):
    row = proposed(cast, sources)
    before = WorkLogLine.objects.count()
    confirmed = services.proposal_confirm(event=row, user=cast.official)
    assert WorkLogLine.objects.count() == before + 1
    line = confirmed.line
    assert confirmed.status == EventStatus.CONFIRMED and confirmed.decided_by == cast.official
    assert line.official == cast.official_of(cast.official) and line.catalogue_item == work.culture
    assert line.document_number == "205/UBND-VHXH" and line.document_key == "205/UBND-VHXH"
    assert line.minutes == 40 and line.quantity == 1 and line.coefficient == work.culture.coefficient
    assert line.status == "DRAFT" and "205/UBND-VHXH" in line.description
    assert line.history.first().history_user == cast.official
    with pytest.raises(Conflict):
        services.proposal_confirm(event=row, user=cast.official)  # a second click writes nothing
    assert WorkLogLine.objects.count() == before + 1


def test_confirmation_is_refused_when_the_month_is_locked(cast, work, sources):
    row = proposed(cast, sources)
    worklogs.work_period_set_status(period=work.period, user=cast.sysadmin, status=PeriodStatus.CLOSED)
    with pytest.raises(ValidationFailed) as refused:
        services.proposal_confirm(event=row, user=cast.official)
    assert refused.value.code == "PERIOD_CLOSED"
    row.refresh_from_db()
    assert row.status == EventStatus.PROPOSED and not WorkLogLine.objects.exists()


@pytest.mark.parametrize("who", ["colleague", "head", "hr", "sysadmin"])
def test_nobody_but_the_handler_confirms_or_rejects(cast, sources, who):
    row = proposed(cast, sources)
    with pytest.raises(PermissionRefused):
        services.proposal_confirm(event=row, user=getattr(cast, who))
    with pytest.raises(PermissionRefused):
        services.proposal_reject(event=row, user=getattr(cast, who))
    row.refresh_from_db()
    assert row.status == EventStatus.PROPOSED and not WorkLogLine.objects.exists()


def test_rejection_writes_no_line_and_keeps_the_reason(cast, sources):
    row = proposed(cast, sources)
    rejected = services.proposal_reject(event=row, user=cast.official, reason="Văn bản do đồng chí khác soạn")
    assert rejected.status == EventStatus.REJECTED and rejected.reject_reason == "Văn bản do đồng chí khác soạn"
    assert not WorkLogLine.objects.exists()
    with pytest.raises(Conflict):
        services.proposal_confirm(event=row, user=cast.official)


def test_the_api_lists_confirms_and_rejects_the_callers_own_proposals_only(cast, sources, api_for):
    mine = proposed(cast, sources, event_id="1")
    other = proposed(cast, sources, event_id="2", handler_code="T0002")
    official = api_for(cast.official)
    listed = official.get("/api/v1/integration-proposals/").json()
    assert [p["id"] for p in listed["results"]] == [mine.pk]
    colleague = api_for(cast.colleague)
    assert_error(colleague.post(f"/api/v1/integration-proposals/{mine.pk}/confirm/"), 404, "NOT_FOUND")
    answer = official.post(f"/api/v1/integration-proposals/{mine.pk}/confirm/")
    assert answer.status_code == 200 and answer.json()["status"] == "CONFIRMED" and answer.json()["line"]
    assert_error(official.post(f"/api/v1/integration-proposals/{mine.pk}/confirm/"), 409, "PROPOSAL_DECIDED")
    rejected = colleague.post(f"/api/v1/integration-proposals/{other.pk}/reject/", {"reason": "Không phải tôi"},
                              format="json")  # fmt: skip
    assert rejected.status_code == 200 and rejected.json()["reject_reason"] == "Không phải tôi"
    assert WorkLogLine.objects.count() == 1


def test_the_official_confirms_in_one_click_on_the_desk(cast, work, sources):
    row = proposed(cast, sources)
    client = Client()
    client.force_login(cast.official)
    page = client.get(reverse("admin:integrations_proposals"))
    assert page.status_code == 200 and "205/UBND-VHXH" in page.content.decode()
    done = client.post(reverse("admin:integrations_proposal_confirm", args=[row.pk]))
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.status == EventStatus.CONFIRMED and WorkLogLine.objects.count() == 1
    colleague = Client()
    colleague.force_login(cast.colleague)
    second = proposed(cast, sources, event_id="x")
    assert colleague.post(reverse("admin:integrations_proposal_reject", args=[second.pk])).status_code == 404
    assert client.get(reverse("admin:integrations_proposal_confirm", args=[second.pk])).status_code == 405
    second.refresh_from_db()
    assert second.status == EventStatus.PROPOSED


# ------------------------------------------------------------------ the HR queue


def test_hr_names_the_handler_and_the_event_is_matched_again(cast, work, sources):
    vpdt, _ = sources
    send(vpdt, event(handler_code="KHONG_CO"), secret=vpdt.secret)
    row = InboundEvent.objects.get()
    # An unknown handler belongs to no unit: a ward's HR admin neither sees nor settles it.
    with pytest.raises(PermissionRefused):
        services.event_assign(event=row, user=cast.hr, official=cast.official_of(cast.official))
    settled = services.event_assign(event=row, user=cast.province_hr, official=cast.official_of(cast.official))
    assert settled.status == EventStatus.PROPOSED and settled.catalogue_item == work.culture


def test_hr_of_the_unit_chooses_the_item_of_an_unmatched_event(cast, work, sources):
    vpdt, _ = sources
    send(vpdt, event(type_code="GIAY_MOI"), secret=vpdt.secret)
    row = InboundEvent.objects.get()
    with pytest.raises(ValidationFailed):
        services.event_assign(event=row, user=cast.hr, catalogue_item=work.foreign)  # not in force for the ward
    settled = services.event_assign(event=row, user=cast.hr, catalogue_item=work.office)
    assert settled.status == EventStatus.PROPOSED and settled.catalogue_item == work.office
    assert settled.minutes == services.DEFAULT_MINUTES
    with pytest.raises(Conflict):
        services.event_assign(event=row, user=cast.hr, catalogue_item=work.sport)  # no longer waiting


def test_rematching_after_a_new_rule_turns_waiting_events_into_proposals(cast, work, sources):
    vpdt, _ = sources
    send(vpdt, event(event_id="1", type_code="GIAY_MOI"), secret=vpdt.secret)
    send(vpdt, event(event_id="2", type_code="GIAY_MOI", handler_code="T0006"), secret=vpdt.secret)
    MatchingRule.objects.create(source=vpdt, key="GIAY_MOI", catalogue_item=work.office, minutes=15)
    assert services.events_rematch(user=cast.hr, events=list(InboundEvent.objects.all())) == 1
    assert InboundEvent.objects.get(event_id="1").status == EventStatus.PROPOSED
    assert InboundEvent.objects.get(event_id="2").status == EventStatus.UNMATCHED  # outside the ward HR's scope


def test_the_desk_queue_shows_hr_the_events_of_their_scope(cast, sources):
    vpdt, _ = sources
    send(vpdt, event(event_id="mine", type_code="GIAY_MOI"), secret=vpdt.secret)
    send(vpdt, event(event_id="nobody", handler_code="KHONG_CO", document_number="777/KHONG"), secret=vpdt.secret)
    url = reverse("admin:integrations_inboundevent_changelist") + "?queue=waiting"
    hr = Client()
    hr.force_login(cast.hr)
    page = hr.get(url).content.decode()
    assert "205/UBND-VHXH" in page and "777/KHONG" not in page
    province = Client()
    province.force_login(cast.province_hr)
    assert "777/KHONG" in province.get(url).content.decode()


def test_the_desk_change_form_assigns_through_the_service(cast, work, sources):
    vpdt, _ = sources
    send(vpdt, event(type_code="GIAY_MOI"), secret=vpdt.secret)
    row = InboundEvent.objects.get()
    hr = Client()
    hr.force_login(cast.hr)
    url = reverse("admin:integrations_inboundevent_change", args=[row.pk])
    refused = hr.post(url, {"official": row.official_id, "catalogue_item": work.foreign.pk})
    assert refused.status_code == 200  # the form shows the service's refusal
    row.refresh_from_db()
    assert row.status == EventStatus.UNMATCHED
    hr.post(url, {"official": row.official_id, "catalogue_item": work.office.pk})
    row.refresh_from_db()
    assert row.status == EventStatus.PROPOSED and row.catalogue_item == work.office


# ------------------------------------------------------------------ the simulator


def test_the_simulator_sends_a_signed_demo_day_with_proposals_and_queue_rows(settings):
    """On the demo data (sources and rules seeded): proposals for the demo officials, rows for
    HR (no rule, the science department's official, an unknown code), and a confirmation."""
    from io import StringIO

    from thanhhoa_kpi.accounts.models import User
    from thanhhoa_kpi.core.seeding import seed

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed(["base", "thanhhoa", "demo"], log=lambda message: None)
    day = timezone.localdate()
    output = StringIO()
    call_command("simulate_integration_events", "--day", day.isoformat(), stdout=output)
    sent = day_events(day)
    assert InboundEvent.objects.count() == len(sent) and "sự kiện" in output.getvalue()
    assert {"vpdt", "motcua"} == set(InboundEvent.objects.values_list("source__code", flat=True))
    by_status = {s: set(InboundEvent.objects.filter(status=s).values_list("official__code", flat=True))
                 for s in EventStatus.values}  # fmt: skip
    assert by_status[EventStatus.PROPOSED] == {"DEMO0001", "DEMO0002", "DEMO0005"}  # DEMO0005 found by e-mail
    assert {"DEMO0001", "DEMO0005", "DEMO0007"} <= by_status[EventStatus.UNMATCHED]
    assert InboundEvent.objects.filter(handler_code=UNKNOWN_CODE, status=EventStatus.UNKNOWN_HANDLER).exists()
    # Sending the same day again changes nothing (the idempotency keys); every answer is a replay.
    again = StringIO()
    call_command("simulate_integration_events", "--day", day.isoformat(), stdout=again)
    assert InboundEvent.objects.count() == len(sent) and again.getvalue().count("(gửi lại)") >= 1
    official = User.objects.get(username="demo_official")
    lines = WorkLogLine.objects.count()
    for row in InboundEvent.objects.filter(official__code="DEMO0001", status=EventStatus.PROPOSED):
        services.proposal_confirm(event=row, user=official)
    assert WorkLogLine.objects.count() == lines + 4  # a letter, a plan and two dossiers
