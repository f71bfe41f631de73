"""Reads remembered for one request (or one service call), never longer.

Saving a work-log line used to read the custom field definitions three times (the API's
validation, the service's own validation, the response), the official's postings twice
and the month twice. Inside :func:`request_memo` a selector asks :func:`remembered` and
the second caller gets the first caller's rows. The desk and the API enter it once per
request (:class:`RequestMemoMiddleware`); services enter it too, so a job or a command
calling them shares reads within the call. Outside it nothing is remembered.

Nothing is kept across requests: a definition changed by an HR admin applies to the next
request, in every process. A write in the same request drops its keys with :func:`forget`
(the custom field definitions do it from their models' signals).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_MEMO: ContextVar[dict[Hashable, Any] | None] = ContextVar("kpi_request_memo", default=None)


@contextmanager
def request_memo() -> Iterator[None]:
    """Remember reads until the block ends; nested blocks share the outermost one."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def remembered(key: tuple[Hashable, ...], load: Callable[[], T]) -> T:
    """``load()`` once per memo for ``key`` (its first element names the kind of read)."""
    memo = _MEMO.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]  # type: ignore[no-any-return]


def forget(kind: str) -> None:
    """Drop every remembered read of ``kind`` (a write in this request changed it)."""
    memo = _MEMO.get()
    if memo:
        for key in [k for k in memo if isinstance(k, tuple) and k and k[0] == kind]:
            del memo[key]


class RequestMemoMiddleware:
    """One memo per request (desk and API)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with request_memo():
            return self.get_response(request)
