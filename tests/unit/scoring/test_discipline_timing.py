"""Which year a discipline counts in (ND 233/2026/NĐ-CP Điều 14 khoản 3, restating ND 48/2023):
the year it is decided, and never twice for the same violation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from thanhhoa_kpi.scoring import parse_params
from thanhhoa_kpi.scoring.discipline import DisciplineFacts, discipline_refusal
from thanhhoa_kpi.scoring.legal import Citations

from .conftest import params, raw_rule_sets


def test_a_discipline_decided_in_the_year_counts() -> None:
    assert discipline_refusal(DisciplineFacts(date(2026, 3, 2)), 2026, params("ND233")) is None
    assert discipline_refusal(DisciplineFacts(date(2026, 3, 2), counted_year=2026), 2026, params("ND233")) is None


def test_a_discipline_decided_in_another_year_does_not_count_for_this_one() -> None:
    field, reason = discipline_refusal(DisciplineFacts(date(2025, 12, 30)), 2026, params("ND233")) or ("", "")
    assert field == "decided_on"
    assert reason == (
        "Quyết định kỷ luật ngày 30/12/2025 không thuộc năm đánh giá 2026: kỷ luật được tính vào năm có quyết định "
        "(NĐ 233/2026/NĐ-CP Điều 14 khoản 3)."
    )


def test_a_violation_already_counted_in_an_earlier_year_is_not_counted_again() -> None:
    found = discipline_refusal(DisciplineFacts(date(2026, 2, 1), counted_year=2025), 2026, params("ND335"))
    assert found is not None and found[0] == "counted_year"
    assert found[1].startswith("Hành vi vi phạm này đã được tính khi xếp loại năm 2025")
    assert "NĐ 48/2023/NĐ-CP" in found[1]


def test_without_the_citation_the_reason_names_no_article() -> None:
    bare = replace(params("ND335"), citations=Citations())
    field, reason = discipline_refusal(DisciplineFacts(date(2024, 5, 5)), 2026, bare) or ("", "")
    assert reason.endswith("kỷ luật được tính vào năm có quyết định.")


def test_copies_stored_before_the_timing_citation_still_parse() -> None:
    data = dict(raw_rule_sets()[0]["params"])  # type: ignore[call-overload]
    data["citations"] = {k: v for k, v in data["citations"].items() if k != "discipline_timing"}
    assert parse_params(data).citations.discipline_timing == ""
