"""Reference data kept between requests in each process, dropped everywhere on any change.

Every request used to read the same slow-changing rows again: the caller's role grants,
official record and postings (their access scope), the units they work in, the custom field
definitions and built-in field overrides. That was 4-6 of the 9-15 queries of an official's
daily requests (issue 12: the load curve's knee is the CPU per request). These rows change a
few times a day, when an HR admin edits the org chart, a grant or a field.

How it stays exact:
- one **generation** number in Redis (``cache`` key ``refcache:generation``) names the state
  of all reference data; a process keeps what it read tagged with the generation it read
  *before* reading the rows, and uses it only while the generation is unchanged;
- a write to any reference model (the ``post_save``/``post_delete`` signals connected in
  ``core.apps``, and :func:`bump` called by the few bulk paths that send no signal: a unit
  moved by treebeard, the demo generator's bulk inserts, fields reordered in bulk) raises
  the generation **twice**: at once, inside the writer's transaction (so the writer's own
  next read, and any test, sees its change), and again after the commit (so a process that
  read the old rows between the first raise and the commit drops them);
- the generation is read once per request (:mod:`core.memo`), so a change applies to the
  next request in every process, as before;
- entries also expire after :data:`MAX_AGE` seconds, a bound on any path that might write
  reference rows without a signal;
- a value is stored only when read outside a transaction: inside one, the rows may be this
  transaction's own uncommitted writes (gone if it rolls back) or an older snapshot
  (REPEATABLE READ) than the generation read; a kept value is still used there;
- when Redis cannot be read, nothing is kept and the rows are read from the database; when
  the generation cannot be raised, the write fails (a stale grant must never outlive it).

No library does this: Django's cache framework stores values in Redis (a round trip and a
pickle per read, no cheaper than the indexed reads it would replace), and cachalot-style
query caches invalidate per table on every write of the month's hot tables.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, transaction

from thanhhoa_kpi.core import memo

T = TypeVar("T")
log = logging.getLogger(__name__)

GENERATION_KEY = "refcache:generation"
MAX_AGE = 60.0  # seconds
MAX_ENTRIES = 5000
_MEMO_KEY = ("refcache-generation",)

# (kind, *args) -> (generation, monotonic time read, value)
_LOCAL: dict[tuple[Hashable, ...], tuple[int, float, Any]] = {}


def _fresh() -> int:
    """A generation no process can hold yet: the clock in microseconds."""
    return time.time_ns() // 1000


def _read_generation() -> int | None:
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:  # first use, or Redis lost the key: a number never handed out before
            cache.add(GENERATION_KEY, _fresh(), timeout=None)
            value = cache.get(GENERATION_KEY)
        return int(value) if value is not None else None
    except Exception:  # Redis unreachable: read from the database, keep nothing
        log.warning("refcache: generation unreadable; reading reference data from the database")
        return None


def _in_transaction() -> bool:
    """In a transaction of our own (a test case's wrapping one, standing for autocommit, aside)."""
    return any(not block._from_testcase for block in connection.atomic_blocks)


def generation() -> int | None:
    """The current generation, read once per request (None: do not keep anything)."""
    return memo.remembered(_MEMO_KEY, _read_generation)


def kept(key: tuple[Hashable, ...], load: Callable[[], T]) -> T:
    """``load()``'s result for ``key``, kept across requests while the generation holds.

    The value is shared by every later request of this process: callers must not change it."""
    current = generation()
    if current is None:
        return load()
    now = time.monotonic()
    entry = _LOCAL.get(key)
    if entry is not None and entry[0] == current and now - entry[1] < MAX_AGE:
        return entry[2]  # type: ignore[no-any-return]
    value = load()
    if _in_transaction():
        return value
    if len(_LOCAL) >= MAX_ENTRIES:
        _LOCAL.clear()
    _LOCAL[key] = (current, now, value)
    return value


def _raise_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # the key expired or Redis was flushed
        cache.set(GENERATION_KEY, _fresh(), timeout=None)


def _after_commit() -> None:
    try:
        _raise_generation()
    except Exception:  # committed already; the first raise covered it, MAX_AGE bounds the rest
        log.exception("refcache: generation not raised after a commit")


def bump(**kwargs: Any) -> None:
    """Reference data changed: every process reads it again (signal receiver and helper)."""
    _raise_generation()
    memo.forget(_MEMO_KEY[0])
    _LOCAL.clear()
    transaction.on_commit(_after_commit)


def clear_local() -> None:
    """Forget this process's kept values (tests start each case clean)."""
    _LOCAL.clear()
