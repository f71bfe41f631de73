"""What each recorded event is: the signal that marks it and the payload read at commit.

The domain services are not touched: every event already leaves a row behind (a
:class:`~thanhhoa_kpi.workflow.models.TransitionLog` line, an appraisal or criterion saved
with its figures, a reviewed work-log line, a rule-set or workflow-definition version), so
a ``post_save`` receiver marks that row and :mod:`thanhhoa_kpi.audit.chain` reads it when
the transaction is about to commit. Figures written in bulk (a whole month scored at once
by ``appraisals.batch``, which sends no signal and writes no history either) are recorded
by the next score entry of each appraisal, which carries its figures as they then stand.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalCriterion, RuleSet
from thanhhoa_kpi.audit import chain
from thanhhoa_kpi.audit.models import Kind
from thanhhoa_kpi.workflow.models import TransitionLog, WorkflowDefinition
from thanhhoa_kpi.worklogs.models import LineStatus, WorkLogLine

# The figures of an appraisal a score entry carries (ND 335/2025/NĐ-CP Điều 13–16: a, b, c,
# the task and general scores, the total and the levels; the rule-set version they follow).
SCORE_FIELDS = (
    "score_status", "a", "b", "c", "task_percent", "task_score", "general_score", "self_general_score", "total",
    "unit_d", "unit_dd", "unit_e", "exceeded_share", "proposed_classification", "final_classification",
    "rule_set_code", "rule_set_version",
)  # fmt: skip
CRITERION_FIELDS = ("self_score", "reviewer_score")
REVIEW_FIELDS = (
    "official_id", "catalogue_item_id", "quantity", "coefficient", "accepted_quantity", "quality_failures", "delays",
    "exempt_quality_failures", "exempt_delays", "exemption_reason", "exemption_confirmed_by", "review_comment",
    "reviewed_by_id", "reviewed_at",
)  # fmt: skip
RULE_SET_FIELDS = ("code", "version", "name", "legal_basis", "params", "status", "is_current")
DEFINITION_FIELDS = ("code", "version", "name", "doctype", "definition", "status", "is_current")


def _label(model: Any) -> str:
    return model._meta.label_lower


def _actor(instance: Any) -> int | None:
    """The person behind a save: the one a service named for the history, else the request's."""
    user = getattr(instance, "_history_user", None)
    if user is None:
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
    return getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None


def _touches(update_fields: Any, names: tuple[str, ...]) -> bool:
    return update_fields is None or bool(set(update_fields) & set(names))


# ----------------------------------------------------------------------------- receivers


def on_transition(sender: Any, instance: TransitionLog, created: bool, using: str, **kwargs: Any) -> None:
    if created:
        chain.mark(Kind.TRANSITION, instance.pk, actor_id=instance.actor_id, using=using)


def on_appraisal(sender: Any, instance: Appraisal, using: str, update_fields: Any = None, **kwargs: Any) -> None:
    if _touches(update_fields, SCORE_FIELDS):
        chain.mark(Kind.SCORE, instance.pk, actor_id=_actor(instance), using=using)


def on_criterion(sender: Any, instance: AppraisalCriterion, using: str, update_fields: Any = None, **kw: Any) -> None:
    if _touches(update_fields, CRITERION_FIELDS):
        chain.mark(Kind.SCORE, instance.appraisal_id, actor_id=_actor(instance), using=using)


def on_line(sender: Any, instance: WorkLogLine, using: str, **kwargs: Any) -> None:
    if instance.status == LineStatus.REVIEWED:
        chain.mark(Kind.REVIEW, instance.pk, actor_id=instance.reviewed_by_id, using=using)


def on_rule_set(sender: Any, instance: RuleSet, using: str, **kwargs: Any) -> None:
    chain.mark(Kind.RULE_SET, instance.pk, actor_id=_actor(instance), using=using)


def on_definition(sender: Any, instance: WorkflowDefinition, using: str, **kwargs: Any) -> None:
    chain.mark(Kind.WORKFLOW_DEFINITION, instance.pk, actor_id=_actor(instance), using=using)


# ----------------------------------------------------------------------------- readers


def read_transitions(pks: list[int]) -> dict[int, chain.Event]:
    rows = TransitionLog.objects.filter(pk__in=pks).select_related("content_type", "workflow")
    return {
        log.pk: chain.Event(
            f"{log.content_type.app_label}.{log.content_type.model}",
            log.object_id,
            {
                "log": log.pk,
                "workflow": log.workflow.code,
                "workflow_version": log.workflow.version,
                "action": log.action,
                "action_label": log.action_label,
                "from_state": log.from_state,
                "to_state": log.to_state,
                "actor": log.actor_id,
                "comment": log.comment,
                "at": chain.stamp(log.created_at),
            },
        )  # fmt: skip
        for log in rows
    }


def read_scores(pks: list[int]) -> dict[int, chain.Event]:
    criteria: dict[int, list[list[Any]]] = {}
    lines = AppraisalCriterion.objects.filter(appraisal_id__in=pks).order_by("appraisal_id", "order", "code")
    for appraisal_id, code, *scores in lines.values_list("appraisal_id", "code", *CRITERION_FIELDS):
        criteria.setdefault(appraisal_id, []).append([code, *scores])
    label = _label(Appraisal)
    return {
        row["pk"]: chain.Event(label, row["pk"], {**row, "criteria": criteria.get(row["pk"], [])})
        for row in Appraisal.objects.filter(pk__in=pks).values("pk", "official_id", "period_id", *SCORE_FIELDS)
    }


def read_reviews(pks: list[int]) -> dict[int, chain.Event]:
    rows = WorkLogLine.objects.filter(pk__in=pks, status=LineStatus.REVIEWED).values("pk", *REVIEW_FIELDS)
    return {row["pk"]: chain.Event(_label(WorkLogLine), row["pk"], row) for row in rows}


def _versions(model: Any, fields: tuple[str, ...]) -> Any:
    def read(pks: list[int]) -> dict[int, chain.Event]:
        rows = model.objects.filter(pk__in=pks).values("pk", *fields)
        return {row["pk"]: chain.Event(_label(model), row["pk"], row) for row in rows}

    return read


def connect() -> None:
    chain.READERS.update(
        {
            Kind.TRANSITION: read_transitions,
            Kind.SCORE: read_scores,
            Kind.REVIEW: read_reviews,
            Kind.RULE_SET: _versions(RuleSet, RULE_SET_FIELDS),
            Kind.WORKFLOW_DEFINITION: _versions(WorkflowDefinition, DEFINITION_FIELDS),
        }
    )
    chain.EVERY_MARK.add(Kind.TRANSITION)
    for receiver, model in (
        (on_transition, TransitionLog),
        (on_appraisal, Appraisal),
        (on_criterion, AppraisalCriterion),
        (on_line, WorkLogLine),
        (on_rule_set, RuleSet),
        (on_definition, WorkflowDefinition),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"audit.{model._meta.label_lower}")
