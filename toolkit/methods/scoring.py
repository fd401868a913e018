"""Weighted criteria scoring: weighted sum, TOPSIS, and aggregation of participants' scores.

Conventions (also in each docstring): every rank is 1 = best and tied items share the best
rank; scores closer than 1e-9 of the largest absolute score count as tied (floating point
noise must not split a tie). Results are sorted best first; tied items keep the table order.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from toolkit.methods._common import (
    FloatArray,
    as_table,
    check_choice,
    check_unique,
    nan_quantile,
    ranked_frame,
    resolve_directions,
    resolve_weights,
)
from toolkit.methods._errors import input_error

Normalization = Literal["none", "minmax", "sum", "vector"]
TopsisNormalization = Literal["vector", "minmax"]
Statistic = Literal["mean", "median"]

LONG_COLUMNS = ("rater", "issue", "criterion", "score")


def _safe_divide(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """numerator / denominator per column, 0 where the denominator is 0 (a constant column)."""
    out = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def normalize(
    values: FloatArray,
    directions: FloatArray,
    normalization: str,
    *,
    index: Sequence[Hashable] = (),
    columns: Sequence[Hashable] = (),
) -> FloatArray:
    """Column-wise normalisation of an items × criteria array (see :func:`weighted_sum`)."""
    cost = directions < 0
    if normalization == "none":
        return values * directions
    if normalization == "minmax":
        low = values.min(axis=0)
        high = values.max(axis=0)
        span = np.broadcast_to(high - low, values.shape)
        up = _safe_divide(values - low, span)
        down = _safe_divide(high - values, span)
        return np.where(cost, down, up)
    if normalization == "vector":
        norm = np.broadcast_to(np.sqrt((values**2).sum(axis=0)), values.shape)
        return _safe_divide(values, norm) * directions
    # "sum": benefit x/Σx, cost (1/x)/Σ(1/x)
    for j in range(values.shape[1]):
        column = values[:, j]
        bad = column <= 0 if cost[j] else column < 0
        if bad.any() or (not cost[j] and column.sum() <= 0):
            i = int(np.argmax(bad)) if bad.any() else 0
            raise input_error(
                "methods_sum_needs_positive",
                criterion=columns[j] if len(columns) else j,
                item=index[i] if len(index) else i,
                value=float(column[i]),
            )
    with np.errstate(divide="ignore"):
        inverse = np.where(cost, 1.0 / np.where(cost, values, 1.0), values)
    return inverse / inverse.sum(axis=0)


def weighted_sum(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float] | pd.Series,
    *,
    directions: Mapping[Hashable, int] | None = None,
    normalization: Normalization = "none",
) -> pd.DataFrame:
    """Score = Σ weight × normalised value; rank 1 = best.

    ``table`` holds one row per item and one column per criterion (finite numbers; for raw
    participant scores with “don't know” answers use :func:`rank_issues`). ``weights`` names
    every criterion (≥ 0, not all 0); they are scaled to sum to 1. ``directions`` maps a
    criterion to +1 (benefit, the default) or -1 (cost, less is better).

    Normalisations, per criterion over the items:

    - ``"none"``: the raw value; a cost criterion enters with a negative sign.
    - ``"sum"``: benefit x/Σx; cost (1/x)/Σ(1/x) (needs x > 0 for costs, x ≥ 0 for benefits).
    - ``"minmax"``: benefit (x−min)/(max−min); cost (max−x)/(max−min). A constant criterion
      (max = min) gives 0 to every item: it cannot separate them.
    - ``"vector"``: x/‖x‖ (Euclidean norm over the items); cost criteria with a negative sign.

    Returns a DataFrame indexed by item with columns ``"score"`` and ``"rank"``, sorted best
    first; tied items (within 1e-9 relative) share the best rank and keep the table order.

    >>> t = pd.DataFrame({"gain": [3, 1], "cost": [2, 1]}, index=["A", "B"])
    >>> weighted_sum(t, {"gain": 1, "cost": 1}, directions={"cost": -1})["rank"].to_dict()
    {'A': 1, 'B': 2}
    """
    check_choice("normalization", normalization, ("none", "minmax", "sum", "vector"))
    frame = as_table(table)
    criteria = list(frame.columns)
    w = resolve_weights(weights, criteria)
    d = resolve_directions(directions, criteria)
    values = normalize(
        frame.to_numpy(), d, normalization, index=list(frame.index), columns=criteria
    )
    return ranked_frame(frame.index, "score", values @ w)


def topsis(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float] | pd.Series,
    *,
    directions: Mapping[Hashable, int] | None = None,
    normalization: TopsisNormalization = "vector",
) -> pd.DataFrame:
    """TOPSIS (Hwang & Yoon 1981): closeness to the ideal item, 1 = best.

    The table is normalised without inverting (``"vector"``: x/‖x‖; ``"minmax"``:
    (x−min)/(max−min), a constant criterion gives 0) and multiplied by the weights (scaled
    to sum to 1). A benefit criterion's ideal is its maximum and anti-ideal its minimum; a
    cost criterion's ideal is its minimum. Closeness = d⁻/(d⁺ + d⁻) with Euclidean
    distances d⁺ to the ideal and d⁻ to the anti-ideal; if every item is identical on every
    weighted criterion, d⁺ = d⁻ = 0 and closeness is 0.5 for all (all tied).

    Returns columns ``"closeness"``, ``"rank"``, ``"distance_to_ideal"`` and
    ``"distance_to_anti_ideal"``, sorted best first (ties share the best rank). The ideal
    and anti-ideal points are in ``result.attrs["ideal"]`` and ``result.attrs["anti_ideal"]``.
    """
    check_choice("normalization", normalization, ("vector", "minmax"))
    frame = as_table(table)
    criteria = list(frame.columns)
    w = resolve_weights(weights, criteria)
    d = resolve_directions(directions, criteria)
    plain = np.ones_like(d)
    weighted = normalize(frame.to_numpy(), plain, normalization) * w
    high = weighted.max(axis=0)
    low = weighted.min(axis=0)
    ideal = np.where(d > 0, high, low)
    anti = np.where(d > 0, low, high)
    d_plus = np.sqrt(((weighted - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((weighted - anti) ** 2).sum(axis=1))
    total = d_plus + d_minus
    closeness = np.full_like(total, 0.5)
    np.divide(d_minus, total, out=closeness, where=total > 0)
    result = ranked_frame(frame.index, "closeness", closeness)
    extra = pd.DataFrame(
        {"distance_to_ideal": d_plus, "distance_to_anti_ideal": d_minus}, index=frame.index
    )
    result = result.join(extra)
    result.attrs["ideal"] = dict(zip(criteria, ideal.tolist(), strict=True))
    result.attrs["anti_ideal"] = dict(zip(criteria, anti.tolist(), strict=True))
    return result


def _labels(
    argument: str, given: Sequence[Hashable] | None, size: int, prefix: str
) -> list[Hashable]:
    if given is None:
        return [f"{prefix}{i + 1}" for i in range(size)]
    labels = list(given)
    if len(labels) != size:
        raise input_error(
            "methods_scores_labels", argument=argument, value=labels, given=len(labels), size=size
        )
    check_unique(argument, labels)
    return labels


def _cube_from_long(scores: pd.DataFrame) -> tuple[FloatArray, list[Hashable], list[Hashable]]:
    missing = [c for c in LONG_COLUMNS if c not in scores.columns]
    if missing:
        raise input_error(
            "methods_scores_shape", allowed=", ".join(LONG_COLUMNS), value=list(scores.columns)
        )
    numeric = pd.to_numeric(scores["score"], errors="coerce")
    bad = numeric.isna() & scores["score"].notna()
    if bad.any():
        where = scores.index[bad.to_numpy()][0]
        raise input_error(
            "methods_not_a_number",
            argument="scores",
            value=scores.loc[where, "score"],
            where=f"row {where!r}, column 'score'",
        )
    inf = np.isinf(numeric.to_numpy(dtype=np.float64))
    if inf.any():
        where = scores.index[inf][0]
        raise input_error(
            "methods_not_finite",
            argument="scores",
            value=float(numeric.loc[where]),
            where=f"row {where!r}, column 'score'",
        )
    r_idx, raters = pd.factorize(scores["rater"])
    issues = list(pd.unique(scores["issue"]))
    criteria = list(pd.unique(scores["criterion"]))
    i_idx = pd.Index(issues).get_indexer(scores["issue"])
    c_idx = pd.Index(criteria).get_indexer(scores["criterion"])
    cube = np.full((len(raters), len(issues), len(criteria)), np.nan)
    # A rater scoring the same cell twice: the last answer counts (a changed mind).
    cube[r_idx, i_idx, c_idx] = numeric.to_numpy(dtype=np.float64)
    return cube, issues, criteria


def aggregate_scores(
    scores: object,
    *,
    issues: Sequence[Hashable] | None = None,
    criteria: Sequence[Hashable] | None = None,
    statistic: Statistic = "mean",
) -> pd.DataFrame:
    """Participants' scores → one value per issue and criterion (issues × criteria).

    ``scores`` is either a 3-D array raters × issues × criteria (then ``issues`` and
    ``criteria`` name the axes; default i1…, c1…) or a long table with columns ``rater``,
    ``issue``, ``criterion``, ``score`` (a rater's last answer for a cell counts). NaN means
    “don't know” and is skipped. ``statistic`` is ``"mean"`` (the default: uses every
    answer) or ``"median"`` (robust to a few extreme scores). An issue × criterion cell that
    nobody scored is an error (it would otherwise become NaN).
    """
    check_choice("statistic", statistic, ("mean", "median"))
    if isinstance(scores, pd.DataFrame):
        cube, issue_labels, criterion_labels = _cube_from_long(scores)
    else:
        try:
            cube = np.asarray(scores, dtype=np.float64)
        except (TypeError, ValueError):
            raise input_error(
                "methods_scores_shape",
                allowed=", ".join(LONG_COLUMNS),
                value=type(scores).__name__,
            ) from None
        if cube.ndim != 3 or 0 in cube.shape:
            raise input_error(
                "methods_scores_shape", allowed=", ".join(LONG_COLUMNS), value=cube.shape
            )
        if np.isinf(cube).any():
            r, i, c = (int(x) for x in np.argwhere(np.isinf(cube))[0])
            raise input_error(
                "methods_not_finite",
                argument="scores",
                value=float(cube[r, i, c]),
                where=f"[{r}, {i}, {c}]",
            )
        issue_labels = _labels("issues", issues, cube.shape[1], "i")
        criterion_labels = _labels("criteria", criteria, cube.shape[2], "c")
    answered = (~np.isnan(cube)).sum(axis=0)
    if (answered == 0).any():
        i, c = (int(x) for x in np.argwhere(answered == 0)[0])
        raise input_error("methods_nobody_scored", issue=issue_labels[i], value=criterion_labels[c])
    if statistic == "mean":
        totals = np.where(np.isnan(cube), 0.0, cube).sum(axis=0)
        table = totals / answered
    else:
        table = nan_quantile(cube, 0.5)
    return pd.DataFrame(table, index=pd.Index(issue_labels), columns=pd.Index(criterion_labels))


def rank_issues(
    scores: object,
    weights: Mapping[Hashable, float] | pd.Series,
    *,
    issues: Sequence[Hashable] | None = None,
    criteria: Sequence[Hashable] | None = None,
    directions: Mapping[Hashable, int] | None = None,
    normalization: Normalization = "none",
    statistic: Statistic = "mean",
) -> pd.DataFrame:
    """:func:`aggregate_scores` then :func:`weighted_sum`: the ranked backlog.

    Returns the weighted-sum result (``"score"``, ``"rank"``, best first) joined with the
    aggregated value of each criterion, so the summary shows where a score comes from.
    """
    table = aggregate_scores(scores, issues=issues, criteria=criteria, statistic=statistic)
    ranked = weighted_sum(table, weights, directions=directions, normalization=normalization)
    return ranked.join(table)
