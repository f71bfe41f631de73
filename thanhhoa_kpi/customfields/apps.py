from typing import Any

from django.apps import AppConfig
from django.db.models import Q
from django.db.models.signals import post_delete, post_save


def field_definition_rows(user: Any) -> Q:
    """Write rule of custom field definitions (see ``customfields.services``)."""
    from thanhhoa_kpi.accounts import access

    if access.is_province_admin(user):
        return Q()
    scope = access.scope_for(user)
    if scope.read_only or not scope.is_hr:
        return access.NOTHING
    rows = Q(owner_unit__isnull=False) & access.manageable_unit_q(scope, "owner_unit__")
    if scope.hr_blocs:
        rows |= Q(owner_bloc__in=sorted(scope.hr_blocs))
    return rows


def _definitions_changed(**kwargs: Any) -> None:
    from thanhhoa_kpi.core import memo
    from thanhhoa_kpi.customfields.selectors import MEMO_KIND

    memo.forget(MEMO_KIND)


class CustomfieldsConfig(AppConfig):
    name = "thanhhoa_kpi.customfields"
    label = "customfields"
    verbose_name = "Trường tùy biến"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import access
        from thanhhoa_kpi.customfields import models as m
        from thanhhoa_kpi.customfields.registry import register_host
        from thanhhoa_kpi.organization.models import JobPosition, Official

        # Definitions are read by everyone (forms, API, reports). Province admins change them
        # all; an HR admin those owned by a unit of their subtree or by their bloc.
        access.register(m.FieldDefinition, via="public", write=field_definition_rows)
        access.register(m.BuiltinOverride, via="public", write=access.province_only)
        register_host("official", Official)
        register_host("position", JobPosition)
        # Definitions are remembered for the request (selectors._every_definition): a
        # definition written in this request is read again by the next reader.
        for model in (m.FieldDefinition, m.BuiltinOverride):
            post_save.connect(_definitions_changed, sender=model, dispatch_uid=f"memo-{model.__name__}-save")
            post_delete.connect(_definitions_changed, sender=model, dispatch_uid=f"memo-{model.__name__}-delete")
