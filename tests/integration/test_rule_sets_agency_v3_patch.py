"""patches.v0_1.rule_sets_agency_v3: a database on the previous shipped versions (ND335 2,
ND233 2, QD366 3) gets the versions carrying the agency appraisal, the corruption leniency
and the discipline-timing citation; the previous versions stay, retired, so appraisals
scored with them keep their version and their copy of the parameters."""

from __future__ import annotations

from typing import Any

import pytest

from patches.v0_1 import rule_sets_agency_v3
from thanhhoa_kpi.appraisals.models import RuleSet
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.workflow.models import VersionStatus

pytestmark = pytest.mark.django_db

NEW_KEYS = ("agency", "corruption_reported")


def _shipped() -> list[dict[str, Any]]:
    return read_file(FIXTURES_DIR / "base" / "rule_sets.json")


def _database_on_the_previous_versions() -> dict[str, dict[str, Any]]:
    RuleSet.objects.all().delete()
    old = {}
    for row in _shipped():
        params = {key: value for key, value in row["params"].items() if key not in NEW_KEYS}
        params["citations"] = {k: v for k, v in params["citations"].items() if k != "discipline_timing"}
        RuleSet.objects.create(
            code=row["code"], version=row["version"] - 1, name=row["name"], legal_basis=row["legal_basis"],
            params=params, is_current=True, status=VersionStatus.IN_FORCE,
        )  # fmt: skip
        old[row["code"]] = params
    return old


def test_the_new_versions_go_in_force_beside_the_retired_previous_ones():
    old = _database_on_the_previous_versions()
    rule_sets_agency_v3.execute()
    for row in _shipped():
        current = RuleSet.objects.get(code=row["code"], is_current=True)
        assert (current.version, current.params) == (row["version"], row["params"])
        previous = RuleSet.objects.get(code=row["code"], version=row["version"] - 1)
        assert (previous.params, previous.status, previous.is_current) == (old[row["code"]], VersionStatus.RETIRED,
                                                                           False)  # fmt: skip
    assert RuleSet.objects.get(code="ND233", is_current=True).params["corruption_reported"]["mitigates"] is True
    rule_sets_agency_v3.execute()  # run twice: nothing more
    assert RuleSet.objects.count() == 2 * len(_shipped())
