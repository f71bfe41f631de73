"""Custom field values on host resources: a ``custom`` object, validated like built-ins.

``class OfficialSerializer(CustomFieldSerializerMixin, serializers.ModelSerializer):
custom_doctype = "official"`` (the model needs ``custom`` in ``Meta.fields``).

- read: ``"custom": {key: value or null}`` for every active field (decimals as strings,
  dates ISO, links as ids, checkboxes as booleans);
- write: a partial object; keys left out keep their value, ``null``/``""`` clears one;
  every bad value is a 400 naming ``custom.<key>``, together with the other fields' errors;
- built-in fields made required by an HR admin's override are required here too (on
  creation and full updates, and whenever a partial update sends them).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.customfields import selectors, services

CUSTOM_HELP = "Giá trị các trường tùy biến: {mã trường: giá trị}. Bỏ qua một mã để giữ nguyên, null để xóa."


class CustomFieldSerializerMixin:
    custom_doctype = ""

    def _custom_defs(self) -> list[Any]:
        """Fields that may apply to a record the caller sees (each record keeps its own)."""
        if not hasattr(self, "_cf_defs"):
            request = getattr(self, "context", {}).get("request")
            user = getattr(request, "user", None)
            self._cf_defs = (
                selectors.definitions_for_user(self.custom_doctype, user)
                if user is not None
                else selectors.definitions(self.custom_doctype, host=selectors.ALL_HOSTS)
            )
        return self._cf_defs

    def _custom_host(self, validated: dict[str, Any]) -> Any:
        """The record the values are for: the instance, or an unsaved one built from the
        validated fields (its unit, bloc or catalogue decides which fields apply)."""
        instance = getattr(self, "instance", None)
        if instance is not None and not isinstance(instance, list | tuple):
            return instance
        if self.custom_doctype == "worklog":  # a new line is always the caller's own
            request = getattr(self, "context", {}).get("request")
            return selectors.own_units_reach(getattr(request, "user", None))
        model = self.Meta.model  # type: ignore[attr-defined]
        concrete = {f.name for f in model._meta.concrete_fields}
        try:
            return model(**{k: v for k, v in validated.items() if k in concrete and k != "custom"})
        except (TypeError, ValueError):
            return None

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        fields["custom"] = serializers.JSONField(required=False, label="Trường tùy biến", help_text=CUSTOM_HELP)
        return fields

    def _override_errors(self, data: Any) -> dict[str, list[str]]:
        """Built-in fields an HR admin made required (checked here, not in ``get_fields``,
        so that generating the OpenAPI schema reads no database)."""
        errors: dict[str, list[str]] = {}
        partial = getattr(self, "partial", False)
        for name, override in selectors.overrides(self.custom_doctype).items():
            if not override.required or (partial and name not in data):
                continue
            value = data.get(name) if hasattr(data, "get") else None
            if value is None or (isinstance(value, str) and not value.strip()):
                errors[name] = ["Trường này là bắt buộc."]
        return errors

    def _page_reach(self, instance: Any) -> selectors.Reach | None:
        """In a list, where every record of the page sits, looked up once for the page."""
        parent = getattr(self, "parent", None)
        page = getattr(parent, "instance", None)
        if not isinstance(page, list | tuple) or all(d.is_province_wide for d in self._custom_defs()):
            return None
        if not hasattr(parent, "_cf_reaches"):
            parent._cf_reaches = selectors.reaches_of(self.custom_doctype, list(page))
        return parent._cf_reaches.get(getattr(instance, "pk", None))

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)  # type: ignore[misc]
        reach = self._page_reach(instance)
        defs = selectors.for_record(self.custom_doctype, self._custom_defs(), instance, reach)
        data["custom"] = selectors.custom_output(defs, getattr(instance, "custom", None))
        return data

    def to_internal_value(self, data: Any) -> Any:
        errors: dict[str, Any] = {}
        try:
            validated = super().to_internal_value(data)  # type: ignore[misc]
        except serializers.ValidationError as exc:
            errors = dict(exc.detail) if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            validated = {}
        for name, messages in self._override_errors(data).items():
            errors.setdefault(name, messages)
        given = hasattr(data, "get") and "custom" in data
        if given or not getattr(self, "partial", False):
            raw = data.get("custom") if given else {}
            try:
                validated["custom"] = services.custom_values_validate(
                    doctype=self.custom_doctype,
                    values=raw,
                    instance=getattr(self, "instance", None),
                    host=self._custom_host(validated),
                )
            except ValidationFailed as exc:
                errors["custom"] = _custom_errors(exc)
        if errors:
            raise serializers.ValidationError(errors)
        return validated


def _custom_errors(exc: ValidationFailed) -> Any:
    """``custom.<key>`` errors as DRF detail, so the error body names ``custom.<key>``."""
    per_key: dict[str, list[str]] = {}
    whole: list[str] = []
    for error in exc.errors:
        if error.field.startswith("custom."):
            per_key.setdefault(error.field.removeprefix("custom."), []).append(error.message)
        else:
            whole.append(error.message)
    return per_key if per_key else whole
