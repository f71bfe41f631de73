"""patches.v0_1.rule_sets_qd366_v3: a database on QD366 version 2 gets the shipped version 3.

Version 3 adds QĐ 366-QĐ/TW Điều 11's "bảo đảm chất lượng" to "tốt" and "xuất sắc" and
the wording of the Party's framework for individuals; version 2 stays, retired, so the
appraisals scored with it keep their version. An administrator's own version 3 is kept.
"""

from __future__ import annotations

from typing import Any

import pytest

from patches.v0_1 import rule_sets_qd366_v3
from thanhhoa_kpi.appraisals.models import RuleSet
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.workflow.models import VersionStatus

pytestmark = pytest.mark.django_db


def _shipped_qd366() -> dict[str, Any]:
    return next(row for row in read_file(FIXTURES_DIR / "base" / "rule_sets.json") if row["code"] == "QD366")


def _database_on_version_2() -> dict[str, Any]:
    """QD366 version 2 in force as the version 2 patch left it: no quality condition, the old wording."""
    RuleSet.objects.filter(code="QD366").delete()
    params = _shipped_qd366()["params"]
    for condition in params["band_conditions"].values():
        condition.pop("max_failed_share", None)
    params["general_groups"][2]["name"] = "Tinh thần tự phê bình và phê bình; tự soi, tự sửa"
    RuleSet.objects.create(
        code="QD366", version=2, name="QĐ 366", legal_basis="Quy định 366-QĐ/TW", params=params, is_current=True,
        status=VersionStatus.IN_FORCE,
    )  # fmt: skip
    return params


def test_version_3_goes_in_force_beside_a_retired_version_2():
    old = _database_on_version_2()
    rule_sets_qd366_v3.execute()
    current = RuleSet.objects.get(code="QD366", is_current=True)
    assert (current.version, current.params) == (_shipped_qd366()["version"], _shipped_qd366()["params"])
    assert current.params["band_conditions"]["HOAN_THANH_TOT"]["max_failed_share"] == 0
    second = RuleSet.objects.get(code="QD366", version=2)
    assert (second.params, second.status, second.is_current) == (old, VersionStatus.RETIRED, False)


def test_an_administrators_own_version_3_is_not_overwritten():
    old = _database_on_version_2()
    RuleSet.objects.filter(code="QD366", version=2).update(is_current=False, status=VersionStatus.RETIRED)
    own = RuleSet.objects.create(
        code="QD366", version=_shipped_qd366()["version"], name="Quy định riêng của tỉnh", params=old, is_current=True,
        status=VersionStatus.IN_FORCE,
    )  # fmt: skip
    rule_sets_qd366_v3.execute()
    own.refresh_from_db()
    assert (own.name, own.params, own.is_current) == ("Quy định riêng của tỉnh", old, True)
    assert RuleSet.objects.filter(code="QD366").count() == 2
