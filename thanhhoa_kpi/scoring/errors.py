"""Errors of the scoring engine, with stable codes and Vietnamese field messages.

The engine is pure (standard library only), so it cannot raise the project's Django-side
``DomainError``; the API handler and the ``kpi_score`` command translate
:class:`ScoringInputError` into the SPEC 8.1 body with :meth:`ScoringInputError.as_dict`.
Clients branch on ``code``; ``errors`` names every offending field as a JSON path
(``items[0].coefficient``), all of them at once, never only the first.
"""

from __future__ import annotations

from collections.abc import Iterable

INVALID_INPUT = "INVALID_INPUT"
UNKNOWN_RULE_SET = "UNKNOWN_RULE_SET"
MALFORMED_JSON = "MALFORMED_JSON"
INVALID_RULE_SET = "INVALID_RULE_SET"

# The field name used when the problem is the document as a whole.
ROOT = "$"

_SUMMARIES: dict[str, str] = {
    INVALID_INPUT: "Dữ liệu đầu vào không hợp lệ.",
    UNKNOWN_RULE_SET: "Bộ quy tắc chấm điểm không tồn tại.",
    MALFORMED_JSON: "Dữ liệu không phải JSON hợp lệ.",
    INVALID_RULE_SET: "Tham số của bộ quy tắc chấm điểm không hợp lệ.",
}


class ScoringError(Exception):
    """Base class of everything the scoring engine raises on purpose."""


class ScoringInputError(ScoringError):
    """Bad input: a stable ``code`` and every ``(field, message_vi)`` pair found."""

    def __init__(self, code: str, errors: Iterable[tuple[str, str]]) -> None:
        self.code = code
        self.errors: tuple[tuple[str, str], ...] = tuple(errors)
        self.message = _SUMMARIES.get(code, _SUMMARIES[INVALID_INPUT])
        details = "; ".join(f"{field}: {text}" for field, text in self.errors)
        super().__init__(f"{code}: {details}")

    def as_dict(self) -> dict[str, object]:
        """The SPEC 8.1 error body, ready to be JSON-encoded."""
        return {
            "status": "ERROR",
            "code": self.code,
            "message": self.message,
            "errors": [{"field": field, "message": text} for field, text in self.errors],
        }
