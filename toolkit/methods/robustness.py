"""How robust is a ranking to the weights? SMAA-2 rank acceptability indices.

Lahdelma & Salminen (2001), "SMAA-2: Stochastic multicriteria acceptability analysis for group
decision making", Operations Research 49(3): 444–454. The rank acceptability index b(i, r) is
the share of the weight space in which item i gets rank r; we estimate it by Monte Carlo.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
import pandas as pd

from toolkit.methods._common import (
    TIE_RTOL,
    FloatArray,
    IntArray,
    as_table,
    check_positive_integer,
    check_positive_number,
    is_whole,
    resolve_directions,
    resolve_weights,
)
from toolkit.methods._errors import input_error
from toolkit.methods.scoring import Normalization, normalize

#: Samples scored at once: keeps the (chunk × items) score matrix a few MB whatever ``samples``.
CHUNK = 2_000


def sample_weights(
    weights: FloatArray, samples: int, concentration: float | None, rng: np.random.Generator
) -> FloatArray:
    """``samples`` × criteria weight vectors on the simplex.

    ``concentration=None``: uniform on the simplex (every weighting equally likely; SMAA with
    no weight information). Otherwise Dirichlet(concentration × agreed weights): centred on
    the agreed weights, tighter as the concentration grows. A criterion whose agreed weight is
    0 stays at 0.
    """
    k = weights.shape[0]
    if concentration is None:
        return rng.dirichlet(np.ones(k), size=samples)
    active = weights > 0
    out = np.zeros((samples, k))
    out[:, active] = rng.dirichlet(concentration * weights[active], size=samples)
    return out


def competition_ranks(scores: FloatArray, rtol: float = TIE_RTOL) -> IntArray:
    """Row-wise ranks of a samples × items score matrix; 1 = best, ties share the best rank."""
    rows, n = scores.shape
    order = np.argsort(-scores, axis=1, kind="stable")
    ordered = np.take_along_axis(scores, order, axis=1)
    tol = rtol * np.maximum(np.abs(scores).max(axis=1, keepdims=True), np.finfo(float).tiny)
    new_group = np.ones((rows, n), dtype=bool)
    new_group[:, 1:] = (ordered[:, :-1] - ordered[:, 1:]) > tol
    # Chained ties (a≈b≈c but a−c > tol) join one group; with rtol 1e-9 this is moot in practice.
    start = np.where(new_group, np.arange(n), 0)
    rank_sorted = np.maximum.accumulate(start, axis=1) + 1
    ranks = np.empty_like(rank_sorted)
    np.put_along_axis(ranks, order, rank_sorted, axis=1)
    return ranks


def rank_acceptability(
    table: pd.DataFrame,
    weights: Mapping[Hashable, float] | pd.Series,
    *,
    samples: int = 10_000,
    concentration: float | None = None,
    seed: int = 0,
    directions: Mapping[Hashable, int] | None = None,
    normalization: Normalization = "minmax",
) -> pd.DataFrame:
    """SMAA-2 rank acceptability: the share of sampled weightings giving each item each rank.

    ``table`` is items × criteria (e.g. from :func:`aggregate_scores`), normalised as in
    :func:`weighted_sum` (default ``"minmax"``) with ``directions``. ``samples`` weight
    vectors are drawn with ``seed`` (same seed, same result): uniformly on the simplex when
    ``concentration`` is None, else Dirichlet(concentration × agreed weights) around the agreed
    ``weights`` (e.g. 50: close to them; 5: loosely). Each sample ranks the items by weighted
    sum; tied items (within 1e-9 relative) share the best rank, so a row can put weight on rank
    1 for two items.

    Returns a DataFrame items × ranks (columns 1 … n) whose rows sum to 1, in table order.
    """
    frame = as_table(table)
    criteria = list(frame.columns)
    agreed = resolve_weights(weights, criteria)
    d = resolve_directions(directions, criteria)
    count = check_positive_integer("samples", samples)
    conc = None if concentration is None else check_positive_number("concentration", concentration)
    if not is_whole(seed):
        raise input_error("methods_positive_integer", argument="seed", value=seed, minimum=0)
    values = normalize(
        frame.to_numpy(), d, normalization, index=list(frame.index), columns=criteria
    )
    n = values.shape[0]
    rng = np.random.default_rng(int(seed))
    tally = np.zeros(n * n, dtype=np.int64)
    item_index = np.arange(n)
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        w = sample_weights(agreed, size, conc, rng)
        ranks = competition_ranks(w @ values.T)
        tally += np.bincount((item_index * n + ranks - 1).ravel(), minlength=n * n)
        done += size
    shares = tally.reshape(n, n) / count
    return pd.DataFrame(shares, index=frame.index.copy(), columns=pd.Index(range(1, n + 1)))
