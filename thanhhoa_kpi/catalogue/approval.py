"""Catalogue approval on the workflow engine (SPEC 3.5 and 4).

The CATALOGUE definition (``fixtures/base/workflows.json``) carries a catalogue from DRAFT
(the HR admin, or the author, submits) through UNIT_REVIEW (the head of the owner unit
approves) and HOME_AFFAIRS (the authority of the owner's bloc publishes) to PUBLISHED.
Either reviewer may return it to DRAFT with a reason. PUBLISHED is terminal: a catalogue
in force is never re-opened; it changes only through its next version.

This module gives the engine what it needs about catalogues:

- the guard ``CATALOGUE_READY`` (checked when publishing): the catalogue has at least
  one item, and it takes effect after every version of its code already in force;
- the effect ``put_in_force`` of «publish», run inside the transition's transaction: the catalogue
  takes effect (``status`` APPROVED, who and when), and the version in force before it
  stops the day before it starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueStatus
from thanhhoa_kpi.workflow.effects import register_contract, register_effect
from thanhhoa_kpi.workflow.engine import ContractRule, Decision, states_tagged
from thanhhoa_kpi.workflow.guards import register_guard
from thanhhoa_kpi.workflow.models import DocType
from thanhhoa_kpi.workflow.services import WorkflowRefused

CATALOGUE_READY = "CATALOGUE_READY"


def _overlapping(catalogue: Catalogue, others: Iterable[Catalogue]) -> list[Catalogue]:
    """Other versions in force on or after the day ``catalogue`` starts."""
    start = catalogue.effective_from
    return [
        other
        for other in others
        if other.pk != catalogue.pk
        and other.status == CatalogueStatus.APPROVED
        and (other.effective_to is None or other.effective_to >= start)
    ]


def _blocking(catalogue: Catalogue, others: Iterable[Catalogue]) -> Catalogue | None:
    """A version in force that starts on or after ``catalogue``: publishing would overlap it."""
    late = [other for other in _overlapping(catalogue, others) if other.effective_from >= catalogue.effective_from]
    return max(late, key=lambda other: other.effective_from, default=None)


def _blocking_reason(catalogue: Catalogue, blocking: Catalogue) -> str:
    return (
        f"phiên bản {blocking.version} đang áp dụng từ ngày {blocking.effective_from:%d/%m/%Y}, "
        f"danh mục này phải có hiệu lực sau ngày đó (đang là {catalogue.effective_from:%d/%m/%Y})"
    )


def catalogue_ready(catalogue: Catalogue) -> str | None:
    """Guard CATALOGUE_READY: at least one item, and it starts after the version in force."""
    reasons = []
    if not catalogue.items.exists():
        reasons.append("danh mục chưa có đầu công việc nào")
    others = Catalogue.objects.filter(code=catalogue.code, status=CatalogueStatus.APPROVED).exclude(pk=catalogue.pk)
    blocking = _blocking(catalogue, others)
    if blocking is not None:
        reasons.append(_blocking_reason(catalogue, blocking))
    return "; ".join(reasons) or None


register_guard(CATALOGUE_READY, DocType.CATALOGUE.value, catalogue_ready)


def published_state(catalogue: Catalogue) -> str:
    """The state of the catalogue's definition tagged ``published`` (in force)."""
    return min(states_tagged(catalogue.workflow.parsed(), PUBLISHED_TAG))


def put_in_force(catalogue: Catalogue, decision: Decision, user: Any) -> None:
    """Effect ``put_in_force`` (the CATALOGUE definition's publication): the catalogue
    takes effect and the previous version closes.

    Runs inside the transition's transaction, the catalogue row already locked; the other
    versions of the code are locked here (after it, STYLE 7) and checked again, so two
    versions published at once cannot both stay open.
    """
    others = list(Catalogue.objects.select_for_update().filter(code=catalogue.code).order_by("pk"))
    blocking = _blocking(catalogue, others)
    if blocking is not None:
        reason = _blocking_reason(catalogue, blocking)
        raise WorkflowRefused("GUARD_FAILED", f"Chưa thể công khai danh mục: {reason}", (reason,))
    for previous in _overlapping(catalogue, others):
        previous.effective_to = catalogue.effective_from - timedelta(days=1)
        previous._history_user = user  # simple_history: who closed it, not "system"
        previous.save(update_fields=["effective_to", "updated_at"])
    catalogue.status = CatalogueStatus.APPROVED
    catalogue.approved_by = user
    catalogue.approved_at = timezone.now()
    catalogue._history_user = user
    catalogue.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])


PUBLISHED_TAG = "published"
register_effect("put_in_force", DocType.CATALOGUE.value, put_in_force)
register_contract(
    DocType.CATALOGUE.value,
    tags=(PUBLISHED_TAG,),
    rules=(ContractRule("ONE_STATE", PUBLISHED_TAG), ContractRule("ENTERING", PUBLISHED_TAG, ("put_in_force",))),
)
