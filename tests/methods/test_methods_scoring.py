"""Weighted sum, TOPSIS and the aggregation of participants' scores."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from toolkit import methods
from toolkit.methods import MethodInputError

# Example of the TOPSIS function of the R package MCDA (Bigaret & Meyer, CRAN "MCDA",
# man/TOPSIS.Rd): three cars, price is a cost criterion, weights 0.35/0.25/0.25/0.15. The
# help page prints the positive and negative ideal solutions used below.
CARS = pd.DataFrame(
    [[5490, 51.4, 8.5, 285], [6500, 70.6, 7, 288], [6489, 54.3, 7.5, 290]],
    index=["Corsa", "Clio", "Fiesta"],
    columns=["price", "economy", "aesthetics", "boot"],
)
CAR_WEIGHTS = {"price": 0.35, "economy": 0.25, "aesthetics": 0.25, "boot": 0.15}
MCDA_IDEAL = [0.179573776, 0.171636015, 0.159499658, 0.087302767]
MCDA_ANTI_IDEAL = [0.212610118, 0.124958799, 0.131352659, 0.085797547]


def test_topsis_ideal_points_match_the_mcda_r_package_example() -> None:
    result = methods.topsis(CARS, CAR_WEIGHTS, directions={"price": -1})
    assert list(result.attrs["ideal"].values()) == pytest.approx(MCDA_IDEAL, abs=1e-9)
    assert list(result.attrs["anti_ideal"].values()) == pytest.approx(MCDA_ANTI_IDEAL, abs=1e-9)
    # Closeness from the published ideal points, recomputed here from its definition.
    norm = CARS / np.sqrt((CARS**2).sum())
    weighted = norm * pd.Series(CAR_WEIGHTS)
    d_plus = np.sqrt(((weighted - MCDA_IDEAL) ** 2).sum(axis=1))
    d_minus = np.sqrt(((weighted - MCDA_ANTI_IDEAL) ** 2).sum(axis=1))
    expected = d_minus / (d_plus + d_minus)
    assert result["closeness"].to_dict() == pytest.approx(expected.to_dict(), abs=1e-8)
    assert list(result.index) == ["Clio", "Corsa", "Fiesta"]
    assert result["rank"].tolist() == [1, 2, 3]


def test_topsis_minmax_and_identical_items() -> None:
    same = pd.DataFrame({"a": [2.0, 2.0], "b": [5.0, 5.0]}, index=["x", "y"])
    result = methods.topsis(same, {"a": 1, "b": 1}, normalization="minmax")
    assert result["closeness"].tolist() == [0.5, 0.5]
    assert result["rank"].tolist() == [1, 1]


SMALL = pd.DataFrame(
    {"gladness": [4.0, 2.0, 3.0], "cost": [2.0, 1.0, 4.0]}, index=["窓口", "3レス", "SNS"]
)
SMALL_WEIGHTS = {"gladness": 3, "cost": 1}


@pytest.mark.parametrize(
    ("normalization", "expected"),
    [
        # "none": 0.75·x − 0.25·cost
        ("none", {"窓口": 2.5, "3レス": 1.25, "SNS": 1.25}),
        # "sum": benefit x/Σx (Σ = 9); cost (1/x)/Σ(1/x) (Σ = 1/2 + 1 + 1/4 = 7/4)
        (
            "sum",
            {
                "窓口": 0.75 * 4 / 9 + 0.25 * (1 / 2) / (7 / 4),
                "3レス": 0.75 * 2 / 9 + 0.25 * 1 / (7 / 4),
                "SNS": 0.75 * 3 / 9 + 0.25 * (1 / 4) / (7 / 4),
            },
        ),
        # "minmax": benefit (x−2)/2; cost (4−x)/3
        ("minmax", {"窓口": 0.75 + 0.25 * 2 / 3, "3レス": 0.25, "SNS": 0.375}),
        # "vector": x/‖x‖ (‖gladness‖ = √29, ‖cost‖ = √21), cost negative
        (
            "vector",
            {
                "窓口": 0.75 * 4 / 29**0.5 - 0.25 * 2 / 21**0.5,
                "3レス": 0.75 * 2 / 29**0.5 - 0.25 * 1 / 21**0.5,
                "SNS": 0.75 * 3 / 29**0.5 - 0.25 * 4 / 21**0.5,
            },
        ),
    ],
    ids=["none", "sum", "minmax", "vector"],
)
def test_weighted_sum_normalizations(normalization: str, expected: dict[str, float]) -> None:
    result = methods.weighted_sum(
        SMALL,
        SMALL_WEIGHTS,
        directions={"cost": -1},
        normalization=normalization,  # type: ignore[arg-type]
    )
    assert result["score"].to_dict() == pytest.approx(expected)
    assert result.index[0] == "窓口"
    assert list(result.columns) == ["score", "rank"]


def test_ties_share_the_best_rank_even_with_float_noise() -> None:
    result = methods.weighted_sum(SMALL, SMALL_WEIGHTS, directions={"cost": -1})
    assert result["rank"].to_dict() == {"窓口": 1, "3レス": 2, "SNS": 2}
    # 0.1 + 0.2 != 0.3 in floating point; people still expect a tie.
    table = pd.DataFrame({"a": [0.1, 0.3], "b": [0.2, 0.0]}, index=["p", "q"])
    tied = methods.weighted_sum(table, {"a": 1, "b": 1})
    assert tied["rank"].tolist() == [1, 1]


def test_weights_are_scaled_to_sum_to_one() -> None:
    a = methods.weighted_sum(SMALL, {"gladness": 3, "cost": 1}, normalization="minmax")
    b = methods.weighted_sum(SMALL, {"gladness": 0.75, "cost": 0.25}, normalization="minmax")
    pd.testing.assert_frame_equal(a, b)


def test_constant_criterion_under_minmax_gives_zero_not_nan() -> None:
    table = pd.DataFrame({"a": [1.0, 1.0, 1.0], "b": [1.0, 2.0, 3.0]}, index=list("xyz"))
    result = methods.weighted_sum(table, {"a": 1, "b": 1}, normalization="minmax")
    assert not result["score"].isna().any()
    assert result["score"].to_dict() == pytest.approx({"x": 0.0, "y": 0.25, "z": 0.5})


@pytest.mark.parametrize(
    ("table", "weights", "kwargs", "message"),
    [
        (SMALL, {"gladness": 1, "cost": 1, "speed": 1}, {},
         "weights names the criterion 'speed', which is not a column of the table; allowed: "
         "'gladness', 'cost'"),
        (SMALL, {"gladness": 1}, {}, "weights has no weight for the criterion 'cost'"),
        (SMALL, {"gladness": -1, "cost": 1}, {}, "weights['gladness']=-1 is not allowed"),
        (SMALL, {"gladness": 0, "cost": 0}, {}, "are all zero"),
        (SMALL, SMALL_WEIGHTS, {"directions": {"cost": 0}},
         "directions['cost']=0 is not allowed; use +1"),
        (SMALL, SMALL_WEIGHTS, {"directions": {"price": -1}},
         "directions names the criterion 'price'"),
        (SMALL.assign(cost=[2.0, np.nan, 1.0]), SMALL_WEIGHTS, {},
         "table has nan at ['3レス', 'cost']; every score must be a finite number"),
        (SMALL.assign(cost=[2.0, "高い", 1.0]), SMALL_WEIGHTS, {},
         "table has '高い' at ['3レス', 'cost']; only numbers are allowed"),
        (SMALL.assign(cost=[2.0, 0.0, 1.0]), SMALL_WEIGHTS,
         {"directions": {"cost": -1}, "normalization": "sum"},
         "normalization='sum' needs values greater than 0 for the cost criterion 'cost'"),
        (SMALL, SMALL_WEIGHTS, {"normalization": "zscore"},
         "normalization='zscore' is not supported; choose one of 'none', 'minmax', 'sum', "
         "'vector'"),
        ([[1, 2]], SMALL_WEIGHTS, {}, "table must be a table (pandas DataFrame)"),
        (pd.DataFrame(), SMALL_WEIGHTS, {}, "table is empty"),
    ],
    ids=[
        "unknown-criterion", "missing-weight", "negative-weight", "zero-weights",
        "bad-direction", "unknown-direction", "nan-score", "text-score", "sum-zero-cost",
        "unknown-normalization", "not-a-table", "empty-table",
    ],
)  # fmt: skip
def test_weighted_sum_rejects_bad_input(
    table: object, weights: dict[str, float], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(MethodInputError, match=re.escape(message)):
        methods.weighted_sum(table, weights, **kwargs)  # type: ignore[arg-type]


def test_topsis_rejects_nan_and_unknown_weights() -> None:
    with pytest.raises(MethodInputError, match=re.escape("table has inf at ['Clio', 'boot']")):
        methods.topsis(CARS.assign(boot=[1.0, np.inf, 2.0]), CAR_WEIGHTS)
    with pytest.raises(MethodInputError, match="normalization='sum' is not supported"):
        methods.topsis(CARS, CAR_WEIGHTS, normalization="sum")  # type: ignore[arg-type]


CUBE = np.array(
    [
        [[5, 1], [3, np.nan]],
        [[4, 2], [np.nan, 4]],
        [[3, 3], [1, 5]],
    ]
)  # raters × issues × criteria


def test_aggregate_scores_skips_dont_know() -> None:
    table = methods.aggregate_scores(CUBE, issues=["a", "b"], criteria=["glad", "cost"])
    assert table.loc["a"].tolist() == [4.0, 2.0]
    assert table.loc["b"].tolist() == [2.0, 4.5]
    median = methods.aggregate_scores(CUBE, statistic="median")
    assert median.loc["i2"].tolist() == [2.0, 4.5]
    assert list(median.columns) == ["c1", "c2"]


def test_long_format_gives_the_same_table_as_the_cube() -> None:
    rows = [
        {
            "rater": r,
            "issue": ["a", "b"][i],
            "criterion": ["glad", "cost"][c],
            "score": CUBE[r, i, c],
        }
        for r in range(3)
        for i in range(2)
        for c in range(2)
    ]
    long = pd.DataFrame(rows)
    from_long = methods.aggregate_scores(long)
    from_cube = methods.aggregate_scores(CUBE, issues=["a", "b"], criteria=["glad", "cost"])
    pd.testing.assert_frame_equal(from_long, from_cube)


def test_rank_issues_aggregates_then_ranks() -> None:
    ranked = methods.rank_issues(
        CUBE, {"glad": 1, "cost": 1}, issues=["a", "b"], criteria=["glad", "cost"],
        directions={"cost": -1},
    )  # fmt: skip
    assert ranked.index.tolist() == ["a", "b"]
    assert ranked["score"].tolist() == pytest.approx([1.0, -1.25])
    assert ranked.loc["b", "cost"] == 4.5


def test_aggregate_scores_errors() -> None:
    cube = CUBE.copy()
    cube[:, 1, 0] = np.nan
    with pytest.raises(
        MethodInputError, match=re.escape("nobody scored issue 'b' on criterion 'glad'")
    ):
        methods.aggregate_scores(cube, issues=["a", "b"], criteria=["glad", "cost"])
    with pytest.raises(MethodInputError, match=re.escape("got (3, 2)")):
        methods.aggregate_scores(np.ones((3, 2)))
    with pytest.raises(
        MethodInputError, match=re.escape("issues=['a'] has 1 names but scores has 2")
    ):
        methods.aggregate_scores(CUBE, issues=["a"])
    long_table = "a long table with columns rater, issue, criterion, score"
    with pytest.raises(MethodInputError, match=re.escape(long_table)):
        methods.aggregate_scores(pd.DataFrame({"who": [1]}))
    with pytest.raises(MethodInputError, match="statistic='mode'"):
        methods.aggregate_scores(CUBE, statistic="mode")  # type: ignore[arg-type]
    with pytest.raises(MethodInputError, match="finite"):
        methods.aggregate_scores(np.full((1, 1, 1), np.inf))
