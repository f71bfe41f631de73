"""Django's SQLite backend, with the writers of one process waiting in line.

SQLite lets one connection write at a time. With ``transaction_mode = "IMMEDIATE"`` every
``transaction.atomic()`` takes that write lock at ``BEGIN``; a connection that finds it
taken waits in SQLite's busy handler, which sleeps and retries (up to 100 ms between two
tries) until the ``timeout``. Twenty request threads polling one lock is a lottery: under
load a request can lose every draw for the whole timeout and answer "database is locked"
while later ones get through (bench/sqlite_office.py measured it). Here the threads of one
process first queue on a lock of their own, so SQLite sees at most one writer per process
(the web server, the RQ worker) and its busy timeout only has to cover the other process's
transaction. Reads never queue (WAL serves them beside the writer).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db.backends.sqlite3 import base

from thanhhoa_kpi.core.precommit import PreCommitMixin

_guard = threading.Lock()
_writer_locks: dict[str, threading.Lock] = {}


def writer_lock(name: Any) -> threading.Lock:
    """The process-wide lock of the database file ``name``."""
    with _guard:
        return _writer_locks.setdefault(str(name), threading.Lock())


class DatabaseWrapper(PreCommitMixin, base.DatabaseWrapper):
    _holds_writer_lock = False

    def _start_transaction_under_autocommit(self) -> None:
        lock = writer_lock(self.settings_dict["NAME"])
        # Bounded like SQLite's own wait: past it, BEGIN waits in SQLite's busy handler.
        self._holds_writer_lock = lock.acquire(timeout=float(self.settings_dict["OPTIONS"].get("timeout", 5)))
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer_lock()
            raise

    def _release_writer_lock(self) -> None:
        if self._holds_writer_lock:
            self._holds_writer_lock = False
            writer_lock(self.settings_dict["NAME"]).release()

    def _then_release(self, call: Callable[[], Any]) -> None:
        try:
            call()
        finally:
            self._release_writer_lock()

    def _commit(self) -> None:
        self._then_release(super()._commit)

    def _rollback(self) -> None:
        self._then_release(super()._rollback)

    def _close(self) -> None:
        self._then_release(super()._close)

    def _set_autocommit(self, autocommit: bool) -> None:
        super()._set_autocommit(autocommit)
        if autocommit:
            self._release_writer_lock()
