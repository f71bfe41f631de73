"""The rule sets are the law they name (issue 10 items 6 and 7).

Citations and the subject noun come from the rule set, every explanation names the rule
set and version, the general score keeps the 0.5 step, and QĐ 366's conditions on the
work lower a level its score alone would give (QĐ 366-QĐ/TW Điều 11).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from thanhhoa_kpi.scoring import (
    INVALID_INPUT,
    INVALID_RULE_SET,
    Classification,
    Disqualifier,
    GeneralInput,
    PeriodInput,
    QuotaEntry,
    Role,
    RollupPeriod,
    RollupStatus,
    ScoringInputError,
    UnitCriteria,
    apply_quota,
    cap_head_by_unit,
    parse_params,
    rollup,
    score_period,
    score_preview,
)
from thanhhoa_kpi.scoring.legal import NEUTRAL_SUBJECT, Citations

from .conftest import D, all_params, item, params, points, raw_rule_sets, rule_sets

XS = Classification.HOAN_THANH_XUAT_SAC
TOT = Classification.HOAN_THANH_TOT
HT = Classification.HOAN_THANH
KHT = Classification.KHONG_HOAN_THANH
DECREES = {"ND335": "NĐ 335/2025/NĐ-CP", "ND233": "NĐ 233/2026/NĐ-CP", "QD366": "QĐ 366-QĐ/TW"}


def _leader_with_everything(code: str) -> tuple[str, ...]:
    """A leader with d, đ, e reduced and every disqualifier: every cited rule is printed."""
    period = PeriodInput(
        Role.LEADER,
        (item("P1", 1, 10, 10),),
        points(20),
        UnitCriteria(D(50), D(50), D(50)),
        tuple(Disqualifier),
    )
    return score_period(period, params(code)).explanation


@pytest.mark.parametrize("code", ["ND335", "ND233", "QD366"])
def test_the_first_line_names_the_rule_set_and_its_version(code: str) -> None:
    line = _leader_with_everything(code)[0]
    assert line.startswith(f"Bộ quy tắc chấm điểm {code} phiên bản {rule_sets()[code].version}: ")


@pytest.mark.parametrize(
    ("code", "subject", "cited"),
    [
        ("ND335", "công chức", "NĐ 335/2025/NĐ-CP Điều 20 khoản 4 điểm b"),
        ("ND233", "viên chức", "NĐ 233/2026/NĐ-CP Điều 12 khoản 4 điểm b"),
        ("QD366", "cán bộ, đảng viên", "QĐ 366-QĐ/TW Điều 11"),
    ],
)
def test_explanations_cite_their_own_decree_and_name_their_own_people(code: str, subject: str, cited: str) -> None:
    lines = _leader_with_everything(code)
    other_decrees = [decree for other, decree in DECREES.items() if other != code]
    degradation = next(line for line in lines if "suy thoái" in line)
    assert cited in degradation
    assert f"d = 50%: có {subject} thuộc phạm vi quản lý không hoàn thành nhiệm vụ" in "\n".join(lines)
    assert f"người được đánh giá: {subject}." in lines[0]
    if code != "QD366":  # QĐ 366 borrows ND 335's formula for d, đ, e and says so
        assert not any(decree in line for line in lines for decree in other_decrees)


def test_a_vien_chuc_quota_demotion_cites_nd_233() -> None:
    entries = [QuotaEntry(str(n), "staff", D(95), D(65)) for n in range(2)]
    entries += [QuotaEntry(f"g{n}", "staff", D(80), D(55)) for n in range(3)]
    outcome = apply_quota(entries, params("ND233"))
    reasons = [decision.reason or "" for decision in outcome.results if decision.demoted]
    assert len(reasons) == 2
    assert all("(NĐ 233/2026/NĐ-CP Điều 12 khoản 6)." in reason and "335" not in reason for reason in reasons)


def test_a_cong_chuc_six_month_rule_does_not_cite_nd_233() -> None:
    periods = [RollupPeriod(D(80))] * 5
    result = rollup(periods, params("ND335"))
    assert result.status is RollupStatus.NOT_CLASSIFIED
    assert "NĐ 335/2025/NĐ-CP không quy định số tháng tối thiểu" in result.explanation[-1]
    assert "233" not in result.explanation[-1]


def test_a_cong_chuc_head_cap_does_not_cite_nd_233() -> None:
    reason = cap_head_by_unit(XS, HT, params("ND335")).reason or ""
    assert reason.endswith("(NĐ 335/2025/NĐ-CP không có quy định tương ứng; quy tắc của tỉnh, "
                           "tham số head_not_above_unit của bộ quy tắc ND335).")  # fmt: skip


def test_general_points_off_the_half_point_step_are_refused_naming_the_field() -> None:
    data: dict[str, Any] = {
        "rule_set": "ND335",
        "role": "staff",
        "general": {"points": 27.3},
        "items": [{"code": "P1", "coefficient": "1", "assigned": 10, "completed": 10}],
    }
    with pytest.raises(ScoringInputError) as caught:
        score_preview(data, all_params())
    assert caught.value.code == INVALID_INPUT
    assert caught.value.errors == (("general.points", "Phải chấm theo bước 0,5 điểm."),)


def test_nd233_is_classified_before_5_december() -> None:
    """ND 233/2026/NĐ-CP Điều 15 khoản 1 điểm b (the text read says "trước ngày 5 tháng 12")."""
    nd233 = params("ND233")
    assert (nd233.classification_deadline_day, nd233.classification_deadline_month) == (5, 12)


def test_nd233_general_criteria_follow_its_own_appendix() -> None:
    """ND 233/2026/NĐ-CP Phụ lục I: ten items in group 1, four in group 2, three in group 3."""
    groups = params("ND233").general_groups
    assert [len(group.sub_criteria) for group in groups] == [10, 4, 3]
    assert groups[0].name.endswith("ý thức kỷ luật, kỷ cương trong thực thi nhiệm vụ")
    assert [group.name for group in groups] != [group.name for group in params("ND335").general_groups]


def test_qd366_has_its_own_general_criteria() -> None:
    names = [group.name for group in params("QD366").general_groups]
    assert names[2] == "Tự phê bình và phê bình; tự soi, tự sửa; khắc phục hạn chế, khuyết điểm"
    assert sum(group.max_points for group in params("QD366").general_groups) == D(30)


# ---------------------------------------------------------------- QĐ 366 conditions


def _qd366(general: int, assigned: int, completed: int, delays: int, share: str | None = None) -> Any:
    period = PeriodInput(
        Role.STAFF,
        (item("P1", 1, assigned, completed, delays=delays),),
        points(general),
        exceeded_share=None if share is None else Decimal(share),
    )
    return score_period(period, params("QD366"))


def test_qd366_good_with_everything_on_time_stays_good() -> None:
    result = _qd366(15, 10, 10, 0)
    assert (result.total, result.classification) == (D("85.00"), TOT)


def test_qd366_excellent_with_a_delay_steps_down_to_the_level_whose_conditions_hold() -> None:
    """96,42 points and 50 % exceeded, but 10 % delayed: not "xuất sắc", not "tốt" (100 % on time), "hoàn thành"."""
    result = _qd366(27, 10, 10, 1, share="0.5")
    assert (result.total, result.classification) == (D("96.42"), HT)
    reasons = [line for line in result.explanation if line.startswith("Điểm đạt mức")]
    assert reasons == [
        "Điểm đạt mức Hoàn thành xuất sắc nhiệm vụ nhưng chưa đủ điều kiện kèm theo: đã hoàn thành 100% khối lượng "
        "được giao (yêu cầu từ 100%), 10% chậm tiến độ (tối đa 0%), 0% chưa bảo đảm chất lượng "
        "(tối đa 0%) (QĐ 366-QĐ/TW Điều 11): xếp loại thấp hơn, "
        "Hoàn thành tốt nhiệm vụ.",
        "Điểm đạt mức Hoàn thành tốt nhiệm vụ nhưng chưa đủ điều kiện kèm theo: đã hoàn thành 100% khối lượng "
        "được giao (yêu cầu từ 100%), 10% chậm tiến độ (tối đa 0%), 0% chưa bảo đảm chất lượng "
        "(tối đa 0%) (QĐ 366-QĐ/TW Điều 11): xếp loại thấp hơn, "
        "Hoàn thành nhiệm vụ.",
    ]
    assert result.explanation[-1] == "Xếp loại: Hoàn thành nhiệm vụ."


def test_qd366_more_than_a_fifth_delayed_is_not_completed() -> None:
    result = _qd366(10, 10, 10, 3)
    assert (result.total, result.classification) == (D("78.25"), KHT)


def test_qd366_work_left_undone_is_not_completed_whatever_the_score() -> None:
    result = _qd366(30, 10, 8, 0)
    assert (result.total, result.classification) == (D("86.00"), KHT)


def test_qd366_excellent_keeps_the_exceeded_share_condition() -> None:
    assert _qd366(27, 10, 10, 0, share="0.3").classification is XS
    short = _qd366(27, 10, 10, 0, share="0.2")
    assert short.classification is TOT
    assert any("dưới mức yêu cầu 30% (QĐ 366-QĐ/TW Điều 11)" in line for line in short.explanation)


def test_nd335_sets_no_condition_beside_the_score() -> None:
    period = PeriodInput(Role.STAFF, (item("P1", 1, 10, 8, delays=3),), points(30))
    assert score_period(period, params("ND335")).classification is TOT


def test_an_exempt_delay_does_not_make_a_task_late() -> None:
    period = PeriodInput(Role.STAFF, (item("P1", 1, 10, 10, delays=1, exempt_delays=1),), points(15))
    assert score_period(period, params("QD366")).classification is TOT


# ---------------------------------------------------------------- the data


def _nd335_params() -> dict[str, Any]:
    data: dict[str, Any] = raw_rule_sets()[0]["params"]  # type: ignore[assignment]
    return data


def test_a_copy_stored_before_citations_existed_still_parses_and_cites_nothing() -> None:
    old = {
        key: value for key, value in _nd335_params().items() if key not in ("citations", "subject", "band_conditions")
    }
    copied = parse_params(old)
    assert (copied.citations, copied.subject, copied.band_conditions, copied.rule_set) == (
        Citations(),
        NEUTRAL_SUBJECT,
        (),
        None,
    )
    lines = score_period(PeriodInput(Role.STAFF, (item("P1", 1, 1, 1),), points(20)), copied).explanation
    assert lines[0] == (
        "Bộ quy tắc chấm điểm: tham số đã chép vào phiếu (không rõ mã, phiên bản); người được đánh giá: người."
    )
    assert "Điểm tiêu chí chung = 20 (tối đa 30)." in lines


def test_band_conditions_may_name_only_some_levels() -> None:
    data = {**_nd335_params(), "band_conditions": {"HOAN_THANH": {"min_done_share": 1, "max_delayed_share": 0.2}}}
    parsed = parse_params(data)
    assert parsed.condition(TOT) is None
    assert parsed.condition(HT) is not None


def test_bad_citations_and_conditions_are_refused_by_path() -> None:
    citations = dict(_nd335_params()["citations"])
    del citations["quota"]
    data = {
        **_nd335_params(),
        "citations": citations,
        "subject": "",
        "band_conditions": {"HOAN_THANH_TOT": {"min_done_share": 2, "max_delayed_share": 0}, "TOT": {}},
    }
    with pytest.raises(ScoringInputError) as caught:
        parse_params(data)
    assert caught.value.code == INVALID_RULE_SET
    assert [field for field, _ in caught.value.errors] == [
        "citations.quota",
        "subject",
        "band_conditions.TOT",
        "band_conditions.HOAN_THANH_TOT.min_done_share",
    ]


def test_general_step_is_checked_on_a_leader_too() -> None:
    period = PeriodInput(
        Role.LEADER, (item("P1", 1, 1, 1),), GeneralInput(points=D("27.3")), UnitCriteria(D(100), D(100), D(100))
    )
    with pytest.raises(ScoringInputError) as caught:
        score_period(period, params())
    assert caught.value.errors == (("general.points", "Phải chấm theo bước 0,5 điểm."),)


# ---------------------------------------------------------------- QĐ 366: to quality as well as on time


def _with_failures(general: int, failures: int, exempt: int = 0, code: str = "QD366") -> Any:
    period = PeriodInput(
        Role.STAFF,
        (item("P1", 1, 10, 10, quality_failures=failures, exempt_quality_failures=exempt),),
        points(general),
        exceeded_share=Decimal("0.5"),
    )
    return score_period(period, params(code))


def test_qd366_good_needs_the_work_to_quality_too() -> None:
    """QĐ 366 Điều 11: "tốt" is 100 % of tasks "đúng hạn, bảo đảm chất lượng, hiệu quả"."""
    result = _with_failures(15, 1)
    assert (result.total, result.classification) == (D("84.42"), HT)
    assert (
        "Điểm đạt mức Hoàn thành tốt nhiệm vụ nhưng chưa đủ điều kiện kèm theo: đã hoàn thành 100% khối lượng "
        "được giao (yêu cầu từ 100%), 0% chậm tiến độ (tối đa 0%), 10% chưa bảo đảm chất lượng (tối đa 0%) "
        "(QĐ 366-QĐ/TW Điều 11): xếp loại thấp hơn, Hoàn thành nhiệm vụ."
    ) in result.explanation


def test_qd366_excellent_with_a_quality_failure_is_completed_not_good() -> None:
    assert _with_failures(30, 1).classification is HT


def test_qd366_completed_sets_no_quality_share() -> None:
    """ "Hoàn thành" is 100 % done with at most 20 % delayed: failures alone do not make it "không hoàn thành"."""
    assert _with_failures(15, 8).classification is HT


def test_an_exempt_quality_failure_does_not_count_against_the_condition() -> None:
    assert _with_failures(15, 1, exempt=1).classification is TOT


def test_nd335_sets_no_quality_condition() -> None:
    assert _with_failures(15, 1, code="ND335").classification is TOT


def test_a_quality_condition_is_optional_and_checked_as_a_share() -> None:
    conditions = {
        "HOAN_THANH_TOT": {"min_done_share": 1, "max_delayed_share": 0, "max_failed_share": 0.1},
        "HOAN_THANH": {"min_done_share": 1, "max_delayed_share": 0.2, "max_failed_share": 2},
    }
    with pytest.raises(ScoringInputError) as caught:
        parse_params({**_nd335_params(), "band_conditions": conditions})
    assert [field for field, _ in caught.value.errors] == ["band_conditions.HOAN_THANH.max_failed_share"]
    del conditions["HOAN_THANH"]
    parsed = parse_params({**_nd335_params(), "band_conditions": conditions})
    good = parsed.condition(TOT)
    assert good is not None and good.max_failed_share == Decimal("0.1")
    period = PeriodInput(Role.STAFF, (item("P1", 1, 10, 10, quality_failures=1),), points(15))
    assert score_period(period, parsed).classification is TOT  # 10 %: within the share allowed
