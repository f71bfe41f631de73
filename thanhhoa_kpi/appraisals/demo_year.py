"""The annual cycle of one pilot agency, end to end, on the demo data (issue 14; ``manage.py demo_year``).

On a database seeded with ``base,thanhhoa,demo``, for one unit (default: Phòng Văn hóa -
Xã hội of phường Hạc Thành) and one year, every step goes through the services that own
it, by the people the org chart and the workflow definitions name:

1. each month of the year that has begun: the bloc authority creates and opens the month's
   period (the opening job runs here if no worker took it); the unit's leaders assign work
   from the catalogue in force to each official (the head to the staff, the deputy in
   charge of the field to the head), the officials log it, the leaders review it (some
   lines late, one official with a weaker year); the officials self-assess the general
   criteria, the reviewer reviews them, the appraisals are submitted and approved (the
   demo's helpers in :mod:`thanhhoa_kpi.appraisals.demo`) and the bloc authority
   publishes the unit's batch; an ended month's work period is then closed;
2. the agency's own appraisal of the year (UNIT_APPRAISAL workflow): the agency enters
   its general criteria, submits (scored from the year's data), the bloc authority
   approves; an appraisal approved earlier on fewer data is reopened and returned first;
3. the YEAR period and its classification list rolled up from the published months, with
   the excellence quota (binding on the year) and the head capped by the agency's level;
4. the year's competency assessments of the unit's officials: opened by the bloc
   authority, self-assessed, reviewed and approved by whoever the definition names;
5. the competency gap report of the unit for the year, written as an XLSX file.

The seeded data decides which year works: the demo officials are posted from 1 January
2026 and the pilot catalogues are in force from 1 June 2026, so a month before June has
no work to assign (its appraisal is published with the general criteria only and its
score status says why), and a year before 2026 has nobody to appraise. The default year
(:func:`default_year`) is last calendar year when the unit's officials were already
posted on its 1 January, else this year: 2026 while it runs (its last month is the
current one, logged up to today), 2026 again in 2027.

Running it again changes nothing: a month whose appraisals are all published, an agency
appraisal approved on the current data and assessments already approved are left as they
are and reported as existing. The unit head's appraisal and competency assessment are
reviewed by the head of the parent unit (the ward's chairman, ``demo_chutich``); where
another org chart has no one to take a step, the appraisal step is recorded as the demo
does (:func:`thanhhoa_kpi.appraisals.demo.advance_appraisals`) and a competency assessment
is left waiting, reported as such.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from thanhhoa_kpi.accounts.access import current_assignments
from thanhhoa_kpi.accounts.models import RoleGrant, User
from thanhhoa_kpi.accounts.roles import Role
from thanhhoa_kpi.appraisals import agency, demo, selectors, services, states
from thanhhoa_kpi.appraisals.choices import HOME_AFFAIRS, OpeningStatus, PeriodKind, PeriodStatus, classification_label
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod, UnitAppraisal
from thanhhoa_kpi.appraisals.rights import may_manage_unit_appraisal
from thanhhoa_kpi.appraisals.rollups import ClassificationRow
from thanhhoa_kpi.appraisals.rulesets import current_rule_set, rule_set_params
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.catalogue.selectors import items_usable_by
from thanhhoa_kpi.competencies import states as competency_states
from thanhhoa_kpi.competencies.assessments import (
    competency_assessment_open,
    competency_assessment_review,
    competency_assessment_self_assess,
)
from thanhhoa_kpi.competencies.models import CompetencyAssessment
from thanhhoa_kpi.formats.numbers import decimal_text
from thanhhoa_kpi.organization.models import Official, OrgUnit
from thanhhoa_kpi.reports.builtin_competencies import competency_gap
from thanhhoa_kpi.reports.exports import export
from thanhhoa_kpi.scoring.agency import score_agency
from thanhhoa_kpi.workflow.services import workflow_transition
from thanhhoa_kpi.workflow.tags import has_tag
from thanhhoa_kpi.worklogs import rights as work_rights
from thanhhoa_kpi.worklogs.assignments import assignment_create, reference_day
from thanhhoa_kpi.worklogs.loaders import demo_day
from thanhhoa_kpi.worklogs.models import Assignment, LineStatus, WorkLogLine, WorkPeriod
from thanhhoa_kpi.worklogs.models import PeriodStatus as WorkStatus
from thanhhoa_kpi.worklogs.services import work_period_set_status, worklog_create, worklog_review

DEFAULT_UNIT = "HT_VHXH"
AGENCY_GENERAL_SCORE = "27"  # the agency's own general criteria (of 30)
# General criteria in the order of the rule set's criteria (ND 335: 1.1, 1.2 of 5; 2.1–3.4 of 2,5).
STRONG_SELF = ["5", "5", "2.5", "2.5", "2.5", "2.5", "2.5", "2.5", "2.5", "2.5"]
STRONG_REVIEW = ["5", "4.5", "2.5", "2.5", "2.5", "2.5", "2.5", "2.5", "2.5", "2.5"]
WEAK_SELF = ["4.5", "4.5", "2", "2", "2", "2", "2", "2", "2", "2"]
WEAK_REVIEW = ["3.5", "3", "2", "2", "1.5", "1.5", "1.5", "1.5", "1", "1"]
STRONG, WEAK, HEAD = "strong", "weak", "head"
Log = Callable[[str], None]


@dataclass
class MonthResult:
    number: int
    existing: bool
    assignments: int = 0
    lines: int = 0
    published: int = 0
    note: str = ""
    levels: list[str] = field(default_factory=list)  # "name total (level)" per official
    warnings: list[str] = field(default_factory=list)  # the publication's preview of the quota and head cap


@dataclass
class YearResult:
    unit: OrgUnit
    year: int
    months: list[MonthResult] = field(default_factory=list)
    officials: list[Official] = field(default_factory=list)
    monthly: dict[int, dict[int, Appraisal]] = field(default_factory=dict)  # official → month → appraisal
    annual: dict[int, ClassificationRow] = field(default_factory=dict)
    agency: UnitAppraisal | None = None
    agency_existing: bool = False
    assessments: list[CompetencyAssessment] = field(default_factory=list)
    assessments_waiting: list[str] = field(default_factory=list)
    report: Path | None = None
    report_rows: int = 0


# ------------------------------------------------------------------------------ people


def bloc_authority(bloc: str) -> User:
    grant = RoleGrant.objects.filter(role=Role.BLOC_AUTHORITY, bloc=bloc).select_related("user").order_by("pk").first()
    if grant is None:
        raise ValueError(f"Khối {bloc} chưa có tài khoản cơ quan tổ chức cán bộ (vai trò BLOC_AUTHORITY).")
    return grant.user


def _agency_clerk(unit: OrgUnit) -> User:
    """Who enters the agency's own general criteria: an HR admin managing the unit, else the system admin."""
    for grant in RoleGrant.objects.filter(role=Role.HR_ADMIN).select_related("user").order_by("pk"):
        if may_manage_unit_appraisal(grant.user, unit):
            return grant.user
    return demo.admin_user()


def _leaders(unit: OrgUnit, on: date) -> list[User]:
    """The unit's head then deputies with an account: who assigns and reviews the work."""
    rows = current_assignments(on).filter(unit__path__startswith=unit.path, leadership_role__in=["HEAD", "DEPUTY"],
                                          official__user__isnull=False)  # fmt: skip
    ordered = sorted(
        rows.select_related("official__user"), key=lambda r: (r.leadership_role != "HEAD", r.official.code)
    )
    return [row.official.user for row in ordered]


def _director(leaders: list[User], official: Official, item: CatalogueItem) -> User | None:
    return next((user for user in leaders if work_rights.can_direct(user, official, item.field)), None)


def _profiles(rows: list[Appraisal]) -> dict[int, str]:
    """The head is strong, the last of the others (by code) has the weaker year, the rest are strong."""
    found = {row.official_id: HEAD if row.leadership_role == "HEAD" else STRONG for row in rows}
    others = sorted((row for row in rows if row.leadership_role != "HEAD"), key=lambda row: row.official.code)
    if len(others) > 1:
        found[others[-1].official_id] = WEAK
    return found


# ------------------------------------------------------------------------------ months


def default_year(unit: OrgUnit) -> int:
    """Last calendar year if the unit's officials were posted on its first day (all twelve months
    closed), else this year (the demo's postings start on 1 January 2026)."""
    previous = timezone.localdate().year - 1
    posted = current_assignments(date(previous, 1, 1)).filter(unit__path__startswith=unit.path).exists()
    return previous if posted else previous + 1


def _months(unit: OrgUnit, year: int) -> list[int]:
    """The months of ``year`` begun so far; refused before anything is written for a year that has
    not begun or in which nobody works in the unit."""
    today = timezone.localdate()
    if year > today.year:
        raise ValueError(f"Năm {year} chưa bắt đầu; chọn năm {today.year} hoặc trước đó.")
    if not current_assignments(min(date(year, 12, 31), today)).filter(unit__path__startswith=unit.path).exists():
        raise ValueError(f"Năm {year} {unit.name} không có cán bộ nào công tác; chọn năm khác (--year).")
    return list(range(1, 13 if year < today.year else today.month + 1))


def _rule_set_code(bloc: str) -> str:
    used = (
        AppraisalPeriod.objects.filter(bloc=bloc).order_by("-year", "-number").values_list("rule_set_code", flat=True)
    )
    return used.first() or "ND335"


def _period(unit: OrgUnit, kind: str, year: int, number: int, authority: User) -> AppraisalPeriod:
    period = AppraisalPeriod.objects.filter(bloc=unit.bloc, kind=kind, year=year, number=number).first()
    if period is None:
        period = services.period_create(user=authority, kind=kind, bloc=unit.bloc, year=year, number=number,
                                        rule_set_code=_rule_set_code(unit.bloc))  # fmt: skip
    return period


def _open(period: AppraisalPeriod, authority: User) -> None:
    if period.status == PeriodStatus.DRAFT:
        services.period_open(user=authority, period=period)
    period.refresh_from_db()
    if period.opening_status != OpeningStatus.DONE:  # no worker took the job: run it here (it skips what exists)
        services.period_open_run(period_id=period.pk)


def _plan(official: Official, index: int, work: WorkPeriod, leaders: list[User]) -> list[tuple[CatalogueItem, User]]:
    """Two items of the catalogue in force that a leader may assign to ``official`` (by position in the list)."""
    items = items_usable_by(official=official, on=reference_day(work)).filter(
        coefficient__gte=Decimal("0.5"), coefficient__lte=Decimal(5)
    )
    usable = [(item, user) for item in items.order_by("code") if (user := _director(leaders, official, item))]
    if not usable:
        return []
    picked = {(2 * index + step) % len(usable) for step in (0, 1)}
    return [usable[i] for i in sorted(picked)]


def _assign(rows: list[Appraisal], work: WorkPeriod, leaders: list[User]) -> int:
    """Work for every official of the unit who has none this month; how many assignments were made."""
    made = 0
    for index, row in enumerate(sorted(rows, key=lambda r: r.official.code)):
        official = row.official
        if official.user is None or Assignment.objects.filter(assignee=official, period=work).exists():
            continue
        for item, director in _plan(official, index, work, leaders):
            quantity = max(1, int(Decimal(6) / item.coefficient))
            assignment_create(user=director, catalogue_item=item, assignee=official, quantity=quantity, period=work,
                              deadline=demo_day(work, 25, past=False),
                              note=f"Giao việc tháng {work.month:02d}/{work.year} (dữ liệu mẫu cả năm)")  # fmt: skip
            made += 1
    return made


def _log(rows: list[Appraisal], work: WorkPeriod) -> int:
    """Each official logs what remains of their assignments, in two lines where it splits."""
    written = 0
    for row in rows:
        user = row.official.user
        for assignment in Assignment.objects.filter(assignee=row.official, period=work, approved=True).order_by("pk"):
            logged = assignment.lines.aggregate(total=Sum("quantity"))["total"] or Decimal(0)
            remaining = assignment.quantity - logged
            if remaining <= 0 or user is None:
                continue
            first = (remaining / 2).to_integral_value() if remaining >= 2 and logged == 0 else remaining
            for part, day in ((first, 8), (remaining - first, 22)):
                if part <= 0:
                    continue
                minutes = min(int(assignment.catalogue_item.standard_minutes or 60) * int(part), 480)
                text = f"{assignment.catalogue_item.task} (tháng {work.month:02d}/{work.year})"
                worklog_create(user=user, date=demo_day(work, day), quantity=part, minutes=minutes,
                               assignment=assignment, description=text)  # fmt: skip
                written += 1
    return written


def _outcome(profile: str, month: int, position: int) -> dict[str, Any]:
    """The review of an official's ``position``-th line of the month: deterministic, some late."""
    if profile == WEAK:
        late = position == 0 and month % 4 != 0
        failed = position == 1 and month % 3 == 0
        return {
            "delays": int(late), "quality_failures": int(failed),
            "comment": "Chậm so với hạn được giao." if late else ("Phải sửa lại một lần." if failed else ""),
        }  # fmt: skip
    late = profile == STRONG and position == 0 and month in (7, 10)
    return {"delays": int(late), "comment": "Nộp chậm một ngày." if late else ""}


def _review(rows: list[Appraisal], work: WorkPeriod, profiles: dict[int, str], leaders: list[User]) -> None:
    for row in rows:
        lines = WorkLogLine.objects.filter(official=row.official, period=work).select_related("catalogue_item")
        for position, line in enumerate(lines.order_by("date", "pk")):
            if line.status != LineStatus.DRAFT:
                continue
            reviewer = _director(leaders, row.official, line.catalogue_item)
            if reviewer is not None:
                worklog_review(
                    line=line, reviewer=reviewer, **_outcome(profiles[row.official_id], work.month, position)
                )


def _scores(rows: list[Appraisal], profiles: dict[int, str]) -> dict[str, dict[str, Any]]:
    people = {}
    for row in rows:
        weak = profiles[row.official_id] == WEAK
        spec: dict[str, Any] = {"self": WEAK_SELF if weak else STRONG_SELF,
                                "reviewer": WEAK_REVIEW if weak else STRONG_REVIEW}  # fmt: skip
        if row.is_leader:
            spec.update(dd=100, e=100)
        people[row.official.code] = spec
    return people


def _month_levels(rows: Any) -> list[str]:
    return [f"{row.official.full_name} {_total(row)} {_short(row)}" for row in rows.order_by("official__code")]


def run_month(unit: OrgUnit, year: int, month: int, authority: User) -> MonthResult:
    """One month of the unit, from the period's creation to the publication of its batch."""
    period = _period(unit, PeriodKind.MONTH, year, month, authority)
    mine = Appraisal.objects.filter(period=period, unit__path__startswith=unit.path).select_related("official")
    if mine.exists() and not mine.exclude(states.tagged_q(states.PUBLISHED)).exists():
        return MonthResult(month, existing=True, published=mine.count(), levels=_month_levels(mine))
    _open(period, authority)
    rows = list(mine.select_related("official__user", "unit").order_by("official__code"))
    work = WorkPeriod.objects.get(year=year, month=month)
    result = MonthResult(month, existing=False)
    if work.is_open:
        profiles = _profiles(rows)
        leaders = _leaders(unit, reference_day(work))
        result.assignments = _assign(rows, work, leaders)
        result.lines = _log(rows, work)
        _review(rows, work, profiles, leaders)
        if not leaders:
            result.note = "đơn vị không có lãnh đạo để giao và duyệt việc, chỉ chấm tiêu chí chung"
        elif not Assignment.objects.filter(period=work, assignee__in=[row.official for row in rows]).exists():
            result.note = "không có đầu công việc nào trong danh mục có hiệu lực của đơn vị, chỉ chấm tiêu chí chung"
    rows = list(mine.select_related("official__user", "unit").order_by("pk"))
    demo.advance_appraisals(rows, HOME_AFFAIRS, _scores(rows, _profiles(rows)))
    if mine.filter(states.tagged_q(states.APPROVAL)).exists():
        outcome = services.period_publish_unit(period=period, unit=unit, user=authority)
        result.published, result.warnings = len(outcome.published), outcome.warnings
    if work.is_open and work.last_day < timezone.localdate():
        work_period_set_status(period=work, user=demo.admin_user(), status=WorkStatus.CLOSED)
    result.levels = _month_levels(mine)
    return result


# ------------------------------------------------------------------------------ agency


def _agency_up_to_date(row: UnitAppraisal) -> bool:
    figures, counted, _code = agency.agency_figures(row)
    places = UnitAppraisal._meta.get_field("task_percent").decimal_places  # as stored
    return counted == row.months_counted and round(figures.task_percent, places) == row.task_percent


def _draft_task_score(unit: OrgUnit, year: int, general: Decimal) -> Decimal:
    """The task score the data gives now, so that the draft the agency enters is already consistent."""
    probe = UnitAppraisal(unit=unit, year=year, general_score=general)
    figures, _counted, code = agency.agency_figures(probe)
    return score_agency(figures, rule_set_params(current_rule_set(code))).task_score


def run_agency(unit: OrgUnit, year: int) -> tuple[UnitAppraisal, bool]:
    """The agency's appraisal approved on the year's data; True when it already was."""
    row = UnitAppraisal.objects.filter(unit=unit, year=year).first()
    if row is not None and has_tag(row, agency.APPROVED) and _agency_up_to_date(row):
        return row, True
    reason = f"Chấm lại theo số liệu cả năm {year} (dữ liệu mẫu cả năm)."
    if row is not None and (has_tag(row, agency.APPROVED) or has_tag(row, agency.PUBLISHED)):
        demo.take_steps(row, ["reopen"], comment=reason)
    if row is not None and has_tag(row, agency.AWAITING_AUTHORITY):
        demo.take_steps(row, ["return"], comment=reason)
    general = Decimal(AGENCY_GENERAL_SCORE)
    row = services.unit_appraisal_save(
        user=_agency_clerk(unit), unit=unit, year=year, general_score=general,
        task_score=_draft_task_score(unit, year, general),
        notes=f"Đánh giá năm {year} của {unit.name}: tiêu chí chung do đơn vị tự chấm (dữ liệu mẫu cả năm).",
    )  # fmt: skip
    demo.take_steps(row, ["submit", "approve"])
    return row, False


# ------------------------------------------------------------------------ competencies


def _competency_levels(assessment: CompetencyAssessment, shift: int, weak: bool) -> list[dict[str, Any]]:
    lines = assessment.lines.select_related("competency").order_by("competency__code")
    found = []
    for index, line in enumerate(lines):
        short = (index + shift) % (2 if weak else 4) == 0
        found.append({"competency": line.competency.code, "level": max(1, line.required_level - int(short))})
    return found


def run_competencies(unit: OrgUnit, year: int, authority: User, profiles: dict[int, str]) -> tuple[list, list]:
    competency_assessment_open(user=authority, year=year, unit=unit)
    rows = CompetencyAssessment.objects.filter(year=year, unit__path__startswith=unit.path)
    waiting = []
    for shift, assessment in enumerate(rows.select_related("official__user", "workflow").order_by("official__code")):
        weak = profiles.get(assessment.official_id) == WEAK
        user = assessment.official.user
        if competency_states.has_tag(assessment, competency_states.SELF_ASSESSMENT) and user is not None:
            if assessment.lines.filter(self_level__isnull=True).exists():
                own = [
                    {**line, "level": min(5, line["level"] + 1)}
                    for line in _competency_levels(assessment, shift + 1, weak)
                ]
                competency_assessment_self_assess(assessment=assessment, user=user, lines=own)
            workflow_transition(document=assessment, action="submit", user=user)
            assessment.refresh_from_db()
        if competency_states.has_tag(assessment, competency_states.REVIEW):
            reviewer = demo.awaited_actor(assessment, "approve")
            if reviewer is None:
                waiting.append(assessment.official.full_name)
                continue
            competency_assessment_review(
                assessment=assessment, user=reviewer, lines=_competency_levels(assessment, shift, weak)
            )
            workflow_transition(document=assessment, action="approve", user=reviewer)
    return list(rows.select_related("official").order_by("official__code")), waiting


def write_gap_report(unit: OrgUnit, year: int, authority: User, out_dir: Path) -> tuple[Path, int]:
    result = competency_gap(authority, {"year": str(year), "unit": str(unit.pk)})
    content, _mime, extension = export(result, "xlsx")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"khoang-cach-nang-luc-{unit.code.lower()}-{year}.{extension}"
    path.write_bytes(content)
    return path, len(result.rows)


# -------------------------------------------------------------------------------- year


def find_unit(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise ValueError(f"Không có đơn vị mã «{code}».")
    return unit


def run_year(*, unit: OrgUnit, year: int, out_dir: Path, log: Log = lambda _m: None) -> YearResult:
    authority = bloc_authority(unit.bloc)
    result = YearResult(unit=unit, year=year)
    for month in _months(unit, year):
        done = run_month(unit, year, month, authority)
        result.months.append(done)
        log(month_line(year, done))
        for warning in done.warnings:
            log("  " + warning)
    rows = Appraisal.objects.filter(period__bloc=unit.bloc, period__kind=PeriodKind.MONTH, period__year=year,
                                    unit__path__startswith=unit.path).select_related("official", "period")  # fmt: skip
    for row in rows.order_by("official__code", "period__number"):
        result.monthly.setdefault(row.official_id, {})[row.period.number] = row
    result.officials = list(Official.objects.filter(pk__in=list(result.monthly)).order_by("code"))
    result.agency, result.agency_existing = run_agency(unit, year)
    log(agency_line(result.agency, result.agency_existing))
    year_period = _period(unit, PeriodKind.YEAR, year, 1, authority)
    listing = selectors.classification_list(period=year_period, unit=unit, user=authority)
    result.annual = {row.official.pk: row for row in listing.rows}
    log(f"Danh sách xếp loại năm {year}: {len(listing.rows)} người, tổng hợp từ các tháng đã công khai.")
    for group in listing.groups:
        if group.figures is not None:
            figures = group.figures
            counts = f"{figures.candidates} người xuất sắc theo điểm, {figures.good} hoàn thành tốt"
            log(f"  Tỷ lệ xuất sắc, nhóm «{group.label}» ({group.quota_unit.name}): {counts} "
                f"→ tối đa {figures.limit} người xuất sắc.")  # fmt: skip
    profiles = _profiles([months[max(months)] for months in result.monthly.values()])
    result.assessments, result.assessments_waiting = run_competencies(unit, year, authority, profiles)
    log(f"Đánh giá năng lực năm {year}: {len(result.assessments)} phiếu.")
    result.report, result.report_rows = write_gap_report(unit, year, authority, out_dir)
    log(f"Báo cáo khoảng cách năng lực: {result.report} ({result.report_rows} dòng).")
    return result


# ----------------------------------------------------------------------------- words


def month_line(year: int, month: MonthResult) -> str:
    head = f"Tháng {month.number:02d}/{year}: "
    levels = " — " + "; ".join(month.levels) if month.levels else ""
    if month.existing:
        return head + f"đã công khai từ trước ({month.published} phiếu), giữ nguyên" + levels + "."
    text = f"{month.assignments} việc giao, {month.lines} dòng nhật ký, {month.published} phiếu đã công khai"
    return head + text + (f" ({month.note})" if month.note else "") + levels + "."


def agency_line(row: UnitAppraisal, existing: bool) -> str:
    what = "đã phê duyệt từ trước trên số liệu hiện có, giữ nguyên" if existing else "đã gửi và được phê duyệt"
    return (
        f"Đánh giá {row.unit.name} năm {row.year}: {what} — {decimal_text(row.total)} điểm, "
        f"«{row.get_classification_display()}»."
    )


def _level(code: str) -> str:
    return classification_label(code) if code else "chưa xếp loại"


def summary(result: YearResult) -> list[str]:
    """The year in short, in Vietnamese: per official the months, the annual level, the gaps."""
    lines = [f"TÓM TẮT NĂM {result.year} — {result.unit.name}", LEGEND]
    if result.agency is not None:
        row = result.agency
        lines.append(f"Xếp loại đơn vị: «{row.get_classification_display()}» "
                     f"({decimal_text(row.total)} điểm; {row.workflow_state_label()}).")  # fmt: skip
    gaps = {row.official_id: row for row in result.assessments}
    for official in result.officials:
        lines.append(f"- {official.full_name} ({official.code})")
        months = result.monthly.get(official.pk, {})
        parts = []
        for number in sorted(months):
            parts.append(f"T{number}: {_total(months[number])} {_short(months[number])}")
        lines.append("  Tháng: " + "; ".join(parts))
        annual = result.annual.get(official.pk)
        if annual is not None:
            lines.append("  Năm: " + _annual_text(annual))
        assessment = gaps.get(official.pk)
        lines.append("  Năng lực: " + _gap_text(assessment))
    if result.assessments_waiting:
        lines.append(
            "Phiếu năng lực còn chờ người đánh giá (cây tổ chức mẫu chưa có người đứng đầu được duyệt phiếu này): "
            + ", ".join(result.assessments_waiting)
            + "."
        )
    if result.report is not None:
        lines.append(f"Báo cáo khoảng cách năng lực: {result.report} ({result.report_rows} dòng).")
    return lines


SHORT = {"HOAN_THANH_XUAT_SAC": "HTXSNV", "HOAN_THANH_TOT": "HTTNV", "HOAN_THANH": "HTNV", "KHONG_HOAN_THANH": "KHTNV"}
LEGEND = "Viết tắt: " + "; ".join(f"{short} = {classification_label(code)}" for code, short in SHORT.items()) + "."


def _total(row: Appraisal) -> str:
    return decimal_text(row.total) if row.total is not None else "—"


def _short(row: Appraisal) -> str:
    if row.final_classification:
        return f"({SHORT.get(row.final_classification, row.final_classification)})"
    return f"({row.get_score_status_display().lower()})"


def _annual_text(row: ClassificationRow) -> str:
    mean = decimal_text(row.mean) if row.mean is not None else "—"
    text = f"bình quân {mean} điểm, theo điểm «{_level(row.by_score)}»"
    if row.quota_reason:
        text += f", hạ theo tỷ lệ xuất sắc xuống «{_level(row.after_quota)}»"
    if row.head_cap_reason:
        text += f", giới hạn theo xếp loại đơn vị xuống «{_level(row.final)}»"
    return text + f" → «{_level(row.final)}»."


def _gap_text(assessment: CompetencyAssessment | None) -> str:
    if assessment is None:
        return "không có phiếu."
    if not competency_states.has_tag(assessment, competency_states.APPROVED):
        return f"phiếu ở bước «{assessment.workflow_state_label()}»."
    lines = assessment.lines.select_related("competency").order_by("competency__code")
    short = [f"{line.competency.name} (thiếu {line.gap})" for line in lines if line.gap]
    return ("chưa đạt " + "; ".join(short) + ".") if short else "đạt mọi yêu cầu của vị trí."
