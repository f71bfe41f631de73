"""Rows for the access matrix: for each model, real rows labelled by where they sit.

Labels follow tests/security/policy.py: "A" for the ward PHUONG_A side (the official's
team), "B" for SO_KHAC > PHONG_B (the outsider's), a persona name for per-user rows.
Public rows carry "A" only: every signed-in persona is in their scope.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from tests.factories import appraisals as fa
from tests.factories.agency import agency_row, unit_rules_row
from tests.factories.worklogs import assign, log
from thanhhoa_kpi.accounts.models import RoleGrant
from thanhhoa_kpi.appraisals.models import AppraisalDisqualifier, RuleSet
from thanhhoa_kpi.audit.models import AuditEntry
from thanhhoa_kpi.catalogue.models import CatalogueImport
from thanhhoa_kpi.competencies.assessments import competency_assessment_open
from thanhhoa_kpi.competencies.models import Competency, CompetencyAssessment, CompetencyFramework, PositionRequirement
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.models import AppliedPatch
from thanhhoa_kpi.customfields.models import BuiltinOverride, FieldDefinition
from thanhhoa_kpi.organization.models import BlocAuthority, LeavePeriod, SimilarTaskGroup
from thanhhoa_kpi.reports.models import ReportSchedule, SavedReport
from thanhhoa_kpi.transfer.models import ImportJob
from thanhhoa_kpi.workflow.models import JobDescription, Notification, WorkflowDefinition
from thanhhoa_kpi.workflow.services import workflow_start_fields
from thanhhoa_kpi.worklogs.models import Assignment, PlausibilityThresholds, PublicHoliday

Rows = dict[str, list[tuple[str, Any]]]


def _job_description(unit: Any, position: Any, author: Any) -> JobDescription:
    fields = workflow_start_fields(
        definition_code=JobDescription.workflow_code, doctype=JobDescription.workflow_doctype
    )
    return JobDescription.objects.create(unit=unit, position=position, author=author, **fields)


def _assignment(cast: Any, user: Any, item: Any) -> Assignment:
    """The head assigns the official's; the outsider (a team without head) registers their own."""
    official = cast.official_of(user)
    if user == cast.official:
        return assign(cast.head, official, item)
    return assign(user, official, item, origin="SELF_REGISTERED")


def _with_evidence(line: Any) -> Any:
    """A work-log line holding an evidence file (served by /files/ to those who see the line)."""
    from django.core.files.base import ContentFile

    line.evidence.save("minh-chung.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return line


def _definition_change(rule_set: Any, proposer: Any) -> list[tuple[str, Any]]:
    """A pending proposal of a province-wide definition (workflow/governance.py), if the model exists."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    try:
        model = apps.get_model("workflow", "DefinitionChange")
    except LookupError:
        return []
    fields = workflow_start_fields(definition_code=model.workflow_code, doctype=model.workflow_doctype)
    change = model.objects.create(
        content_type=ContentType.objects.get_for_model(rule_set), object_id=rule_set.pk,
        summary="Ngưỡng xếp loại mới", proposer=proposer, **fields,
    )  # fmt: skip
    return [("A", change)]


def _audit_entry(appraisal: Any) -> AuditEntry:
    """Test transactions never commit, so no entry is appended by itself: one made directly."""
    return AuditEntry.objects.create(
        seq=1, document_type="appraisals.appraisal", document_id=appraisal.pk, kind="score",
        recorded_at=timezone.now(), payload="{}", hash="0" * 64,
    )  # fmt: skip


def _integration_rows(cast: Any, work: Any) -> Rows:
    """A sending system ("vpdt", the inbound endpoint's path in the matrix), a rule, and a
    proposal on each side (the official's, the outsider's), each with an item in force there."""
    from thanhhoa_kpi.integrations.models import EventStatus, InboundEvent, IntegrationSource, MatchingRule

    source = IntegrationSource.objects.create(code="vpdt", name="Văn bản điều hành", kind="E_OFFICE")
    rule = MatchingRule.objects.create(source=source, key="CONG_VAN", catalogue_item=work.culture)
    events = [
        InboundEvent.objects.create(
            source=source,
            event_id=f"matrix-{label}",
            body_sha256="0" * 64,
            document_number=f"1/{label}",
            document_kind="VAN_BAN_DI",
            type_code="CONG_VAN",
            date=timezone.localdate(),
            on_time=True,
            handler_code=official.code,
            official=official,
            catalogue_item=item,
            minutes=30,
            status=EventStatus.PROPOSED,
        )  # fmt: skip
        for label, official, item in (
            ("A", cast.official_of(cast.official), work.culture),
            ("B", cast.official_of(cast.outsider), work.foreign),
        )
    ]
    return {
        "integrations_integrationsource": [("A", source)],
        "integrations_matchingrule": [("A", rule)],
        "integrations_inboundevent": [("A", events[0]), ("B", events[1])],
    }


def build_rows(cast: Any, work: Any, personas: dict[str, Any]) -> tuple[Rows, dict[str, Any]]:
    fa.prepare_appraisals()
    period = fa.opened(cast)
    appraisal_a = fa.appraisal_of(cast.official, period)
    appraisal_b = fa.appraisal_of(cast.outsider, period)
    official_a, official_b = cast.official_of(cast.official), cast.official_of(cast.outsider)
    today = timezone.localdate()
    disqualifiers = [
        AppraisalDisqualifier.objects.create(appraisal=a, code="DISCIPLINE", evidence="Quyết định số 1", recorded_by=by)
        for a, by in ((appraisal_a, cast.head), (appraisal_b, cast.authority))
    ]
    group_b = SimilarTaskGroup.objects.create(unit=cast.other_team, code="CHUYEN_VIEN_B", name="Chuyên viên B")
    leave = [
        LeavePeriod.objects.create(official=o, kind="SICK", start_date=date(2026, 2, 1), end_date=date(2026, 2, 3))
        for o in (official_a, official_b)
    ]
    unit_appraisals = [agency_row(u, today.year, "85") for u in (cast.team, cast.other_team)]
    unit_rules = [unit_rules_row(u) for u in (cast.team, cast.other_team)]
    framework = CompetencyFramework.objects.create(
        code="KNL_T", name="Khung năng lực (thử)", effective_from=date(2026, 1, 1)
    )
    competency = Competency.objects.create(framework=framework, code="NL01", name="Giao tiếp", kind="CHUNG")
    requirement = PositionRequirement.objects.create(
        framework=framework, position=cast.position, competency=competency, required_level=2
    )
    for unit in (cast.team, cast.other_team):  # a competency assessment on each side, in self-assessment
        competency_assessment_open(user=SYSTEM, year=today.year, unit=unit)
    assessments = CompetencyAssessment.objects.filter(year=today.year)
    field = FieldDefinition.objects.create(doctype="official", key="so_the", label="Số thẻ", field_type="text")
    override = BuiltinOverride.objects.create(doctype="official", field_name="full_name")
    rows: Rows = {
        "accounts_user": [("A", cast.official)],
        "accounts_rolegrant": [("A", RoleGrant.objects.get(user=cast.authority))],
        "core_appliedpatch": [("A", AppliedPatch.objects.create(name="0001_thu"))],
        "audit_auditentry": [("A", _audit_entry(appraisal_a))],
        "appraisals_ruleset": [("A", RuleSet.objects.order_by("pk").first())],
        "appraisals_appraisalperiod": [("A", period)],
        "appraisals_appraisal": [("A", appraisal_a), ("B", appraisal_b)],
        "appraisals_appraisaldisqualifier": [("A", disqualifiers[0]), ("B", disqualifiers[1])],
        "appraisals_unitappraisal": [("A", unit_appraisals[0]), ("B", unit_appraisals[1])],
        "appraisals_unitrules": [("A", unit_rules[0]), ("B", unit_rules[1])],
        # The ward's draft (a published catalogue is read-only for everyone) and the other department's.
        "catalogue_catalogue": [("A", work.draft), ("B", work.other_catalogue)],
        "catalogue_catalogueitem": [("A", work.draft_item), ("B", work.foreign)],
        "competencies_competencyframework": [("A", framework)],
        "competencies_competency": [("A", competency)],
        "competencies_positionrequirement": [("A", requirement)],
        "competencies_competencyassessment": [
            ("A", assessments.get(official=official_a)),
            ("B", assessments.get(official=official_b)),
        ],
        "customfields_fielddefinition": [("A", field)],
        "customfields_builtinoverride": [("A", override)],
        "organization_orgunit": [("A", cast.team), ("B", cast.other_team)],
        "organization_similartaskgroup": [("A", SimilarTaskGroup.objects.get(unit=cast.team)), ("B", group_b)],
        "organization_blocauthority": [("A", BlocAuthority.objects.get(bloc="CHINH_QUYEN"))],
        "organization_jobposition": [("A", cast.position)],
        "organization_official": [("A", official_a), ("B", official_b)],
        "organization_officialassignment": [
            ("A", official_a.assignments.first()),
            ("B", official_b.assignments.first()),
        ],
        "organization_leaveperiod": [("A", leave[0]), ("B", leave[1])],
        "workflow_workflowdefinition": [("A", WorkflowDefinition.objects.order_by("pk").first())],
        "workflow_jobdescription": [
            ("A", _job_description(cast.team, cast.position, cast.official)),
            ("B", _job_description(cast.other_team, cast.position, cast.outsider)),
        ],
        "worklogs_workperiod": [("A", work.period)],
        "worklogs_publicholiday": [("A", PublicHoliday.objects.create(date=date(2026, 9, 2), name="Quốc khánh"))],
        "worklogs_plausibilitythresholds": [("A", PlausibilityThresholds.objects.create())],
        "worklogs_assignment": [("A", _assignment(cast, cast.official, work.culture)),
                                ("B", _assignment(cast, cast.outsider, work.foreign))],  # fmt: skip
        "worklogs_worklogline": [("A", _with_evidence(log(cast.official, work.culture))),
                                 ("B", _with_evidence(log(cast.outsider, work.foreign)))],  # fmt: skip
        "reports_savedreport": [],
        "reports_reportschedule": [],
        "workflow_notification": [],
        "transfer_importjob": [],
        "catalogue_catalogueimport": [],
    }  # fmt: skip
    # Per-user rows: one of each for every signed-in persona (labels are persona names).
    for name, user in personas.items():
        if user is None:
            continue
        report = SavedReport.objects.create(
            name=f"Báo cáo của {name}", doctype="official", owner=user, columns=["code", "full_name"]
        )
        rows["reports_savedreport"].append((name, report))
        schedule = ReportSchedule.objects.create(report=report, owner=user, recipients=[f"{name}@example.vn"])
        rows["reports_reportschedule"].append((name, schedule))
        rows["workflow_notification"].append((name, Notification.objects.create(user=user, title=f"Tin cho {name}")))
    for name in ("hr", "province_hr", "sysadmin"):
        user = personas[name]
        rows["transfer_importjob"].append((name, ImportJob.objects.create(kind="officials", created_by=user)))
        rows["catalogue_catalogueimport"].append(
            (name, CatalogueImport.objects.create(file=f"catalogue-imports/{name}.xlsx", created_by=user))
        )
    rows["workflow_definitionchange"] = _definition_change(rows["appraisals_ruleset"][0][1], cast.province_hr)
    rows.update(_integration_rows(cast, work))
    extra = {"period": period, "unit": cast.team}
    return rows, extra
