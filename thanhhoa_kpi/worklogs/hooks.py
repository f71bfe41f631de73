"""What other apps do when work-log lines are reviewed, without this app importing them.

The appraisals app reads reviewed lines to score appraisals, so it imports this app;
this app cannot import it back. It registers here instead (in its ``ready``) and the
review services call :func:`lines_reviewed` inside their transaction, so an open
appraisal is rescored with the lines it reads (issue 10, item 4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# (official id, work-period id) pairs that changed, and the reviewer.
ReviewedHook = Callable[[set[tuple[int, int]], Any], None]

_ON_REVIEWED: list[ReviewedHook] = []


def on_lines_reviewed(func: ReviewedHook) -> ReviewedHook:
    if func not in _ON_REVIEWED:
        _ON_REVIEWED.append(func)
    return func


def lines_reviewed(lines: Iterable[Any], reviewer: Any) -> None:
    pairs = {(line.official_id, line.period_id) for line in lines}
    for func in _ON_REVIEWED:
        func(pairs, reviewer)
