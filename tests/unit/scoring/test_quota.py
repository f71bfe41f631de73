"""The excellence quota (SPEC 5.6; ND 335 Điều 20 khoản 5)."""

from __future__ import annotations

import pytest

from thanhhoa_kpi.scoring import (
    Classification,
    Disqualifier,
    QuotaEntry,
    QuotaReading,
    ScoringInputError,
    apply_quota,
)

from .conftest import D, params

XS = Classification.HOAN_THANH_XUAT_SAC
TOT = Classification.HOAN_THANH_TOT


def _entry(ident: str, total: str, task: str = "60", group: str = "staff", **extra: object) -> QuotaEntry:
    return QuotaEntry(ident, group, D(total), D(task), **extra)  # type: ignore[arg-type]


def _group_b() -> list[QuotaEntry]:
    """Example 4, group B: 8 candidates, 22 at "tốt", 10 at "hoàn thành"."""
    candidates = [_entry(f"C{i}", str(98 - i)) for i in range(8)]
    good = [_entry(f"G{i}", "75") for i in range(22)]
    passed = [_entry(f"H{i}", "60") for i in range(10)]
    return candidates + good + passed


def test_example_4_group_b_keeps_the_five_best() -> None:
    outcome = apply_quota(_group_b(), params())
    (group,) = outcome.groups
    assert (group.candidates, group.good, group.limit, group.rate) == (8, 22, 5, D("0.2"))
    levels = [result.classification for result in outcome.results[:8]]
    assert levels == [XS] * 5 + [TOT] * 3
    assert [result.demoted for result in outcome.results[:8]] == [False] * 5 + [True] * 3
    assert all(result.reason is None for result in outcome.results[:5])
    assert outcome.results[5].reason == (
        "Xếp thứ 6/8 trong số người đủ điểm xuất sắc, vượt số lượng tối đa 5. "
        'Nhóm "staff": 8 người đủ điểm xuất sắc, 22 người hoàn thành tốt; số xuất sắc tối đa là E lớn nhất '
        "với E ≤ floor(20% × (22 + 8 − E)) (số hoàn thành tốt sau khi điều chỉnh): E = 5. "
        "Chuyển xuống Hoàn thành tốt nhiệm vụ (NĐ 335/2025/NĐ-CP Điều 20 khoản 5)."
    )
    final = [result.classification for result in outcome.results]
    assert (final.count(XS), final.count(TOT)) == (5, 25)


@pytest.mark.parametrize(
    ("reading", "excellent", "limit"),
    [
        (QuotaReading.FINAL_GOOD, False, 5),
        (QuotaReading.GOOD_PLUS_CANDIDATES, False, 6),
        (QuotaReading.FINAL_GOOD, True, 6),
        (QuotaReading.GOOD_PLUS_CANDIDATES, True, 7),
    ],
)
def test_example_4_readings_and_exception(reading: QuotaReading, excellent: bool, limit: int) -> None:
    outcome = apply_quota(_group_b(), params(quota_reading=reading), unit_excellent=excellent)
    assert outcome.groups[0].limit == limit
    assert [r.classification for r in outcome.results].count(XS) == limit
    if excellent:
        assert "tỷ lệ ngoại lệ" in outcome.groups[0].explanation


def test_example_4_group_a_small_group_bites() -> None:
    leaders = [_entry("L1", "93", group="leaders"), _entry("L2", "91", group="leaders")]
    leaders += [_entry(f"T{i}", "80", group="leaders") for i in range(3)]
    outcome = apply_quota(leaders, params())
    assert outcome.groups[0].limit == 0
    assert [r.demoted for r in outcome.results] == [True, True, False, False, False]
    assert apply_quota(leaders, params(), unit_excellent=True).groups[0].limit == 1


def test_groups_are_separate_and_listed_in_order_of_appearance() -> None:
    entries = [_entry("A", "95", group="b"), _entry("B", "95", group="a")] + [
        _entry(f"G{i}", "80", group="b") for i in range(5)
    ]
    outcome = apply_quota(entries, params())
    assert [(g.group, g.candidates, g.good, g.limit) for g in outcome.groups] == [("b", 1, 5, 1), ("a", 1, 0, 0)]
    assert [r.classification for r in outcome.results[:2]] == [XS, TOT]


def _tie_setup(*entries: QuotaEntry) -> list[QuotaEntry]:
    # Four at "tốt" + two candidates: FINAL_GOOD keeps exactly one (1 ≤ floor(0.2 × 5)).
    return [*entries] + [_entry(f"G{i}", "80") for i in range(4)]


def test_ties_keep_input_order() -> None:
    outcome = apply_quota(_tie_setup(_entry("first", "92"), _entry("second", "92")), params())
    assert [r.demoted for r in outcome.results[:2]] == [False, True]


def test_task_score_breaks_a_tie_on_total() -> None:
    outcome = apply_quota(_tie_setup(_entry("first", "92", "60"), _entry("second", "92", "61")), params())
    assert [r.demoted for r in outcome.results[:2]] == [True, False]


def test_the_heads_decision_breaks_a_tie_before_input_order() -> None:
    entries = _tie_setup(_entry("first", "92", "60"), _entry("second", "92", "60", decision_rank=1))
    assert [r.demoted for r in apply_quota(entries, params()).results[:2]] == [True, False]
    entries = _tie_setup(_entry("first", "92", "60", decision_rank=2), _entry("second", "92", "60", decision_rank=1))
    assert [r.demoted for r in apply_quota(entries, params()).results[:2]] == [True, False]


def test_ranking_reads_rounded_totals() -> None:
    # 91.004 and 91.001 both publish as 91.00: the tie goes to task score, then order.
    outcome = apply_quota(_tie_setup(_entry("first", "91.001"), _entry("second", "91.004")), params())
    assert [r.demoted for r in outcome.results[:2]] == [False, True]


def test_disqualified_officials_are_never_candidates() -> None:
    entries = [_entry("X", "99", disqualifiers=(Disqualifier.DISCIPLINE,)), _entry("Y", "95")]
    entries += [_entry(f"G{i}", "80") for i in range(5)]
    outcome = apply_quota(entries, params())
    assert (outcome.groups[0].candidates, outcome.groups[0].limit) == (1, 1)
    first = outcome.results[0]
    assert (first.classification, first.demoted) == (Classification.KHONG_HOAN_THANH, False)
    assert first.reason is not None and "khiển trách" in first.reason
    assert outcome.results[1].classification is XS


def test_disqualifier_reason_is_given_even_when_the_score_already_fails() -> None:
    outcome = apply_quota([_entry("X", "40", "30", disqualifiers=(Disqualifier.DEGRADATION,))], params())
    assert outcome.results[0].reason is not None


def test_qd366_unconfirmed_candidates_count_as_good() -> None:
    entries = [_entry("A", "95", exceeded_share=D("0.5")), _entry("B", "94")] + [
        _entry(f"G{i}", "80") for i in range(4)
    ]
    outcome = apply_quota(entries, params("QD366"))
    assert (outcome.groups[0].candidates, outcome.groups[0].good, outcome.groups[0].limit) == (1, 5, 1)
    second = outcome.results[1]
    assert (second.classification, second.demoted) == (TOT, False)
    assert second.reason is not None and "QĐ 366" in second.reason


def test_bad_entries_are_refused() -> None:
    entries = [
        _entry("A", "101"),
        _entry("A", "80", "71"),
        _entry("B", "50", "60", decision_rank=0, exceeded_share=D(2)),
    ]
    with pytest.raises(ScoringInputError) as caught:
        apply_quota(entries, params())
    assert [field for field, _ in caught.value.errors] == [
        "officials[0].total",
        "officials[1].id",
        "officials[1].task_score",
        "officials[2].task_score",
        "officials[2].decision_rank",
        "officials[2].exceeded_share",
    ]
