"""A report definition (JSON) checked into a :class:`ReportSpec`, errors in Vietnamese.

Definition::

    {"doctype": "official",
     "columns": ["full_name", "custom.nhom"],
     "filters": [{"field": "category", "op": "in", "value": ["CONG_CHUC"]}],
     "group_by": ["unit"],
     "aggregates": [{"fn": "count"}, {"fn": "avg", "field": "custom.diem"}],
     "sort": [{"field": "count", "desc": true}],
     "chart": {"type": "bar", "x": "unit", "y": "count"}}

Without ``group_by`` the report lists rows (``columns``), or, with aggregates and no
columns, one row of totals. With ``group_by`` it lists one row per group with the
aggregates (``count`` when none is given); ``columns`` are then not used. An aggregate is
named ``count`` or ``<fn>:<field>`` in ``sort`` and ``chart.y``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from thanhhoa_kpi.core.errors import FieldError, ValidationFailed
from thanhhoa_kpi.reports.registry import SOURCES, ReportSource, SourceField

OPS = {
    "eq": "bằng", "ne": "khác", "lt": "nhỏ hơn", "lte": "nhỏ hơn hoặc bằng", "gt": "lớn hơn",
    "gte": "lớn hơn hoặc bằng", "in": "thuộc danh sách", "contains": "có chứa", "isnull": "để trống",
    "between": "trong khoảng",
}  # fmt: skip
OPS_BY_KIND = {
    "text": ("eq", "ne", "in", "contains", "isnull"),
    "fk": ("eq", "ne", "in", "contains", "isnull"),
    "choice": ("eq", "ne", "in", "isnull"),
    "number": ("eq", "ne", "lt", "lte", "gt", "gte", "in", "between", "isnull"),
    "date": ("eq", "ne", "lt", "lte", "gt", "gte", "between", "isnull"),
}
AGGREGATES = {"count": "Số lượng", "sum": "Tổng", "avg": "Trung bình", "min": "Nhỏ nhất", "max": "Lớn nhất"}
AGGREGATE_KINDS = {"sum": ("number",), "avg": ("number",), "min": ("number", "date"), "max": ("number", "date")}
CHART_TYPES = {"bar": "Cột", "line": "Đường", "pie": "Tròn"}
LIMITS = {"columns": 40, "filters": 20, "group_by": 3, "aggregates": 10, "sort": 5}


@dataclass(frozen=True)
class Filter:
    field: SourceField
    op: str
    value: Any


@dataclass(frozen=True)
class Aggregate:
    fn: str
    field: SourceField | None
    key: str
    label: str
    kind: str


@dataclass(frozen=True)
class Sort:
    key: str
    desc: bool


@dataclass(frozen=True)
class ReportSpec:
    source: ReportSource
    columns: list[SourceField]
    filters: list[Filter]
    group_by: list[SourceField]
    aggregates: list[Aggregate]
    sort: list[Sort]
    chart: dict[str, str] | None
    normalized: dict[str, Any]

    @property
    def grouped(self) -> bool:
        return bool(self.group_by)


class _Errors:
    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(FieldError(path, message))


# --- values ----------------------------------------------------------------------------------
def _scalar(field: SourceField, raw: Any) -> Any:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError("Cần nhập giá trị.")
    if field.kind == "number":
        text = str(raw).strip()
        try:
            number = Decimal(text.replace(",", ".") if "." not in text else text)
        except InvalidOperation:
            raise ValueError("Phải là số.") from None
        if not number.is_finite():
            raise ValueError("Phải là số.")
        return number
    if field.kind == "date":
        return _date(raw)
    if field.kind == "choice":
        return _choice(field, raw)
    return str(raw).strip()


def _date(raw: Any) -> date:
    if isinstance(raw, date):
        return raw
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(str(raw).strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError("Ngày không hợp lệ (dd/mm/yyyy).")


def _choice(field: SourceField, raw: Any) -> str:
    text = str(raw).strip().casefold()
    for code, label in field.choices.items():
        if text in (code.casefold(), str(label).casefold()):
            return code
    allowed = ", ".join(str(label) for label in field.choices.values())
    raise ValueError(f"Giá trị «{raw}» không nằm trong các lựa chọn của «{field.label}»: {allowed}.")


def _as_list(raw: Any) -> list[Any]:
    if isinstance(raw, list | tuple):
        return list(raw)
    if isinstance(raw, str):
        return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
    return [raw]


def _isnull(raw: Any) -> bool:
    if raw is None or isinstance(raw, bool):
        return raw is not False
    if str(raw).strip().casefold() in {"false", "0", "không", "khong"}:
        return False
    return True


def _value(field: SourceField, op: str, raw: Any) -> Any:
    if op == "isnull":
        return _isnull(raw)
    if op == "in":
        values = [_scalar(field, v) for v in _as_list(raw)]
        if not values:
            raise ValueError("Cần ít nhất một giá trị.")
        return values
    if op == "between":
        values = [_scalar(field, v) for v in _as_list(raw)]
        if len(values) != 2:
            raise ValueError("Cần đúng hai giá trị: từ, đến.")
        return values
    return _scalar(field, raw)


def _json(value: Any) -> Any:
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- parts ---------------------------------------------------------------------------------
def _field(fields: dict[str, SourceField], name: Any, path: str, errors: _Errors) -> SourceField | None:
    found = fields.get(name) if isinstance(name, str) else None
    if found is None:
        errors.add(path, f"Không có trường «{name}» trong loại dữ liệu này.")
    return found


def _names(definition: dict[str, Any], part: str, errors: _Errors) -> list[Any]:
    raw = definition.get(part) or []
    if not isinstance(raw, list):
        errors.add(part, "Phải là một danh sách.")
        return []
    if len(raw) > LIMITS[part]:
        errors.add(part, f"Tối đa {LIMITS[part]} mục.")
        return []
    return raw


def _filters(fields: dict[str, SourceField], definition: dict[str, Any], errors: _Errors) -> list[Filter]:
    out = []
    for index, item in enumerate(_names(definition, "filters", errors)):
        path = f"filters[{index}]"
        if not isinstance(item, dict):
            errors.add(path, "Mỗi bộ lọc là một đối tượng {field, op, value}.")
            continue
        field = _field(fields, item.get("field"), f"{path}.field", errors)
        op = item.get("op")
        if field is None:
            continue
        if op not in OPS_BY_KIND[field.kind]:
            allowed = ", ".join(OPS_BY_KIND[field.kind])
            errors.add(f"{path}.op", f"Toán tử «{op}» không dùng được cho trường «{field.label}» (chỉ: {allowed}).")
            continue
        try:
            out.append(Filter(field, op, _value(field, op, item.get("value"))))
        except ValueError as exc:
            errors.add(f"{path}.value", str(exc))
    return out


def _aggregates(fields: dict[str, SourceField], definition: dict[str, Any], errors: _Errors) -> list[Aggregate]:
    out: list[Aggregate] = []
    for index, item in enumerate(_names(definition, "aggregates", errors)):
        path = f"aggregates[{index}]"
        fn = item.get("fn") if isinstance(item, dict) else None
        if not isinstance(fn, str) or fn not in AGGREGATES:  # a list or an object is no name
            errors.add(f"{path}.fn", f"Hàm tổng hợp «{fn}» không hỗ trợ (count, sum, avg, min, max).")
            continue
        name = item.get("field")
        if fn == "count" and not name:
            out.append(Aggregate("count", None, "count", "Số lượng", "number"))
            continue
        field = _field(fields, name, f"{path}.field", errors)
        if field is None:
            continue
        if fn != "count" and field.kind not in AGGREGATE_KINDS[fn]:
            errors.add(f"{path}.field", f"Không tính được «{AGGREGATES[fn]}» của trường «{field.label}».")
            continue
        kind = "number" if fn in ("count", "sum", "avg") else field.kind
        out.append(Aggregate(fn, field, f"{fn}:{field.name}", f"{AGGREGATES[fn]} {field.label}", kind))
    return out


def _sort(definition: dict[str, Any], allowed: set[str], errors: _Errors) -> list[Sort]:
    out = []
    for index, item in enumerate(_names(definition, "sort", errors)):
        key = item.get("field") if isinstance(item, dict) else item
        if not isinstance(key, str) or key not in allowed:
            errors.add(f"sort[{index}].field", f"Không sắp xếp được theo «{key}» (chỉ theo cột hoặc nhóm hiển thị).")
            continue
        out.append(Sort(key, bool(item.get("desc")) if isinstance(item, dict) else False))
    return out


def _chart(raw: Any, x_keys: list[str], y_keys: list[str], errors: _Errors) -> dict[str, str] | None:
    if not raw or (isinstance(raw, dict) and not raw.get("type")):
        return None
    if not isinstance(raw, dict):
        errors.add("chart", "Biểu đồ là một đối tượng {type, x, y}.")
        return None
    chart = {"type": raw.get("type"), "x": raw.get("x") or (x_keys[0] if x_keys else ""), "y": raw.get("y")}
    chart["y"] = chart["y"] or (y_keys[0] if y_keys else "")
    if not isinstance(chart["type"], str) or chart["type"] not in CHART_TYPES:
        errors.add("chart.type", "Loại biểu đồ phải là bar, line hoặc pie.")
    if chart["x"] not in x_keys:
        errors.add("chart.x", "Trục ngang phải là một trường nhóm (hoặc một cột).")
    if chart["y"] not in y_keys:
        errors.add("chart.y", "Trục dọc phải là một giá trị tổng hợp (hoặc một cột số).")
    return chart


def _mode(
    columns: list[SourceField], group_by: list[SourceField], aggregates: list[Aggregate], errors: _Errors
) -> tuple[list[SourceField], list[Aggregate], list[str], list[str]]:
    """Grouped, list or totals: the columns and aggregates kept, and the chart's axes."""
    if group_by:
        aggregates = aggregates or [Aggregate("count", None, "count", "Số lượng", "number")]
        return [], aggregates, [f.name for f in group_by], [a.key for a in aggregates]
    if aggregates and columns:
        errors.add("aggregates", "Tổng hợp cần «Nhóm theo»; hoặc bỏ chọn các cột để tính tổng toàn bộ.")
    elif not aggregates and not columns:
        errors.add("columns", "Chọn ít nhất một cột, một nhóm hoặc một giá trị tổng hợp.")
    x_keys = [f.name for f in columns]
    y_keys = [f.name for f in columns if f.kind == "number"] + [a.key for a in aggregates]
    return columns, aggregates, x_keys, y_keys


def report_definition_validate(definition: Any, *, user: Any = None) -> ReportSpec:
    """The checked definition, or :class:`ValidationFailed` listing every problem.

    With ``user``, custom fields are those that may apply to a record the user sees."""
    errors = _Errors()
    if not isinstance(definition, dict):
        raise ValidationFailed("Định nghĩa báo cáo không hợp lệ.", [FieldError("", "Phải là một đối tượng JSON.")])
    doctype = definition.get("doctype")
    # A list or an object is not a name (and cannot be looked up: it is unhashable).
    source = SOURCES.get(doctype) if isinstance(doctype, str) else None
    if source is None:
        shown = doctype if isinstance(doctype, str) else type(doctype).__name__
        raise ValidationFailed(
            "Định nghĩa báo cáo không hợp lệ.",
            [FieldError("doctype", f"Loại dữ liệu «{shown}» không có trong trình tạo báo cáo.")],
        )
    fields = source.all_fields(user)
    pick = lambda part: [  # noqa: E731
        f for i, n in enumerate(_names(definition, part, errors)) if (f := _field(fields, n, f"{part}[{i}]", errors))
    ]
    columns, group_by = pick("columns"), pick("group_by")
    filters = _filters(fields, definition, errors)
    aggregates = _aggregates(fields, definition, errors)
    columns, aggregates, x_keys, y_keys = _mode(columns, group_by, aggregates, errors)
    visible = {f.name for f in group_by or columns} | {a.key for a in aggregates}
    sort = _sort(definition, visible, errors)
    chart = _chart(definition.get("chart"), x_keys, y_keys, errors)
    if errors.items:
        raise ValidationFailed("Định nghĩa báo cáo không hợp lệ.", errors.items)
    normalized = {
        "doctype": source.code,
        "columns": [f.name for f in columns],
        "filters": [{"field": f.field.name, "op": f.op, "value": _json(f.value)} for f in filters],
        "group_by": [f.name for f in group_by],
        "aggregates": [{"fn": a.fn, **({"field": a.field.name} if a.field else {})} for a in aggregates],
        "sort": [{"field": s.key, "desc": s.desc} for s in sort],
        "chart": chart or {},
    }
    return ReportSpec(source, columns, filters, group_by, aggregates, sort, chart, normalized)
