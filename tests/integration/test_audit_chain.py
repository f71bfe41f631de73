"""The tamper-evident audit trail (issue 13, item 5): what is appended, and what verify_audit finds.

These tests commit (``transaction=True``): entries are written just before a commit, so a
test transaction that never commits would see none.
"""

import json
import threading
import time
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.urls import reverse

from tests.factories.appraisals import appraisal_of, opened, prepare_appraisals, self_assess
from tests.factories.workflow import current_definition, definition_in_force, prepare_workflows, with_deputy_review
from tests.factories.worklogs import log
from thanhhoa_kpi.appraisals.models import Appraisal, RuleSet
from thanhhoa_kpi.audit.chain import entry_hash, verify
from thanhhoa_kpi.audit.models import AppendOnlyError, AuditEntry, ChainHead, Kind
from thanhhoa_kpi.workflow.services import workflow_transition
from thanhhoa_kpi.worklogs import services as worklogs

pytestmark = pytest.mark.django_db(transaction=True)


def entries_of(obj, kind=None):
    rows = AuditEntry.objects.filter(document_type=obj._meta.label_lower, document_id=obj.pk).order_by("seq")
    return list(rows.filter(kind=kind) if kind else rows)


@pytest.fixture
def appraisal(cast):
    prepare_appraisals()
    return self_assess(appraisal_of(cast.official, opened(cast)), cast.official)


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def verify_command_fails():
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    assert failure.value.returncode == 1
    return str(failure.value)


# ----------------------------------------------------------------------------- what is appended


def test_a_transition_appends_an_entry_chained_to_the_documents_previous_one(cast, appraisal):
    before = entries_of(appraisal)
    log_line = workflow_transition(document=appraisal, action="submit", user=cast.official)
    new = entries_of(appraisal)[len(before) :]
    transition = next(entry for entry in new if entry.kind == Kind.TRANSITION)
    assert transition.data["log"] == log_line.pk and transition.data["action"] == "submit"
    assert (transition.data["from_state"], transition.data["to_state"]) == ("DRAFT", "UNIT_REVIEW")
    assert transition.actor_id == cast.official.pk
    chain = entries_of(appraisal)
    position = chain.index(transition)
    assert transition.prev_hash_document == chain[position - 1].hash
    assert transition.prev_hash_global == AuditEntry.objects.get(seq=transition.seq - 1).hash
    assert transition.hash == entry_hash(transition)
    assert verify().ok


def test_a_score_change_appends_an_entry_with_the_figures_and_an_unchanged_save_does_not(cast, work, appraisal):
    scores = entries_of(appraisal, Kind.SCORE)
    assert scores, "the self-assessment changed the general criteria"
    assert [line[1] for line in scores[-1].data["criteria"] if line[1] is not None], "self scores recorded"
    appraisal.refresh_from_db()
    appraisal.save()  # nothing changed: nothing to record
    assert len(entries_of(appraisal, Kind.SCORE)) == len(scores)
    workflow_transition(document=appraisal, action="submit", user=cast.official)  # the «score» effect
    appraisal.refresh_from_db()
    last = entries_of(appraisal, Kind.SCORE)[-1]
    assert last.data["total"] == (format(appraisal.total, "f") if appraisal.total is not None else None)
    assert last.data["score_status"] == appraisal.score_status


def test_a_review_appends_an_entry_and_a_changed_review_another(cast, work):
    line = log(cast.official, work.culture, "4")
    assert not entries_of(line), "a draft line is not a review"
    worklogs.worklog_review(line=line, reviewer=cast.head, accepted_quantity=Decimal("3"), quality_failures=1)
    first = entries_of(line, Kind.REVIEW)
    assert len(first) == 1 and first[0].actor_id == cast.head.pk
    assert (first[0].data["accepted_quantity"], first[0].data["quality_failures"]) == ("3.00", 1)
    worklogs.worklog_review(line=line, reviewer=cast.head, accepted_quantity=Decimal("4"))
    again = entries_of(line, Kind.REVIEW)
    assert len(again) == 2 and again[1].data["accepted_quantity"] == "4.00"
    assert again[1].prev_hash_document == again[0].hash


def test_workflow_definition_and_rule_set_versions_append_entries(cast):
    prepare_workflows()
    current = current_definition("JOB_DESCRIPTION")
    saved = definition_in_force(
        code=current.code, name="Mô tả vị trí (có cấp phó)", doctype=current.doctype,
        definition=with_deputy_review(current.definition),
    )  # fmt: skip
    states = [entry.data["status"] for entry in entries_of(saved, Kind.WORKFLOW_DEFINITION)]
    assert states[0] == "proposed" and states[-1] == "in_force"
    retired = entries_of(current, Kind.WORKFLOW_DEFINITION)
    assert retired[-1].data["status"] == "retired"
    rule_set = RuleSet.objects.create(code="THU", version=1, name="Bộ thử", params={"w": 0.7}, is_current=True)
    (entry,) = entries_of(rule_set, Kind.RULE_SET)
    assert entry.data["params"] == {"w": 0.7} and entry.data["version"] == 1
    assert verify().ok


# ----------------------------------------------------------------------------- rollback, order


def test_a_rolled_back_event_leaves_no_entry(cast, appraisal):
    count = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow_transition(document=appraisal, action="submit", user=cast.official)
        raise RuntimeError("hủy")
    assert AuditEntry.objects.count() == count
    assert Appraisal.objects.get(pk=appraisal.pk).state == "DRAFT"
    assert verify().ok


def test_a_rolled_back_savepoint_leaves_no_entry_and_the_rest_of_its_transaction_does(cast, appraisal):
    count = AuditEntry.objects.count()
    with transaction.atomic():
        try:
            with transaction.atomic():
                workflow_transition(document=appraisal, action="submit", user=cast.official)
                raise RuntimeError("hủy bước này")
        except RuntimeError:
            pass
        rule_set = RuleSet.objects.create(code="THU2", version=1, name="Bộ thử", params={}, is_current=True)
    assert AuditEntry.objects.count() == count + 1
    assert AuditEntry.objects.get(seq=count + 1).document_id == rule_set.pk
    assert not entries_of(appraisal, Kind.TRANSITION)


def test_concurrent_appends_get_one_gapless_order(cast):
    # migrate creates the head row; a transactional test's flush removed it with every table.
    start = ChainHead.objects.get_or_create(pk=1)[0].seq
    errors = []

    def write(index):
        try:
            with transaction.atomic():
                RuleSet.objects.create(code=f"SS{index}", version=1, name=f"Bộ {index}", params={}, is_current=True)
                time.sleep(0.05)  # keep the transactions open together
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    seqs = list(AuditEntry.objects.filter(seq__gt=start).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(start + 1, start + 9))
    assert ChainHead.objects.get().seq == start + 8
    assert verify().ok


# ----------------------------------------------------------------------------- tampering


def test_the_orm_refuses_to_change_or_delete_an_entry(cast):
    RuleSet.objects.create(code="THU3", version=1, name="Bộ thử", params={}, is_current=True)
    entry = AuditEntry.objects.order_by("seq").first()
    entry.payload = "{}"
    for attempt in (entry.save, entry.delete, lambda: AuditEntry.objects.filter(pk=entry.pk).update(payload="{}")):
        with pytest.raises(AppendOnlyError):
            attempt()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_verify_audit_reports_an_intact_chain(cast, appraisal, capsys):
    call_command("verify_audit")
    assert "Chuỗi kiểm toán nguyên vẹn" in capsys.readouterr().out


def test_an_edited_payload_is_reported_naming_the_entry(cast, appraisal):
    middle = AuditEntry.objects.order_by("seq")[AuditEntry.objects.count() // 2]
    data = middle.data
    data["edited"] = True
    sql("UPDATE audit_auditentry SET payload = %s WHERE id = %s", [json.dumps(data), middle.pk])
    verdict = verify()
    assert (verdict.seq, verdict.entry_id) == (middle.seq, middle.pk)
    message = verify_command_fails()
    assert f"mục số {middle.seq}" in message and "nội dung không khớp mã băm" in message


def test_a_middle_row_rewritten_with_a_fresh_hash_breaks_the_link_after_it(cast, appraisal):
    middle = AuditEntry.objects.order_by("seq")[AuditEntry.objects.count() // 2]
    forged = AuditEntry.objects.get(pk=middle.pk)
    forged.payload = json.dumps({"total": "99.00"})
    forged_hash = entry_hash(forged)  # the forger recomputes this entry's own hash
    sql("UPDATE audit_auditentry SET payload = %s, hash = %s WHERE id = %s", [forged.payload, forged_hash, middle.pk])
    verdict = verify()
    assert verdict.seq == middle.seq + 1
    assert f"mục số {middle.seq + 1}" in verify_command_fails()


def test_a_deleted_middle_row_is_reported(cast, appraisal):
    middle = AuditEntry.objects.order_by("seq")[AuditEntry.objects.count() // 2]
    sql("DELETE FROM audit_auditentry WHERE id = %s", [middle.pk])
    verdict = verify()
    assert verdict.seq == middle.seq + 1
    assert f"thiếu mục số {middle.seq}" in verify_command_fails()


def test_a_deleted_last_row_is_reported(cast, appraisal):
    last = AuditEntry.objects.order_by("-seq").first()
    sql("DELETE FROM audit_auditentry WHERE id = %s", [last.pk])
    assert not verify().ok
    assert "ở cuối" in verify_command_fails()


# ----------------------------------------------------------------------------- the desk


def test_the_desk_shows_system_admins_the_chain_health(cast, appraisal, client):
    page = reverse("admin:audit_auditentry_verify_chain")
    client.force_login(cast.sysadmin)
    assert "Chuỗi nguyên vẹn" in client.get(page).content.decode()
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    middle = AuditEntry.objects.order_by("seq")[1]
    sql("UPDATE audit_auditentry SET document_id = document_id + 1000000 WHERE id = %s", [middle.pk])
    body = client.get(page).content.decode()
    assert "Chuỗi bị phá vỡ" in body and f"mục số {middle.seq}" in body
    entry = reverse("admin:audit_auditentry_change", args=[middle.pk])
    assert client.post(entry, {"payload": "{}"}).status_code == 403  # read-only, even for them
    for persona in (cast.hr, cast.viewer, cast.official):
        client.force_login(persona)
        assert client.get(page).status_code in {302, 403}
        assert client.get(reverse("admin:audit_auditentry_changelist")).status_code in {302, 403}
