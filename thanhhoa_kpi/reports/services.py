"""Saved reports: who sees them, how they are written, and running one (SPEC 6).

A report is visible to its owner, to holders of a role it is shared with, and to people
working in a unit it is shared with (or below it); a system admin sees all. Only the
owner (or a system admin) changes or deletes it. Running always uses the runner's scope.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.accounts.roles import Role
from thanhhoa_kpi.core.errors import FieldError, NotFound, PermissionRefused, ValidationFailed
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.reports.definition import report_definition_validate
from thanhhoa_kpi.reports.engine import MAX_ROWS, ReportResult, run_spec
from thanhhoa_kpi.reports.models import SavedReport

ROLE_CODES = {r.value for r in Role}


def _is_system_admin(user: Any) -> bool:
    scope = access.scope_for(user)
    return scope.is_system_admin


def _unit_paths_of(user: Any) -> list[str]:
    """Paths of the units the user works in, heads or administers, and of their ancestors."""
    scope = access.scope_for(user)
    paths = set(scope.head_unit_paths) | set(scope.hr_unit_paths)
    paths |= set(OrgUnit.objects.filter(pk__in=scope.member_unit_ids).values_list("path", flat=True))
    step = OrgUnit.steplen
    return sorted({p[:i] for p in paths for i in range(step, len(p) + 1, step)})


def _shared_with_roles_q(roles: frozenset[str]) -> Q:
    if connection.features.supports_json_field_contains:  # MariaDB: JSON_CONTAINS in the query
        q = Q(pk__in=[])
        for role in sorted(roles):
            q |= Q(shared_with_roles__contains=[role])
        return q
    # the SQLite demo has no JSON "contains": read the (few) shared reports' role lists
    shared = SavedReport.objects.exclude(shared_with_roles=[]).values_list("pk", "shared_with_roles")
    return Q(pk__in=[pk for pk, codes in shared if roles & set(codes or [])])


def reports_visible(user: Any) -> QuerySet:
    scope = access.scope_for(user)
    if scope.user_id is None:
        return SavedReport.objects.none()
    if _is_system_admin(user):
        return SavedReport.objects.all()
    q = Q(owner_id=user.pk) | _shared_with_roles_q(scope.roles)
    paths = _unit_paths_of(user)
    if paths:
        q |= Q(
            pk__in=SavedReport.shared_with_units.through.objects.filter(orgunit__path__in=paths).values("savedreport")
        )
    return SavedReport.objects.filter(q)


def report_get(*, user: Any, pk: Any) -> SavedReport:
    try:
        return reports_visible(user).get(pk=pk)
    except (SavedReport.DoesNotExist, ValueError, TypeError):
        raise NotFound("Không tìm thấy báo cáo hoặc bạn không được chia sẻ báo cáo này.") from None


def can_edit_report(user: Any, report: SavedReport) -> bool:
    """Only the owner: a system admin reads every report but never rewrites a colleague's
    (a shared report changed behind its owner would mislead everyone it is shared with)."""
    return report.owner_id == user.pk


def _sharing(user: Any, roles: Any, units: Any) -> tuple[list[str], list[OrgUnit]]:
    errors = []
    roles = list(roles or [])
    bad = [r for r in roles if r not in ROLE_CODES]
    if bad:
        errors.append(FieldError("shared_with.roles", f"Vai trò không tồn tại: {', '.join(map(str, bad))}."))
    units = list(units or [])
    visible = set(
        access.scoped(OrgUnit.objects.filter(pk__in=[u.pk for u in units]), user).values_list("pk", flat=True)
    )
    hidden = [u for u in units if u.pk not in visible]
    if hidden:
        errors.append(FieldError("shared_with.units", "Chỉ chia sẻ được với đơn vị trong phạm vi của bạn."))
    if errors:
        raise ValidationFailed("Chia sẻ báo cáo không hợp lệ.", errors)
    return sorted(set(roles)), units


def _name(name: Any) -> str:
    text = str(name or "").strip()
    if not text:
        raise ValidationFailed("Cần đặt tên báo cáo.", [FieldError("name", "Cần đặt tên báo cáo.")])
    return text[:200]


@transaction.atomic
def saved_report_create(
    *, owner: Any, name: str, definition: dict[str, Any], shared_roles: Any = None, shared_units: Any = None
) -> SavedReport:
    errors = [] if str(name or "").strip() else [FieldError("name", "Cần đặt tên báo cáo.")]
    try:
        spec = report_definition_validate(definition)
    except ValidationFailed as exc:  # report the name and the definition together
        raise ValidationFailed(exc.message, errors + exc.errors) from None
    roles, units = _sharing(owner, shared_roles, shared_units)
    report = SavedReport.objects.create(owner=owner, name=_name(name), shared_with_roles=roles, **spec.normalized)
    report.shared_with_units.set(units)
    return report


@transaction.atomic
def saved_report_update(
    *,
    report: SavedReport,
    user: Any,
    name: str | None = None,
    definition: dict[str, Any] | None = None,
    shared_roles: Any = None,
    shared_units: Any = None,
) -> SavedReport:
    """Changes what is given (``None`` keeps the current value)."""
    if not can_edit_report(user, report):
        raise PermissionRefused("Chỉ người tạo báo cáo được sửa báo cáo này.")
    report = SavedReport.objects.select_for_update().get(pk=report.pk)
    if name is not None:
        report.name = _name(name)
    if definition is not None:
        if report.chart and "chart" not in definition:  # new groups or columns: the chart's axes follow them
            definition = {**definition, "chart": {"type": report.chart.get("type")}}
        for part, value in report_definition_validate({**report.definition(), **definition}).normalized.items():
            setattr(report, part, value)
    if shared_roles is not None or shared_units is not None:
        current_units = list(report.shared_with_units.all())
        roles, units = _sharing(
            user,
            report.shared_with_roles if shared_roles is None else shared_roles,
            current_units if shared_units is None else shared_units,
        )
        report.shared_with_roles = roles
        report.shared_with_units.set(units)
    report.save()
    return report


@transaction.atomic
def saved_report_delete(*, report: SavedReport, user: Any) -> None:
    if not can_edit_report(user, report):
        raise PermissionRefused("Chỉ người tạo báo cáo được xóa báo cáo này.")
    report.delete()


def report_run(*, report: SavedReport, user: Any, limit: int = MAX_ROWS) -> ReportResult:
    """Runs a saved report with ``user``'s scope (a schedule passes its owner)."""
    spec = report_definition_validate(report.definition())
    return run_spec(spec, user, title=report.name, limit=limit)


def report_preview(*, definition: dict[str, Any], user: Any, title: str = "", limit: int = MAX_ROWS) -> ReportResult:
    """Runs an unsaved definition (the builder's «Chạy»)."""
    return run_spec(report_definition_validate(definition), user, title=title, limit=limit)
