"""Writes of custom field definitions and the validation of custom values (SPEC 7).

Every writer of a host's ``custom`` field (desk, API, imports, services of other apps)
calls :func:`custom_values_validate`, so a custom value is checked exactly like a
built-in one, with a Vietnamese message per ``custom.<key>``; only the fields whose owning
scope holds the record apply (:func:`selectors.definitions`).

Definition writers take the acting user (``by``) and check it here: province-wide fields
and overrides of built-in fields are changed by province admins; a field owned by a unit
by HR admins of that unit's subtree, one owned by a bloc by HR admins of the bloc
(``access.register`` in ``apps.py``). Fixtures, patches and commands pass ``SYSTEM``.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Max
from django.db.models.fields.json import KeyTransform

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core import memo, refcache
from thanhhoa_kpi.core.actors import is_system
from thanhhoa_kpi.core.errors import FieldError, PermissionRefused, ValidationFailed
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
FIXED = ("doctype", "key", "field_type", "owner_unit", "owner_bloc")
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
    errors += _owner(definition)
    # Plain text only (H5, issue 9): shown to every official, never as markup.
    errors += [FieldError(n, m) for n, m in plain_text_errors(label=definition.label, help_text=definition.help_text)]
    _fail(errors)


def _owner(definition: FieldDefinition) -> list[FieldError]:
    from thanhhoa_kpi.organization.choices import Bloc

    definition.owner_bloc = definition.owner_bloc or ""
    if definition.owner_unit_id is not None and definition.owner_bloc:
        return [FieldError("owner_bloc", "Chọn một đơn vị sở hữu hoặc một khối sở hữu, không chọn cả hai.")]
    if definition.owner_bloc and definition.owner_bloc not in Bloc.values:
        return [FieldError("owner_bloc", f"Khối «{definition.owner_bloc}» không tồn tại.")]
    if definition.owner_unit_id is not None and definition.doctype == "position":
        return [FieldError("owner_unit", "Vị trí việc làm thuộc một khối: chọn khối sở hữu hoặc để áp dụng toàn tỉnh.")]
    return []


def _may_define(by: Any, definition: FieldDefinition) -> bool:
    if access.is_province_admin(by):
        return True
    if definition.owner_unit_id is not None:
        from thanhhoa_kpi.organization.models import OrgUnit

        scope = access.scope_for(by)
        units = OrgUnit.objects.filter(pk=definition.owner_unit_id)
        return not scope.read_only and units.filter(access.manageable_unit_q(scope)).exists()
    if definition.owner_bloc:
        return access.can_manage_bloc(by, definition.owner_bloc)
    return False


def _authorise(by: Any, definition: FieldDefinition) -> None:
    """The acting user may define fields in the definition's owning scope."""
    if is_system(by) or _may_define(by, definition):
        return
    if definition.is_province_wide:
        raise PermissionRefused("Chỉ quản trị cấp tỉnh được định nghĩa trường tùy biến áp dụng toàn tỉnh.")
    raise PermissionRefused("Bạn không quản lý đơn vị hoặc khối sở hữu trường tùy biến này.")


def _taken(doctype: str, key: str, *, lock: bool = False) -> None:
    rows = FieldDefinition.objects.select_for_update() if lock else FieldDefinition.objects
    taken = rows.filter(doctype=doctype, key=key).first()
    if taken is not None:
        state = "" if taken.active else " (đã ngừng sử dụng; hãy dùng lại trường đó)"
        raise ValidationFailed("Mã trường đã tồn tại.", [FieldError("key", f"Mã trường «{key}» đã tồn tại{state}.")])


def field_definition_check(definition: FieldDefinition, *, creating: bool, by: Any = None) -> None:
    """Checks an unsaved definition (the desk form calls it to show errors on the fields)."""
    _check(definition)
    if by is not None and not is_system(by) and not _may_define(by, definition):
        raise ValidationFailed(
            "Bạn không được định nghĩa trường tùy biến ở phạm vi này.",
            [FieldError("owner_unit", "Chọn một đơn vị hoặc khối bạn quản lý (toàn tỉnh: chỉ quản trị cấp tỉnh).")],
        )
    if creating:
        _taken(definition.doctype, definition.key)


@transaction.atomic
def field_definition_create(
    *,
    by: Any,
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
    owner_unit: Any = None,
    owner_bloc: str = "",
) -> FieldDefinition:
    definition = FieldDefinition(
        doctype=doctype, key=key, label=str(label or "").strip(), field_type=field_type, required=required,
        default=default, help_text=help_text or "", options=list(options or []), order=order or 0,
        show_in_list=show_in_list, show_in_filters=show_in_filters, owner_unit=owner_unit,
        owner_bloc=owner_bloc or "",
    )  # fmt: skip
    _check(definition)
    _authorise(by, definition)
    _taken(doctype, key, lock=True)
    if order is None:
        last = FieldDefinition.objects.filter(doctype=doctype).aggregate(m=Max("order"))["m"] or 0
        definition.order = last + ORDER_STEP
    definition.save()
    return definition


@transaction.atomic
def field_definition_update(*, by: Any, definition: FieldDefinition, **changes: Any) -> FieldDefinition:
    """Changes label, flags, options, order...; the document type, key, type and owner are fixed."""
    if not is_system(by) and not access.can_change(by, definition):
        raise PermissionRefused("Bạn không được sửa trường tùy biến này.")
    errors = []
    for name in FIXED:
        if name in changes and _fixed_value(changes[name]) != _fixed_value(getattr(definition, name)):
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


def _fixed_value(value: Any) -> Any:
    """Compares an owner given as a row, an id, ``None`` or ``""`` with the stored one."""
    if value is None or value == "":
        return None
    return getattr(value, "pk", value)


def field_definition_retire(*, by: Any, definition: FieldDefinition) -> FieldDefinition:
    """Stops using a field: it leaves forms, lists, the API and reports; values are kept."""
    return field_definition_update(by=by, definition=definition, active=False)


@transaction.atomic
def field_definition_reorder(*, by: Any, doctype: str, keys: list[str]) -> list[FieldDefinition]:
    """Puts the named fields first, in this order; the others follow in their old order.

    Renumbers every field of the document type, whatever its owner: province admins only."""
    if not is_system(by) and not access.is_province_admin(by):
        raise PermissionRefused("Chỉ quản trị cấp tỉnh được sắp xếp lại toàn bộ trường tùy biến.")
    rows = {d.key: d for d in FieldDefinition.objects.select_for_update().filter(doctype=doctype)}
    unknown = [k for k in keys if k not in rows]
    _fail([FieldError("keys", f"Không có trường «{k}».") for k in unknown])
    rest = [d.key for d in sorted(rows.values(), key=lambda d: (d.order, d.pk)) if d.key not in keys]
    for index, key in enumerate([*keys, *rest], start=1):
        rows[key].order = index * ORDER_STEP
    FieldDefinition.objects.bulk_update(rows.values(), ["order"])
    memo.forget(selectors.MEMO_KIND)  # bulk_update sends no signal
    refcache.bump()
    return selectors.definitions(doctype, host=selectors.ALL_HOSTS, include_retired=True)


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
    *, by: Any, doctype: str, field_name: str, label: str = "", help_text: str = "", required: bool | None = None,
    hidden: bool = False,
) -> BuiltinOverride:  # fmt: skip
    if not is_system(by) and not access.is_province_admin(by):
        raise PermissionRefused("Chỉ quản trị cấp tỉnh được tùy chỉnh trường có sẵn (áp dụng toàn tỉnh).")
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


def _apply(
    defs: dict[str, FieldDefinition], values: dict[str, Any], result: dict[str, Any], elsewhere: set[str]
) -> dict[str, str]:
    """Writes each given value into ``result``; returns {key: message} for the bad ones.

    A blank value of a field owned by another scope is ignored (an import file or a form
    may carry the column); a value is refused."""
    errors: dict[str, str] = {}
    for key, raw in values.items():
        definition = defs.get(key)
        if definition is None and key in elsewhere:
            if not is_blank(raw):
                errors[key] = "Trường tùy biến này không áp dụng cho đơn vị hoặc khối của bản ghi."
        elif definition is None:
            errors[key] = "Trường tùy biến không tồn tại hoặc đã ngừng sử dụng."
        elif is_blank(raw):
            result.pop(key, None)
        else:
            try:
                result[key] = _clean_value(definition, raw)
            except CustomValueError as exc:
                errors[key] = str(exc)
    return errors


_SAME = object()


def custom_values_validate(*, doctype: str, values: Any, instance: Any = None, host: Any = _SAME) -> dict[str, Any]:
    """The host's whole ``custom`` dict after applying ``values`` (a partial dict).

    Keys absent from ``values`` keep their stored value; a blank value clears the key;
    defaults fill keys absent on a new record; every bad value, unknown key and missing
    required field is reported at once as ``custom.<key>``. Only the fields applying to
    ``host`` (by default ``instance``; or its unit when the record is not built yet) count:
    another ward's required field does not block this record.
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ValidationFailed(
            "Giá trị trường tùy biến không hợp lệ.",
            [FieldError("custom", "Phải là một đối tượng {mã trường: giá trị}.")],
        )
    every = selectors.definitions(doctype, host=selectors.ALL_HOSTS)
    reach = selectors.host_reach(doctype, instance if host is _SAME else host)
    defs = {d.key: d for d in every if selectors.applies(d, reach)}
    creating = instance is None or getattr(instance, "pk", None) is None
    result = dict(getattr(instance, "custom", None) or {}) if instance is not None else {}
    errors = _apply(defs, values, result, {d.key for d in every} - set(defs))
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
    """The (Vietnamese header, key) of each active custom field, in form order (every
    scope: a row outside a field's scope has a blank cell, refused if filled on import)."""
    return [
        (d.label, d.key)
        for d in selectors.definitions(doctype, host=selectors.ALL_HOSTS)
        if d.field_type != "attachment"
    ]


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
    for definition in selectors.definitions(doctype, host=selectors.ALL_HOSTS):
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
    defs = [d for d in selectors.definitions(doctype, host=selectors.ALL_HOSTS) if d.field_type != "attachment"]
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


def custom_display(doctype: str, stored: dict[str, Any] | None, *, host: Any) -> list[tuple[str, str]]:
    """(label, text) of each custom field applying to ``host`` (the record, or its unit), for
    printed forms."""
    defs = [d for d in selectors.definitions(doctype, host=selectors.ALL_HOSTS) if d.field_type != "attachment"]
    row = custom_cells(doctype, [stored or {}])[0]
    shown = {d.pk for d in selectors.for_record(doctype, defs, host)}
    return [(d.label, display_text(value)) for d, value in zip(defs, row, strict=True) if d.pk in shown]


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
