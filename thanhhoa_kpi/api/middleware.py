"""The SPEC 8.1 error body for what happens outside the API views.

DRF's exception handler (:mod:`thanhhoa_kpi.api.errors`) answers everything raised inside
an API view. Some answers are made before or around the views: Django's 404 for a path no
route matches, the 400 Django gives when a request body passes
``DATA_UPLOAD_MAX_MEMORY_SIZE``, the 500 page of an unexpected error. Under ``/api/``
this middleware gives them the same JSON body, so a client parses every error one way:

- a body over the limit is refused with 413 ``REQUEST_TOO_LARGE`` before anything reads
  it; for multipart uploads the limit is the largest file allowed (``ATTACHMENT_MAX_BYTES``,
  ``IMPORT_MAX_BYTES``) plus the form fields' own limit;
- any other non-JSON answer with a status of 400 or more becomes the SPEC 8.1 body with
  the same status (and its ``Allow`` header, for 405).

It sits near the top of ``MIDDLEWARE``, right after ``SecurityMiddleware``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from thanhhoa_kpi.api.errors import error_body, too_large_message

API_PREFIX = "/api/"

_BY_STATUS = {
    400: ("BAD_REQUEST", "Yêu cầu không hợp lệ."),
    401: ("NOT_AUTHENTICATED", "Bạn cần đăng nhập."),
    403: ("PERMISSION_DENIED", "Bạn không có quyền thực hiện thao tác này."),
    404: ("NOT_FOUND", "Không tìm thấy địa chỉ hoặc bản ghi yêu cầu."),
    405: ("METHOD_NOT_ALLOWED", "Phương thức không được hỗ trợ."),
    413: ("REQUEST_TOO_LARGE", "Dữ liệu gửi lên quá lớn."),
    415: ("UNSUPPORTED_MEDIA_TYPE", "Định dạng dữ liệu không được hỗ trợ."),
    429: ("THROTTLED", "Quá nhiều yêu cầu, vui lòng thử lại sau."),
}
_SERVER_ERROR = ("SERVER_ERROR", "Hệ thống gặp lỗi, vui lòng thử lại sau hoặc báo quản trị hệ thống.")


def _limit(request: HttpRequest) -> int | None:
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if fields is None or not request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
        return fields
    files = max(int(getattr(settings, "ATTACHMENT_MAX_BYTES", 0)), int(getattr(settings, "IMPORT_MAX_BYTES", 0)))
    return files + fields


def too_large_response(limit: int) -> JsonResponse:
    message = too_large_message(limit)
    return JsonResponse(error_body("REQUEST_TOO_LARGE", message, [{"field": "", "message": message}]), status=413)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _as_error_body(response: HttpResponse) -> HttpResponse:
    if response.status_code < 400 or "json" in response.get("Content-Type", ""):
        return response
    if response.status_code >= 500 and settings.DEBUG:
        return response  # a developer's machine keeps Django's traceback page
    code, message = _BY_STATUS.get(response.status_code, _SERVER_ERROR if response.status_code >= 500 else
                                   ("ERROR", "Yêu cầu không hợp lệ."))  # fmt: skip
    replaced = JsonResponse(error_body(code, message), status=response.status_code)
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if header in response:
            replaced[header] = response[header]
    return replaced


class ApiErrorBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        limit = _limit(request)
        if limit is not None and _content_length(request) > limit:
            return too_large_response(limit)
        return _as_error_body(self.get_response(request))
