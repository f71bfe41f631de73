"""Cases the decrees leave to the agency (issue 14, item 5): ``params.edge_cases``.

ND 335/2025/NĐ-CP Điều 20 khoản 5 (the quota per similar-task group, no exception for a
small group of individuals), ND 233/2026/NĐ-CP Điều 7 (fewer than five agencies: at most
one excellent, the analogy ONE_ALLOWED draws), ND 335 Điều 21 (transfers, the time
actually worked). Opening, the roll-up and the annual list read the other three keys;
their end-to-end tests are in tests/integration/test_edge_cases.py."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from thanhhoa_kpi.scoring import (
    INVALID_RULE_SET,
    Classification,
    EdgeCases,
    FullLeave,
    PostingRule,
    QuotaEntry,
    ScoringInputError,
    SmallGroupPolicy,
    TransferMonths,
    apply_quota,
    parse_params,
)
from thanhhoa_kpi.scoring.edge_cases import DEFAULT_EDGE_CASES

from .conftest import D, params, raw_rule_sets

XS = Classification.HOAN_THANH_XUAT_SAC
TOT = Classification.HOAN_THANH_TOT


def _raw(code: str = "ND335") -> dict[str, Any]:
    entry = next(entry for entry in raw_rule_sets() if entry["code"] == code)
    return copy.deepcopy(entry["params"])  # type: ignore[arg-type]


def _group(candidates: int, good: int) -> list[QuotaEntry]:
    """Candidates at 95, 94, … and the rest at "tốt" (75), in one group."""
    top = [QuotaEntry(f"C{i}", "lanh_dao", D(95 - i), D(60)) for i in range(candidates)]
    return top + [QuotaEntry(f"G{i}", "lanh_dao", D(75), D(50)) for i in range(good)]


def _one_allowed(below: int = 5) -> Any:
    return params(edge_cases=EdgeCases(small_group_below=below, small_group_policy=SmallGroupPolicy.ONE_ALLOWED))


def test_absent_edge_cases_read_as_the_decree_defaults() -> None:
    data = _raw()
    data.pop("edge_cases", None)
    assert (
        parse_params(data).edge_cases
        == DEFAULT_EDGE_CASES
        == EdgeCases(
            5, SmallGroupPolicy.DECREE, TransferMonths.ALL_BLOCS, FullLeave.NO_APPRAISAL, PostingRule.PERIOD_END
        )
    )


def test_each_key_is_read_and_the_others_keep_their_defaults() -> None:
    data = _raw()
    data["edge_cases"] = {"small_group_policy": "ONE_ALLOWED", "small_group_below": 4, "posting_rule": "MOST_DAYS"}
    read = parse_params(data).edge_cases
    assert read == replace(
        DEFAULT_EDGE_CASES,
        small_group_policy=SmallGroupPolicy.ONE_ALLOWED,
        small_group_below=4,
        posting_rule=PostingRule.MOST_DAYS,
    )
    data["edge_cases"] = {"transfer_months": "THIS_BLOC", "full_leave": "APPRAISE"}
    read = parse_params(data).edge_cases
    assert (read.transfer_months, read.full_leave) == (TransferMonths.THIS_BLOC, FullLeave.APPRAISE)


def test_bad_values_and_unknown_keys_are_named() -> None:
    data = _raw()
    data["edge_cases"] = {"small_group_below": 1, "full_leave": "SOMETIMES", "typo": True}
    with pytest.raises(ScoringInputError) as caught:
        parse_params(data)
    assert caught.value.code == INVALID_RULE_SET
    errors = dict(caught.value.errors)
    assert {"edge_cases.small_group_below", "edge_cases.full_leave"} <= set(errors)
    assert any(path.startswith("edge_cases") and "typo" in path + message for path, message in errors.items())
    assert "NO_APPRAISAL" in errors["edge_cases.full_leave"]


def test_under_the_decree_a_group_of_four_gets_no_excellent() -> None:
    # Two candidates, two "tốt": E ≤ floor(20 % × (2 + 2 − E)) gives E = 0.
    outcome = apply_quota(_group(2, 2), params())
    (group,) = outcome.groups
    assert group.limit == 0
    assert [result.classification for result in outcome.results] == [TOT] * 4
    assert "nhóm nhỏ" not in group.explanation


def test_one_allowed_gives_a_small_group_its_best_candidate_and_says_so() -> None:
    outcome = apply_quota(_group(2, 2), _one_allowed())
    (group,) = outcome.groups
    assert group.limit == 1
    assert [result.classification for result in outcome.results] == [XS, TOT, TOT, TOT]
    assert outcome.results[1].demoted
    assert "Nhóm chỉ có 4 người (dưới 5)" in group.explanation
    assert "Nhóm chỉ có 4 người (dưới 5)" in (outcome.results[1].reason or "")


def test_one_allowed_stops_at_the_group_size_and_never_lowers_the_rate() -> None:
    # Five members are not "fewer than five": the decree's 0 stands.
    assert apply_quota(_group(2, 3), _one_allowed()).groups[0].limit == 0
    # A larger group whose rate already allows one or more is untouched.
    big = apply_quota(_group(3, 12), _one_allowed(below=20)).groups[0]
    assert big.limit == 2
    assert "nhóm nhỏ" not in big.explanation
    # No candidate: the allowance gives nobody anything.
    none = apply_quota(_group(0, 3), _one_allowed()).groups[0]
    assert none.limit == 0
    assert "nhóm nhỏ" not in none.explanation
