"""Input checks and small helpers shared by the prioritisation methods.

Every check raises :class:`MethodInputError` with a message naming the argument, the value
and what is allowed. Nothing here returns NaN: a value that cannot be computed is an error.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from toolkit.methods._errors import input_error
from toolkit.money import amount_problem, exact_amount

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Two scores closer than this fraction of the largest absolute score count as a tie. Floating
#: point sums of equal quantities can differ in the last bits; people expect them to tie.
TIE_RTOL = 1e-9


def check_choice(argument: str, value: object, allowed: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``allowed``; raise otherwise."""
    if not isinstance(value, str) or value not in allowed:
        raise input_error(
            "methods_unknown_choice",
            argument=argument,
            value=value,
            allowed=", ".join(repr(a) for a in allowed),
        )
    return value


def nan_quantile(values: FloatArray, q: float) -> FloatArray:
    """The ``q`` quantile (0–1) along the first axis, skipping NaN, by numpy's default
    ("linear") method: ``np.nanquantile(values, q, axis=0)`` for every column at once
    (numpy's own loops over the columns in Python: ~0.2 s for 1,000 × 1,000). Each column
    needs at least one value.

    >>> import numpy as np
    >>> nan_quantile(np.array([[1.0, 4.0], [np.nan, 2.0], [3.0, np.nan]]), 0.5).tolist()
    [2.0, 3.0]
    """
    counts = (~np.isnan(values)).sum(axis=0)
    ordered = np.sort(values, axis=0)  # NaN sorts last
    position = q * (counts - 1)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, counts - 1)
    a = np.take_along_axis(ordered, below[np.newaxis, ...], axis=0)[0]
    b = np.take_along_axis(ordered, above[np.newaxis, ...], axis=0)[0]
    t = position - below
    # numpy's interpolation (numpy.lib._function_base_impl._lerp): exact at both ends.
    result: FloatArray = np.where(t >= 0.5, b - (b - a) * (1 - t), a + (b - a) * t)
    return result


def is_number(value: object) -> bool:
    """True for real numbers (bool excluded: True is not a score)."""
    if type(value) is int or type(value) is float:  # fast path: ABC checks are slow
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_whole(value: object) -> bool:
    """True for whole numbers given as int (or an integral numpy integer); bool excluded."""
    if type(value) is int:  # fast path: ABC checks are slow
        return True
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_positive_number(argument: str, value: object) -> float:
    """A finite number greater than 0."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise input_error("methods_positive_number", argument=argument, value=value)
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise input_error("methods_positive_number", argument=argument, value=value)
    return number


# The two amount rules a plain "number greater than 0" check does not cover.
_AMOUNT_KEYS = {
    "amount_too_large": "methods_amount_too_large",
    "amount_too_precise": "methods_amount_too_precise",
}


def check_amount(
    argument: str,
    value: object,
    *,
    invalid_key: str = "methods_bad_amount",
    **invalid_params: object,
) -> Fraction:
    """An amount of money greater than 0 (:mod:`toolkit.money`'s rule), as an exact Fraction.

    A value that is not a finite number greater than 0 raises ``invalid_key`` (by default
    ``methods_bad_amount``, with ``argument`` and ``value``, plus ``invalid_params``); an
    amount above :data:`toolkit.money.MAX_AMOUNT` or with more than
    :data:`toolkit.money.MAX_DECIMALS` decimals raises ``methods_amount_too_large`` or
    ``methods_amount_too_precise``, naming ``argument``.

    >>> check_amount("budget", 7.5)
    Fraction(15, 2)
    """
    problem = amount_problem(value, allow_zero=False)
    if problem is None:
        return exact_amount(value)
    key, params = problem
    if key in _AMOUNT_KEYS:
        raise input_error(_AMOUNT_KEYS[key], argument=argument, **params)
    raise input_error(invalid_key, argument=argument, value=value, **invalid_params)


def check_positive_integer(argument: str, value: object, minimum: int = 1) -> int:
    """A whole number of at least ``minimum``."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or int(value) < minimum:
        raise input_error(
            "methods_positive_integer", argument=argument, value=value, minimum=minimum
        )
    return int(value)


def check_unique(argument: str, labels: Iterable[Hashable]) -> None:
    """Raise on the first label that occurs twice."""
    seen: set[Hashable] = set()
    for label in labels:
        if label in seen:
            raise input_error("methods_duplicate_label", argument=argument, value=label)
        seen.add(label)


def as_table(table: object, argument: str = "table") -> pd.DataFrame:
    """A non-empty items × criteria DataFrame of finite floats (a copy)."""
    if not isinstance(table, pd.DataFrame):
        raise input_error("methods_not_a_table", argument=argument, value=type(table).__name__)
    if table.shape[0] == 0 or table.shape[1] == 0:
        raise input_error(
            "methods_empty", argument=argument, value=f"shape {table.shape}", minimum=1
        )
    check_unique(f"{argument}.index", table.index)
    check_unique(f"{argument}.columns", table.columns)
    for column in table.columns:
        series = table[column]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            for item, value in series.items():
                if not is_number(value):
                    raise input_error(
                        "methods_not_a_number",
                        argument=argument,
                        value=value,
                        where=f"[{item!r}, {column!r}]",
                    )
    values = table.to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise input_error(
            "methods_not_finite",
            argument=argument,
            value=float(values[row, col]),
            where=f"[{table.index[row]!r}, {table.columns[col]!r}]",
        )
    return pd.DataFrame(values, index=table.index.copy(), columns=table.columns.copy())


def resolve_weights(weights: object, criteria: Sequence[Hashable]) -> FloatArray:
    """Weights in the order of ``criteria``, checked and scaled to sum to 1.

    ``weights`` is a mapping or Series ``{criterion: weight}`` naming every criterion exactly;
    weights are finite and ≥ 0 with at least one > 0.
    """
    if isinstance(weights, pd.Series):
        check_unique("weights", weights.index)
        mapping: Mapping[Any, Any] = weights.to_dict()
    elif isinstance(weights, Mapping):
        mapping = weights
    else:
        raise input_error(
            "methods_unknown_choice",
            argument="weights",
            value=weights,
            allowed="{criterion: weight} (dict or pandas Series)",
        )
    allowed = ", ".join(repr(c) for c in criteria)
    known = set(criteria)
    for name in mapping:
        if name not in known:
            raise input_error(
                "methods_unknown_criterion", argument="weights", value=name, allowed=allowed
            )
    out = np.empty(len(criteria), dtype=np.float64)
    for i, name in enumerate(criteria):
        if name not in mapping:
            raise input_error("methods_missing_weight", value=name, allowed=allowed)
        value = mapping[name]
        if not is_number(value) or not math.isfinite(float(value)) or float(value) < 0:
            raise input_error("methods_negative_weight", criterion=name, value=value)
        out[i] = float(value)
    total = out.sum()
    if total <= 0:
        raise input_error("methods_zero_weights", value=dict(mapping))
    return out / total


def resolve_directions(directions: object, criteria: Sequence[Hashable]) -> FloatArray:
    """+1 (benefit) or -1 (cost) per criterion; criteria not named are benefits."""
    out = np.ones(len(criteria), dtype=np.float64)
    if directions is None:
        return out
    if isinstance(directions, pd.Series):
        directions = directions.to_dict()
    if not isinstance(directions, Mapping):
        raise input_error(
            "methods_unknown_choice",
            argument="directions",
            value=directions,
            allowed="{criterion: +1 | -1}",
        )
    position = {c: i for i, c in enumerate(criteria)}
    allowed = ", ".join(repr(c) for c in criteria)
    for name, value in directions.items():
        if name not in position:
            raise input_error(
                "methods_unknown_criterion", argument="directions", value=name, allowed=allowed
            )
        if not is_number(value) or float(value) not in (1.0, -1.0):
            raise input_error("methods_bad_direction", criterion=name, value=value)
        out[position[name]] = float(value)
    return out


def rank_descending(values: npt.ArrayLike, rtol: float = TIE_RTOL) -> IntArray:
    """Competition ranks, 1 = highest; values within ``rtol`` × max|value| share the best rank.

    >>> rank_descending([0.2, 0.5, 0.5, 0.1]).tolist()
    [3, 1, 1, 4]
    """
    v = np.asarray(values, dtype=np.float64)
    n = v.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(-v, kind="stable")
    ordered = v[order]
    tol = rtol * max(float(np.max(np.abs(v))), float(np.finfo(np.float64).tiny))
    ranks_sorted = np.empty(n, dtype=np.int64)
    group_rank = 1
    group_value = ordered[0]
    for i in range(n):
        if group_value - ordered[i] > tol:
            group_rank = i + 1
            group_value = ordered[i]
        ranks_sorted[i] = group_rank
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = ranks_sorted
    return ranks


def ranked_frame(index: pd.Index, column: str, values: FloatArray) -> pd.DataFrame:
    """``values`` and their ranks, best first (ties keep the input order)."""
    ranks = rank_descending(values)
    frame = pd.DataFrame({column: values, "rank": ranks}, index=index)
    order = np.lexsort((np.arange(len(ranks)), ranks))
    return frame.iloc[order]


def sorted_tally(counts: Mapping[str, float], options: Sequence[str], name: str) -> pd.Series:
    """A tally as a Series sorted best first; ties keep the order of ``options``."""
    values = np.array([counts[o] for o in options], dtype=np.float64)
    order = np.lexsort((np.arange(len(options)), -values))
    index = pd.Index([options[i] for i in order])
    if all(float(v).is_integer() for v in values):
        return pd.Series(values[order].astype(np.int64), index=index, name=name)
    return pd.Series(values[order], index=index, name=name)
