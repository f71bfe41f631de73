"""Second-person approval of province-wide definitions (issue 9, build 1).

A new version of a workflow definition or of a rule set decides results for the whole
province, so one admin's save only *proposes* it (status PROPOSED, ``is_current`` off:
documents and appraisals keep reading the version in force). The proposal is a
:class:`~thanhhoa_kpi.workflow.models.DefinitionChange` document on the
DEFINITION_CHANGE workflow (``fixtures/base/workflows.json``): PROPOSED → IN_FORCE by
another province-level admin (approver rule PROVINCE_ADMIN), → REJECTED with a reason,
or → WITHDRAWN by the proposer. The proposer is the document's subject, so the engine's
self-action rule keeps them from approving their own change; the hook below checks it
once more, whatever the definition of DEFINITION_CHANGE says.

Versioned models join by having ``code``, ``version``, ``is_current`` and ``status``
(:class:`~thanhhoa_kpi.workflow.models.VersionStatus`); nothing here names them.
Loading fixtures (``manage.py seed``) is a system action and puts versions in force
directly, without a proposal.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.errors import Conflict, NotFound, PermissionRefused
from thanhhoa_kpi.workflow.effects import register_contract, register_effect
from thanhhoa_kpi.workflow.engine import ContractRule, Decision
from thanhhoa_kpi.workflow.models import DefinitionChange, DocType, VersionStatus

CODE = "DEFINITION_CHANGE"
APPROVE, REJECT, WITHDRAW = "approve", "reject", "withdraw"


def require_province_admin(user: Any, what: str) -> None:
    """Refuse anyone but a province-level admin (:func:`access.is_province_admin`)."""
    if not access.is_province_admin(user):
        raise PermissionRefused(
            f"Chỉ quản trị cấp tỉnh (quản trị hệ thống hoặc quản trị nhân sự cấp tỉnh) mới được thay đổi {what}.",
            code="PROVINCE_ADMIN_ONLY",
        )


def refuse_if_pending(model: type[models.Model], code: str) -> None:
    """One open proposal per code: a second one would be approved against a stale base."""
    pending = model._default_manager.filter(code=code, status=VersionStatus.PROPOSED).first()
    if pending is None:
        return
    change = proposal_of(pending)
    who = (change.proposer.get_full_name() or change.proposer.username) if change else "một quản trị khác"
    raise Conflict(
        f"Phiên bản {pending.version} của «{code}» do {who} đề xuất đang chờ duyệt; "  # type: ignore[attr-defined]
        "hãy phê duyệt, từ chối hoặc rút đề xuất đó trước khi đề xuất thay đổi mới.",
        code="PROPOSAL_PENDING",
    )


def proposal_of(row: models.Model) -> DefinitionChange | None:
    """The proposal that carries this version (None for a version loaded from fixtures)."""
    kind = ContentType.objects.get_for_model(type(row))
    return DefinitionChange.objects.filter(content_type=kind, object_id=row.pk).select_related("proposer").first()


def propose(*, row: models.Model, user: Any, summary: str) -> DefinitionChange:
    """Open the DEFINITION_CHANGE document of a freshly saved PROPOSED version."""
    from thanhhoa_kpi.workflow.services import workflow_start

    kind = ContentType.objects.get_for_model(type(row))
    change = DefinitionChange(content_type=kind, object_id=row.pk, summary=summary[:255], proposer=user)
    return workflow_start(document=change)  # type: ignore[return-value]


def decide_proposal(*, row: models.Model, by: Any, action: str, comment: str = "") -> models.Model:
    """Approve, reject or withdraw the proposal carrying ``row``; returns the row reloaded."""
    from thanhhoa_kpi.workflow.services import workflow_transition

    change = proposal_of(row)
    if change is None:
        raise NotFound("Phiên bản này không phải một đề xuất đang chờ duyệt.", code="PROPOSAL_NOT_FOUND")
    workflow_transition(document=change, action=action, user=by, comment=comment)
    return type(row)._default_manager.get(pk=row.pk)


def _put_in_force(row: Any, user: Any) -> None:
    rows = list(type(row)._default_manager.select_for_update().filter(code=row.code).order_by("pk"))
    for other in rows:
        if other.pk != row.pk and other.status == VersionStatus.IN_FORCE:
            other.is_current, other.status = False, VersionStatus.RETIRED
            other._history_user = user
            other.save(update_fields=["is_current", "status", "updated_at"])
    row.is_current, row.status = True, VersionStatus.IN_FORCE
    row._history_user = user
    row.save(update_fields=["is_current", "status", "updated_at"])


def _proposed_row(change: DefinitionChange) -> Any:
    # Lock order: the proposal row (locked by the service), then the versions of the code.
    model = change.content_type.model_class()
    row = model._default_manager.select_for_update().filter(pk=change.object_id).first() if model else None
    if row is None or row.status != VersionStatus.PROPOSED:
        raise Conflict("Phiên bản đề xuất không còn ở trạng thái chờ duyệt.", code="PROPOSAL_CLOSED")
    return row


def close_version(change: DefinitionChange, decision: Decision, user: Any) -> None:
    """Effect ``close_version`` (rejected or withdrawn): the proposed version is set aside."""
    row = _proposed_row(change)
    row.status = VersionStatus.REJECTED
    row._history_user = user
    row.save(update_fields=["status", "updated_at"])


def put_version_in_force(change: DefinitionChange, decision: Decision, user: Any) -> None:
    """Effect ``put_version_in_force``, inside the transition's transaction: approval puts
    the proposed version in force."""
    row = _proposed_row(change)
    # Whatever the DEFINITION_CHANGE definition says: a second, province-level person.
    if user.pk == change.proposer_id:
        raise PermissionRefused("Không ai tự phê duyệt đề xuất của chính mình.", code="SELF_ACTION")
    require_province_admin(user, "quy định áp dụng toàn tỉnh")
    _put_in_force(row, user)


@transaction.atomic
def put_in_force_directly(row: Any) -> None:
    """Loaders only (a system action): the version goes in force without a proposal."""
    _put_in_force(row, None)


register_effect("put_version_in_force", DocType.DEFINITION_CHANGE.value, put_version_in_force)
register_effect("close_version", DocType.DEFINITION_CHANGE.value, close_version)
register_contract(
    DocType.DEFINITION_CHANGE.value,
    tags=("in_force", "closed"),
    rules=(
        ContractRule("ONE_STATE", "in_force"),
        ContractRule("ENTERING", "in_force", ("put_version_in_force",)),
        ContractRule("ENTERING", "closed", ("close_version",)),
    ),
)
