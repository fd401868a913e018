"""SMAA-2 rank acceptability."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from toolkit import methods
from toolkit.methods import MethodInputError
from toolkit.methods.robustness import competition_ranks

TABLE = pd.DataFrame(
    {"glad": [9.0, 1.0, 5.0], "cost": [1.0, 9.0, 5.0]}, index=["best-glad", "cheap", "middle"]
)


def test_two_criteria_uniform_weights_known_shares() -> None:
    # minmax: best-glad (1, 0), cheap (0, 1), middle (0.5, 0.5). With w ~ U(0, 1) on glad,
    # best-glad is first iff w > 1/2, cheap iff w < 1/2; middle (score 0.5) is always second.
    result = methods.rank_acceptability(TABLE, {"glad": 1, "cost": 1}, samples=20_000, seed=3)
    assert result.loc["middle", 2] == pytest.approx(1.0)
    assert result.loc["best-glad", 1] == pytest.approx(0.5, abs=0.02)
    assert result.loc["cheap", 1] == pytest.approx(0.5, abs=0.02)
    np.testing.assert_allclose(result.sum(axis=1).to_numpy(), 1.0)
    assert list(result.columns) == [1, 2, 3]


def test_concentrated_weights_follow_the_agreed_ones() -> None:
    result = methods.rank_acceptability(
        TABLE, {"glad": 0.9, "cost": 0.1}, samples=5_000, concentration=200, seed=1
    )
    assert result.loc["best-glad", 1] > 0.99


def test_zero_agreed_weight_stays_zero() -> None:
    result = methods.rank_acceptability(
        TABLE, {"glad": 1, "cost": 0}, samples=500, concentration=5, seed=0
    )
    assert result.loc["best-glad", 1] == 1.0


def test_same_seed_same_result_and_ties_share_best_rank() -> None:
    a = methods.rank_acceptability(TABLE, {"glad": 1, "cost": 1}, samples=1000, seed=7)
    b = methods.rank_acceptability(TABLE, {"glad": 1, "cost": 1}, samples=1000, seed=7)
    pd.testing.assert_frame_equal(a, b)
    twins = pd.DataFrame({"x": [1.0, 1.0, 0.0], "y": [2.0, 2.0, 0.0]}, index=["p", "q", "r"])
    result = methods.rank_acceptability(twins, {"x": 1, "y": 1}, samples=200)
    assert result.loc["p", 1] == 1.0 and result.loc["q", 1] == 1.0
    assert result.loc["r", 3] == 1.0


def test_competition_ranks_rows() -> None:
    scores = np.array([[0.2, 0.5, 0.5, 0.1], [1.0, 0.0, 2.0, 1.0]])
    assert competition_ranks(scores).tolist() == [[3, 1, 1, 4], [2, 4, 1, 2]]


def test_rank_acceptability_errors() -> None:
    with pytest.raises(MethodInputError, match=re.escape("samples=0 is not allowed")):
        methods.rank_acceptability(TABLE, {"glad": 1, "cost": 1}, samples=0)
    with pytest.raises(MethodInputError, match=re.escape("concentration=-1 is not allowed")):
        methods.rank_acceptability(TABLE, {"glad": 1, "cost": 1}, concentration=-1)
    with pytest.raises(MethodInputError, match="weights names the criterion 'speed'"):
        methods.rank_acceptability(TABLE, {"glad": 1, "cost": 1, "speed": 1})
