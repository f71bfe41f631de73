"""Redis or the database down: a clear 503, never a raw 500.

The cache, the API's login throttle and RQ live in Redis. When it cannot be reached, a
request that needs it is answered 503: on the API with the SPEC 8.1 body (the API's
exception handler uses :func:`is_outage` and :func:`outage_body`), elsewhere by
:class:`ServiceUnavailableMiddleware` — JSON for ``/api/`` paths DRF did not handle, a
plain Vietnamese page for the desk — and, for an outage met by a middleware before any
view (the desk's session read), by :class:`OutageResponseMiddleware`. Jobs are not lost
meanwhile: they wait in the outbox (:mod:`thanhhoa_kpi.core.outbox`).

The database answers the same way while it cannot be reached (restarting, a Galera
node gone): MariaDB's client errors for a refused or lost connection
(:data:`DB_OUTAGE_CODES`) are an outage, every other database error stays a bug (500).
Nothing is retried here: a write whose connection was lost may or may not have been
committed, so the client is told to try again (``Retry-After``) and decides. The broken
connection is closed at the end of the request (Django closes a connection that saw an
error and no longer answers) and the next request opens a new one (``CONN_HEALTH_CHECKS``).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import Error as DatabaseError
from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

#: Redis unreachable (cache, throttle, RQ).
OUTAGE_ERRORS: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError)
#: MariaDB (client library) codes of a connection refused or lost: the server is down,
#: restarting or shutting down, not a fault of the statement.
DB_OUTAGE_CODES = frozenset(
    {
        1040,  # too many connections
        1053,  # server shutdown in progress
        1927,  # connection killed (the server shutting down)
        2002,  # cannot connect through the socket
        2003,  # cannot connect over TCP
        2005,  # unknown host (DNS of the database host failing)
        2006,  # server has gone away
        2013,  # lost connection during the query
        2055,  # lost connection at reading or writing
        4031,  # disconnected by the server (idle timeout)
    }
)
OUTAGE_CODE = "SERVICE_UNAVAILABLE"
OUTAGE_MESSAGE = (
    "Hệ thống tạm thời gián đoạn (máy chủ hàng đợi/bộ nhớ đệm không phản hồi); vui lòng thử lại sau ít phút."
)
DB_OUTAGE_MESSAGE = "Hệ thống tạm thời gián đoạn (cơ sở dữ liệu không phản hồi); vui lòng thử lại sau ít phút."
RETRY_AFTER = "60"

log = logging.getLogger(__name__)

_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Tạm thời gián đoạn</title></head>
<body><h1>Hệ thống tạm thời gián đoạn</h1><p>{message}</p></body></html>
"""


def is_database_outage(exc: BaseException) -> bool:
    """A database connection refused or lost (by its MariaDB code), or already closed."""
    if isinstance(exc, InterfaceError):
        return True  # Django's "connection already closed": the server dropped it
    if not isinstance(exc, DatabaseOperationalError):
        return False
    args = getattr(exc, "args", ())
    return bool(args) and args[0] in DB_OUTAGE_CODES


def is_outage(exc: BaseException) -> bool:
    """Redis or the database unreachable: answer 503, not 500."""
    return isinstance(exc, OUTAGE_ERRORS) or is_database_outage(exc)


def outage_body(exc: BaseException | None = None) -> dict[str, Any]:
    """The SPEC 8.1 body of a 503; its message names the database when that is what failed."""
    message = DB_OUTAGE_MESSAGE if exc is not None and isinstance(exc, DatabaseError) else OUTAGE_MESSAGE
    return {"status": "ERROR", "code": OUTAGE_CODE, "message": message, "errors": []}


def _answer(request: HttpRequest, exception: BaseException) -> HttpResponse:
    log.error("Service unreachable on %s: %r", request.path, exception)
    body = outage_body(exception)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(body, status=503)
    else:
        response = HttpResponse(_PAGE.format(message=body["message"]), status=503, content_type="text/html")
    response["Retry-After"] = RETRY_AFTER
    return response


def _remember_outage(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """``got_request_exception``: Django is turning an exception into a 500 (it is being
    handled, so ``sys.exc_info`` names it); note an outage on the request."""
    exception = sys.exc_info()[1]
    if request is not None and exception is not None and is_outage(exception):
        request.outage_error = exception  # type: ignore[attr-defined]


class OutageResponseMiddleware:
    """The outage raised *outside* a view — e.g. the session read by a middleware while the
    database is down — becomes a 503 too. Django has already answered it with a 500 (each
    middleware's exceptions are converted where they arise); place this class first in
    ``MIDDLEWARE`` so it sees every such 500 and replaces it."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        got_request_exception.connect(_remember_outage, dispatch_uid="thanhhoa_kpi.core.outage")

    def __call__(self, request: HttpRequest) -> Any:
        response = self.get_response(request)
        exception = getattr(request, "outage_error", None)
        if exception is not None and getattr(response, "status_code", None) == 500:
            return _answer(request, exception)
        return response


class ServiceUnavailableMiddleware:
    """Turns a Redis or database outage escaping a view into a 503 (place it last in
    ``MIDDLEWARE``, so it sees the view's exception first)."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_outage(exception):
            return None
        return _answer(request, exception)
