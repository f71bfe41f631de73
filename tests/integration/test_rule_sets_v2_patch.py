"""patches.v0_1.rule_sets_v2: a database seeded with version 1 gets the shipped version.

Version 1 stays as it was (appraisals scored with it keep their version), and a version with
the shipped number an administrator already made in the desk is not overwritten.
"""

from __future__ import annotations

from typing import Any

import pytest

from patches.v0_1 import rule_sets_v2
from thanhhoa_kpi.appraisals.models import RuleSet
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.workflow.models import VersionStatus

NEW_KEYS = ("citations", "subject", "band_conditions")


def _shipped() -> list[dict[str, Any]]:
    return read_file(FIXTURES_DIR / "base" / "rule_sets.json")


def _database_on_version_1() -> dict[str, dict[str, Any]]:
    RuleSet.objects.all().delete()
    old = {}
    for row in _shipped():
        params = {key: value for key, value in row["params"].items() if key not in NEW_KEYS}
        RuleSet.objects.create(
            code=row["code"], version=1, name=row["name"], legal_basis=row["legal_basis"], params=params,
            is_current=True, status=VersionStatus.IN_FORCE,
        )  # fmt: skip
        old[row["code"]] = params
    return old


@pytest.mark.django_db
def test_version_2_goes_in_force_beside_an_untouched_version_1():
    old = _database_on_version_1()
    rule_sets_v2.execute()
    for row in _shipped():
        current = RuleSet.objects.get(code=row["code"], is_current=True)
        assert (current.version, current.params) == (row["version"], row["params"])  # QD366 ships version 3
        first = RuleSet.objects.get(code=row["code"], version=1)
        assert (first.params, first.status) == (old[row["code"]], VersionStatus.RETIRED)


@pytest.mark.django_db
def test_an_administrators_own_version_with_the_shipped_number_is_not_overwritten():
    shipped = {row["code"]: row["version"] for row in _shipped()}
    _database_on_version_1()
    mine = RuleSet.objects.get(code="ND233", version=1)
    mine.is_current, mine.status = False, VersionStatus.RETIRED
    mine.save()
    own = RuleSet.objects.create(
        code="ND233", version=shipped["ND233"], name="Quy chế riêng", params=mine.params, is_current=True,
        status=VersionStatus.IN_FORCE,
    )  # fmt: skip
    rule_sets_v2.execute()
    own.refresh_from_db()
    assert (own.name, own.params, own.is_current) == ("Quy chế riêng", mine.params, True)
    assert RuleSet.objects.get(code="ND335", is_current=True).version == shipped["ND335"]
