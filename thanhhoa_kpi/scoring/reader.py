"""Reading untrusted JSON-like data into typed values, collecting every error.

Used for rule-set parameters (:mod:`.params`) and for the stable preview inputs
(:mod:`.preview`). Each ``read_*`` method returns the typed value, or ``None`` after
recording a Vietnamese message against the field's JSON path; the caller raises once
at the end with all messages, so a person fixes a file in one pass.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal

from .errors import ROOT, ScoringInputError

ZERO = Decimal(0)
ONE = Decimal(1)

# Plain decimal notation only: "1_000" and "1e400" are accepted by Decimal() but are
# not what a person means by a number in a form, and the second would blow up rounding.
_DECIMAL_TEXT = re.compile(r"-?\d+(\.\d+)?")


def join(base: str, key: str | int) -> str:
    """JSON path of ``key`` inside ``base``: ``items[0].coefficient``."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key


def _field(path: str) -> str:
    return path or ROOT


def _plain(value: Decimal) -> str:
    """A bound as a person writes it in Vietnamese (decimal comma)."""
    return format(value.normalize(), "f").replace(".", ",")


class Reader:
    """Collects ``(field, message)`` pairs while values are read."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append((_field(path), message))

    def raise_if_failed(self, code: str) -> None:
        if self.errors:
            raise ScoringInputError(code, self.errors)

    def mapping(
        self,
        value: object,
        path: str,
        *,
        required: Collection[str],
        optional: Collection[str] = (),
    ) -> Mapping[str, object] | None:
        """An object with exactly the allowed keys; unknown and missing keys are errors."""
        if not isinstance(value, Mapping):
            self.fail(path, "Phải là một đối tượng JSON ({...}).")
            return None
        for key in value:
            if key not in required and key not in optional:
                self.fail(join(path, str(key)), "Trường không được hỗ trợ.")
        for key in required:
            if key not in value:
                self.fail(join(path, key), "Thiếu trường bắt buộc.")
        return value

    def sequence(self, value: object, path: str) -> Sequence[object] | None:
        if isinstance(value, (list, tuple)):
            return value
        self.fail(path, "Phải là một danh sách ([...]).")
        return None

    def text(self, value: object, path: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        self.fail(path, "Phải là một chuỗi ký tự không rỗng.")
        return None

    def choice(self, value: object, path: str, choices: Collection[str]) -> str | None:
        if isinstance(value, str) and value in choices:
            return value
        allowed = ", ".join(f'"{item}"' for item in choices)
        self.fail(path, f"Giá trị không hợp lệ; chỉ nhận một trong: {allowed}.")
        return None

    def flag(self, value: object, path: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.fail(path, "Phải là true hoặc false.")
        return None

    def number(
        self,
        value: object,
        path: str,
        *,
        low: Decimal | None = ZERO,
        low_inclusive: bool = True,
        high: Decimal | None = None,
    ) -> Decimal | None:
        """A finite decimal (JSON number or numeric string) within the given bounds."""
        number = _to_decimal(value)
        if number is None:
            self.fail(path, 'Phải là một số (ví dụ 10 hoặc "2.5").')
            return None
        if not self._within(number, path, low=low, low_inclusive=low_inclusive, high=high):
            return None
        return number

    def count(self, value: object, path: str, *, low: int = 0, high: int | None = None) -> int | None:
        """A whole number within the bounds; true/false and 2.5 are refused."""
        number = _to_decimal(value)
        if number is None or number != number.to_integral_value():
            self.fail(path, "Phải là một số nguyên.")
            return None
        bound_high = None if high is None else Decimal(high)
        if not self._within(number, path, low=Decimal(low), low_inclusive=True, high=bound_high):
            return None
        return int(number)

    def _within(
        self,
        number: Decimal,
        path: str,
        *,
        low: Decimal | None,
        low_inclusive: bool,
        high: Decimal | None,
    ) -> bool:
        if low is not None and (number < low or (number == low and not low_inclusive)):
            self.fail(path, _low_message(low, low_inclusive))
            return False
        if high is not None and number > high:
            self.fail(path, f"Không được lớn hơn {_plain(high)}.")
            return False
        return True


def _low_message(low: Decimal, inclusive: bool) -> str:
    if low == ZERO:
        return "Không được là số âm." if inclusive else "Phải lớn hơn 0."
    return f"Không được nhỏ hơn {_plain(low)}." if inclusive else f"Phải lớn hơn {_plain(low)}."


def _to_decimal(value: object) -> Decimal | None:
    # bool is an int subclass in Python: true must never count as 1.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr() gives the shortest text that round-trips, so 0.2 stays 0.2 exactly.
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value.strip()):
        return Decimal(value.strip())
    return None


class Fields:
    """Reads the keys of one object, falling back to neutral values on error.

    The fallbacks never escape: callers raise when any error was recorded. They only
    keep the types simple while every error is collected. A key that is absent was
    already reported by :meth:`Reader.mapping` when required, so it is skipped here
    rather than reported twice; ``optional_*`` also read ``null`` as absent.
    """

    def __init__(self, reader: Reader, data: Mapping[str, object] | None, path: str) -> None:
        self.reader = reader
        self.data: Mapping[str, object] = data or {}
        self.path = path

    def at(self, key: str) -> str:
        return join(self.path, key)

    def maybe_number(self, key: str, *, positive: bool = False, high: Decimal | None = None) -> Decimal | None:
        if key not in self.data:
            return None
        return self.reader.number(self.data[key], self.at(key), low_inclusive=not positive, high=high)

    def number(self, key: str, *, positive: bool = False, high: Decimal | None = None) -> Decimal:
        value = self.maybe_number(key, positive=positive, high=high)
        return ONE if value is None else value

    def optional_number(self, key: str, *, positive: bool = False, high: Decimal | None = None) -> Decimal | None:
        if self.data.get(key) is None:
            return None
        return self.maybe_number(key, positive=positive, high=high)

    def count(self, key: str, *, low: int = 0, high: int | None = None) -> int:
        value = None
        if key in self.data:
            value = self.reader.count(self.data[key], self.at(key), low=low, high=high)
        return low if value is None else value

    def optional_count(self, key: str, *, low: int = 0, high: int | None = None) -> int | None:
        if self.data.get(key) is None:
            return None
        return self.reader.count(self.data[key], self.at(key), low=low, high=high)

    def flag(self, key: str) -> bool:
        return key in self.data and self.reader.flag(self.data[key], self.at(key)) is True

    def text(self, key: str) -> str:
        value = self.reader.text(self.data[key], self.at(key)) if key in self.data else None
        return value or ""

    def section(self, key: str, keys: Sequence[str], optional: Sequence[str] = ()) -> Fields:
        found = None
        if key in self.data:
            found = self.reader.mapping(self.data[key], self.at(key), required=keys, optional=optional)
        return Fields(self.reader, found, self.at(key))
