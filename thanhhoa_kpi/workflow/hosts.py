"""The registry of host models: every concrete model that mixes in WorkflowDocument.

Hosts register themselves by subclassing :class:`WorkflowDocument`; the inbox, the
digest and the "is this version in use" check all walk this list, so a new document
type joins them without touching the workflow app.
"""

from __future__ import annotations

from functools import cache

from django.apps import apps

from thanhhoa_kpi.workflow.models import WorkflowDefinition, WorkflowDocument


@cache
def host_models() -> tuple[type[WorkflowDocument], ...]:
    found = [model for model in apps.get_models() if issubclass(model, WorkflowDocument)]
    return tuple(sorted(found, key=lambda model: model._meta.label))


def host_for(doctype: str) -> type[WorkflowDocument] | None:
    return next((model for model in host_models() if model.workflow_doctype == doctype), None)


def doctype_label(doctype: str) -> str:
    host = host_for(doctype)
    return str(host._meta.verbose_name) if host else doctype


def definition_in_use(definition: WorkflowDefinition) -> bool:
    """Whether any document started on this version (it must then stay as it is)."""
    return any(model._default_manager.filter(workflow=definition).exists() for model in host_models())
