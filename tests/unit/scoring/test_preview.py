"""The stable JSON interfaces of SPEC 5.8 (score preview) and 5.9 (quota preview)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from thanhhoa_kpi.scoring import (
    INVALID_INPUT,
    MALFORMED_JSON,
    UNKNOWN_RULE_SET,
    ScoringInputError,
    parse_json_text,
    quota_preview,
    score_preview,
)

from .conftest import all_params

EXAMPLE_1: dict[str, Any] = {
    "rule_set": "ND335",
    "role": "staff",
    "general": {"points": 27},
    "items": [
        {"code": "P1", "coefficient": "1", "assigned": 10, "completed": 10,
         "quality_failures": 0, "delays": 1, "exempt_quality_failures": 0, "exempt_delays": 0},
        {"code": "P2", "coefficient": "4", "assigned": 3, "completed": 3,
         "quality_failures": 1, "delays": 0, "exempt_quality_failures": 0, "exempt_delays": 0},
        {"code": "P3", "coefficient": "8", "assigned": 2, "completed": 1},
    ],
    "disqualifiers": [],
}  # fmt: skip

OUTPUT_KEYS = [
    "status",
    "assigned_converted",
    "completed_converted",
    "quality_converted",
    "progress_converted",
    "a",
    "b",
    "c",
    "task_percent",
    "task_score",
    "general_score",
    "total",
    "classification",
    "explanation",
]


def _score(data: object) -> dict[str, object]:
    return score_preview(data, all_params())


def _example(mutate: Callable[[dict[str, Any]], object] | None = None) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE_1)
    if mutate is not None:
        mutate(data)
    return data


def _refusal(data: object, preview: Callable[..., dict[str, object]] = score_preview) -> ScoringInputError:
    with pytest.raises(ScoringInputError) as caught:
        preview(data, all_params())
    return caught.value


# ------------------------------------------------------------------ score preview, good input


def test_example_1_gives_the_spec_output() -> None:
    output = _score(_example())
    explanation = output.pop("explanation")
    assert output == {
        "status": "OK",
        "assigned_converted": 38.0,
        "completed_converted": 30.0,
        "quality_converted": 29.0,
        "progress_converted": 29.75,
        "a": 78.95,
        "b": 76.32,
        "c": 78.29,
        "task_percent": 77.85,
        "task_score": 54.5,
        "general_score": 27.0,
        "total": 81.5,
        "classification": "HOAN_THANH_TOT",
    }
    assert isinstance(explanation, list)
    assert explanation[0].startswith("Bộ quy tắc chấm điểm ND335 phiên bản 3:")
    assert explanation[2].startswith("P2: 1 lỗi chất lượng, trừ 25% của 1 sản phẩm (hệ số 4)")


def test_output_keys_are_in_spec_order_and_numbers_are_floats() -> None:
    output = _score(_example())
    assert list(output) == OUTPUT_KEYS
    assert all(isinstance(output[key], float) for key in OUTPUT_KEYS[1:12])
    assert json.loads(json.dumps(output, ensure_ascii=False)) == output


def test_groups_instead_of_points() -> None:
    output = _score(_example(lambda d: d.__setitem__("general", {"groups": [9.5, 9, "8.5"]})))
    assert (output["general_score"], output["total"]) == (27.0, 81.5)


def test_no_assigned_work() -> None:
    output = _score(_example(lambda d: d.__setitem__("items", [])))
    assert list(output) == OUTPUT_KEYS
    assert output["status"] == "NO_ASSIGNED_WORK"
    assert [output[key] for key in OUTPUT_KEYS[1:5]] == [0.0] * 4
    assert [output[key] for key in OUTPUT_KEYS[5:10]] == [None] * 5
    assert (output["general_score"], output["total"], output["classification"]) == (27.0, None, None)


def test_leader_example_2() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["role"] = "leader"
        data["general"] = {"points": "28"}
        data["items"] = [{"code": "Q", "coefficient": 1, "assigned": 100, "completed": 95,
                          "quality_failures": 20, "delays": 40}]  # fmt: skip
        data["unit"] = {"d": 50, "dd": 100, "e": 100}
        data["disqualifiers"] = ["UNIT_CORRUPTION"]

    output = _score(_example(mutate))
    assert (output["a"], output["b"], output["c"]) == (95.0, 90.0, 85.0)
    assert (output["task_percent"], output["task_score"], output["total"]) == (86.67, 60.67, 88.67)
    assert output["classification"] == "KHONG_HOAN_THANH"


def test_optional_keys_may_be_null_or_absent() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data.update(unit=None, disqualifiers=None, exceeded_share=None)
        data["general"] = {"points": 27, "groups": None}
        data["items"][0]["delays"] = 1

    assert _score(_example(mutate))["total"] == 81.5
    assert _score(_example(lambda d: d.pop("disqualifiers")))["total"] == 81.5


def test_exceeded_share_is_read_by_qd366_only() -> None:
    def full(data: dict[str, Any], rule_set: str, share: object) -> None:
        data.update(rule_set=rule_set, exceeded_share=share, general={"points": 30})
        data["items"] = [{"code": "X", "coefficient": 1, "assigned": 1, "completed": 1}]

    assert _score(_example(lambda d: full(d, "QD366", None)))["classification"] == "HOAN_THANH_TOT"
    assert _score(_example(lambda d: full(d, "QD366", "0.3")))["classification"] == "HOAN_THANH_XUAT_SAC"
    assert _score(_example(lambda d: full(d, "ND335", 0)))["classification"] == "HOAN_THANH_XUAT_SAC"


def test_decimal_and_float_numbers_are_accepted() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["items"][1]["coefficient"] = 4.0
        data["items"][2]["coefficient"] = Decimal(8)

    assert _score(_example(mutate))["total"] == 81.5


# ------------------------------------------------------------------ score preview, bad input


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """A mutation setting a dotted path (with [i] for list items) in the example."""

    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        parts = path.replace("[", ".").replace("]", "").split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.pop(key)


BAD_SCORE_INPUTS: list[tuple[str, Callable[[dict[str, Any]], object], str, list[str]]] = [
    ("unknown rule set", _set("rule_set", "ND999"), UNKNOWN_RULE_SET, ["rule_set"]),
    ("rule set not text", _set("rule_set", 335), INVALID_INPUT, ["rule_set"]),
    ("missing rule set", _drop("rule_set"), INVALID_INPUT, ["rule_set"]),
    ("missing role", _drop("role"), INVALID_INPUT, ["role"]),
    ("missing general", _drop("general"), INVALID_INPUT, ["general"]),
    ("missing items", _drop("items"), INVALID_INPUT, ["items"]),
    ("unknown role", _set("role", "boss"), INVALID_INPUT, ["role"]),
    ("unknown top-level field", _set("comment", "x"), INVALID_INPUT, ["comment"]),
    ("unknown item field", _set("items[0].note", "x"), INVALID_INPUT, ["items[0].note"]),
    ("negative assigned", _set("items[0].assigned", -1), INVALID_INPUT, ["items[0].assigned"]),
    ("negative completed", _set("items[1].completed", "-3"), INVALID_INPUT, ["items[1].completed"]),
    ("negative failures", _set("items[1].quality_failures", -1), INVALID_INPUT, ["items[1].quality_failures"]),
    ("zero coefficient", _set("items[2].coefficient", 0), INVALID_INPUT, ["items[2].coefficient"]),
    ("negative coefficient", _set("items[2].coefficient", "-1"), INVALID_INPUT, ["items[2].coefficient"]),
    ("text coefficient", _set("items[2].coefficient", "tám"), INVALID_INPUT, ["items[2].coefficient"]),
    ("null coefficient", _set("items[2].coefficient", None), INVALID_INPUT, ["items[2].coefficient"]),
    ("bool coefficient", _set("items[2].coefficient", True), INVALID_INPUT, ["items[2].coefficient"]),
    ("bool count", _set("items[0].delays", False), INVALID_INPUT, ["items[0].delays"]),
    ("fractional count", _set("items[0].delays", 1.5), INVALID_INPUT, ["items[0].delays"]),
    ("underscored number", _set("items[0].assigned", "1_000"), INVALID_INPUT, ["items[0].assigned"]),
    ("exponent number", _set("items[0].assigned", "1e3"), INVALID_INPUT, ["items[0].assigned"]),
    ("nan", _set("items[0].assigned", float("nan")), INVALID_INPUT, ["items[0].assigned"]),
    ("decimal nan", _set("items[0].assigned", Decimal("NaN")), INVALID_INPUT, ["items[0].assigned"]),
    ("list number", _set("items[0].assigned", [1]), INVALID_INPUT, ["items[0].assigned"]),
    (
        "exempt above failures",
        _set("items[1].exempt_quality_failures", 2),
        INVALID_INPUT,
        ["items[1].exempt_quality_failures"],
    ),
    ("exempt delays above delays", _set("items[0].exempt_delays", 2), INVALID_INPUT, ["items[0].exempt_delays"]),
    ("missing item field", lambda d: d["items"][2].pop("completed"), INVALID_INPUT, ["items[2].completed"]),
    ("empty item code", _set("items[2].code", " "), INVALID_INPUT, ["items[2].code"]),
    ("items not a list", _set("items", {"P1": 1}), INVALID_INPUT, ["items"]),
    ("item not an object", _set("items[1]", "P2"), INVALID_INPUT, ["items[1]"]),
    ("points above max", _set("general.points", 30.5), INVALID_INPUT, ["general.points"]),
    ("negative points", _set("general.points", -1), INVALID_INPUT, ["general.points"]),
    ("general not an object", _set("general", 27), INVALID_INPUT, ["general"]),
    ("general empty", _set("general", {}), INVALID_INPUT, ["general"]),
    ("general both", _set("general", {"points": 27, "groups": [9, 9, 9]}), INVALID_INPUT, ["general"]),
    ("general unknown key", _set("general", {"points": 27, "bonus": 1}), INVALID_INPUT, ["general.bonus"]),
    ("group above max", _set("general", {"groups": [10.5, 9, 8]}), INVALID_INPUT, ["general.groups[0]"]),
    ("group off step", _set("general", {"groups": [9, 9.25, 8]}), INVALID_INPUT, ["general.groups[1]"]),
    ("two groups", _set("general", {"groups": [9, 9]}), INVALID_INPUT, ["general.groups"]),
    ("groups not a list", _set("general", {"groups": "9,9,9"}), INVALID_INPUT, ["general.groups"]),
    ("group not a number", _set("general", {"groups": [9, "x", 9]}), INVALID_INPUT, ["general.groups[1]"]),
    ("negative group", _set("general", {"groups": [9, -1, 9]}), INVALID_INPUT, ["general.groups[1]"]),
    ("staff with unit", _set("unit", {"d": 100, "dd": 100, "e": 100}), INVALID_INPUT, ["unit"]),
    ("leader without unit", _set("role", "leader"), INVALID_INPUT, ["unit"]),
    ("disqualifier unknown", _set("disqualifiers", ["LATE"]), INVALID_INPUT, ["disqualifiers[0]"]),
    ("disqualifiers not a list", _set("disqualifiers", "DISCIPLINE"), INVALID_INPUT, ["disqualifiers"]),
    (
        "disqualifier repeated",
        _set("disqualifiers", ["DISCIPLINE", "DISCIPLINE"]),
        INVALID_INPUT,
        ["disqualifiers[1]"],
    ),
    ("unit corruption for staff", _set("disqualifiers", ["UNIT_CORRUPTION"]), INVALID_INPUT, ["disqualifiers[0]"]),
    ("share above one", _set("exceeded_share", 1.5), INVALID_INPUT, ["exceeded_share"]),
    ("share not a number", _set("exceeded_share", "nhiều"), INVALID_INPUT, ["exceeded_share"]),
]


@pytest.mark.parametrize(
    ("mutate", "code", "fields"),
    [pytest.param(m, c, f, id=name) for name, m, c, f in BAD_SCORE_INPUTS],
)
def test_bad_score_input(mutate: Callable[[dict[str, Any]], object], code: str, fields: list[str]) -> None:
    error = _refusal(_example(mutate))
    assert error.code == code
    assert [field for field, _ in error.errors] == fields
    assert all(message for _, message in error.errors)


def _leader(unit: object) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        data["role"] = "leader"
        data["unit"] = unit

    return mutate


@pytest.mark.parametrize(
    ("unit", "fields"),
    [
        ({"d": 75, "dd": 100, "e": 100}, ["unit.d"]),
        ({"d": 100, "e": 100}, ["unit.dd"]),
        ({"d": 100, "dd": 100, "e": 100, "f": 100}, ["unit.f"]),
        ({"d": "x", "dd": 100, "e": 50}, ["unit.d"]),
        ([100, 100, 100], ["unit"]),
    ],
)
def test_bad_leader_unit(unit: object, fields: list[str]) -> None:
    assert [field for field, _ in _refusal(_example(_leader(unit))).errors] == fields


def test_unit_with_an_unknown_role_is_still_checked() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["role"] = "chief"
        data["unit"] = {"d": "x", "dd": 100, "e": 100}

    assert [field for field, _ in _refusal(_example(mutate)).errors] == ["role", "unit.d"]


def test_every_error_is_collected_with_vietnamese_messages() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["rule_set"] = "ND999"
        data["items"][0]["assigned"] = -1
        data["items"][1]["coefficient"] = 0
        data["general"] = {"points": 31}
        data["extra"] = True

    error = _refusal(_example(mutate))
    assert error.code == UNKNOWN_RULE_SET
    assert error.as_dict() == {
        "status": "ERROR",
        "code": "UNKNOWN_RULE_SET",
        "message": "Bộ quy tắc chấm điểm không tồn tại.",
        "errors": [
            {"field": "extra", "message": "Trường không được hỗ trợ."},
            {"field": "rule_set", "message": 'Bộ quy tắc "ND999" không tồn tại; các bộ hiện có: ND233, ND335, QD366.'},
            {"field": "items[0].assigned", "message": "Không được là số âm."},
            {"field": "items[1].coefficient", "message": "Phải lớn hơn 0."},
        ],
    }


@pytest.mark.parametrize("data", [[], "{}", 3, None])
def test_the_document_must_be_an_object(data: object) -> None:
    error = _refusal(data)
    assert (error.code, error.errors) == (INVALID_INPUT, (("$", "Phải là một đối tượng JSON ({...})."),))


def test_missing_fields_are_listed_together() -> None:
    error = _refusal({})
    assert dict(error.errors) == dict.fromkeys(["rule_set", "role", "general", "items"], "Thiếu trường bắt buộc.")


# ------------------------------------------------------------------ JSON text


def test_parse_json_text_accepts_strict_json() -> None:
    assert parse_json_text('{"a": [1, 2.5, "x"]}') == {"a": [1, 2.5, "x"]}
    assert parse_json_text(b'{"a": 1}') == {"a": 1}


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ('{"rule_set": "ND335",', "JSON không hợp lệ ở dòng 1, cột 22"),
        ('{"a": NaN}', "JSON không hợp lệ: NaN."),
        ('{"a": -Infinity}', "JSON không hợp lệ: -Infinity."),
        ('{"a": 1, "a": 2}', 'JSON không hợp lệ: khóa "a" xuất hiện hai lần.'),
        (b"\xff\xfe{", "JSON không hợp lệ: nội dung không được mã hóa UTF-8."),
        ("", "JSON không hợp lệ ở dòng 1, cột 1"),
    ],
)
def test_parse_json_text_refuses_malformed_text(text: str | bytes, start: str) -> None:
    with pytest.raises(ScoringInputError) as caught:
        parse_json_text(text)
    assert caught.value.code == MALFORMED_JSON
    ((field, message),) = caught.value.errors
    assert field == "$"
    assert message.startswith(start)


# ------------------------------------------------------------------ quota preview

QUOTA_EXAMPLE: dict[str, Any] = {
    "rule_set": "ND335",
    "unit_excellent": False,
    "officials": [{"id": "A", "group": "staff", "total": 94.2, "task_score": 66.1, "disqualifiers": []}],
}


def _quota(mutate: Callable[[dict[str, Any]], object] | None = None) -> dict[str, Any]:
    data = copy.deepcopy(QUOTA_EXAMPLE)
    if mutate is not None:
        mutate(data)
    return data


def test_quota_spec_example_alone_in_its_group_is_demoted() -> None:
    output = quota_preview(_quota(), all_params())
    assert list(output) == ["status", "groups", "results"]
    assert output["groups"] == {"staff": {"candidates": 1, "good": 0, "limit": 0}}
    results = output["results"]
    assert isinstance(results, list) and len(results) == 1
    result = results[0]
    assert list(result) == ["id", "classification", "demoted", "reason"]
    assert (result["id"], result["classification"], result["demoted"]) == ("A", "HOAN_THANH_TOT", True)
    assert result["reason"].startswith("Xếp thứ 1/1 trong số người đủ điểm xuất sắc")


def _example_4_group_a(data: dict[str, Any]) -> None:
    data["officials"] = [
        {"id": 1, "group": "leaders", "total": "93", "task_score": "65"},
        {"id": 2, "group": "leaders", "total": 91, "task_score": 63, "decision_rank": None},
        {"id": 3, "group": "leaders", "total": 80, "task_score": 55},
        {"id": 4, "group": "leaders", "total": 80, "task_score": 55, "exceeded_share": None},
        {"id": 5, "group": "leaders", "total": 80, "task_score": 55, "disqualifiers": None},
    ]


def test_quota_example_4_group_a_with_and_without_the_exception() -> None:
    plain = quota_preview(_quota(_example_4_group_a), all_params())
    assert plain["groups"] == {"leaders": {"candidates": 2, "good": 3, "limit": 0}}
    assert [r["id"] for r in plain["results"]] == [1, 2, 3, 4, 5]  # type: ignore[attr-defined]
    assert [r["demoted"] for r in plain["results"]] == [True, True, False, False, False]  # type: ignore[attr-defined]

    def excellent(data: dict[str, Any]) -> None:
        _example_4_group_a(data)
        data["unit_excellent"] = True

    exception = quota_preview(_quota(excellent), all_params())
    assert exception["groups"] == {"leaders": {"candidates": 2, "good": 3, "limit": 1}}
    assert [r["classification"] for r in exception["results"]][:2] == [  # type: ignore[attr-defined]
        "HOAN_THANH_XUAT_SAC",
        "HOAN_THANH_TOT",
    ]


def test_quota_ties_keep_input_order_and_reasons_are_null_when_unchanged() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data.pop("unit_excellent")
        data["officials"] = [
            {"id": "first", "group": "g", "total": 92, "task_score": 62},
            {"id": "second", "group": "g", "total": 92, "task_score": 62},
        ] + [{"id": f"t{i}", "group": "g", "total": 75, "task_score": 50} for i in range(4)]

    results = quota_preview(_quota(mutate), all_params())["results"]
    assert [(r["demoted"], r["reason"] is None) for r in results[:3]] == [  # type: ignore[index]
        (False, True),
        (True, False),
        (False, True),
    ]


def _official(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["officials"][0].__setitem__(key, value)


BAD_QUOTA_INPUTS: list[tuple[str, Callable[[dict[str, Any]], object], str, list[str]]] = [
    ("unknown rule set", _set("rule_set", "X"), UNKNOWN_RULE_SET, ["rule_set"]),
    ("missing officials", _drop("officials"), INVALID_INPUT, ["officials"]),
    ("officials not a list", _set("officials", {}), INVALID_INPUT, ["officials"]),
    ("official not an object", _set("officials", ["A"]), INVALID_INPUT, ["officials[0]"]),
    ("unknown key", _set("unit", "x"), INVALID_INPUT, ["unit"]),
    ("unknown official key", _official("name", "An"), INVALID_INPUT, ["officials[0].name"]),
    ("unit_excellent not a flag", _set("unit_excellent", "yes"), INVALID_INPUT, ["unit_excellent"]),
    ("missing id", lambda d: d["officials"][0].pop("id"), INVALID_INPUT, ["officials[0].id"]),
    ("null id", _official("id", None), INVALID_INPUT, ["officials[0].id"]),
    ("bool id", _official("id", True), INVALID_INPUT, ["officials[0].id"]),
    ("empty id", _official("id", ""), INVALID_INPUT, ["officials[0].id"]),
    ("float id", _official("id", 1.5), INVALID_INPUT, ["officials[0].id"]),
    ("missing group", lambda d: d["officials"][0].pop("group"), INVALID_INPUT, ["officials[0].group"]),
    ("total above 100", _official("total", 100.01), INVALID_INPUT, ["officials[0].total"]),
    ("negative total", _official("total", -1), INVALID_INPUT, ["officials[0].total"]),
    ("text total", _official("total", "cao"), INVALID_INPUT, ["officials[0].total"]),
    ("task above 70", _official("task_score", 70.5), INVALID_INPUT, ["officials[0].task_score"]),
    ("task above total", _official("task_score", 95), INVALID_INPUT, ["officials[0].task_score"]),
    ("rank zero", _official("decision_rank", 0), INVALID_INPUT, ["officials[0].decision_rank"]),
    ("rank fractional", _official("decision_rank", 1.5), INVALID_INPUT, ["officials[0].decision_rank"]),
    ("share above one", _official("exceeded_share", 2), INVALID_INPUT, ["officials[0].exceeded_share"]),
    ("bad disqualifier", _official("disqualifiers", ["X"]), INVALID_INPUT, ["officials[0].disqualifiers[0]"]),
    (
        "duplicate id",
        lambda d: d["officials"].append(dict(d["officials"][0])),
        INVALID_INPUT,
        ["officials[1].id"],
    ),
]


@pytest.mark.parametrize(
    ("mutate", "code", "fields"),
    [pytest.param(m, c, f, id=name) for name, m, c, f in BAD_QUOTA_INPUTS],
)
def test_bad_quota_input(mutate: Callable[[dict[str, Any]], object], code: str, fields: list[str]) -> None:
    error = _refusal(_quota(mutate), quota_preview)
    assert error.code == code
    assert [field for field, _ in error.errors] == fields


def test_two_missing_ids_are_not_called_duplicates() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["officials"][0].pop("id")
        data["officials"].append(dict(data["officials"][0]))

    assert [f for f, _ in _refusal(_quota(mutate), quota_preview).errors] == ["officials[0].id", "officials[1].id"]


def test_quota_document_must_be_an_object() -> None:
    assert _refusal([QUOTA_EXAMPLE], quota_preview).errors == (("$", "Phải là một đối tượng JSON ({...})."),)


def test_quota_range_checks_wait_for_a_known_rule_set() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["rule_set"] = "X"
        data["officials"][0]["total"] = 150

    error = _refusal(_quota(mutate), quota_preview)
    assert [field for field, _ in error.errors] == ["rule_set"]
