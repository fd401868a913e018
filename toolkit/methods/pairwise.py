"""Analytic Hierarchy Process: weights from pairwise comparisons (Saaty).

A participant (or the group) says how many times more important A is than B on Saaty's
1–9 scale. The weights are the principal eigenvector of the reciprocal matrix (or the
normalised row geometric means), and the consistency ratio says how far the judgements are
from a consistent set (CR ≤ 0.1 is Saaty's usual threshold).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from toolkit.methods._common import (
    FloatArray,
    check_choice,
    check_positive_integer,
    check_unique,
    is_number,
    resolve_weights,
)
from toolkit.methods._errors import input_error

Approximation = Literal["eigenvector", "geometric"]
RandomIndexName = Literal["saaty1980", "saaty2005", "donegan-dodd"]

#: Relative tolerance for a_ij · a_ji = 1, so 1/3 typed as 0.333 (or 0.33) is accepted.
RECIPROCAL_RTOL = 0.01

#: Random consistency indices RI(n), the mean CI of random reciprocal matrices of order n.
RANDOM_INDICES: dict[str, dict[int, float]] = {
    # Saaty, T. L. (1980) The Analytic Hierarchy Process, McGraw-Hill (the widely used table).
    "saaty1980": {
        1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49,
    },
    # Saaty, T. L. (2005) Theory and Applications of the Analytic Network Process, RWS, p. 31.
    "saaty2005": {
        1: 0.0, 2: 0.0, 3: 0.52, 4: 0.89, 5: 1.11, 6: 1.25, 7: 1.35, 8: 1.40, 9: 1.45,
        10: 1.49, 11: 1.52, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59,
    },
    # Donegan, H. A. & Dodd, F. J. (1991) "A note on Saaty's random indexes", Mathematical and
    # Computer Modelling 15(10): 135–137 (values as tabulated by the AHPy library).
    "donegan-dodd": {
        1: 0.0, 2: 0.0, 3: 0.4914, 4: 0.8286, 5: 1.0591, 6: 1.1797, 7: 1.2519, 8: 1.3171,
        9: 1.3733, 10: 1.4055, 11: 1.4213, 12: 1.4497, 13: 1.4643, 14: 1.4822, 15: 1.4969,
        16: 1.5078, 17: 1.5153, 18: 1.5262, 19: 1.5313, 20: 1.5371,
    },
}  # fmt: skip


@dataclass(frozen=True, eq=False)
class AhpResult:
    """Weights and consistency of one pairwise comparison matrix.

    ``weights`` sums to 1 and is indexed by the labels (in matrix order). ``lambda_max`` is the
    principal eigenvalue (eigenvector method) or its usual estimate mean((A·w)ᵢ / wᵢ)
    (geometric method). ``consistency_index`` = (λmax − n)/(n − 1) and ``consistency_ratio`` =
    CI / RI(n); both are 0 for n ≤ 2, where every reciprocal matrix is consistent.
    """

    weights: pd.Series
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    matrix: pd.DataFrame
    approximation: str
    random_index: str

    @property
    def is_consistent(self) -> bool:
        """Saaty's rule of thumb: CR ≤ 0.10."""
        return self.consistency_ratio <= 0.10


def _check_matrix(matrix: object, labels: Sequence[Hashable] | None) -> pd.DataFrame:
    if isinstance(matrix, pd.DataFrame):
        if labels is None:
            labels = list(matrix.index)
        raw = matrix.to_numpy()
    else:
        raw = np.asarray(matrix, dtype=object)
    if raw.ndim != 2 or raw.shape[0] != raw.shape[1] or raw.shape[0] == 0:
        raise input_error("methods_ahp_not_square", value=tuple(raw.shape))
    n = raw.shape[0]
    if labels is None:
        labels = [f"x{i + 1}" for i in range(n)]
    labels = list(labels)
    if len(labels) != n:
        raise input_error("methods_ahp_labels", value=labels, given=len(labels), size=n)
    check_unique("labels", labels)
    values = np.empty((n, n), dtype=np.float64)
    for i in range(n):
        for j in range(n):
            cell = raw[i, j]
            if not is_number(cell) or not math.isfinite(float(cell)) or float(cell) <= 0:
                raise input_error(
                    "methods_ahp_non_positive", row=labels[i], column=labels[j], value=cell
                )
            values[i, j] = float(cell)
    for i in range(n):
        if not math.isclose(values[i, i], 1.0, rel_tol=1e-9):
            raise input_error("methods_ahp_diagonal", row=labels[i], value=raw[i, i])
    for i in range(n):
        for j in range(i + 1, n):
            if abs(values[i, j] * values[j, i] - 1.0) > RECIPROCAL_RTOL + 1e-12:
                raise input_error(
                    "methods_ahp_not_reciprocal",
                    row=labels[i],
                    column=labels[j],
                    value=raw[i, j],
                    mirror=raw[j, i],
                )
    return pd.DataFrame(values, index=pd.Index(labels), columns=pd.Index(labels))


def _principal_eigen(values: FloatArray) -> tuple[FloatArray, float]:
    eigenvalues, eigenvectors = np.linalg.eig(values)
    k = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, k].real)
    return vector / vector.sum(), float(eigenvalues[k].real)


def _geometric(values: FloatArray) -> tuple[FloatArray, float]:
    vector = np.exp(np.log(values).mean(axis=1))
    vector = vector / vector.sum()
    lambda_max = float(np.mean((values @ vector) / vector))
    return vector, lambda_max


def ahp(
    matrix: object,
    *,
    labels: Sequence[Hashable] | None = None,
    approximation: Approximation = "eigenvector",
    random_index: RandomIndexName = "saaty1980",
) -> AhpResult:
    """Weights and consistency ratio of a positive reciprocal pairwise comparison matrix.

    ``matrix[i][j] = v`` means item i is v times as important as item j (Saaty's 1–9 scale),
    so ``matrix[j][i]`` must be 1/v (1% tolerance, so 0.33 for 1/3 is accepted) and the
    diagonal is 1. ``labels`` name the rows (default: a DataFrame's index, else x1, x2, …).

    ``approximation="eigenvector"`` uses the principal right eigenvector (Saaty);
    ``"geometric"`` uses normalised row geometric means (Crawford & Williams), which equals
    the eigenvector for a consistent matrix. ``random_index`` picks the RI table used for the
    consistency ratio: ``"saaty1980"`` (n ≤ 10), ``"saaty2005"`` (n ≤ 15) or
    ``"donegan-dodd"`` (n ≤ 20). Rounding can make λmax a hair below n; CI is then 0.

    >>> r = ahp([[1, 3], [1 / 3, 1]], labels=["A", "B"])
    >>> r.weights.round(2).to_dict()
    {'A': 0.75, 'B': 0.25}
    """
    check_choice("approximation", approximation, ("eigenvector", "geometric"))
    check_choice("random_index", random_index, tuple(RANDOM_INDICES))
    frame = _check_matrix(matrix, labels)
    n = frame.shape[0]
    table = RANDOM_INDICES[random_index]
    if n not in table:
        raise input_error(
            "methods_ahp_too_large", random_index=random_index, value=n, maximum=max(table)
        )
    values = frame.to_numpy()
    if approximation == "eigenvector":
        vector, lambda_max = _principal_eigen(values)
    else:
        vector, lambda_max = _geometric(values)
    if n <= 2:
        ci = 0.0
        cr = 0.0
    else:
        ci = max(0.0, (lambda_max - n) / (n - 1))
        cr = ci / table[n]
    weights = pd.Series(vector, index=frame.index.copy(), name="weight")
    return AhpResult(
        weights=weights,
        lambda_max=lambda_max,
        consistency_index=ci,
        consistency_ratio=cr,
        matrix=frame,
        approximation=approximation,
        random_index=random_index,
    )


def ahp_from_pairs(
    pairs: Mapping[tuple[Hashable, Hashable], float],
    *,
    labels: Sequence[Hashable] | None = None,
    approximation: Approximation = "eigenvector",
    random_index: RandomIndexName = "saaty1980",
) -> AhpResult:
    """:func:`ahp` from judgements ``{("A", "B"): 3.0, …}``: A is 3 times as important as B.

    Every pair of items must be judged (in either direction; if both directions are given they
    must be reciprocal). Items are ``labels`` if given, else in order of first appearance.

    >>> ahp_from_pairs({("A", "B"): 3.0}).weights.round(2).to_dict()
    {'A': 0.75, 'B': 0.25}
    """
    if not isinstance(pairs, Mapping) or not pairs:
        raise input_error("methods_empty", argument="pairs", value=pairs, minimum=1)
    names: list[Hashable] = list(labels) if labels is not None else []
    for key in pairs:
        if not isinstance(key, tuple) or len(key) != 2:
            raise input_error("methods_ahp_pair_key", value=key)
        if labels is None:
            for name in key:
                if name not in names:
                    names.append(name)
    check_unique("labels", names)
    position = {name: i for i, name in enumerate(names)}
    n = len(names)
    raw = np.full((n, n), np.nan, dtype=object)
    for i in range(n):
        raw[i, i] = 1.0
    for (a, b), value in pairs.items():
        for name in (a, b):
            if name not in position:
                raise input_error(
                    "methods_ahp_pair_unknown",
                    value=name,
                    allowed=", ".join(repr(label) for label in names),
                )
        if a == b:
            raise input_error("methods_ahp_pair_self", value=a, given=value)
        i, j = position[a], position[b]
        if not is_number(value) or not math.isfinite(float(value)) or float(value) <= 0:
            raise input_error("methods_ahp_non_positive", row=a, column=b, value=value)
        raw[i, j] = value
        mirror = pairs.get((b, a))
        raw[j, i] = mirror if mirror is not None else 1.0 / float(value)
    for i in range(n):
        for j in range(i + 1, n):
            if isinstance(raw[i, j], float) and math.isnan(raw[i, j]):
                raise input_error("methods_ahp_pair_missing", value=names[i], other=names[j])
    return ahp(raw, labels=names, approximation=approximation, random_index=random_index)


def allocate_points(
    weights: AhpResult | Mapping[Hashable, float] | pd.Series, *, total: int = 100
) -> dict[Hashable, int]:
    """Whole points summing to exactly ``total``, in proportion to ``weights`` (largest remainder).

    This turns an AHP result (or any weights) into the same kind of answer as a 100-point
    allocation, so AHP and points submissions are counted alike. Each item first gets the
    whole part of ``weight × total``; the points still missing go one each to the items with
    the largest fractional parts (Hamilton's method); equal remainders go to the item listed
    first. Items keep their order; an item may get 0 points.

    ``weights`` is an :class:`AhpResult` or ``{item: weight}`` with weights ≥ 0 and at least
    one > 0 (they need not sum to 1).

    >>> allocate_points({"A": 4 / 7, "B": 2 / 7, "C": 1 / 7})
    {'A': 57, 'B': 29, 'C': 14}
    """
    size = check_positive_integer("total", total)
    if isinstance(weights, AhpResult):
        weights = weights.weights
    labels = list(weights.index) if isinstance(weights, pd.Series) else list(weights)
    if not labels:
        raise input_error("methods_empty", argument="weights", value=weights, minimum=1)
    shares = resolve_weights(weights, labels) * size
    whole = [math.floor(share) for share in shares]
    missing = size - sum(whole)
    # Largest fractional part first; ties keep the given order (sorted is stable).
    by_remainder = sorted(range(len(labels)), key=lambda i: -(shares[i] - whole[i]))
    for i in by_remainder[:missing]:
        whole[i] += 1
    return {label: int(points) for label, points in zip(labels, whole, strict=True)}


# ---------------------------------------------------------------------- one person's judgements
#: Saaty's consistency threshold: above it, the comparisons should be looked at again.
CR_THRESHOLD = 0.10


@dataclass(frozen=True)
class ScaleStep:
    """One step of Saaty's 1–9 scale for a pair (a, b), as a person is asked it.

    ``favoured`` is ``"first"`` (a is more important), ``"second"`` (b is) or ``None``
    (equal); ``strength`` is Saaty's 1–9; ``value`` is how many times more important a is
    than b, the number that goes into the comparison matrix.
    """

    favoured: Literal["first", "second"] | None
    strength: int
    value: float


def judgement_scale() -> list[ScaleStep]:
    """Saaty's scale for one pair, from "a far more important" (9) through "equal" (1) to
    "b far more important" (1/9): the 17 answers a comparison slider offers, in order.

    >>> [(s.favoured, s.strength, round(s.value, 3)) for s in judgement_scale()][6:11]
    [('first', 3, 3.0), ('first', 2, 2.0), (None, 1, 1.0), ('second', 2, 0.5), ('second', 3, 0.333)]
    >>> len(judgement_scale())
    17
    """
    first = [ScaleStep("first", n, float(n)) for n in range(9, 1, -1)]
    second = [ScaleStep("second", n, 1.0 / n) for n in range(2, 10)]
    return [*first, ScaleStep(None, 1, 1.0), *second]


def most_inconsistent(
    pairs: Mapping[tuple[str, str], float], weights: Mapping[str, float]
) -> tuple[str, str]:
    """The judgement the weights explain worst: largest |log(a_ij · w_j / w_i)| (Saaty's ε).

    With weights A 0.5, B 0.25, C 0.25, "A is 2× B" and "A is 2× C" fit exactly (error 0),
    while "B is 3× C" does not (error log 3), so that is the one to look at again:

    >>> most_inconsistent(
    ...     {("A", "B"): 2.0, ("A", "C"): 2.0, ("B", "C"): 3.0}, {"A": 0.5, "B": 0.25, "C": 0.25}
    ... )
    ('B', 'C')
    """

    def error(item: tuple[tuple[str, str], float]) -> float:
        (a, b), value = item
        return abs(math.log(value * weights[b] / weights[a]))

    return max(pairs.items(), key=error)[0]


@dataclass(frozen=True, eq=False)
class JudgementCheck:
    """One person's pairwise comparisons, checked before they submit them.

    ``result`` is the AHP result; ``weights`` its weights by label; ``consistent`` says
    whether the consistency ratio is within :data:`CR_THRESHOLD`; ``worst`` is the
    comparison to look at again when it is not (``None`` when it is); ``points`` are the
    whole points (summing to ``total``) the person would submit.
    """

    result: AhpResult
    weights: dict[str, float]
    consistency_ratio: float
    consistent: bool
    worst: tuple[str, str] | None
    points: dict[str, int]


def check_judgements(
    pairs: Mapping[tuple[str, str], float], labels: Sequence[str], *, total: int = 100
) -> JudgementCheck:
    """AHP weights, consistency and points of one person's comparisons among ``labels``.

    Consistent judgements (A 2× B, B 2× C, A 4× C) give weights 4/7, 2/7, 1/7, a ratio of 0
    and 57 + 29 + 14 points:

    >>> check = check_judgements({("A", "B"): 2.0, ("B", "C"): 2.0, ("A", "C"): 4.0}, "ABC")
    >>> check.consistent, round(check.consistency_ratio, 6), check.worst, check.points
    (True, 0.0, None, {'A': 57, 'B': 29, 'C': 14})
    """
    judged: dict[tuple[Hashable, Hashable], float] = dict(pairs.items())
    result = ahp_from_pairs(judged, labels=list(labels))
    weights = {str(k): float(v) for k, v in result.weights.items()}
    ratio = float(result.consistency_ratio)
    consistent = ratio <= CR_THRESHOLD
    return JudgementCheck(
        result=result,
        weights=weights,
        consistency_ratio=ratio,
        consistent=consistent,
        worst=None if consistent else most_inconsistent(pairs, weights),
        points={str(k): v for k, v in allocate_points(result, total=total).items()},
    )
