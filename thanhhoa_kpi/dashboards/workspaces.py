"""Workspaces: per-role desk homes defined as data in ``workspace/*.yaml`` (SPEC 6).

Each file is checked against ``workspace/schema.json`` by the small validator below (the
JSON Schema keywords the schema uses: type, enum, required, properties,
additionalProperties, items, min/maxItems, min/maxLength, pattern, minimum, maximum),
then against the registries: metrics and chart sources must exist
(:mod:`thanhhoa_kpi.dashboards.metrics`) and links must be desk URL names. Errors name
the file and the path, in Vietnamese: ``workspace/official.yaml: cards[1].metric: ...``.

A user gets the workspace with the lowest ``priority`` among those listing one of their
roles (system admin and HR admin → hr_admin, then leadership viewer, bloc authority,
unit head, deputy, official).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from thanhhoa_kpi.dashboards.metrics import CHART_SOURCES, METRICS

WORKSPACE_DIR = Path(settings.BASE_DIR) / "workspace"
TYPES = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool, "number": (int, float)}
TYPE_NAMES = {"object": "đối tượng", "array": "danh sách", "string": "chuỗi", "integer": "số nguyên",
              "boolean": "đúng/sai", "number": "số"}  # fmt: skip


class WorkspaceError(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Workspace:
    name: str
    data: dict[str, Any]

    @property
    def roles(self) -> list[str]:
        return list(self.data["roles"])

    @property
    def priority(self) -> int:
        return int(self.data["priority"])


# --- a small JSON Schema validator -------------------------------------------------------------
def _is_type(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, TYPES[kind])


def _join(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)


def _object_errors(value: dict[str, Any], schema: dict[str, Any], path: str) -> list[tuple[str, str]]:
    errors = [(_join(path, k), "Thiếu mục bắt buộc.") for k in schema.get("required", []) if k not in value]
    properties = schema.get("properties", {})
    for key, item in value.items():
        if key in properties:
            errors += schema_errors(item, properties[key], _join(path, str(key)))
        elif schema.get("additionalProperties") is False:
            errors.append((_join(path, str(key)), f"Mục không được phép (chỉ: {', '.join(properties)})."))
    return errors


def _array_errors(value: list[Any], schema: dict[str, Any], path: str) -> list[tuple[str, str]]:
    errors = []
    if len(value) < schema.get("minItems", 0):
        errors.append((path, f"Cần ít nhất {schema['minItems']} mục."))
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        errors.append((path, f"Tối đa {schema['maxItems']} mục."))
    for index, item in enumerate(value):
        errors += schema_errors(item, schema.get("items", {}), _join(path, index))
    return errors


def _scalar_errors(value: Any, schema: dict[str, Any], path: str) -> list[tuple[str, str]]:
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append((path, f"Giá trị «{value}» không hợp lệ (chỉ: {', '.join(map(str, schema['enum']))})."))
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            errors.append((path, f"Độ dài phải từ {schema.get('minLength', 0)} đến {schema.get('maxLength', '∞')}."))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append((path, f"Giá trị «{value}» không đúng dạng."))
    elif isinstance(value, int | float):
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            errors.append((path, f"Phải từ {schema.get('minimum')} đến {schema.get('maximum')}."))
    return errors


def schema_errors(value: Any, schema: dict[str, Any], path: str = "") -> list[tuple[str, str]]:
    """(path, Vietnamese message) for every place where ``value`` breaks ``schema``."""
    kind = schema.get("type")
    if kind and not _is_type(value, kind):
        return [(path, f"Phải là {TYPE_NAMES[kind]}.")]
    if isinstance(value, dict):
        return _object_errors(value, schema, path)
    if isinstance(value, list):
        return _array_errors(value, schema, path)
    return _scalar_errors(value, schema, path)


# --- registries and URLs ------------------------------------------------------------------------
def _url_ok(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def _reference_errors(data: dict[str, Any]) -> list[tuple[str, str]]:
    errors = []
    for i, card in enumerate(data.get("cards", [])):
        if card["metric"] not in METRICS:
            errors.append((f"cards[{i}].metric", f"Không có chỉ số «{card['metric']}» (có: {', '.join(METRICS)})."))
        if "link" in card and not _url_ok(card["link"]):
            errors.append((f"cards[{i}].link", f"Không có trang «{card['link']}» trên bàn làm việc."))
    for i, chart in enumerate(data.get("charts", [])):
        if chart["source"] not in CHART_SOURCES:
            errors.append(
                (f"charts[{i}].source", f"Không có nguồn biểu đồ «{chart['source']}» (có: {', '.join(CHART_SOURCES)}).")
            )
    for i, shortcut in enumerate(data.get("shortcuts", [])):
        if not _url_ok(shortcut["url"]):
            errors.append((f"shortcuts[{i}].url", f"Không có trang «{shortcut['url']}» trên bàn làm việc."))
    return errors


# --- loading ----------------------------------------------------------------------------------------
def _schema() -> dict[str, Any]:
    return json.loads((WORKSPACE_DIR / "schema.json").read_text(encoding="utf-8"))


def _label(path: Path) -> str:
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


def load_file(path: Path, schema: dict[str, Any] | None = None) -> Workspace:
    """One workspace file, checked; :class:`WorkspaceError` names the file and each path."""
    label = _label(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise WorkspaceError([f"{label}: không đọc được tệp YAML ({exc.__class__.__name__}: {exc})."]) from None
    errors = schema_errors(data, schema or _schema())
    if not errors:
        errors = _reference_errors(data)
    if errors:
        raise WorkspaceError([f"{label}: {where or '(gốc)'}: {message}" for where, message in errors])
    return Workspace(path.stem, data)


def load_all(directory: Path | None = None) -> list[Workspace]:
    """Every ``*.yaml`` of the directory, checked; all errors of all files at once."""
    directory = directory or WORKSPACE_DIR
    schema = _schema()
    loaded, messages = [], []
    for path in sorted(directory.glob("*.yaml")):
        try:
            loaded.append(load_file(path, schema))
        except WorkspaceError as exc:
            messages += exc.messages
    if messages:
        raise WorkspaceError(messages)
    return loaded


_CACHE: dict[str, tuple[tuple[tuple[str, float], ...], list[Workspace]]] = {}


def workspaces() -> list[Workspace]:
    """The checked workspaces, re-read when a file changes (no restart needed)."""
    stamp = tuple((p.name, p.stat().st_mtime) for p in sorted(WORKSPACE_DIR.glob("*.y*ml")))
    cached = _CACHE.get(str(WORKSPACE_DIR))
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_all())
        _CACHE[str(WORKSPACE_DIR)] = cached
    return cached[1]


def workspace_for(roles: set[str] | frozenset[str]) -> Workspace | None:
    matching = [w for w in workspaces() if roles & set(w.roles)]
    return min(matching, key=lambda w: (w.priority, w.name)) if matching else None
