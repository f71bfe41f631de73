"""QĐ 366-QĐ/TW through the workflow: an official of a Party-bloc unit (issue 14, item 2).

The Party bloc's period uses the QD366 rule set; the official self-assesses on the Party
bloc's own general criteria (three groups, not ND 335's ten lines), the unit head reviews
and records the share of tasks exceeded, the bloc authority (Ban Tổ chức) publishes. The
level follows QĐ 366 Điều 11: the score reaches "xuất sắc", but a task delivered late
fails the "100 % on time" of "xuất sắc" and "tốt", so the level is "hoàn thành" (100 %
done, at most 20 % delayed), each step down explained and cited to QĐ 366, never ND 335.

QĐ 366 classifies by quarter and year too: the roll-up of the published months checks
the same conditions against the whole period's reviewed work, and takes the share
exceeded the reviewers confirmed (before, a QĐ 366 year was classified on its mean
alone and stopped at "tốt" for want of a share confirmed for the year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

import pytest
from django.utils import timezone

from tests.factories.appraisals import appraisal_of, lines, prepare_appraisals, self_assess, staff
from tests.factories.worklogs import assign, ensure_worklog_roles, log, make_catalogue
from thanhhoa_kpi.accounts.models import RoleGrant, User
from thanhhoa_kpi.appraisals import selectors, services
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod
from thanhhoa_kpi.appraisals.services.opening import period_open_run
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import BlocAuthority, JobPosition, Official, OrgUnit
from thanhhoa_kpi.workflow.services import workflow_transition
from thanhhoa_kpi.worklogs import services as worklogs
from thanhhoa_kpi.worklogs.models import Assignment, LineStatus, WorkLogLine, WorkPeriod

pytestmark = pytest.mark.django_db

PARTY_GENERAL = ["10", "9.5", "9"]  # the three groups of QĐ 366's framework for individuals: 28.5 of 30


@dataclass
class Party:
    unit: OrgUnit
    official: Official
    head: Official
    authority: User
    period: AppraisalPeriod


@pytest.fixture
def party(cast):
    """Tỉnh ủy > Ban Tổ chức (the bloc authority) and Ban Tuyên giáo (official and head); a QD366 month."""
    prepare_appraisals()
    ensure_worklog_roles()
    unit = partial(org.org_unit_create, by=SYSTEM, bloc="DANG", level="TINH")
    committee = unit(parent=None, code="T_TINH_UY", name="Tỉnh ủy (thử)", kind="TINH_UY")
    organising = unit(parent=committee, code="T_BTC_TU", name="Ban Tổ chức Tỉnh ủy (thử)", kind="BAN_DANG")
    propaganda = unit(parent=committee, code="T_BTG_TU", name="Ban Tuyên giáo Tỉnh ủy (thử)", kind="BAN_DANG")
    BlocAuthority.objects.update_or_create(bloc="DANG", defaults={"unit": organising})
    position = JobPosition.objects.create(code="T_CV_DANG", name="Chuyên viên", group="CHUYEN_MON_NGHIEP_VU",
                                          bloc="DANG")  # fmt: skip
    lead = JobPosition.objects.create(code="T_TB_DANG", name="Trưởng ban", group="LANH_DAO_QUAN_LY", bloc="DANG")
    official = staff(propaganda, "T0201", "Đặng Văn Phúc", position=position, fields=["Tuyên truyền"],
                     with_user=True)  # fmt: skip
    head = staff(propaganda, "T0202", "Mai Thị Quỳnh", position=lead, role="HEAD", with_user=True)
    authority = staff(organising, "T0203", "Tạ Văn Sơn", position=position, with_user=True).user
    RoleGrant.objects.create(user=authority, role="BLOC_AUTHORITY", bloc="DANG")
    make_catalogue(propaganda, "DM_BTG", [("TG01", "Tuyên truyền", "2"), ("TG02", "Tuyên truyền", "1")])
    today = timezone.localdate()
    period = services.period_create(user=authority, kind="MONTH", bloc="DANG", year=today.year, number=today.month,
                                    rule_set_code="QD366")  # fmt: skip
    services.period_open(user=authority, period=period)
    return Party(propaganda, official, head, authority, period_open_run(period_id=period.pk))


def _month_with_one_late_task(party: Party) -> None:
    """Everything assigned is done and accepted; one of the 24 converted products came late."""
    items = {item.code: item for item in CatalogueItem.objects.filter(catalogue__code="DM_BTG")}
    big = assign(party.head.user, party.official, items["TG01"], "10")  # coefficient 2
    small = assign(party.head.user, party.official, items["TG02"], "4")  # coefficient 1
    review = partial(worklogs.worklog_review, reviewer=party.head.user)
    review(line=log(party.official.user, quantity="10", assignment=big))
    review(line=log(party.official.user, quantity="4", assignment=small), delays=1)


def _through_the_workflow(party: Party) -> Appraisal:
    """Self-assessment, submission, the head's review with 40 % exceeded, approval, publication."""
    appraisal = appraisal_of(party.official, party.period)
    self_assess(appraisal, party.official.user, PARTY_GENERAL)
    workflow_transition(document=appraisal_of(party.official, party.period), action="submit",
                        user=party.official.user)  # fmt: skip
    appraisal = appraisal_of(party.official, party.period)
    services.appraisal_review_general(appraisal=appraisal, user=party.head.user, lines=lines(PARTY_GENERAL, appraisal))
    # The head confirms 40 % of the tasks exceeded: "xuất sắc" needs ≥ 30 % (QĐ 366 Điều 11).
    services.appraisal_set_ranking(appraisal=appraisal, user=party.head.user, exceeded_share="0.4")
    workflow_transition(document=appraisal_of(party.official, party.period), action="approve", user=party.head.user)
    workflow_transition(document=appraisal_of(party.official, party.period), action="publish", user=party.authority)
    return Appraisal.objects.get(pk=appraisal.pk)


def test_a_party_bloc_official_is_appraised_under_qd_366_from_self_assessment_to_publication(party):
    _month_with_one_late_task(party)
    appraisal = appraisal_of(party.official, party.period)
    assert (appraisal.rule_set_code, appraisal.rule_set_version) == ("QD366", 4)
    groups = list(appraisal.criteria.order_by("order").values_list("name", flat=True))
    assert groups[2] == "Tự phê bình và phê bình; tự soi, tự sửa; khắc phục hạn chế, khuyết điểm"  # not ND 335's

    appraisal = _through_the_workflow(party)
    assert appraisal.state == "PUBLISHED"
    # a = b = 100; c = (20 + 3.75) / 24 = 98.96 %; task 69.76; total 28.5 + 69.76 = 98.26.
    assert (appraisal.general_score, appraisal.task_score, appraisal.total) == (
        Decimal("28.50"), Decimal("69.76"), Decimal("98.26"),
    )  # fmt: skip
    assert appraisal.proposed_classification == "HOAN_THANH"
    assert appraisal.classification == "HOAN_THANH"
    explanation = appraisal.explanation
    assert explanation[0].startswith("Bộ quy tắc chấm điểm QD366 phiên bản 4: ")
    assert "người được đánh giá: cán bộ, đảng viên." in explanation[0]
    steps = [line for line in explanation if line.startswith("Điểm đạt mức")]
    assert steps == [
        "Điểm đạt mức Hoàn thành xuất sắc nhiệm vụ nhưng chưa đủ điều kiện kèm theo: đã hoàn thành 100% khối lượng "
        "được giao (yêu cầu từ 100%), 4,17% chậm tiến độ (tối đa 0%), 0% chưa bảo đảm chất lượng "
        "(tối đa 0%) (QĐ 366-QĐ/TW Điều 11): xếp loại thấp hơn, "
        "Hoàn thành tốt nhiệm vụ.",
        "Điểm đạt mức Hoàn thành tốt nhiệm vụ nhưng chưa đủ điều kiện kèm theo: đã hoàn thành 100% khối lượng "
        "được giao (yêu cầu từ 100%), 4,17% chậm tiến độ (tối đa 0%), 0% chưa bảo đảm chất lượng "
        "(tối đa 0%) (QĐ 366-QĐ/TW Điều 11): xếp loại thấp hơn, "
        "Hoàn thành nhiệm vụ.",
    ]
    assert explanation[-1] == "Xếp loại: Hoàn thành nhiệm vụ."
    assert not any("335" in line or "233" in line for line in explanation)


def _party_period(party: Party, kind: str, number: int = 1) -> AppraisalPeriod:
    year = timezone.localdate().year
    return services.period_create(user=party.authority, kind=kind, bloc="DANG", year=year, number=number,
                                  rule_set_code="QD366")  # fmt: skip


def _row_of(party: Party, period: AppraisalPeriod):
    found = selectors.classification_list(period=period, unit=party.unit, user=party.authority)
    assert found.rolled_up
    return next(row for row in found.rows if row.official == party.official)


def test_the_quarter_of_a_party_official_checks_its_work_as_the_month_did(party):
    """The month published "hoàn thành" (one late task): its quarter gets the same level for the same reason."""
    _month_with_one_late_task(party)
    _through_the_workflow(party)
    row = _row_of(party, _party_period(party, "QUARTER", (timezone.localdate().month - 1) // 3 + 1))
    assert (row.mean, row.by_score, row.final) == (Decimal("98.26"), "HOAN_THANH", "HOAN_THANH")
    assert (
        "Công việc cả kỳ: đã hoàn thành 100% khối lượng được giao, 4,17% chậm tiến độ; tỷ lệ nhiệm vụ vượt mức 40% "
        "(bình quân các kỳ theo khối lượng được giao quy đổi) (QĐ 366-QĐ/TW Điều 11)."
    ) in row.explanation
    assert row.explanation[-1] == "Xếp loại: Hoàn thành nhiệm vụ."


# Six months of this year other than the one the fixture opened, whenever the tests run.
MONTHS = [month for month in range(1, 13) if month != timezone.localdate().month][:6]


def _published_month(party: Party, month: int, *, delays: int, exceeded: str | None) -> None:
    """A month of the year published with 92 points: 10 products of coefficient 2 assigned and done."""
    year = timezone.localdate().year
    period = services.period_create(user=party.authority, kind="MONTH", bloc="DANG", year=year, number=month,
                                    rule_set_code="QD366")  # fmt: skip
    services.period_open(user=party.authority, period=period)
    period_open_run(period_id=period.pk)
    work_period = WorkPeriod.objects.get(year=year, month=month)
    item = CatalogueItem.objects.get(catalogue__code="DM_BTG", code="TG01")
    assignment = Assignment.objects.create(
        catalogue_item=item, assignee=party.official, period=work_period, quantity=Decimal(10), approved=True,
        coefficient=item.coefficient,
    )  # fmt: skip
    WorkLogLine.objects.create(
        official=party.official, date=date(year, month, 10), period=work_period, assignment=assignment,
        catalogue_item=item, quantity=Decimal(10), coefficient=item.coefficient, status=LineStatus.REVIEWED,
        accepted_quantity=Decimal(10), reviewed_at=timezone.now(), delays=delays,
    )  # fmt: skip
    Appraisal.objects.filter(official=party.official, period=period).update(
        state="PUBLISHED", score_status="OK", total=Decimal(92), task_score=Decimal(65), general_score=Decimal(27),
        assigned_converted=Decimal(20), exceeded_share=None if exceeded is None else Decimal(exceeded),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("late", "exceeded", "level"),
    [
        ({}, {0: "0.4", 1: "0.4", 2: "0.3", 3: "0.3", 4: "0.3", 5: "0.2"}, "HOAN_THANH_XUAT_SAC"),  # 32,5 % exceeded
        ({}, {0: "0.4", 1: "0.4", 2: "0.3"}, "HOAN_THANH_TOT"),  # 18,33 %: unconfirmed months exceeded nothing
        ({3: 1}, dict.fromkeys(range(6), "0.5"), "HOAN_THANH"),  # one late product of 60
        ({3: 10, 4: 3}, dict.fromkeys(range(6), "0.5"), "KHONG_HOAN_THANH"),  # 26 of 120 converted late: > 20 %
    ],
)
def test_the_year_of_a_party_official_is_classified_on_the_years_work(party, late, exceeded, level):
    """Six months of 92 points: the mean alone says "xuất sắc"; QĐ 366 Điều 11 reads the year's work.

    ``late`` and ``exceeded`` are keyed by the month's place in :data:`MONTHS`.
    """
    for index, month in enumerate(MONTHS):
        _published_month(party, month, delays=late.get(index, 0), exceeded=exceeded.get(index))
    row = _row_of(party, _party_period(party, "YEAR"))
    assert (row.months_worked, row.mean, row.by_score) == (6, Decimal("92.00"), level)
