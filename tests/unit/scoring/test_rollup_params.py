"""The roll-up's rule-set parameter ``min_months_leave_kinds`` (ND 233 Điều 14 khoản 2)."""

from __future__ import annotations

from typing import Any

import pytest

from thanhhoa_kpi.scoring import ScoringInputError, parse_params, parse_rule_sets
from thanhhoa_kpi.scoring.params import DEFAULT_MIN_MONTHS_LEAVE_KINDS, LEAVE_KINDS

from .conftest import raw_rule_sets


def _params(code: str = "ND335") -> dict[str, Any]:
    entry = next(entry for entry in raw_rule_sets() if entry["code"] == code)
    params: dict[str, Any] = entry["params"]  # type: ignore[assignment]
    return params


@pytest.mark.parametrize("code", ["ND335", "ND233", "QD366"])
def test_the_shipped_rule_sets_count_sick_and_maternity_leave(code: str) -> None:
    assert set(parse_params(_params(code)).min_months_leave_kinds) == {"MATERNITY", "SICK"}


def test_a_copy_stored_before_the_parameter_existed_reads_the_decree_default() -> None:
    data = _params()
    del data["min_months_leave_kinds"]
    assert parse_params(data).min_months_leave_kinds == DEFAULT_MIN_MONTHS_LEAVE_KINDS == ("MATERNITY", "SICK")
    entries = raw_rule_sets()
    del entries[0]["params"]["min_months_leave_kinds"]  # type: ignore[index]
    assert parse_rule_sets(entries)["ND335"].params.min_months_leave_kinds == ("MATERNITY", "SICK")


def test_an_empty_list_counts_no_leave() -> None:
    data = _params()
    data["min_months_leave_kinds"] = []
    assert parse_params(data).min_months_leave_kinds == ()


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        ("MATERNITY", {"min_months_leave_kinds": "Phải là một danh sách ([...])."}),
        (["MATERNITY", "MATERNITY"], {"min_months_leave_kinds[1]": "Loại nghỉ bị trùng."}),
        (
            ["UNPAID"],
            {"min_months_leave_kinds[0]": 'Giá trị không hợp lệ; chỉ nhận một trong: "MATERNITY", "SICK", '
             '"TRAINING", "OTHER".'},
        ),
    ],
)  # fmt: skip
def test_bad_leave_kinds_are_refused_naming_the_item(value: object, errors: dict[str, str]) -> None:
    data = _params()
    data["min_months_leave_kinds"] = value
    with pytest.raises(ScoringInputError) as caught:
        parse_params(data)
    assert dict(caught.value.errors) == errors


def test_an_unknown_key_is_still_refused() -> None:
    data = _params()
    data["min_months_leave_kind"] = ["SICK"]
    with pytest.raises(ScoringInputError) as caught:
        parse_params(data)
    assert dict(caught.value.errors) == {"min_months_leave_kind": "Trường không được hỗ trợ."}


def test_the_default_leave_kinds_are_known_kinds() -> None:
    assert set(DEFAULT_MIN_MONTHS_LEAVE_KINDS) <= set(LEAVE_KINDS)
