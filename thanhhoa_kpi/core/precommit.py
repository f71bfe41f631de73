"""Work a transaction does just before it commits, inside it (the audit trail's appends).

Django runs callbacks after a commit (``transaction.on_commit``), never before one. The
audit trail (:mod:`thanhhoa_kpi.audit`) needs the moment in between: its entries must be
written in the transaction of the event they record (a rolled-back event leaves no
entry), and the global chain's head row must be locked as the *last* lock the
transaction takes. Taken in the middle, that one row would make every transaction that
later locks another row (an appraisal rescored after a review, a leader's appraisal after
a subordinate's) wait in a cycle with one that locked that row first and then appends.

The project's database backends (:mod:`thanhhoa_kpi.core.mysql`,
:mod:`thanhhoa_kpi.core.sqlite`) mix in :class:`PreCommitMixin`: ``commit()`` first runs
the registered hooks on the still-open transaction; a hook that fails rolls the whole
transaction back and the error reaches the caller, as a failed statement would. A full
rollback runs the discard hooks. On any other backend :func:`supported` is false and the
caller does its work at once instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Hook = Callable[[Any], None]

_BEFORE_COMMIT: list[Hook] = []
_ON_ROLLBACK: list[Hook] = []


def before_commit(hook: Hook, *, discard: Hook | None = None) -> None:
    """Run ``hook(connection)`` before every commit; ``discard(connection)`` after every full rollback."""
    if hook not in _BEFORE_COMMIT:
        _BEFORE_COMMIT.append(hook)
    if discard is not None and discard not in _ON_ROLLBACK:
        _ON_ROLLBACK.append(discard)


def supported(connection: Any) -> bool:
    return isinstance(connection, PreCommitMixin)


class PreCommitMixin:
    """Mixed into a ``DatabaseWrapper`` ahead of Django's own class."""

    def commit(self) -> None:
        if _BEFORE_COMMIT and not self.get_autocommit():  # type: ignore[attr-defined]
            try:
                for hook in _BEFORE_COMMIT:
                    hook(self)
            except BaseException:
                # Never let the event commit without what the hook had to write with it
                # (turning autocommit back on would commit it on MariaDB).
                self.rollback()
                raise
        super().commit()  # type: ignore[misc]

    def rollback(self) -> None:
        try:
            super().rollback()  # type: ignore[misc]
        finally:
            for hook in _ON_ROLLBACK:
                hook(self)
