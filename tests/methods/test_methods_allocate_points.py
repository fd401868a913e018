"""AHP weights as a 100-point allocation (largest remainder), so they count like points."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.methods.test_methods_ahp import DRINKS
from toolkit import methods
from toolkit.methods import MethodInputError


def test_saatys_drinks_priorities_become_100_points_worked_by_hand() -> None:
    # Saaty (2008), Table 2: the eigenvector priorities x 100 are coffee 17.75, wine 1.91,
    # tea 4.18, beer 11.64, soda 18.96, milk 12.88, water 32.68 (Saaty prints .177 .019 .042
    # .116 .190 .129 .327). Whole parts: 17 + 1 + 4 + 11 + 18 + 12 + 32 = 95, so 5 points are
    # missing; they go to the 5 largest fractional parts: soda .96, wine .91, milk .88,
    # coffee .75, water .68 (beer .64 and tea .18 get none).
    result = methods.ahp_from_pairs(DRINKS)
    assert methods.allocate_points(result) == {
        "coffee": 18, "wine": 2, "tea": 4, "beer": 11, "soda": 19, "milk": 13, "water": 33,
    }  # fmt: skip


def test_a_consistent_4_2_1_judgement_worked_by_hand() -> None:
    # A is 2x B, B is 2x C, A is 4x C: weights 4/7, 2/7, 1/7 = 57.14, 28.57, 14.29 points;
    # whole parts sum to 99 and the missing point goes to B (.57 is the largest remainder).
    result = methods.ahp_from_pairs({("A", "B"): 2.0, ("A", "C"): 4.0, ("B", "C"): 2.0})
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-9)
    assert methods.allocate_points(result) == {"A": 57, "B": 29, "C": 14}


@pytest.mark.parametrize(
    ("weights", "total", "expected"),
    [
        ({"x": 1, "y": 1, "z": 1}, 100, {"x": 34, "y": 33, "z": 33}),  # tie: first listed
        ({"a": 0.456, "b": 0.321, "c": 0.223}, 100, {"a": 46, "b": 32, "c": 22}),
        ({"a": 3, "b": 0, "c": 1}, 100, {"a": 75, "b": 0, "c": 25}),  # need not sum to 1
        ({"a": 2, "b": 1}, 10, {"a": 7, "b": 3}),  # 6.67 + 3.33: the 10th point to a
    ],
    ids=["equal-thirds", "one-missing-point", "zero-weight", "total-10"],
)
def test_hand_worked_allocations(
    weights: dict[str, float], total: int, expected: dict[str, int]
) -> None:
    assert methods.allocate_points(weights, total=total) == expected


@pytest.mark.parametrize(
    ("weights", "total", "message"),
    [
        ({"a": -1, "b": 2}, 100, "weights['a']=-1 is not allowed"),
        ({"a": 0, "b": 0}, 100, "are all zero"),
        ({"a": 1}, 0, "total=0 is not allowed; give a whole number of at least 1"),
        ({}, 100, "weights is empty"),
    ],
    ids=["negative", "all-zero", "total-0", "empty"],
)
def test_bad_weights_are_refused_with_what_to_do(
    weights: dict[str, float], total: int, message: str
) -> None:
    with pytest.raises(MethodInputError, match=re.escape(message)):
        methods.allocate_points(weights, total=total)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=15
    ).filter(lambda ws: sum(ws) > 1e-6),
    st.integers(min_value=1, max_value=1000),
)
def test_the_points_always_sum_to_the_total_and_stay_within_one_of_the_share(
    weights: list[float], total: int
) -> None:
    named = {f"c{i}": w for i, w in enumerate(weights)}
    points = methods.allocate_points(named, total=total)
    assert sum(points.values()) == total
    assert list(points) == list(named)
    scale = total / sum(weights)
    for key, w in named.items():
        assert w * scale - 1 < points[key] < w * scale + 1
