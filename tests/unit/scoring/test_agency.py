"""The agency's own appraisal and the agencies' quota (ND 233/2026/NĐ-CP Điều 7; ND 335 Điều 20).

Levels: the score band, then each level's conditions (khoản 1–4), the lower level when they
disagree (khoản 5); the quota: ≤ 20 % of «tốt», 25 % in outstanding cases, fewer than five
agencies → at most one (khoản 7). Every number comes from ``params.agency``.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.unit.scoring.conftest import D, params, raw_rule_sets
from thanhhoa_kpi.scoring import Classification, ScoringInputError, parse_params
from thanhhoa_kpi.scoring.agency import AgencyFigures, AgencyQuotaEntry, agency_quota, score_agency, shares_of
from thanhhoa_kpi.scoring.agency_rules import DEFAULT_AGENCY_RULES, AgencyRules

XS, TOT, HT, KHT = (
    Classification.HOAN_THANH_XUAT_SAC,
    Classification.HOAN_THANH_TOT,
    Classification.HOAN_THANH,
    Classification.KHONG_HOAN_THANH,
)


def figures(general: str = "28", task: str = "100", **volumes: str) -> AgencyFigures:
    """40 units of work planned, all done on time and to quality, 12 beyond the plan (30 %)."""
    base = {"planned": "40", "done": "40", "on_time": "40", "quality": "40", "exceeded": "12"}
    base.update(volumes)
    return AgencyFigures(D(general), D(task), **{name: D(value) for name, value in base.items()})


def test_all_conditions_met_keeps_the_band_excellent_with_the_citation_of_article_7() -> None:
    outcome = score_agency(figures(), params("ND233"))
    assert (outcome.task_score, outcome.total, outcome.by_score, outcome.classification) == (D(70), D(98), XS, XS)
    assert outcome.reasons == ()
    assert outcome.explanation[-1] == "Xếp loại: «Hoàn thành xuất sắc nhiệm vụ» (Nghị định 233/2026/NĐ-CP, Điều 7)."


def test_task_score_is_the_task_maximum_times_the_task_result_rounded_once_half_up() -> None:
    outcome = score_agency(figures(general="20", task="85.005"), params("ND335"))
    # 70 × 85.005 % = 59.5035 → 59.50; 20 + 59.5035 = 79.5035 → 79.50
    assert (outcome.task_score, outcome.total) == (D("59.50"), D("79.50"))
    assert outcome.by_score is TOT


def test_example_5_of_the_research_88_points_with_75_percent_on_time_is_hoan_thanh() -> None:
    """A sở with 88 points, all 40 tasks done, 3 late (7.5 %): not «tốt», «hoàn thành» (khoản 5)."""
    outcome = score_agency(figures(general="25", task="90", on_time="37", exceeded="0"), params("ND335"))
    assert outcome.total == D(88)
    assert (outcome.by_score, outcome.classification) == (TOT, HT)
    assert outcome.reasons == (
        "Chưa đủ điều kiện «Hoàn thành tốt nhiệm vụ»: "
        "chỉ 92,5% khối lượng được giao hoàn thành đúng tiến độ (yêu cầu 100%).",
    )


def test_excellent_band_short_of_the_exceeded_share_is_good() -> None:
    outcome = score_agency(figures(exceeded="11"), params("ND233"))
    assert outcome.classification is TOT
    assert "khối lượng vượt kế hoạch 27,5% (yêu cầu từ 30%)" in outcome.reasons[0]


def test_a_failing_unit_under_the_agency_keeps_it_from_excellent() -> None:
    outcome = score_agency(replace(figures(), failing_units=("Phòng A",)), params("ND233"))
    assert outcome.classification is TOT
    assert "có đơn vị trực thuộc không hoàn thành nhiệm vụ: Phòng A" in outcome.reasons[0]


def test_work_short_of_quality_keeps_it_from_good() -> None:
    outcome = score_agency(figures(quality="39", exceeded="0"), params("ND233"))
    assert outcome.classification is HT
    assert "đạt chất lượng (yêu cầu 100%)" in outcome.reasons[0]


def test_more_than_20_percent_late_or_work_undone_falls_to_not_completed() -> None:
    late = score_agency(figures(on_time="31", exceeded="0"), params("ND335"))  # 22.5 % late
    assert [late.by_score, late.classification] == [XS, KHT]
    assert "22,5% khối lượng hoàn thành chậm tiến độ (tối đa 20%)" in late.reasons[-1]
    undone = score_agency(figures(general="20", task="60", done="35", on_time="35", quality="35"), params("ND335"))
    assert [undone.by_score, undone.classification] == [HT, KHT]
    assert "chỉ hoàn thành 87,5% khối lượng được giao (yêu cầu 100%)" in undone.reasons[0]


def test_less_than_70_percent_done_is_not_completed_whatever_the_score() -> None:
    outcome = score_agency(figures(done="27", on_time="27", quality="27", exceeded="0"), params("ND335"))
    assert (outcome.by_score, outcome.classification) == (XS, KHT)
    assert outcome.reasons[0].startswith("Chỉ hoàn thành 67,5% khối lượng được giao, dưới 70%")


def test_a_score_below_50_is_not_completed_without_further_reasons() -> None:
    outcome = score_agency(figures(general="10", task="50"), params("ND335"))
    assert (outcome.total, outcome.classification, outcome.reasons) == (D(45), KHT, ())


def test_nothing_planned_leaves_no_share_short() -> None:
    shares = shares_of(figures(planned="0", done="0", on_time="0", quality="0", exceeded="0"))
    assert (shares.done, shares.on_time, shares.quality, shares.delayed, shares.exceeded) == (1, 1, 1, 0, 0)


def test_the_conditions_come_from_the_rule_set() -> None:
    lenient = replace(params("ND233"), agency=replace(DEFAULT_AGENCY_RULES, excellent_exceeded_share=D("0.25")))
    assert score_agency(figures(exceeded="11"), lenient).classification is XS


def test_bad_figures_are_named_each() -> None:
    bad = AgencyFigures(D(31), D(101), D(-1), D(5), D(6), D(7), D(-2))
    with pytest.raises(ScoringInputError) as caught:
        score_agency(bad, params("ND335"))
    assert dict(caught.value.errors) == {
        "general_score": "Phải trong khoảng 0 đến 30.",
        "task_percent": "Phải trong khoảng 0 đến 100.",
        "planned": "Không được âm.",
        "exceeded": "Không được âm.",
        "on_time": "Không được lớn hơn khối lượng đã hoàn thành (done).",
        "quality": "Không được lớn hơn khối lượng đã hoàn thành (done).",
    }


# ------------------------------------------------------------------------------- quota


def entries(*levels: Classification) -> list[AgencyQuotaEntry]:
    return [AgencyQuotaEntry(f"u{i}", D(95 - i), D(65), level) for i, level in enumerate(levels)]


def test_quota_keeps_at_most_20_percent_of_the_good_agencies() -> None:
    # 3 candidates, 12 «tốt»: E ≤ floor(0.2 × (12 + 3 − E)) → E = 2; the lowest total is demoted.
    outcome = agency_quota(entries(XS, XS, XS, *[TOT] * 12), params("ND233"))
    assert (outcome.candidates, outcome.good, outcome.limit) == (3, 12, 2)
    levels = [level for _id, level, _reason in outcome.results]
    assert levels[:3] == [XS, XS, TOT]
    assert outcome.results[2][2].startswith("Vượt tỷ lệ xuất sắc của các cơ quan, đơn vị (xếp thứ 3)")


def test_outstanding_cases_take_the_25_percent_rate() -> None:
    outcome = agency_quota(entries(XS, XS, XS, *[TOT] * 12), params("ND233"), outstanding=True)
    assert (outcome.rate, outcome.limit) == (D("0.25"), 3)
    assert "tỷ lệ 25% (trường hợp nổi trội)" in outcome.explanation


def test_fewer_than_five_agencies_keep_at_most_one() -> None:
    outcome = agency_quota(entries(XS, XS, TOT, HT), params("ND335"))
    assert outcome.limit == 1
    assert [level for _id, level, _reason in outcome.results] == [XS, TOT, TOT, HT]
    assert outcome.explanation.startswith("4 cơ quan, đơn vị được đánh giá (dưới 5): tối đa 1")


def test_candidates_rank_by_total_then_task_score_then_order() -> None:
    tied = [
        AgencyQuotaEntry("a", D(92), D(60), XS),
        AgencyQuotaEntry("b", D(92), D(65), XS),
        AgencyQuotaEntry("c", D(92), D(65), XS),
        AgencyQuotaEntry("d", D(80), D(60), TOT),
    ]
    kept = [entry_id for entry_id, level, _ in agency_quota(tied, params("ND335")).results if level is XS]
    assert kept == ["b"]


def test_quota_refuses_an_id_used_twice() -> None:
    with pytest.raises(ScoringInputError) as caught:
        agency_quota([*entries(XS), *entries(TOT)], params("ND335"))
    assert caught.value.errors == (("agencies[1].id", 'Mã "u0" bị trùng.'),)


# ------------------------------------------------------------------------ rule-set data


def test_the_shipped_rule_sets_carry_the_decree_numbers_and_their_own_citation() -> None:
    for code in ("ND335", "ND233", "QD366"):
        rules = params(code).agency
        assert replace(rules, citation="") == replace(DEFAULT_AGENCY_RULES, citation="")
    assert params("ND233").agency.citation == "Nghị định 233/2026/NĐ-CP, Điều 7"
    assert params("ND335").agency.citation.startswith("Nghị định 335/2025/NĐ-CP, Điều 20")


def _with_agency(value: object) -> dict[str, object]:
    data = dict(raw_rule_sets()[0]["params"])  # type: ignore[call-overload]
    if value is None:
        data.pop("agency")
    else:
        data["agency"] = value
    return data


def test_a_rule_set_without_the_object_takes_the_defaults() -> None:
    assert parse_params(_with_agency(None)).agency == DEFAULT_AGENCY_RULES


def test_an_agency_object_with_its_own_numbers_is_read() -> None:
    read = parse_params(_with_agency({"quota_rate": "0.1", "small_scope_below": 3, "small_scope_most": 0})).agency
    assert read == AgencyRules(quota_rate=Decimal("0.1"), small_scope_below=3, small_scope_most=0)


def test_bad_agency_numbers_are_named() -> None:
    with pytest.raises(ScoringInputError) as caught:
        parse_params(_with_agency({"quota_rate": 2, "small_scope_below": 1, "typo": 1}))
    fields = {field for field, _message in caught.value.errors}
    assert {"agency.quota_rate", "agency.small_scope_below", "agency.typo"} <= fields


def test_an_agency_object_with_only_a_citation_keeps_the_decree_numbers() -> None:
    read = parse_params(_with_agency({"citation": "Quy chế của tỉnh"})).agency
    assert read == replace(DEFAULT_AGENCY_RULES, citation="Quy chế của tỉnh")
