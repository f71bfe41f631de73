"""One official, one period (SPEC 5.1–5.5), including the explanation lines."""

from __future__ import annotations

import pytest

from thanhhoa_kpi.scoring import (
    Classification,
    Disqualifier,
    GeneralInput,
    PeriodInput,
    Role,
    ScoringInputError,
    Status,
    UnitCriteria,
    score_period,
)

from .conftest import EXAMPLE_1_ITEMS, D, item, params, points

FULL_UNIT = UnitCriteria(D(100), D(100), D(100))


def test_example_1_explanation_reads_like_a_worked_example() -> None:
    result = score_period(PeriodInput(Role.STAFF, EXAMPLE_1_ITEMS, points(27)), params())
    assert list(result.explanation) == [
        "Bộ quy tắc chấm điểm ND335 phiên bản 3: Đánh giá, xếp loại chất lượng công chức "
        "(Nghị định 335/2025/NĐ-CP); người được đánh giá: công chức.",
        "P1: 1 lần chậm tiến độ, trừ 25% của 1 sản phẩm (hệ số 1); điểm tiến độ quy đổi = 1 × (10 − 0,25 × 1) = 9,75.",
        "P2: 1 lỗi chất lượng, trừ 25% của 1 sản phẩm (hệ số 4); điểm chất lượng quy đổi = 4 × (3 − 0,25 × 1) = 11.",
        "Khối lượng được giao quy đổi (Σ hệ số × số lượng) = 1 × 10 + 4 × 3 + 8 × 2 = 38.",
        "Khối lượng hoàn thành quy đổi = 1 × 10 + 4 × 3 + 8 × 1 = 30.",
        "Khối lượng đạt chất lượng quy đổi = 10 + 11 + 8 = 29.",
        "Khối lượng đạt tiến độ quy đổi = 9,75 + 12 + 8 = 29,75.",
        "a (số lượng) = 30 / 38 × 100 = 78,95%.",
        "b (chất lượng) = 29 / 38 × 100 = 76,32%.",
        "c (tiến độ) = 29,75 / 38 × 100 = 78,29%.",
        "Tỷ lệ % kết quả thực hiện nhiệm vụ = (a + b + c) / 3 = (78,95 + 76,32 + 78,29) / 3 = 77,85%.",
        "Điểm kết quả thực hiện nhiệm vụ = 77,85% × 70 / 100 = 54,5 (tối đa 70).",
        "Điểm tiêu chí chung = 27 (tối đa 30; NĐ 335/2025/NĐ-CP Điều 12 khoản 2).",
        "Tổng điểm = 27 + 54,5 = 81,5.",
        "Xếp loại theo điểm: Hoàn thành tốt nhiệm vụ (70 ≤ 81,5 < 90; NĐ 335/2025/NĐ-CP Điều 20 khoản 1, 2, 3).",
        "Xếp loại: Hoàn thành tốt nhiệm vụ.",
    ]


def test_explanation_names_exemptions_caps_and_several_events() -> None:
    items = (
        item("A", "6.4", 5, 5, quality_failures=4, exempt_quality_failures=1),
        item("B", 20, 1, 1, delays=6),
        item("C", 1, 10, 12),
    )
    general = GeneralInput(groups=(D("9.5"), D(9), D("8.5")))
    lines = score_period(PeriodInput(Role.STAFF, items, general), params()).explanation
    assert lines[1:5] == (
        "A: miễn trừ 1 lỗi chất lượng do nguyên nhân khách quan được cấp có thẩm quyền xác nhận, không trừ điểm.",
        "A: 3 lỗi chất lượng, mỗi lỗi trừ 25% của 1 sản phẩm (hệ số 6,4); "
        "điểm chất lượng quy đổi = 6,4 × (5 − 0,25 × 3) = 27,2.",
        "B: 6 lần chậm tiến độ, mỗi lần chậm trừ 25% của 1 sản phẩm (hệ số 20); "
        "điểm tiến độ quy đổi = 20 × (1 − 0,25 × 4) = 0.",
        "B: mỗi sản phẩm bị trừ tối đa 4 lần (1 sản phẩm hoàn thành → tối đa 4 lần được tính); "
        "điểm tiến độ quy đổi không âm.",
    )
    assert "a (số lượng) = 64 / 62 × 100 = 103,23%, vượt trần nên lấy 100%." in lines
    assert "Điểm tiêu chí chung = 9,5 + 9 + 8,5 = 27 (tối đa 30; NĐ 335/2025/NĐ-CP Điều 12 khoản 2)." in lines


def test_leader_explanation_gives_why_d_dd_e_are_reduced() -> None:
    unit = UnitCriteria(D(50), D(50), D(50))
    result = score_period(PeriodInput(Role.LEADER, (item("X", 1, 1, 1),), points(30), unit=unit), params())
    assert result.task_percent == D(75)
    assert (
        "d = 50%: có công chức thuộc phạm vi quản lý không hoàn thành nhiệm vụ (NĐ 335/2025/NĐ-CP Điều 15 khoản 3)."
        in result.explanation
    )
    assert (
        "đ = 50%: có hạn chế, chậm trễ kéo dài trong tổ chức thực hiện nhiệm vụ (NĐ 335/2025/NĐ-CP Điều 15 khoản 3)."
        in result.explanation
    )
    assert (
        "e = 50%: có mâu thuẫn, mất đoàn kết nội bộ kéo dài (NĐ 335/2025/NĐ-CP Điều 15 khoản 3)." in result.explanation
    )
    assert any(
        line.startswith("Tỷ lệ % kết quả thực hiện nhiệm vụ = (a + b + c + d + đ + e) / 6")
        for line in result.explanation
    )


@pytest.mark.parametrize("items", [(), (item("X", 1, 0, 3),)])
def test_nothing_assigned_gives_no_score_and_warns_the_head(items: tuple[object, ...]) -> None:
    result = score_period(PeriodInput(Role.STAFF, items, points(27)), params())  # type: ignore[arg-type]
    assert result.status is Status.NO_ASSIGNED_WORK
    assert (result.a, result.b, result.c, result.task_percent, result.task_score) == (None,) * 5
    assert (result.total, result.classification) == (None, None)
    assert result.general_score == D(27)
    assert any(line.startswith("Cảnh báo cho thủ trưởng đơn vị") for line in result.explanation)


def test_disqualifier_and_qd366_in_a_period() -> None:
    items = (item("X", 1, 10, 10),)
    fired = score_period(
        PeriodInput(Role.STAFF, items, points(30), disqualifiers=(Disqualifier.DEGRADATION,)), params()
    )
    assert (fired.total, fired.classification) == (D(100), Classification.KHONG_HOAN_THANH)
    capped = score_period(PeriodInput(Role.STAFF, items, points(30)), params("QD366"))
    assert capped.classification is Classification.HOAN_THANH_TOT
    confirmed = score_period(PeriodInput(Role.STAFF, items, points(30), exceeded_share=D("0.4")), params("QD366"))
    assert confirmed.classification is Classification.HOAN_THANH_XUAT_SAC


def test_every_input_error_is_reported_at_once() -> None:
    period = PeriodInput(
        Role.STAFF,
        (item("X", 0, 1, 1),),
        GeneralInput(points=D(31)),
        unit=FULL_UNIT,
        disqualifiers=(Disqualifier.UNIT_CORRUPTION,),
        exceeded_share=D(2),
    )
    with pytest.raises(ScoringInputError) as caught:
        score_period(period, params())
    assert [field for field, _ in caught.value.errors] == [
        "items[0].coefficient",
        "general.points",
        "unit",
        "disqualifiers[0]",
        "exceeded_share",
    ]


@pytest.mark.parametrize(
    ("unit", "fields"),
    [(None, ["unit"]), (UnitCriteria(D(100), D(60), D(100)), ["unit.dd"])],
)
def test_leader_unit_errors(unit: UnitCriteria | None, fields: list[str]) -> None:
    with pytest.raises(ScoringInputError) as caught:
        score_period(PeriodInput(Role.LEADER, (item("X", 1, 1, 1),), points(20), unit=unit), params())
    assert [field for field, _ in caught.value.errors] == fields


def test_reported_figures_follow_the_rounding_places() -> None:
    result = score_period(PeriodInput(Role.STAFF, EXAMPLE_1_ITEMS, points(27)), params(rounding_places=1))
    assert (result.a, result.task_score, result.total) == (D("78.9"), D("54.5"), D("81.5"))


@pytest.mark.parametrize("items", [EXAMPLE_1_ITEMS, ()])
def test_the_work_part_of_the_explanation_stops_before_the_general_criteria(items: tuple[object, ...]) -> None:
    """What the live score shows: the explanation up to the task score, nothing about the
    general criteria, the total or the level (decided in the appraisal)."""
    result = score_period(PeriodInput(Role.STAFF, items, points(27)), params())  # type: ignore[arg-type]
    general = next(i for i, line in enumerate(result.explanation) if line.startswith("Điểm tiêu chí chung"))
    assert result.task_explanation == result.explanation[:general]
    assert result.task_explanation[0].startswith("Bộ quy tắc chấm điểm ND335")
