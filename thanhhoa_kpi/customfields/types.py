"""The ONE table of custom field types (STYLE 9): label, form field, validator, converters.

Every place that touches a custom value (desk forms, API, imports, reports, printed
forms) goes through :data:`FIELD_TYPES`: ``validate`` turns any accepted input (JSON from
the API, a form's cleaned value, an Excel cell) into a Python value or raises
:class:`CustomValueError` with a Vietnamese message; ``to_json``/``from_json`` convert
between that value and what is stored in the host's ``custom`` JSON field; ``kind`` tells
the report builder how to filter and aggregate it; ``form_field`` builds a plain Django
form field (the desk swaps in its own widgets).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape


class Definition(Protocol):
    key: str
    label: str
    required: bool
    help_text: str
    options: list[str]


class CustomValueError(ValueError):
    """A bad custom value; ``str(error)`` is the Vietnamese message."""


TEXT_MAX = 255
LONG_TEXT_MAX = 10_000
DECIMAL_MAX = Decimal("1e15")
ATTACHMENT_PREFIX = "custom/"
TRUE_WORDS = {"true", "1", "có", "co", "x", "yes"}
FALSE_WORDS = {"false", "0", "không", "khong", "no"}


def _text(value: Any, definition: Definition, limit: int = TEXT_MAX) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise CustomValueError("Phải là chuỗi ký tự.")
    text = str(value).strip()
    if len(text) > limit:
        raise CustomValueError(f"Tối đa {limit:,} ký tự.".replace(",", "."))
    return text


def _long_text(value: Any, definition: Definition) -> str:
    return _text(value, definition, LONG_TEXT_MAX)


def _finite(value: float | Decimal) -> bool:
    return Decimal(value).is_finite()


def _integer(value: Any, definition: Definition) -> int:
    if isinstance(value, bool):
        raise CustomValueError("Phải là số nguyên.")
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal) and _finite(value) and value == int(value):
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,15}\s*", value):
        number = int(value)
    if number is None or abs(number) >= DECIMAL_MAX:
        raise CustomValueError("Phải là số nguyên.")
    return number


def _decimal(value: Any, definition: Definition) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise CustomValueError("Phải là số.")
    text = str(value).strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # "81,50" as typed in Vietnamese
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CustomValueError("Phải là số (ví dụ 81,50).") from None
    if not number.is_finite() or abs(number) >= DECIMAL_MAX:
        raise CustomValueError("Số quá lớn hoặc không hợp lệ.")
    return number


def _date(value: Any, definition: Definition) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(value.strip(), pattern).date()
            except ValueError:
                continue
    raise CustomValueError("Ngày không hợp lệ (dd/mm/yyyy).")


def _select(value: Any, definition: Definition) -> str:
    if not isinstance(value, str | int):
        raise CustomValueError("Phải là một trong các lựa chọn.")
    text = str(value).strip()
    for option in definition.options:
        if option.casefold() == text.casefold():
            return option
    allowed = ", ".join(definition.options)
    raise CustomValueError(f"Giá trị «{text}» không nằm trong các lựa chọn: {allowed}.")


def _checkbox(value: Any, definition: Definition) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().casefold() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().casefold() in TRUE_WORDS
    raise CustomValueError("Phải là Có hoặc Không (true/false).")


def _link(model_path: str, code_field: str, noun: str) -> Callable[[Any, Definition], int]:
    def validate(value: Any, definition: Definition) -> int:
        from django.apps import apps

        model = apps.get_model(model_path)
        if isinstance(value, model):
            return int(value.pk)
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise CustomValueError(f"Phải là số hiệu hoặc mã {noun}.")
        text = str(value).strip()
        query = {"pk": int(text)} if text.isdigit() else {code_field: text}
        pk = model._default_manager.filter(**query).values_list("pk", flat=True).first()
        if pk is None:
            raise CustomValueError(f"Không có {noun} có mã hoặc số hiệu «{text}».")
        return int(pk)

    return validate


def _attachment(value: Any, definition: Definition) -> str:
    from django.core.files.storage import default_storage

    path = getattr(value, "path_in_storage", value)
    if not isinstance(path, str) or not path.startswith(ATTACHMENT_PREFIX) or ".." in path:
        raise CustomValueError("Tệp đính kèm không hợp lệ.")
    if not default_storage.exists(path):
        raise CustomValueError("Tệp đính kèm không tồn tại.")
    return path


def _same(value: Any) -> Any:
    return value


def _decimal_from_json(value: Any) -> Decimal:
    return Decimal(str(value))


def _date_from_json(value: Any) -> date:
    return date.fromisoformat(str(value))


# --- plain text of definitions (labels, help) -------------------------------------------
# A tag, comment or declaration: "<img", "</", "<!--", "<?". A lone "<" or ">" ("số < 5")
# stays allowed; whatever is stored is escaped again where it is shown.
MARKUP_RE = re.compile(r"<\s*[A-Za-z/!?]")


def plain_text_problem(value: Any, noun: str) -> str | None:
    """A Vietnamese message naming ``noun`` when ``value`` holds HTML markup, else ``None``.

    Help text and labels are shown to every official; Django admin themes (unfold) print
    help text with ``|safe``, so they are kept plain text on save (and escaped on display).
    """
    if isinstance(value, str) and MARKUP_RE.search(value):
        return f"«{noun}» chỉ được là văn bản thuần, không chứa thẻ HTML (các ký tự < … >)."
    return None


TEXT_NOUNS = {"label": "Nhãn", "help_text": "Hướng dẫn"}


def plain_text_errors(**texts: Any) -> list[tuple[str, str]]:
    """``(field, message)`` for each of ``label=``/``help_text=`` that holds markup."""
    found = ((name, plain_text_problem(value, TEXT_NOUNS.get(name, name))) for name, value in texts.items())
    return [(name, message) for name, message in found if message]


def help_html(text: str) -> str:
    """Help text as safe HTML: escaped, so a stored ``<img onerror=...>`` shows as text."""
    return conditional_escape(text or "")


# --- form fields (plain Django; the desk swaps in its widgets) ---------------------------
def _kwargs(d: Definition) -> dict[str, Any]:
    # help_text is printed unescaped by admin themes: hand it over escaped (labels are
    # escaped by every template that prints them).
    return {"label": d.label, "required": d.required, "help_text": help_html(d.help_text)}


def _choice_field(d: Definition) -> forms.Field:
    return forms.ChoiceField(choices=[("", "---------")] + [(o, o) for o in d.options], **_kwargs(d))


def _checkbox_field(d: Definition) -> forms.Field:
    return forms.BooleanField(**{**_kwargs(d), "required": False})  # unticked is a value, not a blank


def _unit_field(d: Definition) -> forms.Field:
    from thanhhoa_kpi.organization.models import OrgUnit

    return forms.ModelChoiceField(queryset=OrgUnit.objects.all(), **_kwargs(d))


def _official_field(d: Definition) -> forms.Field:
    kwargs = _kwargs(d)
    kwargs["help_text"] = help_html(d.help_text or "Nhập mã CBCCVC.")
    return forms.CharField(max_length=40, **kwargs)


def _attachment_field(d: Definition) -> forms.Field:
    from thanhhoa_kpi.core import files

    def allowed(upload: Any) -> None:
        if not hasattr(upload, "read"):
            return  # the stored file, kept as it was
        problem = files.attachment_problem(upload)
        if problem is not None:
            raise ValidationError(f"«{d.label}»: {problem[1]}", code=problem[0])

    kwargs = _kwargs(d)
    kwargs["help_text"] = help_html(d.help_text or files.attachment_hint())
    return forms.FileField(validators=[allowed], **kwargs)


@dataclass(frozen=True)
class FieldType:
    code: str
    label: str
    kind: str  # for reports: text | number | date | choice | fk
    form_field: Callable[[Definition], forms.Field]
    validate: Callable[[Any, Definition], Any]
    to_json: Callable[[Any], Any] = _same
    from_json: Callable[[Any], Any] = _same
    has_options: bool = False

    def clean(self, value: Any, definition: Definition) -> Any:
        """Any accepted input → the JSON value to store (raises :class:`CustomValueError`)."""
        return self.to_json(self.validate(value, definition))


_TYPES = [
    FieldType("text", "Văn bản ngắn", "text", lambda d: forms.CharField(max_length=TEXT_MAX, **_kwargs(d)), _text),
    FieldType(
        "long_text", "Văn bản dài", "text", lambda d: forms.CharField(widget=forms.Textarea, **_kwargs(d)), _long_text
    ),
    FieldType("integer", "Số nguyên", "number", lambda d: forms.IntegerField(**_kwargs(d)), _integer),
    FieldType(
        "decimal",
        "Số thập phân",
        "number",
        lambda d: forms.DecimalField(localize=True, **_kwargs(d)),
        _decimal,
        to_json=lambda v: str(v),
        from_json=_decimal_from_json,
    ),  # fmt: skip
    FieldType(
        "date",
        "Ngày",
        "date",
        lambda d: forms.DateField(**_kwargs(d)),
        _date,
        to_json=lambda v: v.isoformat(),
        from_json=_date_from_json,
    ),  # fmt: skip
    FieldType("select", "Lựa chọn", "choice", _choice_field, _select, has_options=True),
    FieldType("checkbox", "Có/Không", "choice", _checkbox_field, _checkbox),
    FieldType("link_unit", "Liên kết đơn vị", "fk", _unit_field, _link("organization.OrgUnit", "code", "đơn vị")),
    FieldType(
        "link_official", "Liên kết cán bộ", "fk", _official_field, _link("organization.Official", "code", "cán bộ")
    ),
    FieldType("attachment", "Tệp đính kèm", "text", lambda d: _attachment_field(d), _attachment),
]

FIELD_TYPES: dict[str, FieldType] = {t.code: t for t in _TYPES}
FIELD_TYPE_CHOICES = [(t.code, t.label) for t in _TYPES]


def is_blank(value: Any) -> bool:
    """Blank means "no value": None, an empty or whitespace string, an empty list."""
    return value is None or (isinstance(value, str) and not value.strip()) or value == []
