"""Redis down: a clear 503, never a raw 500.

The cache, the API's login throttle and RQ live in Redis. When it cannot be reached, a
request that needs it is answered 503: on the API with the SPEC 8.1 body (the API's
exception handler uses :data:`OUTAGE_ERRORS` and :func:`outage_body`), elsewhere by
:class:`ServiceUnavailableMiddleware` — JSON for ``/api/`` paths DRF did not handle, a
plain Vietnamese page for the desk. Jobs are not lost meanwhile: they wait in the
outbox (:mod:`thanhhoa_kpi.core.outbox`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

OUTAGE_ERRORS: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError)
OUTAGE_CODE = "SERVICE_UNAVAILABLE"
OUTAGE_MESSAGE = (
    "Hệ thống tạm thời gián đoạn (máy chủ hàng đợi/bộ nhớ đệm không phản hồi); vui lòng thử lại sau ít phút."
)
RETRY_AFTER = "60"

log = logging.getLogger(__name__)

_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Tạm thời gián đoạn</title></head>
<body><h1>Hệ thống tạm thời gián đoạn</h1><p>{message}</p></body></html>
"""


def outage_body() -> dict[str, Any]:
    return {"status": "ERROR", "code": OUTAGE_CODE, "message": OUTAGE_MESSAGE, "errors": []}


class ServiceUnavailableMiddleware:
    """Turns a Redis outage escaping a view into a 503 (place it last in ``MIDDLEWARE``,
    so it sees the view's exception first)."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OUTAGE_ERRORS):
            return None
        log.error("Redis unreachable on %s: %s", request.path, exception)
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse(outage_body(), status=503)
        else:
            response = HttpResponse(_PAGE.format(message=OUTAGE_MESSAGE), status=503, content_type="text/html")
        response["Retry-After"] = RETRY_AFTER
        return response
