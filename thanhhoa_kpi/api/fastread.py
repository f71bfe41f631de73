"""The API's ``ModelSerializer``: DRF's, with a cheaper way of reading a row for a response.

DRF reads each field of each row through the field's ``get_attribute`` (a generic path walk
with callable checks, and for a foreign key a ``PKOnlyObject`` built per row) and walks the
``_readable_fields`` generator again for every row. On a page of 50 work-log lines that was
about a third of the request's CPU (issue 12, the load curve's knee is CPU per request).

Here the serializer works out once (per serializer object, i.e. once per page) how each
field is read:
- a plain model column (the field's source is the column, the field class reads attributes
  the way DRF's base ``Field`` does): ``getattr`` and the field's own ``to_representation``;
- a foreign key shown as its id by a ``PrimaryKeyRelatedField``: the stored id, as is;
- anything else (method fields, nested serializers, files, dotted sources, custom fields,
  many-to-many): DRF's own path, unchanged.

The output is DRF's, key for key and value for value; ``tests/api/test_fastread.py`` checks
every serializer of the API against DRF's own ``to_representation`` on real rows. No
library does this for DRF (serpy and drf-serializer-prefetch replace the serializers or only
add prefetching).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

# (output name, model attribute or None, the field or None for an id read as is)
Plan = list[tuple[str, str | None, drf_fields.Field | None]]


def _column(model: type[models.Model], name: str) -> models.Field | None:
    try:
        column = model._meta.get_field(name)
    except FieldDoesNotExist:  # a property or an annotation
        return None
    return column if getattr(column, "concrete", False) else None


def _reads_like_drf(field: drf_fields.Field) -> bool:
    return type(field).get_attribute is drf_fields.Field.get_attribute


def _is_plain_id(field: drf_fields.Field) -> bool:
    kind = type(field)
    return (
        isinstance(field, relations.PrimaryKeyRelatedField)
        and kind.get_attribute is relations.RelatedField.get_attribute
        and kind.to_representation is relations.PrimaryKeyRelatedField.to_representation
        and field.pk_field is None
    )


def read_plan(serializer: serializers.ModelSerializer) -> Plan:
    """How each readable field of ``serializer`` is read from a row of its model."""
    model = serializer.Meta.model
    plan: Plan = []
    for field in serializer._readable_fields:
        sources = field.source_attrs
        column = _column(model, sources[0]) if len(sources) == 1 else None
        if column is None or isinstance(column, models.FileField):
            plan.append((field.field_name, None, field))
        elif column.is_relation:
            if _is_plain_id(field) and (column.many_to_one or column.one_to_one):
                plan.append((field.field_name, column.attname, None))
            else:
                plan.append((field.field_name, None, field))
        elif _reads_like_drf(field):
            plan.append((field.field_name, column.attname, field))
        else:
            plan.append((field.field_name, None, field))
    return plan


def drf_value(field: drf_fields.Field, instance: Any) -> tuple[bool, Any]:
    """DRF's own reading of one field: (shown, value)."""
    try:
        attribute = field.get_attribute(instance)
    except SkipField:
        return False, None
    check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
    return True, None if check_for_none is None else field.to_representation(attribute)


# DRF's ModelSerializer reading rows through a plan made once per serializer. (No docstring:
# drf-spectacular would print it as the description of every schema component without one.)
class ModelSerializer(serializers.ModelSerializer):
    def to_representation(self, instance: Any) -> dict[str, Any]:
        if not isinstance(instance, self.Meta.model):
            return super().to_representation(instance)  # type: ignore[no-any-return]
        plan = self.__dict__.get("_kpi_read_plan")
        if plan is None:
            plan = self._kpi_read_plan = read_plan(self)
        ret: dict[str, Any] = {}
        for name, attname, field in plan:
            if attname is None:
                shown, value = drf_value(field, instance)  # type: ignore[arg-type]
                if shown:
                    ret[name] = value
            elif field is None:
                ret[name] = getattr(instance, attname)
            else:
                value = getattr(instance, attname)
                ret[name] = None if value is None else field.to_representation(value)
        return ret
