"""Score a whole month for many officials, streamed (SPEC 9 scale target).

The same arithmetic as the live score (:func:`thanhhoa_kpi.worklogs.scores.score_items`
fed to :func:`thanhhoa_kpi.scoring.score_period`), but the per-item sums are computed by
the database: ONE aggregate query per chunk of officials over the approved assignments
and the reviewed lines, grouped by (official, item, copied coefficient) and ordered by
official, so only one chunk's groups are ever in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import groupby

from django.db import connection

from thanhhoa_kpi.organization.models import Official
from thanhhoa_kpi.scoring import (
    GeneralInput,
    ItemInput,
    PeriodInput,
    PeriodScore,
    Role,
    RuleParams,
    UnitCriteria,
    score_period,
)
from thanhhoa_kpi.worklogs.models import Assignment, LineStatus, WorkLogLine, WorkPeriod

# Assignments and reviewed lines as one relation, summed per (official, item, coefficient):
# assigned = approved assignments' quantity; completed = accepted quantity; counts summed.
_SUMS = """
SELECT official_id, item_id, coefficient, SUM(assigned), SUM(completed),
       SUM(failures), SUM(delays), SUM(exempt_failures), SUM(exempt_delays)
FROM (
    SELECT assignee_id AS official_id, catalogue_item_id AS item_id, coefficient, quantity AS assigned,
           0 AS completed, 0 AS failures, 0 AS delays, 0 AS exempt_failures, 0 AS exempt_delays
    FROM {assignment}
    WHERE period_id = %s AND approved = 1 AND assignee_id IN ({ids})
    UNION ALL
    SELECT official_id, catalogue_item_id, coefficient, 0, COALESCE(accepted_quantity, 0),
           quality_failures, delays, exempt_quality_failures, exempt_delays
    FROM {line}
    WHERE period_id = %s AND status = %s AND official_id IN ({ids})
) AS sums
GROUP BY official_id, item_id, coefficient
ORDER BY official_id, item_id, coefficient
"""


def score_month(
    *,
    period: WorkPeriod,
    params: RuleParams,
    general: GeneralInput,
    official_ids: Iterable[int] | None = None,
    leaders: Mapping[int, UnitCriteria] | None = None,
    chunk: int = 2000,
) -> Iterator[tuple[int, PeriodScore]]:
    """``(official id, score)`` for every official of ``official_ids`` (default: all), in id order.

    ND 335/2025/NĐ-CP Điều 12, 14, 15 through the pure engine. ``general`` is the same
    for everyone (the general criteria are decided in the appraisal, not by the logs);
    officials in ``leaders`` are scored as leaders with their d, đ, e, the others as
    staff. An official with nothing assigned gets the NO_ASSIGNED_WORK score.
    """
    leaders = leaders or {}
    ids = sorted(official_ids) if official_ids is not None else None
    for batch in _chunks(ids, chunk):
        found = dict(_items_by_official(period, batch))
        for official_id in batch:
            unit = leaders.get(official_id)
            role = Role.STAFF if unit is None else Role.LEADER
            items = found.get(official_id, ())
            yield official_id, score_period(PeriodInput(role=role, items=items, general=general, unit=unit), params)


def _chunks(ids: list[int] | None, size: int) -> Iterator[list[int]]:
    if ids is not None:
        for start in range(0, len(ids), size):
            yield ids[start : start + size]
        return
    # Keyset pagination over the officials' primary key: never all ids at once.
    last = 0
    while True:
        batch = list(Official.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not batch:
            return
        yield batch
        last = batch[-1]


def _items_by_official(period: WorkPeriod, ids: list[int]) -> Iterator[tuple[int, tuple[ItemInput, ...]]]:
    placeholders = ", ".join(["%s"] * len(ids))
    sql = _SUMS.format(assignment=Assignment._meta.db_table, line=WorkLogLine._meta.db_table, ids=placeholders)
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.pk, *ids, period.pk, LineStatus.REVIEWED, *ids])
        for official_id, rows in groupby(cursor, key=lambda row: row[0]):
            yield official_id, tuple(_item(row) for row in rows)


def _item(row: tuple) -> ItemInput:
    _official, item_id, coefficient, assigned, completed, failures, delays, exempt_failures, exempt_delays = row
    return ItemInput(
        code=str(item_id),
        coefficient=Decimal(coefficient),
        assigned=Decimal(assigned or 0),
        completed=Decimal(completed or 0),
        quality_failures=int(failures or 0),
        delays=int(delays or 0),
        exempt_quality_failures=int(exempt_failures or 0),
        exempt_delays=int(exempt_delays or 0),
    )
