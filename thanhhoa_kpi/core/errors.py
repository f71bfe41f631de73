"""Domain errors with stable codes.

Services raise these; the API turns them into the SPEC 8.1 error body in one exception
handler and the desk into one admin message. Clients branch on ``code``, never on text.
Messages are Vietnamese (translatable); ``errors`` names the offending fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass
class DomainError(Exception):
    code: str
    message: str
    errors: list[FieldError] = field(default_factory=list)
    http_status: int = 400

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ValidationFailed(DomainError):
    """Input broke a rule; ``errors`` lists each field (and row, for imports)."""

    def __init__(self, message: str, errors: list[FieldError] | None = None, code: str = "VALIDATION_ERROR"):
        super().__init__(code=code, message=message, errors=errors or [], http_status=400)


class PermissionRefused(DomainError):
    def __init__(self, message: str, code: str = "PERMISSION_DENIED"):
        super().__init__(code=code, message=message, http_status=403)


class NotFound(DomainError):
    def __init__(self, message: str, code: str = "NOT_FOUND"):
        super().__init__(code=code, message=message, http_status=404)


class Conflict(DomainError):
    def __init__(self, message: str, code: str = "CONFLICT"):
        super().__init__(code=code, message=message, http_status=409)
