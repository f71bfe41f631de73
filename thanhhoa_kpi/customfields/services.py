"""Writes of custom field definitions and the validation of custom values (SPEC 7).

Every writer of a host's ``custom`` field (desk, API, imports, services of other apps)
calls :func:`custom_values_validate`, so a custom value is checked exactly like a
built-in one, with a Vietnamese message per ``custom.<key>``.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Max
from django.db.models.fields.json import KeyTransform

from thanhhoa_kpi.core.errors import FieldError, ValidationFailed
from thanhhoa_kpi.customfields import selectors
from thanhhoa_kpi.customfields.models import KEY_PATTERN, BuiltinOverride, FieldDefinition
from thanhhoa_kpi.customfields.registry import DOCTYPES, host_model
from thanhhoa_kpi.customfields.types import (
    ATTACHMENT_PREFIX,
    FIELD_TYPES,
    CustomValueError,
    is_blank,
    plain_text_errors,
)

EDITABLE = (
    "label",
    "required",
    "default",
    "help_text",
    "options",
    "order",
    "show_in_list",
    "show_in_filters",
    "active",
)
FIXED = ("doctype", "key", "field_type")
ORDER_STEP = 10
# Names Django reads as lookups after ``custom__`` (``custom__in`` is not a key): refused.
RESERVED_KEYS = set(models.JSONField.get_lookups()) | set(KeyTransform.get_lookups()) | {"pk", "id"}


def _fail(errors: list[FieldError], message: str = "Định nghĩa trường tùy biến không hợp lệ.") -> None:
    if errors:
        raise ValidationFailed(message, errors)


def _options(definition: FieldDefinition) -> list[FieldError]:
    kind = FIELD_TYPES[definition.field_type]
    options = definition.options
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        return [FieldError("options", "Các lựa chọn phải là danh sách chuỗi ký tự.")]
    definition.options = [o.strip() for o in options if o.strip()]
    if not kind.has_options:
        return [FieldError("options", "Chỉ kiểu «Lựa chọn» mới có các lựa chọn.")] if definition.options else []
    if not definition.options:
        return [FieldError("options", "Cần ít nhất một lựa chọn.")]
    if len({o.casefold() for o in definition.options}) != len(definition.options):
        return [FieldError("options", "Các lựa chọn bị trùng nhau.")]
    return []


def _default(definition: FieldDefinition) -> list[FieldError]:
    if is_blank(definition.default):
        definition.default = None
        return []
    if definition.field_type == "attachment":
        return [FieldError("default", "Tệp đính kèm không có giá trị mặc định.")]
    try:
        definition.default = FIELD_TYPES[definition.field_type].clean(definition.default, definition)
    except CustomValueError as exc:
        return [FieldError("default", str(exc))]
    return []


def _check(definition: FieldDefinition) -> None:
    errors: list[FieldError] = []
    if definition.doctype not in DOCTYPES:
        errors.append(FieldError("doctype", f"Loại tài liệu «{definition.doctype}» không hỗ trợ trường tùy biến."))
    if not isinstance(definition.key, str) or not re.fullmatch(KEY_PATTERN, definition.key):
        errors.append(FieldError("key", "Mã trường chỉ gồm chữ thường không dấu, chữ số, dấu gạch dưới (tối đa 50)."))
    elif definition.key in RESERVED_KEYS:
        errors.append(FieldError("key", f"Mã trường «{definition.key}» trùng từ khóa của hệ thống; hãy chọn mã khác."))
    if not str(definition.label or "").strip():
        errors.append(FieldError("label", "Cần nhập nhãn."))
    if definition.field_type not in FIELD_TYPES:
        errors.append(FieldError("field_type", f"Kiểu dữ liệu «{definition.field_type}» không hỗ trợ."))
    else:
        errors += _options(definition)
        errors += _default(definition)
    if not isinstance(definition.order, int) or definition.order < 0:
        errors.append(FieldError("order", "Thứ tự phải là số nguyên không âm."))
    # Plain text only (H5, issue 9): shown to every official, never as markup.
    errors += [FieldError(n, m) for n, m in plain_text_errors(label=definition.label, help_text=definition.help_text)]
    _fail(errors)


def _taken(doctype: str, key: str, *, lock: bool = False) -> None:
    rows = FieldDefinition.objects.select_for_update() if lock else FieldDefinition.objects
    taken = rows.filter(doctype=doctype, key=key).first()
    if taken is not None:
        state = "" if taken.active else " (đã ngừng sử dụng; hãy dùng lại trường đó)"
        raise ValidationFailed("Mã trường đã tồn tại.", [FieldError("key", f"Mã trường «{key}» đã tồn tại{state}.")])


def field_definition_check(definition: FieldDefinition, *, creating: bool) -> None:
    """Checks an unsaved definition (the desk form calls it to show errors on the fields)."""
    _check(definition)
    if creating:
        _taken(definition.doctype, definition.key)


@transaction.atomic
def field_definition_create(
    *,
    doctype: str,
    key: str,
    label: str,
    field_type: str,
    required: bool = False,
    default: Any = None,
    help_text: str = "",
    options: list[str] | None = None,
    order: int | None = None,
    show_in_list: bool = False,
    show_in_filters: bool = False,
) -> FieldDefinition:
    definition = FieldDefinition(
        doctype=doctype, key=key, label=str(label or "").strip(), field_type=field_type, required=required,
        default=default, help_text=help_text or "", options=list(options or []), order=order or 0,
        show_in_list=show_in_list, show_in_filters=show_in_filters,
    )  # fmt: skip
    _check(definition)
    _taken(doctype, key, lock=True)
    if order is None:
        last = FieldDefinition.objects.filter(doctype=doctype).aggregate(m=Max("order"))["m"] or 0
        definition.order = last + ORDER_STEP
    definition.save()
    return definition


@transaction.atomic
def field_definition_update(*, definition: FieldDefinition, **changes: Any) -> FieldDefinition:
    """Changes label, flags, options, order...; the document type, key and type are fixed."""
    errors = []
    for name in FIXED:
        if name in changes and changes[name] != getattr(definition, name):
            errors.append(FieldError(name, "Không thể thay đổi sau khi tạo; hãy ngừng sử dụng và tạo trường mới."))
    unknown = set(changes) - set(EDITABLE) - set(FIXED)
    errors += [FieldError(name, "Thuộc tính không tồn tại.") for name in sorted(unknown)]
    _fail(errors)
    definition = FieldDefinition.objects.select_for_update().get(pk=definition.pk)
    for name in EDITABLE:
        if name in changes:
            setattr(definition, name, changes[name] if name != "options" else list(changes[name] or []))
    _check(definition)
    definition.save()
    return definition


def field_definition_retire(*, definition: FieldDefinition) -> FieldDefinition:
    """Stops using a field: it leaves forms, lists, the API and reports; values are kept."""
    return field_definition_update(definition=definition, active=False)


@transaction.atomic
def field_definition_reorder(*, doctype: str, keys: list[str]) -> list[FieldDefinition]:
    """Puts the named fields first, in this order; the others follow in their old order."""
    rows = {d.key: d for d in FieldDefinition.objects.select_for_update().filter(doctype=doctype)}
    unknown = [k for k in keys if k not in rows]
    _fail([FieldError("keys", f"Không có trường «{k}».") for k in unknown])
    rest = [d.key for d in sorted(rows.values(), key=lambda d: (d.order, d.pk)) if d.key not in keys]
    for index, key in enumerate([*keys, *rest], start=1):
        rows[key].order = index * ORDER_STEP
    FieldDefinition.objects.bulk_update(rows.values(), ["order"])
    return selectors.definitions(doctype, include_retired=True)


# --- overrides of built-in fields ------------------------------------------------------
def _builtin_field(doctype: str, field_name: str) -> models.Field:
    model = host_model(doctype)
    try:
        field = model._meta.get_field(field_name)
    except Exception:  # FieldDoesNotExist, or a reverse relation name
        field = None
    if not isinstance(field, models.Field) or not field.editable or field.primary_key or field_name == "custom":
        raise ValidationFailed("Trường có sẵn không hợp lệ.", [FieldError("field_name", "Không có trường này.")])
    return field


def builtin_override_check(*, doctype: str, field_name: str, required: bool | None, hidden: bool) -> None:
    field = _builtin_field(doctype, field_name)
    mandatory = not field.blank and not field.has_default() and not field.null
    errors = []
    if required is False and not field.blank:
        errors.append(FieldError("required", "Trường này bắt buộc theo quy định, không thể bỏ bắt buộc."))
    if hidden and (mandatory or required):
        errors.append(FieldError("hidden", "Không thể ẩn một trường bắt buộc."))
    _fail(errors, "Tùy chỉnh trường có sẵn không hợp lệ.")


def builtin_field_choices(doctype: str) -> list[tuple[str, str]]:
    """(name, label) of the built-in fields of a host that an override may change."""
    from thanhhoa_kpi.customfields.registry import HOSTS

    model = HOSTS.get(doctype)
    if model is None:
        return []
    return [
        (f.name, str(f.verbose_name))
        for f in model._meta.get_fields()
        if isinstance(f, models.Field) and f.editable and not f.primary_key and f.name != "custom"
    ]


@transaction.atomic
def builtin_override_set(
    *, doctype: str, field_name: str, label: str = "", help_text: str = "", required: bool | None = None,
    hidden: bool = False,
) -> BuiltinOverride:  # fmt: skip
    builtin_override_check(doctype=doctype, field_name=field_name, required=required, hidden=hidden)
    _fail([FieldError(n, m) for n, m in plain_text_errors(label=label, help_text=help_text)],
          "Tùy chỉnh trường có sẵn không hợp lệ.")  # fmt: skip
    override, _ = BuiltinOverride.objects.select_for_update().update_or_create(
        doctype=doctype,
        field_name=field_name,
        defaults={"label": label.strip(), "help_text": help_text.strip(), "required": required, "hidden": hidden},
    )
    return override


# --- custom values ------------------------------------------------------------------------
def _clean_value(definition: FieldDefinition, raw: Any) -> Any:
    return FIELD_TYPES[definition.field_type].clean(raw, definition)


def _apply(defs: dict[str, FieldDefinition], values: dict[str, Any], result: dict[str, Any]) -> dict[str, str]:
    """Writes each given value into ``result``; returns {key: message} for the bad ones."""
    errors: dict[str, str] = {}
    for key, raw in values.items():
        definition = defs.get(key)
        if definition is None:
            errors[key] = "Trường tùy biến không tồn tại hoặc đã ngừng sử dụng."
        elif is_blank(raw):
            result.pop(key, None)
        else:
            try:
                result[key] = _clean_value(definition, raw)
            except CustomValueError as exc:
                errors[key] = str(exc)
    return errors


def custom_values_validate(*, doctype: str, values: Any, instance: Any = None) -> dict[str, Any]:
    """The host's whole ``custom`` dict after applying ``values`` (a partial dict).

    Keys absent from ``values`` keep their stored value; a blank value clears the key;
    defaults fill keys absent on a new record; every bad value, unknown key and missing
    required field is reported at once as ``custom.<key>``.
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ValidationFailed(
            "Giá trị trường tùy biến không hợp lệ.",
            [FieldError("custom", "Phải là một đối tượng {mã trường: giá trị}.")],
        )
    defs = {d.key: d for d in selectors.definitions(doctype)}
    creating = instance is None or getattr(instance, "pk", None) is None
    result = dict(getattr(instance, "custom", None) or {}) if instance is not None else {}
    errors = _apply(defs, values, result)
    for key, definition in defs.items():
        if creating and key not in values and definition.default is not None:
            result[key] = definition.default
        if definition.required and key not in errors and is_blank(result.get(key)):
            errors[key] = "Trường này là bắt buộc."
    if errors:
        raise ValidationFailed(
            "Giá trị trường tùy biến không hợp lệ.", [FieldError(f"custom.{k}", m) for k, m in errors.items()]
        )
    return result


def custom_attachment_store(*, doctype: str, key: str, upload: Any) -> str:
    """Saves an uploaded file for a custom attachment field; returns its storage path."""
    from thanhhoa_kpi.core.files import check_attachment

    label = FieldDefinition.objects.filter(doctype=doctype, key=key).values_list("label", flat=True).first()
    check_attachment(upload, field=f"custom.{key}", label=label or key)  # type and size, before storing
    name = re.sub(r"[^\w.-]+", "_", getattr(upload, "name", "tep") or "tep")[-80:]
    path = f"{ATTACHMENT_PREFIX}{doctype}/{key}/{uuid.uuid4().hex}_{name}"
    return default_storage.save(path, upload)


# --- imports and exports (used by thanhhoa_kpi.transfer) ---------------------------------
def _norm(header: str) -> str:
    return " ".join(str(header).split()).casefold().rstrip(" *")


def custom_columns(doctype: str) -> list[tuple[str, str]]:
    """The (Vietnamese header, key) of each active custom field, in form order."""
    return [(d.label, d.key) for d in selectors.definitions(doctype) if d.field_type != "attachment"]


def _cell_value(definition: FieldDefinition, raw: Any) -> Any:
    if isinstance(raw, float) and definition.field_type in {
        "text",
        "long_text",
        "select",
        "link_unit",
        "link_official",
    }:
        raw = int(raw) if raw == int(raw) else raw  # Excel hands "12" over as 12.0
    return raw


def custom_values_from_row(doctype: str, row: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Custom values of one imported row (headers → raw cells), checked by type.

    Only the custom columns present in ``row`` are returned (a blank cell as ``None``,
    which clears the value); errors name the column header. Pass the values on to
    :func:`custom_values_validate` with the instance to merge and check required fields.
    """
    cells = {_norm(h): v for h, v in row.items()}
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for definition in selectors.definitions(doctype):
        header = _norm(definition.label)
        if header not in cells or definition.field_type == "attachment":
            continue
        raw = _cell_value(definition, cells[header])
        if is_blank(raw):
            values[definition.key] = None
            continue
        try:
            values[definition.key] = _clean_value(definition, raw)
        except CustomValueError as exc:
            errors.append(FieldError(definition.label, str(exc)))
    return values, errors


def custom_cells(doctype: str, customs: list[dict[str, Any]]) -> list[list[Any]]:
    """Export cells (in :func:`custom_columns` order) for many records, links as codes.

    Two queries at most (units, officials) whatever the number of records, so an export
    of a whole province stays flat.
    """
    defs = [d for d in selectors.definitions(doctype) if d.field_type != "attachment"]
    codes = _link_codes(defs, customs)
    rows = []
    for custom in customs:
        row = []
        for d in defs:
            value = (custom or {}).get(d.key)
            if d.field_type in codes and value is not None:
                value = codes[d.field_type].get(value, value)
            elif value is not None:
                value = FIELD_TYPES[d.field_type].from_json(value)
            row.append(value)
        rows.append(row)
    return rows


def _link_codes(defs: list[FieldDefinition], customs: list[dict[str, Any]]) -> dict[str, dict[int, str]]:
    from thanhhoa_kpi.organization.models import Official, OrgUnit

    models_by_type = {"link_unit": OrgUnit, "link_official": Official}
    out: dict[str, dict[int, str]] = {}
    for field_type, model in models_by_type.items():
        keys = [d.key for d in defs if d.field_type == field_type]
        ids = {c.get(k) for c in customs if c for k in keys} - {None}
        if ids:
            out[field_type] = dict(model.objects.filter(pk__in=ids).values_list("pk", "code"))
    return out


def custom_display(doctype: str, stored: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, text) of each active custom field of one record, for printed forms."""
    defs = [d for d in selectors.definitions(doctype) if d.field_type != "attachment"]
    row = custom_cells(doctype, [stored or {}])[0]
    return [(d.label, display_text(value)) for d, value in zip(defs, row, strict=True)]


def display_text(value: Any) -> str:
    from datetime import date
    from decimal import Decimal

    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return str(value)
