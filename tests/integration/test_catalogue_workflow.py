"""Catalogue approval on the workflow engine (SPEC 3.5, 4) with the cast's personas.

The chain: the HR admin drafts and submits, the head of the owner unit approves, the
authority of the owner's bloc publishes, and only then does the catalogue take effect.
"""

import copy
import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from tests.factories.workflow import PERSONAS, prepare_workflows
from tests.factories.worklogs import START, log, make_catalogue, put_in_state, work_cast
from thanhhoa_kpi.accounts.models import RoleGrant, User
from thanhhoa_kpi.catalogue import services
from thanhhoa_kpi.catalogue.approval import CATALOGUE_READY
from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueStatus
from thanhhoa_kpi.catalogue.selectors import items_usable_by
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.organization import services as org_services
from thanhhoa_kpi.organization.models import BlocAuthority
from thanhhoa_kpi.workflow.definition_checks import definition_errors
from thanhhoa_kpi.workflow.loaders import load_workflows
from thanhhoa_kpi.workflow.models import Notification, WorkflowDefinition
from thanhhoa_kpi.workflow.selectors import inbox_for, transition_history
from thanhhoa_kpi.workflow.services import WorkflowRefused, available_actions, workflow_transition

pytestmark = pytest.mark.django_db

STATES = ("DRAFT", "UNIT_REVIEW", "HOME_AFFAIRS", "PUBLISHED")
# state → persona → actions open to them, for a catalogue of the team drafted by the HR admin.
OFFERED = {
    "DRAFT": {"hr": ["submit"]},
    "UNIT_REVIEW": {"head": ["approve", "return"]},
    "HOME_AFFAIRS": {"authority": ["publish", "return"]},
    "PUBLISHED": {},
}
ON = date(2026, 6, 1)


@pytest.fixture
def wf(cast):
    prepare_workflows()
    return cast


def party_authority():
    """The authority of another bloc (the Party's), with a unit of that bloc."""
    unit = org_services.org_unit_create(
        by=SYSTEM, parent=None, code="V_BTC", name="Ban Tổ chức (thử)", bloc="DANG", level="TINH", kind="BAN_DANG"
    )
    BlocAuthority.objects.update_or_create(bloc="DANG", defaults={"unit": unit})
    user = User.objects.create_user(username="party", password="pw-2026!", email="party@example.vn")
    RoleGrant.objects.create(user=user, role="BLOC_AUTHORITY", bloc="DANG")
    return user


def drafted(wf, *, items=1, **fields):
    """A catalogue of the cast's team drafted by the HR admin, with ``items`` items."""
    values = {"code": "DM_PHONG_A", "name": "Danh mục phòng A", "owner_unit": wf.team, "effective_from": START}
    catalogue = services.catalogue_create(user=wf.hr, **{**values, **fields})
    for number in range(items):
        services.catalogue_item_save(
            catalogue=catalogue, user=wf.hr, code=f"A{number}", field="Văn hóa", task=f"Nhiệm vụ {number}",
            unit_of_measure="Văn bản", coefficient=Decimal("1.5"),
        )  # fmt: skip
    return catalogue


def act(document, action, user, comment=""):
    return workflow_transition(document=document, action=action, user=user, comment=comment)


def refusal(document, action, user, comment=""):
    with pytest.raises(WorkflowRefused) as refused:
        act(document, action, user, comment)
    return refused.value


def usable_codes(wf, on=ON):
    return set(items_usable_by(official=wf.official_of(wf.official), on=on).values_list("code", flat=True))


# -------------------------------------------------------------------------- the chain


def test_hr_drafts_and_submits_the_head_approves_the_authority_publishes(wf):
    catalogue = drafted(wf, items=2)
    assert (catalogue.state, catalogue.status) == ("DRAFT", CatalogueStatus.DRAFT)

    act(catalogue, "submit", wf.hr)
    act(catalogue, "approve", wf.head)
    assert usable_codes(wf) == set()  # approved by the unit, not yet in force
    assert Catalogue.objects.get(pk=catalogue.pk).status == CatalogueStatus.DRAFT
    act(catalogue, "publish", wf.authority)

    published = Catalogue.objects.get(pk=catalogue.pk)
    assert (published.state, published.status, published.approved_by) == ("PUBLISHED", "APPROVED", wf.authority)
    assert published.approved_at is not None and not published.is_editable
    assert usable_codes(wf) == {"A0", "A1"}
    assert log(wf.official, published.items.get(code="A0")).coefficient == Decimal("1.5")
    history = [(h.action, h.from_state, h.to_state, h.actor) for h in transition_history(document=published)]
    assert history == [
        ("submit", "DRAFT", "UNIT_REVIEW", wf.hr),
        ("approve", "UNIT_REVIEW", "HOME_AFFAIRS", wf.head),
        ("publish", "HOME_AFFAIRS", "PUBLISHED", wf.authority),
    ]
    assert published.history.filter(status=CatalogueStatus.APPROVED).first().history_user == wf.authority


@pytest.mark.parametrize("state", STATES)
def test_each_persona_is_offered_exactly_its_step(wf, state):
    catalogue = put_in_state(drafted(wf), state)
    users = {persona: getattr(wf, persona) for persona in PERSONAS} | {"party": party_authority()}
    for persona, user in users.items():
        offered = [option.action for option in available_actions(document=catalogue, user=user)]
        assert offered == OFFERED[state].get(persona, []), persona


def test_an_outsider_and_another_blocs_authority_cannot_act(wf):
    catalogue = put_in_state(drafted(wf), "HOME_AFFAIRS")
    for user in (wf.outsider, party_authority(), wf.viewer, wf.sysadmin, wf.hr):
        assert refusal(catalogue, "publish", user).code == "NOT_AN_APPROVER"
    put_in_state(catalogue, "UNIT_REVIEW")
    for user in (wf.outsider, wf.deputy, wf.authority, wf.hr):
        assert refusal(catalogue, "approve", user).code == "NOT_AN_APPROVER"
    assert Catalogue.objects.get(pk=catalogue.pk).state == "UNIT_REVIEW"


def test_the_author_never_approves_nor_publishes_their_own_catalogue(wf):
    catalogue = put_in_state(drafted(wf), "UNIT_REVIEW")
    Catalogue.objects.filter(pk=catalogue.pk).update(created_by=wf.head)
    catalogue.refresh_from_db()
    assert refusal(catalogue, "approve", wf.head).code == "SELF_ACTION"
    put_in_state(catalogue, "HOME_AFFAIRS")
    Catalogue.objects.filter(pk=catalogue.pk).update(created_by=wf.authority)
    catalogue.refresh_from_db()
    refused = refusal(catalogue, "publish", wf.authority)
    assert refused.code == "SELF_ACTION" and "hồ sơ của chính mình" in refused.message


def test_a_return_needs_a_reason_and_makes_the_catalogue_editable_again(wf):
    catalogue = drafted(wf)
    act(catalogue, "submit", wf.hr)
    refused = refusal(catalogue, "return", wf.head, comment="   ")
    assert refused.code == "COMMENT_REQUIRED" and "bắt buộc phải nhập lý do" in refused.message
    act(catalogue, "return", wf.head, comment="Bổ sung công việc tiếp dân.")
    assert Catalogue.objects.get(pk=catalogue.pk).is_editable
    services.catalogue_item_save(
        catalogue=catalogue, user=wf.hr, code="TD1", field="Tiếp dân", task="Tiếp công dân", unit_of_measure="Buổi",
        coefficient=Decimal("2"),
    )  # fmt: skip
    act(catalogue, "submit", wf.hr)
    act(catalogue, "approve", wf.head)
    assert refusal(catalogue, "return", wf.authority).code == "COMMENT_REQUIRED"
    act(catalogue, "return", wf.authority, comment="Hệ số chưa hợp lý.")
    comments = [h.comment for h in transition_history(document=catalogue) if h.action == "return"]
    assert comments == ["Bổ sung công việc tiếp dân.", "Hệ số chưa hợp lý."]


def test_published_is_final_a_catalogue_in_force_changes_only_by_a_new_version(wf):
    catalogue = put_in_state(drafted(wf), "HOME_AFFAIRS")
    act(catalogue, "publish", wf.authority)
    assert available_actions(document=catalogue, user=wf.authority) == []
    assert refusal(catalogue, "reopen", wf.authority, comment="Sai hệ số").code == "UNKNOWN_ACTION"
    for attempt in ("submit", "return"):
        assert refusal(catalogue, attempt, wf.authority, comment="x").code in {"NOT_ALLOWED_FROM_STATE"}
    copy = services.catalogue_new_version(catalogue=catalogue, user=wf.hr, effective_from=date(2026, 3, 1))
    assert (copy.state, copy.is_editable) == ("DRAFT", True)


# ---------------------------------------------------------------- taking effect


def test_the_guard_refuses_an_empty_catalogue_with_its_reason(wf):
    catalogue = put_in_state(drafted(wf, items=0), "HOME_AFFAIRS")
    refused = refusal(catalogue, "publish", wf.authority)
    assert refused.code == "GUARD_FAILED" and refused.http_status == 409
    assert refused.message == "Chưa thể thực hiện «Công khai (có hiệu lực)»: danh mục chưa có đầu công việc nào"
    assert refused.reasons == ("danh mục chưa có đầu công việc nào",)
    row = Catalogue.objects.get(pk=catalogue.pk)
    assert (row.state, row.status) == ("HOME_AFFAIRS", CatalogueStatus.DRAFT)
    assert not transition_history(document=row).exists()


def test_a_new_version_takes_effect_only_when_published_and_closes_the_previous_one(wf):
    work = work_cast(wf)
    copy = services.catalogue_new_version(catalogue=work.catalogue, user=wf.hr, effective_from=date(2026, 3, 1))
    services.catalogue_item_save(catalogue=copy, user=wf.hr, item=copy.items.get(code="VH01"), coefficient=Decimal("3"))
    act(copy, "submit", wf.hr)
    put_in_state(copy, "HOME_AFFAIRS")  # the ward has no head in the cast: skip its step
    old_ids = set(work.catalogue.items.values_list("pk", flat=True))
    assert set(items_usable_by(official=wf.official_of(wf.official), on=ON).values_list("pk", flat=True)) >= old_ids

    act(copy, "publish", wf.authority)

    work.catalogue.refresh_from_db()
    assert work.catalogue.effective_to == date(2026, 2, 28)
    assert work.catalogue.history.first().history_user == wf.authority
    on_june = items_usable_by(official=wf.official_of(wf.official), on=ON)
    assert on_june.get(code="VH01").catalogue == copy and on_june.get(code="VH01").coefficient == Decimal("3")
    on_february = items_usable_by(official=wf.official_of(wf.official), on=date(2026, 2, 1))
    assert on_february.get(code="VH01").pk == work.culture.pk


def test_the_guard_refuses_a_version_starting_before_the_one_in_force(wf):
    work = work_cast(wf)
    copy = services.catalogue_new_version(catalogue=work.catalogue, user=wf.hr, effective_from=date(2024, 6, 1))
    refused = refusal(put_in_state(copy, "HOME_AFFAIRS"), "publish", wf.authority)
    assert refused.code == "GUARD_FAILED"
    assert refused.reasons == (
        "phiên bản 1 đang áp dụng từ ngày 01/01/2025, danh mục này phải có hiệu lực sau ngày đó (đang là 01/06/2024)",
    )
    work.catalogue.refresh_from_db()
    assert work.catalogue.effective_to is None


def test_a_bloc_catalogue_is_reviewed_in_the_bloc_authoritys_unit(wf):
    catalogue = make_catalogue(None, "DM_KHOI", [("K01", "Văn hóa", "1")], bloc="CHINH_QUYEN",
                               status=CatalogueStatus.DRAFT, state="HOME_AFFAIRS")  # fmt: skip
    assert catalogue.workflow_subject_unit() == wf.home_affairs
    assert refusal(catalogue, "publish", party_authority()).code == "NOT_AN_APPROVER"
    act(catalogue, "publish", wf.authority)
    assert Catalogue.objects.get(pk=catalogue.pk).status == CatalogueStatus.APPROVED
    assert "K01" in usable_codes(wf)


# ----------------------------------------------------------------- inbox, notices


def test_the_catalogue_waits_in_the_inbox_of_the_next_actor_only(wf):
    party = party_authority()
    catalogue = drafted(wf)
    theirs = make_catalogue(None, "DM_DANG", [("D01", "Văn hóa", "1")], bloc="DANG",
                            status=CatalogueStatus.DRAFT, state="HOME_AFFAIRS")  # fmt: skip

    def inbox(user):
        return [item.document for item in inbox_for(user=user, doctype="catalogue")]

    assert inbox(wf.hr) == [catalogue]
    act(catalogue, "submit", wf.hr)
    assert (inbox(wf.head), inbox(wf.hr), inbox(wf.authority)) == ([catalogue], [], [])
    act(catalogue, "approve", wf.head)
    assert inbox(wf.authority) == [catalogue] and inbox(party) == [theirs]
    (item,) = inbox_for(user=wf.authority, doctype="catalogue")
    assert (item.doctype_label, item.state_label) == ("danh mục đầu công việc", "Cơ quan tổ chức cán bộ phê duyệt")
    for outsider in (wf.outsider, wf.official, wf.viewer, wf.head):
        assert inbox(outsider) == []


def test_the_next_actors_are_notified(wf, django_capture_on_commit_callbacks):
    catalogue = drafted(wf)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        act(catalogue, "submit", wf.hr)
    notice = Notification.objects.get(user=wf.head)
    assert notice.url == f"/admin/catalogue/catalogue/{catalogue.pk}/change/"
    assert "head@example.vn" in {message.to[0] for message in mail.outbox}


def test_the_desk_inbox_and_panel_carry_catalogues(wf, client):
    catalogue = put_in_state(drafted(wf), "UNIT_REVIEW")
    client.force_login(wf.head)
    inbox = client.get("/admin/workflow/notification/inbox/").content.decode()
    assert f'value="catalogue:{catalogue.pk}"' in inbox
    chosen = {"selected": [f"catalogue:{catalogue.pk}"], "action": "approve", "comment": ""}
    question = client.post("/admin/workflow/notification/inbox/", chosen)
    assert question.status_code == 200 and Catalogue.objects.get(pk=catalogue.pk).state == "UNIT_REVIEW"
    response = client.post("/admin/workflow/notification/inbox/", {**chosen, "confirmed": "1"}, follow=True)
    assert "Đã xử lý 1 tài liệu." in response.content.decode()
    assert Catalogue.objects.get(pk=catalogue.pk).state == "HOME_AFFAIRS"
    client.force_login(wf.hr)
    page = client.get(f"/admin/catalogue/catalogue/{catalogue.pk}/change/").content.decode()
    assert "Lịch sử xử lý" in page and 'name="action"' not in page


# ------------------------------------------------------------------ definition


def test_the_shipped_definition_validates_against_the_registered_guard(wf):
    row = WorkflowDefinition.objects.current("CATALOGUE")
    assert definition_errors(code=row.code, name=row.name, doctype=row.doctype, definition=row.definition) == []
    publish = next(t for t in row.parsed().transitions if t.action == "publish")
    assert publish.guards == (CATALOGUE_READY,)
    assert next(s for s in row.parsed().states if s.code == "PUBLISHED").terminal


def test_the_migration_creates_the_shipped_definition_when_none_exists(db):
    from django.apps import apps

    migration = importlib.import_module("thanhhoa_kpi.catalogue.migrations.0002_catalogue_workflow")
    shipped = next(row for row in read_file(FIXTURES_DIR / "base" / "workflows.json") if row["code"] == "CATALOGUE")
    # The snapshot predates effects as data; workflow migration 0004 adds them.
    effects = importlib.import_module("thanhhoa_kpi.workflow.migrations.0004_effects_as_data")
    snapshot = effects.with_effects("catalogue", copy.deepcopy(migration.SNAPSHOT))
    assert snapshot == {key: shipped[key] for key in ("states", "transitions")}
    created = migration._definition(apps)
    assert (created.code, created.version, created.is_current, created.name) == ("CATALOGUE", 1, True, shipped["name"])
    effects.declare(apps, None)  # the later migration, as `migrate` runs it
    stamp = WorkflowDefinition.objects.get(pk=created.pk).updated_at
    load_workflows(read_file(FIXTURES_DIR / "base" / "workflows.json"))
    assert WorkflowDefinition.objects.get(code="CATALOGUE").updated_at == stamp  # the seed finds it unchanged


# The definitions shipped before workflow migration 0004 made effects, tags and deadlines data.
BEFORE_EFFECTS = {"APPRAISAL", "CATALOGUE", "JOB_DESCRIPTION", "DEFINITION_CHANGE"}


def test_the_effects_migration_gives_every_stored_definition_exactly_what_the_shipped_ones_declare(db):
    """Existing databases: each shipped definition stripped of its effects, tags and deadlines
    (as it was stored before), once migrated, equals the shipped one."""
    effects = importlib.import_module("thanhhoa_kpi.workflow.migrations.0004_effects_as_data")
    for row in read_file(FIXTURES_DIR / "base" / "workflows.json"):
        if row["code"] not in BEFORE_EFFECTS:  # shipped later: never stored without its effects
            continue
        shipped = {key: row[key] for key in ("states", "transitions")}
        old = copy.deepcopy(shipped)
        for entry in old["states"]:
            del entry["tags"], entry["deadline"]
        for entry in old["transitions"]:
            del entry["effects"]
        assert effects.with_effects(row["doctype"], old) == shipped, row["code"]
