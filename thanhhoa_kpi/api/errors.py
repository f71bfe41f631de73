"""One exception handler: every 4xx answer has the SPEC 8.1 body.

``{"status": "ERROR", "code": ..., "message": <vi>, "errors": [{"field", "message"}]}``

Besides DRF's and the domain's errors it answers what input alone can provoke below the
services: a deletion the database protects (409 ``PROTECTED``), JSON nested deeper than
the parser can follow (400 ``MALFORMED_JSON``), a body or form over Django's limits (413,
400). Errors outside the views get the same body from :mod:`thanhhoa_kpi.api.middleware`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from thanhhoa_kpi.core.errors import DomainError
from thanhhoa_kpi.core.outage import RETRY_AFTER, is_outage, outage_body

_CODES = {
    exceptions.NotAuthenticated: ("NOT_AUTHENTICATED", "Bạn cần đăng nhập."),
    exceptions.AuthenticationFailed: ("AUTHENTICATION_FAILED", "Thông tin đăng nhập không đúng."),
    exceptions.PermissionDenied: ("PERMISSION_DENIED", "Bạn không có quyền thực hiện thao tác này."),
    exceptions.NotFound: ("NOT_FOUND", "Không tìm thấy bản ghi hoặc bạn không có quyền xem."),
    exceptions.MethodNotAllowed: ("METHOD_NOT_ALLOWED", "Phương thức không được hỗ trợ."),
    exceptions.ParseError: ("MALFORMED_JSON", "Dữ liệu gửi lên không phải JSON hợp lệ."),
    exceptions.UnsupportedMediaType: ("UNSUPPORTED_MEDIA_TYPE", "Định dạng dữ liệu không được hỗ trợ."),
    exceptions.Throttled: ("THROTTLED", "Quá nhiều yêu cầu, vui lòng thử lại sau."),
    exceptions.ValidationError: ("VALIDATION_ERROR", "Dữ liệu không hợp lệ."),
}


def error_body(code: str, message: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"status": "ERROR", "code": code, "message": message, "errors": errors or []}


def too_large_message(limit: int) -> str:
    size = f"{limit / 1_048_576:.1f}".replace(".", ",")
    return f"Dữ liệu gửi lên quá lớn (tối đa {size} MB)."


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as a flat list of {field, message}, field paths dotted."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            path = f"{prefix}.{name}" if prefix and name else (name or prefix)
            out.extend(_flatten(value, path))
        return out
    if isinstance(detail, list):
        if detail and all(not isinstance(d, (dict, list)) for d in detail):
            return [{"field": prefix, "message": str(d)} for d in detail]
        out = []
        for index, value in enumerate(detail):
            out.extend(_flatten(value, f"{prefix}[{index}]"))
        return out
    return [{"field": prefix, "message": str(detail)}]


def _protected(exc: ProtectedError | RestrictedError) -> Response:
    """409 naming the kinds of rows that still point here (never the rows: they may be out of scope)."""
    counts: dict[str, int] = {}
    for row in getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or ():
        name = str(row._meta.verbose_name)
        counts[name] = counts.get(name, 0) + 1
    used_by = ", ".join(f"{name} ({count})" for name, count in sorted(counts.items()))
    message = "Không xóa được vì bản ghi đang được dùng" + (f" bởi: {used_by}." if used_by else ".")
    return Response(error_body("PROTECTED", message, [{"field": "", "message": message}]), status=409)


def _input_error(exc: Exception) -> Response | None:
    """What a request body alone provokes below DRF's own checks."""
    if isinstance(exc, RecursionError):
        # json.load gives up on deeply nested arrays or objects: the body's fault, not ours.
        message = "Dữ liệu JSON lồng nhau quá sâu."
        return Response(error_body("MALFORMED_JSON", message, [{"field": "", "message": message}]), status=400)
    if isinstance(exc, RequestDataTooBig):
        message = too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return Response(error_body("REQUEST_TOO_LARGE", message, [{"field": "", "message": message}]), status=413)
    if isinstance(exc, SuspiciousOperation):
        # e.g. too many form fields (DATA_UPLOAD_MAX_NUMBER_FIELDS) or a broken multipart body
        message = "Dữ liệu gửi lên không hợp lệ."
        return Response(error_body("BAD_REQUEST", message, [{"field": "", "message": message}]), status=400)
    return None


def _special(exc: Exception) -> Response | None:
    """Errors answered by their own rule rather than through DRF's handler."""
    if isinstance(exc, DomainError):
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
        return Response(error_body(exc.code, exc.message, errors), status=exc.http_status)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return _protected(exc)
    if is_outage(exc):  # Redis (cache, throttle, queue) or the database unreachable: 503, not a raw 500
        headers = {"Retry-After": RETRY_AFTER}
        return Response(outage_body(exc), status=status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)
    return _input_error(exc)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    answered = _special(exc)
    if answered is not None:
        return answered
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
    code, message = "ERROR", "Yêu cầu không hợp lệ."
    for klass, pair in _CODES.items():
        if isinstance(exc, klass):
            code, message = pair
            break
    errors = _flatten(exc.detail) if isinstance(exc, exceptions.ValidationError) else []
    if not isinstance(exc, exceptions.ValidationError) and response.status_code >= status.HTTP_400_BAD_REQUEST:
        errors = []
    response.data = error_body(code, message, errors)
    return response
