"""What a locked-out client is told (axes' ``AXES_LOCKOUT_CALLABLE``): the SPEC 8.1 body
on the API, a short Vietnamese page on the desk — never axes' English default."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKOUT_MESSAGE = "Tài khoản tạm thời bị khóa đăng nhập từ địa chỉ này do nhập sai quá nhiều lần; vui lòng thử lại sau."


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    if request.path.startswith("/api/"):
        body = {
            "status": "ERROR",
            "code": "LOCKED_OUT",
            "message": LOCKOUT_MESSAGE,
            "errors": [{"field": "username", "message": LOCKOUT_MESSAGE}],
        }
        return JsonResponse(body, status=status)
    return render(request, "429.html", {"message": LOCKOUT_MESSAGE}, status=status)
