"""Rule sets for the scoring tests, loaded from the real fixture file (no Django)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from thanhhoa_kpi.scoring import GeneralInput, ItemInput, RuleParams, RuleSet, parse_rule_sets

RULE_SETS_FILE = Path(__file__).resolve().parents[3] / "fixtures" / "base" / "rule_sets.json"


def raw_rule_sets() -> list[dict[str, object]]:
    """The fixture as decoded JSON, a fresh copy each time (tests may mutate it)."""
    data: list[dict[str, object]] = json.loads(RULE_SETS_FILE.read_text(encoding="utf-8"))
    return data


@cache
def rule_sets() -> dict[str, RuleSet]:
    return parse_rule_sets(raw_rule_sets())


def params(code: str = "ND335", **overrides: object) -> RuleParams:
    """The parameters of one rule set, optionally with some fields replaced."""
    return replace(rule_sets()[code].params, **overrides)  # type: ignore[arg-type]


def all_params() -> dict[str, RuleParams]:
    """What the Django side passes to the preview functions: code → parameters."""
    return {code: rule_set.params for code, rule_set in rule_sets().items()}


def D(value: str | int) -> Decimal:  # noqa: N802 - reads like a literal in tables
    return Decimal(value)


def item(code: str, k: str | int, assigned: str | int, completed: str | int, **counts: int) -> ItemInput:
    return ItemInput(code, Decimal(k), Decimal(assigned), Decimal(completed), **counts)


def points(value: str | int) -> GeneralInput:
    return GeneralInput(points=Decimal(value))


# research/domain.md section 9, Example 1: three catalogue items of one chuyên viên.
EXAMPLE_1_ITEMS = (
    item("P1", 1, 10, 10, delays=1),
    item("P2", 4, 3, 3, quality_failures=1),
    item("P3", 8, 2, 1),
)


@pytest.fixture
def nd335() -> RuleParams:
    return params("ND335")


@pytest.fixture
def nd233() -> RuleParams:
    return params("ND233")


@pytest.fixture
def qd366() -> RuleParams:
    return params("QD366")
