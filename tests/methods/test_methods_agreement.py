"""Kendall's W, Krippendorff's alpha and per-item disagreement."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import friedmanchisquare

from toolkit import methods
from toolkit.methods import MethodInputError

# Siegel, S. (1956) Nonparametric Statistics for the Behavioral Sciences, McGraw-Hill,
# ch. 9 (Kendall coefficient of concordance): three executives rank six applicants;
# rank sums 8, 14, 11, 11, 11, 8, s = 25.5, W = 0.16.
SIEGEL_RANKS = pd.DataFrame(
    {"X": [1, 6, 3, 2, 5, 4], "Y": [1, 5, 6, 4, 2, 3], "Z": [6, 3, 2, 5, 4, 1]},
    index=list("abcdef"),
)


def test_kendall_w_siegel_example() -> None:
    w = methods.kendall_w(SIEGEL_RANKS)
    assert w == pytest.approx(12 * 25.5 / (9 * (6**3 - 6)))
    assert round(w, 2) == 0.16


def test_kendall_w_with_ties_matches_friedman_statistic() -> None:
    # W = χ²_F / (m (n − 1)) where χ²_F is Friedman's statistic with the tie correction
    # (Legendre 2005, J. Agric. Biol. Environ. Stat. 10: 226–245, eq. 2); scipy computes χ²_F.
    scores = np.array([[3, 3, 2, 1], [1, 2, 2, 1], [5, 4, 4, 3], [2, 2, 3, 2], [4, 5, 5, 5]])
    n, m = scores.shape
    chi2 = friedmanchisquare(*scores).statistic
    assert methods.kendall_w(scores) == pytest.approx(chi2 / (m * (n - 1)))
    assert methods.kendall_w(scores, tie_correction=False) < methods.kendall_w(scores)


def test_kendall_w_perfect_and_errors() -> None:
    assert methods.kendall_w([[1, 10], [2, 20], [3, 30]]) == pytest.approx(1.0)
    with pytest.raises(MethodInputError, match=re.escape("ranks has shape (3, 1)")):
        methods.kendall_w([[1], [2], [3]])
    with pytest.raises(MethodInputError, match="every rater tied all items"):
        methods.kendall_w([[1, 1], [1, 1]])
    with pytest.raises(MethodInputError, match=re.escape("ranks has nan at [1, 0]")):
        methods.kendall_w([[1, 1], [np.nan, 2]])


# Krippendorff, K. (2011) "Computing Krippendorff's Alpha-Reliability", Annenberg School for
# Communication, University of Pennsylvania, section C (4 observers, 12 units, missing
# values): α_nominal = 0.743, α_ordinal = 0.815, α_interval = 0.849, α_ratio = 0.797.
NAN = np.nan
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
    ids=["nominal", "ordinal", "interval", "ratio"],
)
def test_krippendorff_2011_reference_values(level: str, expected: float) -> None:
    alpha = methods.krippendorff_alpha(KRIPPENDORFF_2011, level=level)  # type: ignore[arg-type]
    assert round(alpha, 3) == expected


def test_krippendorff_errors() -> None:
    with pytest.raises(MethodInputError, match="level='fuzzy' is not supported"):
        methods.krippendorff_alpha(KRIPPENDORFF_2011, level="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(MethodInputError, match="no unit rated by 2 or more raters"):
        methods.krippendorff_alpha([[1, NAN], [NAN, 2]])
    with pytest.raises(MethodInputError, match="holds a single value only"):
        methods.krippendorff_alpha([[3, 3], [3, 3]])
    with pytest.raises(MethodInputError, match=re.escape("data has 'yes' at [1, 0]")):
        methods.krippendorff_alpha([[1, 2], ["yes", 2]])


def test_item_disagreement_values() -> None:
    scores = pd.DataFrame({"窓口": [5, 5, 4, 5], "SNS": [1, 5, 1, 5], "3レス": [3, NAN, 3, 4]})
    result = methods.item_disagreement(scores, scale=(1, 5))
    assert result.loc["窓口", "median"] == 5.0
    assert result.loc["SNS", "iqr"] == pytest.approx(4.0)
    assert result.loc["SNS", "sd"] == pytest.approx(np.std([1, 5, 1, 5], ddof=1))
    # r_wg = 1 − s²/σ²_EU, σ²_EU = (5² − 1)/12 = 2 (James, Demaree & Wolf 1984)
    assert result.loc["窓口", "r_wg"] == pytest.approx(1 - 0.25 / 2)
    assert result.loc["SNS", "r_wg"] == 0.0  # s² = 5.33 > 2: truncated at 0
    assert result.loc["3レス", "n"] == 3
    assert list(result.columns) == ["median", "iqr", "sd", "r_wg", "n"]
    from_mapping = methods.item_disagreement({"SNS": [1, 5, 1, 5]})
    assert from_mapping.loc["SNS", "sd"] == result.loc["SNS", "sd"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 7)), min_size=6, max_size=6),
        min_size=2,
        max_size=12,
    )
)
def test_item_disagreement_equals_each_item_computed_alone(rows: list[list[int | None]]) -> None:
    # The whole table at once must give what numpy gives for each item's own scores.
    table = pd.DataFrame(rows, columns=list("ABCDEF"), dtype=float)
    usable = [c for c in table if table[c].count() >= 2]
    assume(usable)
    result = methods.item_disagreement(table[usable], scale=(1, 7))
    for item in usable:
        alone = table[item].dropna().to_numpy()
        q1, median, q3 = np.percentile(alone, [25, 50, 75])
        sd = float(np.std(alone, ddof=1))
        assert result.loc[item, "n"] == alone.size
        assert result.loc[item, "median"] == pytest.approx(median, abs=1e-12)
        assert result.loc[item, "iqr"] == pytest.approx(q3 - q1, abs=1e-12)
        assert result.loc[item, "sd"] == pytest.approx(sd, abs=1e-12)
        assert result.loc[item, "r_wg"] == pytest.approx(
            min(1.0, max(0.0, 1 - sd**2 / ((7**2 - 1) / 12))), abs=1e-12
        )


def test_item_disagreement_names_the_first_item_with_a_problem() -> None:
    # Items are checked in order; the first one with a problem is named, whatever follows.
    with pytest.raises(MethodInputError, match=re.escape("item 'B' has 1 scores")):
        methods.item_disagreement({"A": [3, 4], "B": [NAN, 2], "C": [9, 9]})
    with pytest.raises(MethodInputError, match=re.escape("item 'C' has the score 0.0")):
        methods.item_disagreement({"A": [3, 4], "B": [1, 2], "C": [0, 9]})
    with pytest.raises(MethodInputError, match=re.escape("scores has '4' at [1, 'A']")):
        methods.item_disagreement({"A": [3, "4"], "B": [1, 2]})


def test_item_disagreement_errors() -> None:
    with pytest.raises(MethodInputError, match=re.escape("item 'A' has 1 scores; at least 2")):
        methods.item_disagreement({"A": [3, NAN], "B": [1, 2]})
    with pytest.raises(
        MethodInputError, match=re.escape("item 'A' has the score 7.0, outside scale=(1, 5)")
    ):
        methods.item_disagreement({"A": [3, 7]})
    with pytest.raises(MethodInputError, match=re.escape("scale=(5, 1) is not allowed")):
        methods.item_disagreement({"A": [3, 4]}, scale=(5, 1))


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 9),
    st.integers(1, 5),
    st.integers(1, 3),
    st.floats(0, 1),
    st.randoms(use_true_random=False),
)
def test_nan_quantile_is_numpys_nanquantile_for_every_column(
    raters: int, issues: int, criteria: int, q: float, rng: Any
) -> None:
    from toolkit.methods._common import nan_quantile

    cube = np.array(
        [
            [
                [rng.choice([np.nan, rng.randint(1, 7)]) for _ in range(criteria)]
                for _ in range(issues)
            ]
            for _ in range(raters)
        ],
        dtype=float,
    )
    cube[0] = np.where(np.isnan(cube[0]), 3.0, cube[0])  # every column has a value
    expected = np.nanquantile(cube, q, axis=0)
    assert np.allclose(nan_quantile(cube, q), expected, rtol=0, atol=1e-12)
