"""patches.v0_1.rule_sets_unit_rules_v4: a database on ND233 version 3 gets version 4, the
frame of a unit's own rules; version 3 stays, retired, and the other rule sets are untouched."""

from __future__ import annotations

import pytest

from patches.v0_1 import rule_sets_unit_rules_v4
from thanhhoa_kpi.appraisals.models import RuleSet
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.workflow.models import VersionStatus

pytestmark = pytest.mark.django_db


def test_nd233_version_4_goes_in_force_beside_the_retired_version_3():
    shipped = {row["code"]: row for row in read_file(FIXTURES_DIR / "base" / "rule_sets.json")}
    RuleSet.objects.all().delete()
    nd233 = shipped["ND233"]
    old = {key: value for key, value in nd233["params"].items() if key != "unit_rules"}
    RuleSet.objects.create(
        code="ND233", version=nd233["version"] - 1, name=nd233["name"], legal_basis=nd233["legal_basis"],
        params=old, is_current=True, status=VersionStatus.IN_FORCE,
    )  # fmt: skip
    for code in ("ND335", "QD366"):
        row = shipped[code]
        RuleSet.objects.create(
            code=code, version=row["version"], name=row["name"], legal_basis=row["legal_basis"],
            params=row["params"], is_current=True, status=VersionStatus.IN_FORCE,
        )  # fmt: skip
    rule_sets_unit_rules_v4.execute()
    current = RuleSet.objects.get(code="ND233", is_current=True)
    assert (current.version, current.params) == (nd233["version"], nd233["params"])
    assert current.params["unit_rules"]["group_min"] == 5
    previous = RuleSet.objects.get(code="ND233", version=nd233["version"] - 1)
    assert (previous.params, previous.status, previous.is_current) == (old, VersionStatus.RETIRED, False)
    assert RuleSet.objects.filter(code__in=["ND335", "QD366"]).count() == 2
    rule_sets_unit_rules_v4.execute()  # twice: nothing more
    assert RuleSet.objects.count() == 4
