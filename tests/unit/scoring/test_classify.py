"""Bands, rounding, disqualifiers and the QĐ 366 condition (SPEC 5.5; ND 335 Điều 20)."""

from __future__ import annotations

import pytest

from thanhhoa_kpi.scoring import Classification, Disqualifier, Role, band, classify, round_half_up
from thanhhoa_kpi.scoring.classify import disqualifier_errors, exceeded_share_errors

from .conftest import D, params

XS = Classification.HOAN_THANH_XUAT_SAC
TOT = Classification.HOAN_THANH_TOT
HT = Classification.HOAN_THANH
KHT = Classification.KHONG_HOAN_THANH


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        ("100", XS),
        ("90", XS),
        ("89.995", XS),
        ("89.994999", TOT),
        ("89.99", TOT),
        ("70", TOT),
        ("69.995", TOT),
        ("69.99", HT),
        ("50", HT),
        ("49.995", HT),
        ("49.99", KHT),
        ("0", KHT),
    ],
)
def test_bands_use_the_rounded_total(total: str, expected: Classification) -> None:
    outcome = classify(D(total), params())
    assert outcome.classification is expected
    assert outcome.by_score is expected


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [("2.345", 2, "2.35"), ("2.3449", 2, "2.34"), ("0.005", 2, "0.01"), ("54.4956", 2, "54.50"), ("7.5", 0, "8")],
)
def test_rounding_is_half_up(value: str, places: int, expected: str) -> None:
    assert str(round_half_up(D(value), places)) == expected


def test_rounding_a_huge_figure_does_not_raise() -> None:
    huge = D("123456789012345678901234567890.125")
    assert round_half_up(huge, 2) == D("123456789012345678901234567890.13")


def test_band_reads_thresholds_from_the_rule_set() -> None:
    strict = params(threshold_excellent=D(95))
    assert band(D(94), strict) is TOT
    assert band(D(95), strict) is XS


@pytest.mark.parametrize("code", list(Disqualifier))
def test_each_disqualifier_forces_not_completed(code: Disqualifier) -> None:
    outcome = classify(D(99), params(), disqualifiers=[code])
    assert (outcome.classification, outcome.by_score) == (KHT, XS)
    assert outcome.reasons[1].startswith("Căn cứ xếp loại không hoàn thành: ")
    assert outcome.reasons[-1] == "Xếp loại: Không hoàn thành nhiệm vụ, không xét theo tổng điểm 99."


def test_unit_corruption_is_refused_for_staff_only() -> None:
    codes = [Disqualifier.DISCIPLINE, Disqualifier.UNIT_CORRUPTION]
    assert disqualifier_errors(codes, Role.STAFF) == [
        ("disqualifiers[1]", "Chỉ áp dụng đối với người giữ chức vụ lãnh đạo, quản lý.")
    ]
    assert disqualifier_errors(codes, Role.LEADER) == []


@pytest.mark.parametrize(
    ("share", "expected"),
    [(None, TOT), ("0", TOT), ("0.29", TOT), ("0.3", XS), ("0.30", XS), ("1", XS)],
)
def test_qd366_excellent_needs_the_exceeded_share(share: str | None, expected: Classification) -> None:
    value = None if share is None else D(share)
    outcome = classify(D(92), params("QD366"), exceeded_share=value)
    assert outcome.classification is expected
    assert outcome.by_score is XS
    if expected is TOT:
        assert "QĐ 366-QĐ/TW Điều 11" in outcome.reasons[1]


def test_qd366_message_names_the_confirmed_share() -> None:
    outcome = classify(D(92), params("QD366"), exceeded_share=D("0.25"))
    assert outcome.reasons[1].startswith(
        "Đủ điểm xuất sắc nhưng tỷ lệ nhiệm vụ vượt mức được xác nhận 25%, dưới mức yêu cầu 30%"
    )


def test_the_share_is_ignored_where_the_rule_set_does_not_require_it() -> None:
    assert classify(D(92), params("ND335")).classification is XS
    assert classify(D(85), params("QD366")).classification is TOT


@pytest.mark.parametrize(("share", "valid"), [(None, True), ("0", True), ("1", True), ("-0.1", False), ("1.01", False)])
def test_exceeded_share_bounds(share: str | None, valid: bool) -> None:
    value = None if share is None else D(share)
    assert (exceeded_share_errors(value) == []) is valid
