"""General criteria (SPEC 5.4; ND 335 Điều 12; ND 233 Điều 12 khoản 5)."""

from __future__ import annotations

import pytest

from thanhhoa_kpi.scoring import GeneralInput, ScoringInputError, general_score

from .conftest import D, params


def _groups(*values: str) -> GeneralInput:
    return GeneralInput(groups=tuple(D(value) for value in values))


def test_groups_add_up() -> None:
    result = general_score(_groups("9.5", "9", "8.5"), params())
    assert (result.score, result.groups) == (D(27), (D("9.5"), D(9), D("8.5")))


def test_points_are_taken_as_they_are() -> None:
    assert general_score(GeneralInput(points=D("27.5")), params()).score == D("27.5")


@pytest.mark.parametrize(
    ("general", "errors"),
    [
        (GeneralInput(), [("general", 'Cần đúng một trong hai trường "groups" hoặc "points".')]),
        (
            GeneralInput(groups=(D(1),), points=D(1)),
            [("general", 'Cần đúng một trong hai trường "groups" hoặc "points".')],
        ),
        (_groups("10", "10"), [("general.groups", "Phải có đúng 3 nhóm tiêu chí.")]),
        (
            _groups("10.5", "-0.5", "9.25"),
            [
                ("general.groups[0]", "Phải trong khoảng 0 đến 10."),
                ("general.groups[1]", "Phải trong khoảng 0 đến 10."),
                ("general.groups[2]", "Phải chấm theo bước 0,5 điểm."),
            ],
        ),
        (GeneralInput(points=D("30.5")), [("general.points", "Phải trong khoảng 0 đến 30.")]),
        (GeneralInput(points=D(-1)), [("general.points", "Phải trong khoảng 0 đến 30.")]),
        (GeneralInput(points=D("27.3")), [("general.points", "Phải chấm theo bước 0,5 điểm.")]),
        (GeneralInput(points=D("0.01")), [("general.points", "Phải chấm theo bước 0,5 điểm.")]),
    ],
)
def test_bad_general_scores(general: GeneralInput, errors: list[tuple[str, str]]) -> None:
    with pytest.raises(ScoringInputError) as caught:
        general_score(general, params())
    assert list(caught.value.errors) == errors


@pytest.mark.parametrize("points", ["0", "0.5", "29.5", "30"])
def test_points_edges(points: str) -> None:
    assert general_score(GeneralInput(points=D(points)), params()).score == D(points)


def test_a_unit_may_split_the_thirty_points_under_nd233() -> None:
    nd233 = params("ND233")
    assert general_score(_groups("15", "10", "5"), nd233).score == D(30)
    with pytest.raises(ScoringInputError) as caught:
        general_score(_groups("15", "10", "5.5"), nd233)
    assert caught.value.errors == (("general.groups", "Tổng điểm các nhóm không được vượt 30."),)
    with pytest.raises(ScoringInputError):
        general_score(_groups("15", "10", "5"), params("ND335"))
