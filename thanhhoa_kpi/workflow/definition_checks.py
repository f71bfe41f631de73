"""Checking a definition typed in the desk: every problem, in Vietnamese, by name.

The pure :mod:`~thanhhoa_kpi.workflow.definition` module checks shape and sense against
the names it is given; this module gives it the names the system knows (guards of the
document type, approver rules, roles) and rewrites JSON paths such as
``transitions[2].to`` into words an HR admin recognises ("Thao tác thứ 3 («approve»)").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from thanhhoa_kpi.core.errors import FieldError
from thanhhoa_kpi.workflow.effects import contract_for
from thanhhoa_kpi.workflow.engine import DefinitionError, InvalidDefinitionError, parse_definition, validate_definition
from thanhhoa_kpi.workflow.guards import known_guards
from thanhhoa_kpi.workflow.models import DocType
from thanhhoa_kpi.workflow.resolvers import known_approver_rules, known_roles

BODY_KEYS = ("states", "transitions")
_PATH = re.compile(r"^(states|transitions)\[(\d+)\](.*)$")
_NOUN = {"states": ("Trạng thái", "code"), "transitions": ("Thao tác", "action")}


def _entry_name(raw: Mapping[str, Any], kind: str, index: int) -> str:
    entries = raw.get(kind)
    entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
    key = _NOUN[kind][1]
    value = entry.get(key) if isinstance(entry, Mapping) else None
    return f" («{value}»)" if isinstance(value, str) and value.strip() else ""


def describe_path(where: str, raw: Mapping[str, Any]) -> str:
    """``transitions[2].to`` → ``Thao tác thứ 3 («approve»), khóa «to»``."""
    match = _PATH.match(where)
    if match is None:
        return where
    kind, index, rest = match.group(1), int(match.group(2)), match.group(3).lstrip(".")
    text = f"{_NOUN[kind][0]} thứ {index + 1}{_entry_name(raw, kind, index)}"
    return f"{text}, khóa «{rest}»" if rest else text


def _field_error(error: DefinitionError, raw: Mapping[str, Any]) -> FieldError:
    if error.where.startswith("workflow."):
        return FieldError(error.where.removeprefix("workflow."), error.message.split(": ", 1)[-1])
    message = error.message
    if error.code == "MALFORMED" and message.startswith(f"{error.where}: "):
        message = f"{describe_path(error.where, raw)}: {message[len(error.where) + 2 :]}"
    return FieldError(f"definition.{error.where}", message)


def definition_errors(*, code: str, name: str, doctype: str, definition: Any) -> list[FieldError]:
    """Every problem of a definition as it would be saved; empty when it may be saved."""
    if not isinstance(definition, Mapping):
        return [FieldError("definition", "Định nghĩa phải là một đối tượng JSON gồm «states» và «transitions».")]
    errors = [
        FieldError("definition", f"Khóa «{key}» không được hỗ trợ; định nghĩa chỉ gồm «states» và «transitions».")
        for key in sorted(set(definition) - set(BODY_KEYS), key=str)
    ]
    if doctype not in DocType.values:
        errors.append(FieldError("doctype", f"Loại tài liệu «{doctype}» không được hỗ trợ."))
    mapping = {"code": code, "version": 1, "name": name, "doctype": doctype}
    mapping.update({key: definition.get(key, []) for key in BODY_KEYS})
    try:
        parsed = parse_definition(mapping)
    except InvalidDefinitionError as invalid:
        return errors + [_field_error(error, definition) for error in invalid.errors]
    problems = validate_definition(
        parsed,
        known_guards=known_guards(doctype),
        known_approver_rules=known_approver_rules(),
        known_roles=known_roles(),
        contract=contract_for(doctype),
    )
    return errors + [_field_error(error, definition) for error in problems]
