"""Desk sessions end after ``settings.SESSION_IDLE_TIMEOUT`` seconds without a request.

``SESSION_COOKIE_AGE`` bounds a session's whole life; this bounds the time a signed-in
screen may sit unattended. The time of the last request is kept in the session; it is
rewritten at most once a minute so an active user does not cost a session write per
request. Place after ``AuthenticationMiddleware`` and ``MessageMiddleware`` (the desk's
"signed out" notice is a message). API clients using a token carry no session and are
not concerned; an API call on an idle session is answered 401 with the SPEC 8.1 body.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse

LAST_SEEN_KEY = "_kpi_last_seen"
_REWRITE_AFTER = 60  # seconds
IDLE_MESSAGE = "Phiên làm việc đã kết thúc do không thao tác quá lâu; vui lòng đăng nhập lại."
API_PREFIX = "/api/"


def _idle_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        from thanhhoa_kpi.api.errors import error_body

        return JsonResponse(error_body("SESSION_EXPIRED", IDLE_MESSAGE), status=401)
    if hasattr(request, "_messages"):
        messages.warning(request, IDLE_MESSAGE)
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{settings.LOGIN_URL}?{query}")


class IdleSessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        # A call carrying a token is judged by the token (it cannot fall back to the session).
        by_token = request.META.get("HTTP_AUTHORIZATION", "").startswith("Token ")
        user = getattr(request, "user", None)
        if user is not None and not by_token and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            if last is not None and now - int(last) > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                return _idle_response(request)
            if last is None or now - int(last) >= _REWRITE_AFTER:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
