"""Running a write service's transaction again when the database refused it (issue 13, item 2).

On a Galera cluster a transaction can be refused at its commit: another node committed a
write to the same rows first (a *certification conflict*) and this one is rolled back with
MariaDB error 1213, the code InnoDB uses for a deadlock, which a single server answers too
when two transactions lock rows in opposite orders. Both mean: nothing of the transaction
was kept, running it again from the start is the whole remedy. So is 1205 (a lock waited
for longer than ``innodb_lock_wait_timeout``: MariaDB undoes the statement, Django's
``atomic`` then the whole transaction) and 1047 (the node left the cluster's majority and
refuses every statement until HAProxy sends the next connection to a node that is in it).

:func:`retry_transaction` wraps a service whose body is one transaction (put it *above*
``@transaction.atomic``). It retries only at the outermost level: called inside another
transaction it runs once and lets the error go up, because the refusal has rolled back the
caller's earlier work as well and only the caller's outermost unit can start again. A unit
is retried only if running it twice leaves the same rows as running it once after a
rollback: everything it does happens in the transaction (notifications and jobs are sent
with ``on_commit`` and dropped with a rollback). Its arguments are read again, so a service
that consumes an iterator or a stream must not be wrapped. (An evidence file saved by an
attempt that was then rolled back stays in storage unreferenced; no row points to it.)

Connections: an error while *connecting* (HAProxy reached no node, the node died during the
handshake) is retried the same way, since nothing was sent. A connection lost *during* the
transaction is not: whether its commit happened is unknown, so the error reaches the caller
(an API client sees the 503 of :mod:`thanhhoa_kpi.core.outage`) and the broken connection is
closed here, so the next call of this thread opens a new one (requests do the same through
``CONN_HEALTH_CHECKS`` and ``close_old_connections``).
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

F = TypeVar("F", bound=Callable[..., Any])

#: MariaDB error codes after which the refused transaction left nothing behind.
RETRYABLE_CODES = {
    1213: "deadlock or Galera certification conflict",
    1205: "lock wait timeout",
    1047: "node not ready for queries (WSREP not prepared)",
}
#: Attempts in all (the first and two more). A unit refused three times in a row is a sign of
#: a hot row the design should remove, not of bad luck; the error then reaches the caller.
ATTEMPTS = 3
#: Base pause before attempt n+1: PAUSE * 2**n seconds, with jitter, so that the two units
#: that collided do not collide again.
PAUSE = 0.05

log = logging.getLogger(__name__)


def error_code(error: BaseException) -> int | None:
    """MariaDB's numeric code of a database error (Django keeps the driver's args)."""
    args = getattr(error, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _pause(attempt: int) -> None:
    time.sleep(PAUSE * 2**attempt * random.uniform(0.5, 1.5))


def _connected(connection: Any) -> bool:
    """Open (or check) the connection before the unit starts; False if that failed."""
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except OperationalError as error:
        log.warning("database connection failed, retrying: %s", error)
        connection.close()
        return False
    return True


def _run(func: Callable[..., Any], using: str, attempts: int, args: Any, kwargs: Any) -> Any:
    connection = connections[using]
    for attempt in range(1, attempts + 1):
        last = attempt == attempts
        if not last and not _connected(connection):
            _pause(attempt)
            continue
        try:
            return func(*args, **kwargs)
        except OperationalError as error:
            code = error_code(error)
            if last or code not in RETRYABLE_CODES:
                connection.close_if_unusable_or_obsolete()  # a lost connection is opened anew next time
                raise
            log.warning("%s refused (%s, %s), attempt %d of %d", func.__qualname__, code, RETRYABLE_CODES[code],
                        attempt, attempts)  # fmt: skip
        _pause(attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def retry_transaction(func: F | None = None, *, attempts: int = ATTEMPTS, using: str = DEFAULT_DB_ALIAS) -> Any:
    """Decorator: run the wrapped one-transaction service again after a refusal (see above)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if connections[using].in_atomic_block:
                return func(*args, **kwargs)  # the outermost unit owns the retry
            return _run(func, using, attempts, args, kwargs)

        return cast(F, wrapper)

    return decorate(func) if func is not None else decorate
