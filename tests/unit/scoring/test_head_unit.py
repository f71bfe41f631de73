"""A head is not rated above the unit (SPEC 5.7; ND 233 Điều 12 khoản 7)."""

from __future__ import annotations

import pytest

from thanhhoa_kpi.scoring import Classification, HeadCap, cap_head_by_unit

from .conftest import params

XS = Classification.HOAN_THANH_XUAT_SAC
TOT = Classification.HOAN_THANH_TOT
HT = Classification.HOAN_THANH


def test_a_head_above_the_unit_is_lowered_with_a_reason() -> None:
    cap = cap_head_by_unit(XS, HT, params("ND233"))
    assert (cap.classification, cap.capped) == (HT, True)
    assert cap.reason == (
        "Người đứng đầu không được xếp loại cao hơn đơn vị (đơn vị: Hoàn thành nhiệm vụ): "
        "hạ từ Hoàn thành xuất sắc nhiệm vụ xuống Hoàn thành nhiệm vụ (NĐ 233/2026/NĐ-CP Điều 12 khoản 7)."
    )


@pytest.mark.parametrize(("head", "unit"), [(TOT, TOT), (HT, XS)])
def test_a_head_at_or_below_the_unit_is_unchanged(head: Classification, unit: Classification) -> None:
    assert cap_head_by_unit(head, unit, params()) == HeadCap(head, False, None)


def test_the_switch_turns_the_rule_off() -> None:
    cap = cap_head_by_unit(XS, HT, params(head_not_above_unit=False))
    assert (cap.classification, cap.capped, cap.reason) == (XS, False, None)
