"""RICE, ICE and MoSCoW scorers."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from toolkit import methods
from toolkit.methods import MethodInputError


def test_rice_score() -> None:
    # Intercom's RICE: reach × impact × confidence ÷ effort, e.g. 500 × 2 × 0.8 ÷ 4 = 200.
    table = pd.DataFrame(
        {"reach": [500, 1000], "impact": [2, 0.5], "confidence": [0.8, 1.0], "effort": [4, 2]},
        index=["公用車日報", "SNS"],
    )
    result = methods.rice(table)
    assert result["score"].to_dict() == {"SNS": 250.0, "公用車日報": 200.0}
    assert result["rank"].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("confidence", 80, "confidence for 'x' is 80.0; give a fraction between 0 and 1"),
        ("effort", 0, "effort for 'x' is 0.0; it must be a number greater than 0"),
        ("reach", -1, "reach for 'x' is -1.0; it must be a number of 0 or more"),
    ],
    ids=["percent-confidence", "zero-effort", "negative-reach"],
)
def test_rice_errors(column: str, value: float, message: str) -> None:
    row = {"reach": 1, "impact": 1, "confidence": 0.5, "effort": 1, column: value}
    with pytest.raises(MethodInputError, match=re.escape(message)):
        methods.rice(pd.DataFrame([row], index=["x"]))
    with pytest.raises(MethodInputError, match="table needs the columns reach, impact"):
        methods.rice(pd.DataFrame({"reach": [1]}))


def test_ice_product_and_mean() -> None:
    table = pd.DataFrame({"impact": [8, 5], "confidence": [2, 5], "ease": [9, 5]}, index=["a", "b"])
    product = methods.ice(table)
    assert product["score"].to_dict() == {"a": 144.0, "b": 125.0}
    mean = methods.ice(table, combine="mean")
    assert mean.index.tolist() == ["a", "b"]
    assert mean["score"].tolist() == pytest.approx([19 / 3, 5.0])
    with pytest.raises(MethodInputError, match="combine='sum' is not supported"):
        methods.ice(table, combine="sum")  # type: ignore[arg-type]


def test_moscow_counts_median_category_and_rank() -> None:
    result = methods.moscow(
        [
            {"窓口": "must", "SNS": "could", "3レス": "should"},
            {"窓口": "must", "SNS": "wont", "3レス": "must"},
            {"窓口": "should", "3レス": "could"},
        ]
    )
    assert result.loc["窓口", "category"] == "must"
    assert result.loc["3レス", "category"] == "should"
    assert result.loc["SNS", "category"] == "wont"  # lower median of {wont, could}
    assert result.loc["窓口", "score"] == pytest.approx(8 / 3)
    assert result.loc["SNS", "n"] == 2
    assert result.index.tolist() == ["窓口", "3レス", "SNS"]
    assert result["rank"].tolist() == [1, 2, 3]


def test_moscow_errors() -> None:
    with pytest.raises(MethodInputError, match=re.escape("participant 1 put 'A' in 'maybe'")):
        methods.moscow([{"A": "maybe"}])
    with pytest.raises(MethodInputError, match="assignments=\\[\\] holds no ballots"):
        methods.moscow([])
    with pytest.raises(MethodInputError, match="ballot 1 names 'B', which is not an option"):
        methods.moscow([{"B": "must"}], items=["A"])
