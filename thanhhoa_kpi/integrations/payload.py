"""The JSON schema of an inbound event, checked field by field (docs/integrations.md).

Every problem is reported at once, each naming its field in Vietnamese, as the SPEC 8.1
error body does; nothing is written for an event that fails here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from thanhhoa_kpi.core.errors import FieldError, ValidationFailed

KINDS = ("VAN_BAN_DEN", "VAN_BAN_DI", "HO_SO")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LINK = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
# Control characters nobody types (they break the XLSX exports), as the API parsers strip them.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FIELDS = ("event_id", "document_number", "document_kind", "type_code", "date", "handler_code", "handler_email",
          "on_time", "quantity", "title", "link")  # fmt: skip
QUANTITY_LIMIT = Decimal(1000)  # one event is one document or dossier; a batch of 1000 is not one event


@dataclass(frozen=True)
class Event:
    event_id: str
    document_number: str
    document_kind: str
    type_code: str
    date: date
    handler_code: str
    handler_email: str
    on_time: bool
    quantity: Decimal
    title: str
    link: str


def parse_body(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or the MALFORMED_JSON error."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        message = "Nội dung gửi lên không phải JSON hợp lệ (UTF-8)."
        raise ValidationFailed(message, [FieldError("", message)], code="MALFORMED_JSON") from None
    if not isinstance(data, dict):
        message = "Nội dung gửi lên phải là một đối tượng JSON."
        raise ValidationFailed(message, [FieldError("", message)], code="MALFORMED_JSON")
    return data


class _Checker:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def text(self, field: str, label: str, limit: int, *, required: bool = True) -> str:
        value = self.data.get(field)
        if value is None or value == "":
            if required:
                self.fail(field, f"Thiếu {label}.")
            return ""
        if not isinstance(value, str):
            self.fail(field, f"{label[:1].upper()}{label[1:]} phải là chuỗi ký tự.")
            return ""
        value = " ".join(CONTROL.sub("", value).split())
        if not value and required:
            self.fail(field, f"Thiếu {label}.")
        if len(value) > limit:
            self.fail(field, f"{label[:1].upper()}{label[1:]} tối đa {limit} ký tự.")
        return value

    def day(self) -> date | None:
        value = self.data.get("date")
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            self.fail("date", "Ngày xử lý phải có dạng YYYY-MM-DD.")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail("date", "Ngày xử lý không có thật.")
            return None

    def quantity(self) -> Decimal:
        value = self.data.get("quantity", 1)
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.fail("quantity", "Số lượng phải là một số.")
            return Decimal(1)
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail("quantity", "Số lượng phải là một số.")
            return Decimal(1)
        if not number.is_finite() or number <= 0 or number > QUANTITY_LIMIT:
            self.fail("quantity", f"Số lượng phải lớn hơn 0 và không quá {QUANTITY_LIMIT}.")
        elif number != number.quantize(Decimal("0.01")):
            self.fail("quantity", "Số lượng có tối đa 2 chữ số thập phân.")
        return number


def parse_event(data: dict[str, Any]) -> Event:
    """The event of a decoded body, or ValidationFailed naming every wrong field."""
    check = _Checker(data)
    for name in sorted(set(data) - set(FIELDS)):
        check.fail(name[:100], "Trường không có trong lược đồ sự kiện.")
    event_id = check.text("event_id", "mã sự kiện (event_id)", 100)
    number = check.text("document_number", "số văn bản / hồ sơ", 120)
    kind = check.text("document_kind", "loại (document_kind)", 12)
    if kind and kind not in KINDS:
        check.fail("document_kind", "Loại phải là một trong: " + ", ".join(KINDS) + ".")
    type_code = check.text("type_code", "loại văn bản / mã thủ tục (type_code)", 60)
    day = check.day()
    code = check.text("handler_code", "mã CBCCVC người xử lý", 40, required=False)
    email = check.text("handler_email", "thư điện tử người xử lý", 254, required=False).lower()
    if email and not EMAIL.match(email):
        check.fail("handler_email", "Thư điện tử người xử lý không hợp lệ.")
    if not code and not email:
        check.fail("handler_code", "Cần mã CBCCVC (handler_code) hoặc thư điện tử (handler_email) của người xử lý.")
    on_time = data.get("on_time")
    if not isinstance(on_time, bool):
        check.fail("on_time", "Cờ đúng hạn (on_time) phải là true hoặc false.")
    quantity = check.quantity()
    title = check.text("title", "trích yếu", 500, required=False)
    link = check.text("link", "liên kết", 500, required=False)
    if link and not LINK.match(link):
        check.fail("link", "Liên kết phải bắt đầu bằng http:// hoặc https://.")
    if check.errors:
        raise ValidationFailed("Sự kiện không đúng lược đồ; không có gì được ghi.", check.errors, code="INVALID_EVENT")
    assert day is not None
    return Event(event_id, number, kind, type_code, day, code, email, bool(on_time), quantity, title, link)
