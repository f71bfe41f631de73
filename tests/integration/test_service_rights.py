"""Write services check the acting user themselves (issue 9, build 1): called DIRECTLY here, no
desk page or API in between, with every persona of the cast.

Each refusal is a ``PermissionRefused`` (or ``NotFound``) and leaves the database as it was.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories.appraisals import appraisal_of, lines, opened, place, prepare_appraisals, self_assess
from tests.factories.worklogs import log, previous_period
from thanhhoa_kpi.accounts.models import RoleGrant
from thanhhoa_kpi.appraisals import services as appraisals
from thanhhoa_kpi.competencies import services as competencies
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.errors import Conflict, DomainError, NotFound, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import JobPosition, Official, OfficialAssignment, OrgUnit
from thanhhoa_kpi.workflow.services import workflow_transition
from thanhhoa_kpi.worklogs import services as worklogs
from thanhhoa_kpi.worklogs.models import LineStatus, WorkPeriod

pytestmark = pytest.mark.django_db

PERSONAS = ["official", "colleague", "deputy", "head", "authority", "hr", "viewer", "outsider", "province_hr",
            "sysadmin"]  # fmt: skip
HR_OF_THE_WARD = {"hr", "province_hr", "sysadmin"}
REFUSED = (PermissionRefused, NotFound)


def _snapshot():
    return {
        "units": list(OrgUnit.objects.order_by("pk").values_list("pk", "path", "name", "bloc")),
        "officials": list(Official.objects.order_by("pk").values_list("pk", "user_id", "full_name")),
        "postings": list(
            OfficialAssignment.objects.order_by("pk").values_list("pk", "unit_id", "leadership_role", "end_date")
        ),
        "positions": list(JobPosition.objects.order_by("pk").values_list("pk", "name", "bloc")),
    }


def _refused_unchanged(call):
    before = _snapshot()
    with pytest.raises(REFUSED) as caught:
        call()
    assert _snapshot() == before
    return caught.value


# ------------------------------------------------------------------ org units


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_unit_is_added_under_the_ward_only_by_its_hr_admins(cast, persona):
    user = getattr(cast, persona)

    def create():
        return org.org_unit_create(by=user, parent=cast.team, code="T_TO_1", name="Tổ 1", bloc="CHINH_QUYEN",
                                   level="XA", kind="PHONG")  # fmt: skip

    if persona in HR_OF_THE_WARD:
        assert create().path.startswith(cast.team.path)
    else:
        _refused_unchanged(create)


def test_the_ward_hr_admin_cannot_move_a_unit_out_of_the_ward_nor_create_a_root(cast):
    _refused_unchanged(lambda: org.org_unit_move(by=cast.hr, unit=cast.team, new_parent=cast.other_dept))
    _refused_unchanged(lambda: org.org_unit_move(by=cast.hr, unit=cast.other_team, new_parent=cast.ward))
    _refused_unchanged(
        lambda: org.org_unit_create(
            by=cast.hr, parent=None, code="T_GOC", name="Gốc", bloc="DANG", level="TINH", kind="TINH_UY"
        )  # fmt: skip
    )
    moved = org.org_unit_move(by=cast.province_hr, unit=cast.team, new_parent=cast.other_dept)
    assert moved.path.startswith(cast.other_dept.path)


def test_a_bloc_hr_admin_cannot_give_a_unit_a_bloc_they_do_not_manage(cast):
    RoleGrant.objects.create(user=cast.colleague, role="HR_ADMIN", bloc="CHINH_QUYEN")
    _refused_unchanged(lambda: org.org_unit_update(by=cast.colleague, unit=cast.other_team, bloc="DANG"))
    assert org.org_unit_update(by=cast.colleague, unit=cast.other_team, name="Phòng B mới").name == "Phòng B mới"


# ------------------------------------------------------------------ postings


@pytest.mark.parametrize("persona", PERSONAS)
def test_postings_in_the_ward_are_changed_only_by_its_hr_admins(cast, persona):
    user = getattr(cast, persona)
    colleague = cast.official_of(cast.colleague)

    def promote():
        return org.official_transfer(by=user, official=colleague, unit=cast.team, position=cast.lead_position,
                                     on=date(2026, 6, 1), leadership_role="HEAD")  # fmt: skip

    if persona in HR_OF_THE_WARD:
        assert promote().leadership_role == "HEAD"
    else:
        _refused_unchanged(promote)


def test_an_official_never_changes_their_own_posting_even_as_an_hr_admin(cast):
    RoleGrant.objects.create(user=cast.official, role="HR_ADMIN", unit=cast.ward)
    me = cast.official_of(cast.official)
    posting = OfficialAssignment.objects.get(official=me)
    attempts = [
        lambda: org.official_assign(by=cast.official, official=me, unit=cast.team, position=cast.lead_position,
                                    start_date=date(2026, 6, 1), leadership_role="HEAD"),
        lambda: org.official_transfer(by=cast.official, official=me, unit=cast.team, position=cast.lead_position,
                                      on=date(2026, 6, 1), leadership_role="HEAD"),
        lambda: org.assignment_delete(by=cast.official, assignment=posting),
    ]  # fmt: skip
    for attempt in attempts:
        assert _refused_unchanged(attempt).code == "SELF_ACTION"
    posting.leadership_role = "HEAD"
    assert _refused_unchanged(lambda: org.assignment_save(by=cast.official, assignment=posting)).code == "SELF_ACTION"


def test_an_hr_admin_cannot_post_an_official_outside_their_scope_nor_take_one_from_outside(cast):
    official = cast.official_of(cast.official)
    outsider = cast.official_of(cast.outsider)
    _refused_unchanged(lambda: org.official_transfer(by=cast.hr, official=official, unit=cast.other_team,
                                                     position=cast.position, on=date(2026, 6, 1)))  # fmt: skip
    _refused_unchanged(lambda: org.official_transfer(by=cast.hr, official=outsider, unit=cast.team,
                                                     position=cast.position, on=date(2026, 6, 1)))  # fmt: skip
    posting = OfficialAssignment.objects.get(official=official)
    posting.unit = cast.other_team
    _refused_unchanged(lambda: org.assignment_save(by=cast.hr, assignment=posting))


def test_nobody_links_an_official_record_to_their_own_account(cast):
    head = cast.official_of(cast.head)
    for persona in ("hr", "province_hr", "sysadmin"):
        user = getattr(cast, persona)
        error = _refused_unchanged(lambda user=user: org.official_update(by=user, official=head, user=user))
        assert error.code == "SELF_ACTION"
    _refused_unchanged(lambda: org.official_update(by=cast.viewer, official=head, user=cast.viewer))
    _refused_unchanged(
        lambda: org.official_create(by=cast.hr, code="T0900", full_name="Bản thân", user=cast.hr,
                                    assignment={"unit": cast.team, "position": cast.position,
                                                "start_date": date(2026, 1, 1), "leadership_role": "HEAD"})
    )  # fmt: skip


def test_the_system_actor_is_for_loaders_and_nobody_passes_none_for_it(cast):
    unit = org.org_unit_create(by=SYSTEM, parent=None, code="T_GOC", name="Gốc", bloc="DANG", level="TINH",
                               kind="TINH_UY")  # fmt: skip
    assert unit.depth == 1
    _refused_unchanged(lambda: org.org_unit_create(by=None, parent=cast.team, code="T_X", name="X",
                                                   bloc="CHINH_QUYEN", level="XA", kind="PHONG"))  # fmt: skip


# ------------------------------------------------------------------ bloc-wide and province-wide rows


@pytest.mark.parametrize("persona", PERSONAS)
def test_job_positions_are_changed_by_province_level_roles_only(cast, persona):
    user = getattr(cast, persona)
    if persona in {"province_hr", "sysadmin"}:
        assert org.position_save(by=user, position=cast.position, name="Chuyên viên chính").name == "Chuyên viên chính"
        assert org.position_save(by=user, code="T_DANG", name="Chuyên viên Đảng", group="CHUYEN_MON_NGHIEP_VU",
                                 bloc="DANG").pk  # fmt: skip
    else:
        _refused_unchanged(lambda: org.position_save(by=user, position=cast.position, name="Đổi tên"))
        _refused_unchanged(lambda: org.position_save(by=user, code="T_DANG", name="Chuyên viên Đảng",
                                                     group="CHUYEN_MON_NGHIEP_VU", bloc="DANG"))  # fmt: skip


def test_an_hr_admin_of_a_bloc_changes_that_blocs_positions_only(cast):
    RoleGrant.objects.create(user=cast.colleague, role="HR_ADMIN", bloc="CHINH_QUYEN")
    assert org.position_save(by=cast.colleague, position=cast.position, name="Chuyên viên 2").name == "Chuyên viên 2"
    error = _refused_unchanged(lambda: org.position_save(by=cast.colleague, position=cast.position, bloc="DANG"))
    assert error.code == "PROVINCE_LEVEL_ONLY"


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_competency_framework_is_province_only(cast, persona):
    user = getattr(cast, persona)
    if persona in {"province_hr", "sysadmin"}:
        competencies.require_editor(user)
    else:
        with pytest.raises(PermissionRefused):
            competencies.require_editor(user)


# ------------------------------------------------------------------ work-log review


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_officials_line_is_reviewed_by_their_head_or_field_deputy_never_by_themself(cast, work, persona):
    line = log(cast.official, work.culture)
    user = getattr(cast, persona)
    if persona in {"head", "deputy"}:
        assert worklogs.worklog_review(line=line, reviewer=user).status == LineStatus.REVIEWED
        return
    with pytest.raises(PermissionRefused) as caught:
        worklogs.worklog_review(line=line, reviewer=user)
    line.refresh_from_db()
    assert (line.status, line.reviewed_by_id) == (LineStatus.DRAFT, None)
    if persona == "official":
        assert caught.value.code == "SELF_REVIEW"


def test_a_head_never_reviews_their_own_line(cast, work):
    line = log(cast.head, work.culture)
    with pytest.raises(PermissionRefused):
        worklogs.worklog_review(line=line, reviewer=cast.head)
    line.refresh_from_db()
    assert line.status == LineStatus.DRAFT


# ------------------------------------------------------------------ work periods (back-dating)


def test_a_line_dated_in_a_month_never_opened_is_refused_and_opens_nothing(cast, work):
    months = WorkPeriod.objects.count()
    for day in (date(1999, 3, 15), date(2024, 2, 10)):
        with pytest.raises(ValidationFailed) as caught:
            log(cast.official, work.culture, date=day)
        error = caught.value
        assert error.code == "PERIOD_NOT_OPEN"
        assert [e.field for e in error.errors] == ["date"]
        assert error.message.startswith(f"Tháng {day:%m/%Y} chưa được mở để ghi nhật ký")
    assert WorkPeriod.objects.count() == months


def test_last_month_is_logged_only_once_it_was_opened(cast, work):
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    WorkPeriod.objects.filter(year=last_month.year, month=last_month.month).delete()
    with pytest.raises(ValidationFailed):
        log(cast.official, work.culture, date=last_month)
    assert not WorkPeriod.objects.filter(year=last_month.year, month=last_month.month).exists()
    previous_period()  # opened (as the appraisal-period services do)
    assert log(cast.official, work.culture, date=last_month).period.month == last_month.month


def test_a_draft_cannot_be_moved_into_a_month_never_opened(cast, work):
    line = log(cast.official, work.culture)
    with pytest.raises(ValidationFailed) as caught:
        worklogs.worklog_update(line=line, user=cast.official, date=date(2020, 5, 4))
    assert caught.value.code == "PERIOD_NOT_OPEN"
    line.refresh_from_db()
    assert line.date == timezone.localdate()


# ------------------------------------------------------------------ appraisals


@pytest.fixture
def appraisal(cast, work):
    prepare_appraisals()
    period = opened(cast)
    return self_assess(appraisal_of(cast.official, period), cast.official)


RESCORE_IN_DRAFT = {"official", "head", "deputy", "authority"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_rescoring_a_draft_needs_the_right_to_change_it(cast, appraisal, persona):
    user = getattr(cast, persona)
    before = appraisal.scored_at
    if persona in RESCORE_IN_DRAFT:
        assert appraisals.appraisal_score(appraisal=appraisal, user=user).scored_at >= before
        return
    with pytest.raises(PermissionRefused):
        appraisals.appraisal_score(appraisal=appraisal, user=user)
    appraisal.refresh_from_db()
    assert appraisal.scored_at == before


def test_the_subject_may_not_rescore_once_submitted_but_the_reviewer_may(cast, appraisal):
    workflow_transition(document=appraisal, action="submit", user=cast.official)
    appraisal.refresh_from_db()
    with pytest.raises(PermissionRefused) as caught:
        appraisals.appraisal_score(appraisal=appraisal, user=cast.official)
    assert caught.value.code == "NOT_EDITABLE"
    assert appraisals.appraisal_score(appraisal=appraisal, user=cast.head).pk == appraisal.pk


@pytest.mark.parametrize("persona", PERSONAS)
def test_nobody_rescores_a_published_appraisal(cast, appraisal, persona):
    place(appraisal, "PUBLISHED")
    with pytest.raises((Conflict, *REFUSED)):
        appraisals.appraisal_score(appraisal=appraisal, user=getattr(cast, persona))


def test_nobody_scores_as_reviewer_or_approves_their_own_appraisal(cast, appraisal):
    with pytest.raises(PermissionRefused) as caught:
        appraisals.appraisal_review_general(appraisal=appraisal, user=cast.official, lines=lines(["4"], appraisal))
    assert caught.value.code == "SELF_ACTION"
    head_appraisal = self_assess(appraisal_of(cast.head, appraisal.period), cast.head)
    workflow_transition(document=head_appraisal, action="submit", user=cast.head)
    head_appraisal.refresh_from_db()
    state = head_appraisal.state
    with pytest.raises(DomainError):
        workflow_transition(document=head_appraisal, action="approve", user=cast.head)
    head_appraisal.refresh_from_db()
    assert head_appraisal.state == state
