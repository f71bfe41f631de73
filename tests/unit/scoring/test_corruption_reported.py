"""A leader who reported corruption in their own unit (issue 14, item 3).

ND 233/2026/NĐ-CP Điều 12 khoản 4 điểm d spares a viên chức manager who proactively
detected, reported and handled the case the forced «không hoàn thành»; ND 335 and QĐ 366
name no such leniency. The rule set says which (``corruption_reported``).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from thanhhoa_kpi.scoring import Classification, Disqualifier, Role, ScoringInputError, classify, parse_params
from thanhhoa_kpi.scoring.classify import disqualifier_errors
from thanhhoa_kpi.scoring.legal import CorruptionReported

from .conftest import D, params, raw_rule_sets

REPORTED = Disqualifier.UNIT_CORRUPTION_REPORTED


def test_under_nd233_a_reported_case_leaves_the_level_to_the_score_and_says_why() -> None:
    outcome = classify(D(92), params("ND233"), disqualifiers=[REPORTED])
    assert outcome.classification is Classification.HOAN_THANH_XUAT_SAC
    assert outcome.reasons[1] == (
        "Có căn cứ: đơn vị do mình trực tiếp quản lý để xảy ra tham nhũng, lãng phí bị xử lý theo pháp luật "
        "(người đứng đầu đã chủ động phát hiện, báo cáo, xử lý); được xem xét giảm nhẹ, không bắt buộc xếp không "
        "hoàn thành (NĐ 233/2026/NĐ-CP Điều 12 khoản 4 điểm d, trường hợp người quản lý chủ động phát hiện, báo cáo, "
        "xử lý)."
    )
    quiet = classify(D(92), params("ND233"), disqualifiers=[REPORTED], explained=False)
    assert (quiet.classification, quiet.reasons) == (Classification.HOAN_THANH_XUAT_SAC, ())


@pytest.mark.parametrize("code", ["ND335", "QD366"])
def test_under_nd335_and_qd366_a_reported_case_still_forces_not_completed(code: str) -> None:
    outcome = classify(D(92), params(code), disqualifiers=[REPORTED])
    assert outcome.classification is Classification.KHONG_HOAN_THANH
    assert "người đứng đầu đã chủ động phát hiện, báo cáo, xử lý" in outcome.reasons[1]


def test_another_disqualifier_beside_a_mitigated_case_still_forces_not_completed() -> None:
    outcome = classify(D(92), params("ND233"), disqualifiers=[REPORTED, Disqualifier.DISCIPLINE])
    assert outcome.classification is Classification.KHONG_HOAN_THANH
    assert classify(D(92), params("ND233"), disqualifiers=[Disqualifier.UNIT_CORRUPTION]).classification is (
        Classification.KHONG_HOAN_THANH
    )


def test_the_reported_case_is_a_leaders_rule() -> None:
    assert disqualifier_errors([REPORTED], Role.STAFF) == [
        ("disqualifiers[0]", "Chỉ áp dụng đối với người giữ chức vụ lãnh đạo, quản lý.")
    ]


def test_the_rule_set_decides_and_without_the_object_there_is_no_leniency() -> None:
    strict = replace(params("ND233"), corruption_reported=CorruptionReported())
    assert classify(D(92), strict, disqualifiers=[REPORTED]).classification is Classification.KHONG_HOAN_THANH
    data = dict(raw_rule_sets()[1]["params"])  # type: ignore[call-overload]
    assert parse_params(data).corruption_reported.mitigates is True
    data.pop("corruption_reported")
    assert parse_params(data).corruption_reported == CorruptionReported()
    data["corruption_reported"] = {"citation": "x"}
    with pytest.raises(ScoringInputError) as refused:
        parse_params(data)
    assert "corruption_reported.mitigates" in {field for field, _ in refused.value.errors}
