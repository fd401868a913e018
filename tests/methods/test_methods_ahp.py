"""AHP: known answers from Saaty's published examples, and input errors."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from toolkit import methods
from toolkit.errors import UreshiiError
from toolkit.methods import MethodInputError

# Saaty, T. L. (2008) "Decision making with the analytic hierarchy process", Int. J. Services
# Sciences 1(1): 83–98, Table 2 ("Which drink is consumed more in the U.S.?"). Judgements as
# printed there; Saaty's derived priorities are coffee .177, wine .019, tea .042, beer .116,
# sodas .190, milk .129, water .327.
DRINKS = {
    ("coffee", "wine"): 9, ("coffee", "tea"): 5, ("coffee", "beer"): 2, ("coffee", "soda"): 1,
    ("coffee", "milk"): 1, ("water", "coffee"): 2, ("water", "wine"): 9, ("water", "tea"): 9,
    ("water", "beer"): 3, ("water", "soda"): 2, ("water", "milk"): 3, ("tea", "wine"): 3,
    ("beer", "wine"): 9, ("beer", "tea"): 3, ("beer", "milk"): 1, ("soda", "wine"): 9,
    ("soda", "tea"): 4, ("soda", "beer"): 2, ("soda", "milk"): 2, ("milk", "wine"): 9,
    ("milk", "tea"): 3,
}  # fmt: skip
SAATY_DRINK_PRIORITIES = {
    "coffee": 0.177, "wine": 0.019, "tea": 0.042, "beer": 0.116, "soda": 0.190, "milk": 0.129,
    "water": 0.327,
}  # fmt: skip


def test_saaty_2008_drinks_eigenvector_priorities() -> None:
    result = methods.ahp_from_pairs(DRINKS)
    assert result.weights.round(3).to_dict() == SAATY_DRINK_PRIORITIES
    assert result.weights.sum() == pytest.approx(1.0)
    assert list(result.weights.index) == list(SAATY_DRINK_PRIORITIES)


@pytest.mark.parametrize(
    ("random_index", "expected_cr"),
    # 0.022 is the C.R. reported with Saaty's drinks example; the AHPy library's test suite
    # (PhilipGriffith/AHPy, tests) reproduces 0.022 with Saaty's 2005 RI and 0.0235 with
    # Donegan & Dodd's RI. saaty1980: CI / 1.32 with the same CI.
    [("saaty2005", 0.022), ("donegan-dodd", 0.0235), ("saaty1980", 0.0223)],
    ids=["saaty2005", "donegan-dodd", "saaty1980"],
)
def test_saaty_2008_drinks_consistency_ratio(random_index: str, expected_cr: float) -> None:
    result = methods.ahp_from_pairs(DRINKS, random_index=random_index)  # type: ignore[arg-type]
    assert result.consistency_ratio == pytest.approx(expected_cr, abs=5e-4)
    assert result.consistency_index == pytest.approx((result.lambda_max - 7) / 6)
    assert result.is_consistent


def test_geometric_mean_is_close_to_eigenvector_on_drinks() -> None:
    eigen = methods.ahp_from_pairs(DRINKS).weights
    geometric = methods.ahp_from_pairs(DRINKS, approximation="geometric").weights
    assert (geometric - eigen).abs().max() < 0.005
    assert geometric.idxmax() == "water"


@pytest.mark.parametrize("approximation", ["eigenvector", "geometric"])
def test_consistent_matrix_recovers_weights_with_cr_zero(approximation: str) -> None:
    w = np.array([0.5, 0.3, 0.15, 0.05])
    matrix = w[:, None] / w[None, :]
    result = methods.ahp(matrix, labels=list("ABCD"), approximation=approximation)  # type: ignore[arg-type]
    np.testing.assert_allclose(result.weights.to_numpy(), w, atol=1e-12)
    assert result.lambda_max == pytest.approx(4.0)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-12)


def test_dataframe_labels_and_rounded_reciprocals_are_accepted() -> None:
    frame = pd.DataFrame(
        [[1, 3, 5], [0.33, 1, 2], [0.2, 0.5, 1]], index=list("ABC"), columns=list("ABC")
    )
    result = methods.ahp(frame)
    assert list(result.weights.index) == ["A", "B", "C"]
    assert result.weights.idxmax() == "A"


def test_two_by_two_is_always_consistent() -> None:
    result = methods.ahp([[1, 4], [0.25, 1]], labels=["x", "y"])
    assert result.weights.to_dict() == pytest.approx({"x": 0.8, "y": 0.2})
    assert result.consistency_ratio == 0.0


def test_method_input_error_is_a_toolkit_error_and_a_value_error() -> None:
    with pytest.raises(MethodInputError) as info:
        methods.ahp([[1, 3], [3, 1]], labels=["A", "B"])
    assert isinstance(info.value, UreshiiError)
    assert isinstance(info.value, ValueError)
    assert "逆数" in info.value.message("ja")
    assert "3" in info.value.message("ja")


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 3], [3, 1]], "matrix is not reciprocal: cell (A, B) is 3 but cell (B, A) is 3"),
        ([[1, -2], [-0.5, 1]], "matrix cell (A, B) is -2; every judgement must be a positive"),
        ([[1, 0], [0, 1]], "matrix cell (A, B) is 0"),
        ([[1, float("nan")], [1, 1]], "matrix cell (A, B) is nan"),
        ([[2, 1], [1, 1]], "matrix cell (A, A) is 2; an item compared with itself must be 1"),
        ([[1, 2, 3]], "got shape (1, 3)"),
        ([[1, "x"], [1, 1]], "matrix cell (A, B) is 'x'"),
    ],
    ids=["not-reciprocal", "negative", "zero", "nan", "diagonal", "not-square", "text"],
)
def test_bad_matrices_are_named(matrix: object, message: str) -> None:
    with pytest.raises(MethodInputError, match=re.escape(message)):
        methods.ahp(matrix, labels=["A", "B"] if len(matrix) == 2 else None)  # type: ignore[arg-type]


def test_bad_options() -> None:
    with pytest.raises(MethodInputError, match=re.escape("approximation='power'")):
        methods.ahp([[1]], approximation="power")  # type: ignore[arg-type]
    with pytest.raises(MethodInputError, match=re.escape("random_index='alonso'")):
        methods.ahp([[1]], random_index="alonso")  # type: ignore[arg-type]
    big = np.ones((11, 11))
    with pytest.raises(MethodInputError, match=r"random_index='saaty1980'.*11 × 11.*n ≤ 10"):
        methods.ahp(big)
    assert methods.ahp(big, random_index="saaty2005").consistency_ratio == pytest.approx(0.0)
    with pytest.raises(MethodInputError, match=re.escape("labels=['A'] has 1 names")):
        methods.ahp([[1, 2], [0.5, 1]], labels=["A"])


def test_pairs_errors() -> None:
    with pytest.raises(MethodInputError, match=re.escape("no comparison between 'A' and 'C'")):
        methods.ahp_from_pairs({("A", "B"): 2, ("B", "C"): 3})
    with pytest.raises(MethodInputError, match=re.escape("compares 'A' with itself")):
        methods.ahp_from_pairs({("A", "A"): 2, ("A", "B"): 3})
    with pytest.raises(MethodInputError, match="not reciprocal: cell \\(A, B\\) is 2"):
        methods.ahp_from_pairs({("A", "B"): 2, ("B", "A"): 2})
    with pytest.raises(MethodInputError, match=re.escape("pairs has the key 'AB'")):
        methods.ahp_from_pairs({"AB": 2})  # type: ignore[dict-item]
    with pytest.raises(
        MethodInputError, match=re.escape("pairs names 'C', which is not in labels")
    ):
        methods.ahp_from_pairs({("A", "C"): 2}, labels=["A", "B"])
    with pytest.raises(MethodInputError, match="pairs is empty"):
        methods.ahp_from_pairs({})
