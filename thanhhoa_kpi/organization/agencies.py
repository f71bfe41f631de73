"""The agency (cơ quan, tổ chức, đơn vị) a unit belongs to.

ND 335/2025/NĐ-CP Điều 20 khoản 5 counts the excellence quota per agency and per group of
officials with similar tasks in it; a phòng is not an agency but a part of one. The agency
of a unit is the unit itself or its nearest ancestor whose kind is not a part
(:data:`~thanhhoa_kpi.organization.choices.AGENCY_PART_KINDS`). Computed for many units
at once with one query for all their ancestors (opening a period for a whole bloc).
"""

from __future__ import annotations

from collections.abc import Iterable

from thanhhoa_kpi.organization.choices import AGENCY_PART_KINDS
from thanhhoa_kpi.organization.models import OrgUnit


def _ancestor_paths(path: str) -> list[str]:
    step = OrgUnit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def agencies_of(unit_ids: Iterable[int]) -> dict[int, int]:
    """``{unit id: its agency's id}`` for the given units."""
    paths = dict(OrgUnit.objects.filter(pk__in=set(unit_ids)).values_list("pk", "path"))
    wanted = {ancestor for path in paths.values() for ancestor in _ancestor_paths(path)}
    by_path = {
        path: (pk, kind) for pk, path, kind in OrgUnit.objects.filter(path__in=wanted).values_list("pk", "path", "kind")
    }
    found = {}
    for unit_id, path in paths.items():
        found[unit_id] = unit_id
        for ancestor in reversed(_ancestor_paths(path)):
            pk, kind = by_path[ancestor]
            if kind not in AGENCY_PART_KINDS:
                found[unit_id] = pk
                break
    return found
