"""Agreement and disagreement among raters: Kendall's W, Krippendorff's α, per-item spread.

Disagreement is information for the group (items to discuss), not noise to average away.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from toolkit.methods._common import FloatArray, check_choice, is_number, nan_quantile
from toolkit.methods._errors import input_error

Level = Literal["nominal", "ordinal", "interval", "ratio"]


def _numeric_array(data: object, argument: str) -> FloatArray:
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(np.asarray(data, dtype=object))
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iuf":
            continue  # a numeric column (NaN for "no score"): nothing to check cell by cell
        for row, value in series.items():
            if value is None or not is_number(value):
                if value is None or (isinstance(value, float) and np.isnan(value)):
                    continue
                raise input_error(
                    "methods_not_a_number",
                    argument=argument,
                    value=value,
                    where=f"[{row!r}, {column!r}]",
                )
    return frame.to_numpy(dtype=np.float64)


def kendall_w(ranks: object, *, tie_correction: bool = True) -> float:
    """Kendall's coefficient of concordance W for items (rows) × raters (columns).

    Each column is one rater's ranking (1 = first) or scores; columns are re-ranked with
    average ranks for ties, so scores and ranks give the same W. W = 12 S / (m²(n³ − n) −
    m ΣT), where S is the sum of squared deviations of the item rank sums, m raters, n items
    and T = Σ(t³ − t) over each rater's groups of t tied items (T = 0 without
    ``tie_correction``). 0 = no agreement, 1 = every rater gave the same ranking. Missing
    values are not allowed (W needs complete rankings).

    >>> kendall_w([[1, 1], [2, 2], [3, 3]])
    1.0
    """
    values = _numeric_array(ranks, "ranks")
    if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 2:
        raise input_error("methods_kendall_shape", value=values.shape)
    if np.isnan(values).any() or np.isinf(values).any():
        r, c = (int(x) for x in np.argwhere(~np.isfinite(values))[0])
        raise input_error(
            "methods_not_finite", argument="ranks", value=float(values[r, c]), where=f"[{r}, {c}]"
        )
    n, m = values.shape
    from scipy.stats import rankdata  # scipy.stats takes ~1.7 s to import: only when used

    ranked = np.column_stack([rankdata(values[:, j]) for j in range(m)])
    sums = ranked.sum(axis=1)
    s = float(((sums - sums.mean()) ** 2).sum())
    ties = 0.0
    if tie_correction:
        for j in range(m):
            _, t = np.unique(ranked[:, j], return_counts=True)
            ties += float((t**3 - t).sum())
    denominator = m * m * (n**3 - n) - m * ties
    if denominator <= 0:
        raise input_error("methods_kendall_all_tied", value=values.tolist())
    return 12.0 * s / denominator


def krippendorff_alpha(data: object, *, level: Level = "nominal") -> float:
    """Krippendorff's α for raters (rows) × units (columns); NaN = missing.

    Computed by the ``krippendorff`` package for the ``level`` of measurement
    (``"nominal"``, ``"ordinal"``, ``"interval"``, ``"ratio"``). 1 = perfect agreement, 0 =
    agreement at chance level, negative = systematic disagreement. Units rated by one rater
    only are left out (they are not pairable).

    >>> krippendorff_alpha([[1, 2, 3], [1, 2, 3]])
    1.0
    """
    check_choice("level", level, ("nominal", "ordinal", "interval", "ratio"))
    values = _numeric_array(data, "data")
    if values.ndim != 2 or 0 in values.shape:
        raise input_error("methods_alpha_no_pairs", value=values.tolist())
    if np.isinf(values).any():
        r, c = (int(x) for x in np.argwhere(np.isinf(values))[0])
        raise input_error(
            "methods_not_finite", argument="data", value=float(values[r, c]), where=f"[{r}, {c}]"
        )
    pairable = (~np.isnan(values)).sum(axis=0) >= 2
    if not pairable.any():
        raise input_error("methods_alpha_no_pairs", value=values.tolist())
    present = values[:, pairable]
    if np.unique(present[~np.isnan(present)]).size < 2:
        raise input_error("methods_alpha_no_variation", value=values.tolist())
    import krippendorff  # imports scipy: only when used

    alpha = float(krippendorff.alpha(reliability_data=values, level_of_measurement=level))
    if not np.isfinite(alpha):  # e.g. no expected disagreement: never hand back NaN
        raise input_error("methods_alpha_no_variation", value=values.tolist())
    return alpha


def item_disagreement(
    scores: pd.DataFrame | Mapping[Hashable, Sequence[float]],
    *,
    scale: tuple[int, int] = (1, 5),
    min_scores: int = 2,
) -> pd.DataFrame:
    """Per item: ``median``, ``iqr`` (Q3 − Q1, numpy's linear interpolation), ``sd`` (sample,
    ddof = 1), ``r_wg`` and ``n``.

    ``scores`` is raters (rows) × items (columns) with NaN for “no score”, or ``{item:
    [scores]}``. ``scale`` is the (lowest, highest) point of the rating scale, used by r_wg
    (James, Demaree & Wolf 1984): r_wg = 1 − s² / σ²_EU with σ²_EU = (A² − 1)/12 for an
    A-point scale; it is truncated to [0, 1] (0 = as spread as random answers). Each item needs
    ``min_scores`` (≥ 2) scores, else the spread is undefined and an error names the item.
    Rows are in item order; sort by ``r_wg`` to find the items to discuss.
    """
    if (
        not isinstance(scale, tuple)
        or len(scale) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in scale)
        or scale[0] >= scale[1]
    ):
        raise input_error("methods_bad_scale", value=scale)
    if not isinstance(min_scores, int) or isinstance(min_scores, bool) or min_scores < 2:
        raise input_error(
            "methods_positive_integer", argument="min_scores", value=min_scores, minimum=2
        )
    if isinstance(scores, Mapping):
        columns = {item: pd.Series(list(v), dtype=object) for item, v in scores.items()}
        frame = pd.DataFrame(columns)
    elif isinstance(scores, pd.DataFrame):
        frame = scores
    else:
        raise input_error("methods_not_a_table", argument="scores", value=type(scores).__name__)
    if frame.shape[1] == 0:
        raise input_error("methods_empty", argument="scores", value=frame.shape, minimum=1)
    values = _numeric_array(frame, "scores")
    low, high = scale
    variance_uniform = ((high - low + 1) ** 2 - 1) / 12.0
    # Every item at once (one pass over the table, not one per item): a 1,000 × 1,000
    # table of one criterion took about 1.5 s item by item and takes about 0.1 s so.
    present = ~np.isnan(values)
    counts = present.sum(axis=0)
    infinite = np.asarray(np.isinf(values).any(axis=0), dtype=bool)
    outside = np.asarray((present & ((values < low) | (values > high))).any(axis=0), dtype=bool)
    bad = infinite | (counts < min_scores) | outside
    if bad.any():  # the first item with a problem, and its first problem, as item by item
        j = int(np.argmax(bad))
        item, column = frame.columns[j], values[:, j]
        column = column[~np.isnan(column)]
        if infinite[j]:
            raise input_error(
                "methods_not_finite", argument="scores", value=float(column[np.isinf(column)][0]),
                where=f"[{item!r}]",
            )  # fmt: skip
        if counts[j] < min_scores:
            raise input_error(
                "methods_too_few_scores", item=item, value=int(counts[j]), minimum=min_scores
            )
        raise input_error(
            "methods_score_outside_scale",
            item=item,
            value=float(column[(column < low) | (column > high)][0]),
            allowed=scale,
        )
    q1, median, q3 = (nan_quantile(values, q) for q in (0.25, 0.5, 0.75))
    sd = np.nanstd(values, axis=0, ddof=1)
    r_wg = np.clip(1.0 - sd**2 / variance_uniform, 0.0, 1.0)
    rows = [
        {"median": float(median[j]), "iqr": float(q3[j] - q1[j]), "sd": float(sd[j]),
         "r_wg": float(r_wg[j]), "n": int(counts[j])}
        for j in range(values.shape[1])
    ]  # fmt: skip
    return pd.DataFrame(rows, index=pd.Index(list(frame.columns)))
