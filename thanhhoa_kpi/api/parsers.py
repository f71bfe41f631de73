"""Request parsers that clean text on the way in (the API's ``DEFAULT_PARSER_CLASSES``).

Every string of a JSON, form or multipart body, keys included, goes through :func:`clean`:

- C0 control characters other than tab, line feed and carriage return (and DEL) are
  removed. Nobody types them; pasted from elsewhere they break the XLSX exports (XML 1.0
  cannot hold them) and hide text in reports.
- a single value longer than :data:`TEXT_MAX` characters is refused with a 400 naming the
  field: no field of this product holds a book, and a 2 MB "description" is an attack
  on the database and every page that lists it. Serializers keep tighter limits where a
  field has its own (descriptions, comments).

JSON nested deeper than the decoder can follow is a ``MALFORMED_JSON`` 400, not a 500.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from thanhhoa_kpi.core.errors import FieldError, ValidationFailed

TEXT_MAX = 10_000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text)


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _clean(value: Any, path: str, errors: list[FieldError]) -> Any:
    if isinstance(value, str):
        if len(value) > TEXT_MAX:
            errors.append(FieldError(path, f"Nội dung quá dài (tối đa {TEXT_MAX:,} ký tự).".replace(",", ".")))
        return strip_controls(value)
    if isinstance(value, dict):
        return {strip_controls(str(k)): _clean(v, _join(path, k), errors) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, f"{path}[{i}]", errors) for i, v in enumerate(value)]
    return value


def clean(value: Any) -> Any:
    """``value`` with control characters removed from every string; too-long strings refused."""
    errors: list[FieldError] = []
    cleaned = _clean(value, "", errors)
    if errors:
        raise ValidationFailed("Dữ liệu gửi lên có trường quá dài.", errors[:20], code="TEXT_TOO_LONG")
    return cleaned


def clean_query_dict(data: QueryDict) -> QueryDict:
    errors: list[FieldError] = []
    out = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        out.setlist(strip_controls(key), [_clean(v, key, errors) for v in values])
    if errors:
        raise ValidationFailed("Dữ liệu gửi lên có trường quá dài.", errors[:20], code="TEXT_TOO_LONG")
    out._mutable = False
    return out


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("Dữ liệu JSON lồng nhau quá sâu.") from None
        return clean(data)


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return clean_query_dict(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        return parsers.DataAndFiles(clean_query_dict(parsed.data), parsed.files)
