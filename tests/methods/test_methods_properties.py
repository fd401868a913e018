"""Property-based tests (Hypothesis) of the invariants a group relies on."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import methods

FAST = settings(max_examples=40, deadline=None)

SAATY_VALUES = [1 / 9, 1 / 7, 1 / 5, 1 / 3, 1 / 2, 1, 2, 3, 5, 7, 9]


@st.composite
def reciprocal_matrices(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(min_value=1, max_value=9))
    matrix = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            value = draw(st.sampled_from(SAATY_VALUES))
            matrix[i, j] = value
            matrix[j, i] = 1 / value
    return matrix


@FAST
@given(reciprocal_matrices(), st.sampled_from(["eigenvector", "geometric"]))
def test_ahp_weights_sum_to_one_and_are_positive(matrix: np.ndarray, approximation: str) -> None:
    result = methods.ahp(matrix, approximation=approximation)  # type: ignore[arg-type]
    assert abs(result.weights.sum() - 1) < 1e-9
    assert (result.weights > 0).all()
    assert result.consistency_ratio >= 0


@FAST
@given(
    st.lists(st.floats(min_value=0.01, max_value=100), min_size=1, max_size=10),
    st.sampled_from(["eigenvector", "geometric"]),
)
def test_consistent_matrix_has_cr_zero(weights: list[float], approximation: str) -> None:
    w = np.array(weights)
    result = methods.ahp(w[:, None] / w[None, :], approximation=approximation)  # type: ignore[arg-type]
    assert abs(result.consistency_ratio) < 1e-9
    np.testing.assert_allclose(result.weights.to_numpy(), w / w.sum(), rtol=1e-6)


OPTIONS = ["A", "B", "C", "D", "E"]
approval_ballots = st.lists(
    st.tuples(st.integers(1, 5), st.sets(st.sampled_from(OPTIONS))), min_size=1, max_size=12
)
ranked_ballots = st.lists(
    st.tuples(st.integers(1, 5), st.permutations(OPTIONS).flatmap(
        lambda p: st.integers(1, len(p)).map(lambda k: p[:k])
    )),
    min_size=1,
    max_size=12,
)  # fmt: skip


@FAST
@given(approval_ballots, st.sampled_from(OPTIONS), st.data())
def test_adding_an_approval_never_lowers_that_option(
    ballots: list[tuple[int, set[str]]], option: str, data: st.DataObject
) -> None:
    before = methods.approval(ballots, options=OPTIONS)
    i = data.draw(st.integers(0, len(ballots) - 1))
    count, chosen = ballots[i]
    changed = [*ballots[:i], (count, chosen | {option}), *ballots[i + 1 :]]
    after = methods.approval(changed, options=OPTIONS)
    assert after[option] >= before[option]
    rank_before = (before > before[option]).sum()
    rank_after = (after > after[option]).sum()
    assert rank_after <= rank_before


@FAST
@given(ranked_ballots, st.randoms(use_true_random=False))
def test_permuting_ballot_order_changes_nothing(ballots: list, rnd) -> None:  # type: ignore[no-untyped-def,type-arg]
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    pd.testing.assert_series_equal(methods.borda(ballots), methods.borda(shuffled))
    a, b = methods.schulze(ballots), methods.schulze(shuffled)
    assert a.ranking == b.ranking
    pd.testing.assert_frame_equal(a.strongest_paths, b.strongest_paths)
    approvals = [(count, set(ranking)) for count, ranking in ballots]
    pd.testing.assert_series_equal(methods.approval(approvals), methods.approval(approvals[::-1]))


@FAST
@given(ranked_ballots)
def test_schulze_ranks_are_consistent_with_strongest_paths(ballots: list) -> None:  # type: ignore[type-arg]
    result = methods.schulze(ballots)
    p = result.strongest_paths
    for x in p.index:
        for y in p.index:
            if p.loc[x, y] > p.loc[y, x]:
                assert result.ranks[x] < result.ranks[y]


tables = st.integers(2, 8).flatmap(
    lambda n: st.lists(
        st.lists(st.floats(min_value=0.5, max_value=100), min_size=3, max_size=3),
        min_size=n,
        max_size=n,
    )
)


@FAST
@given(
    tables,
    st.floats(min_value=0.01, max_value=1000),
    st.sampled_from(["minmax", "sum", "vector"]),
)
def test_scaling_all_scores_does_not_change_a_normalised_ranking(
    rows: list[list[float]], factor: float, normalization: str
) -> None:
    table = pd.DataFrame(rows, columns=["a", "b", "c"])
    weights = {"a": 0.5, "b": 0.3, "c": 0.2}
    directions = {"c": -1}
    base = methods.weighted_sum(table, weights, directions=directions, normalization=normalization)  # type: ignore[arg-type]
    scaled = methods.weighted_sum(
        table * factor,
        weights,
        directions=directions,
        normalization=normalization,  # type: ignore[arg-type]
    )
    pd.testing.assert_series_equal(base["rank"].sort_index(), scaled["rank"].sort_index())
    t_base = methods.topsis(table, weights, directions=directions)
    t_scaled = methods.topsis(table * factor, weights, directions=directions)
    pd.testing.assert_series_equal(t_base["rank"].sort_index(), t_scaled["rank"].sort_index())


@st.composite
def elections(draw: st.DrawFn) -> tuple[dict[str, int], dict[int, set[str]], int]:
    m = draw(st.integers(1, 6))
    names = [f"p{j}" for j in range(m)]
    costs = {name: draw(st.integers(1, 100)) for name in names}
    voters = draw(st.integers(1, 8))
    approvals = {v: draw(st.sets(st.sampled_from(names))) for v in range(voters)}
    budget = draw(st.integers(1, 300))
    return costs, approvals, budget


@settings(max_examples=30, deadline=None)
@given(elections(), st.sampled_from([None, "add1", "utilitarian", "add1_utilitarian"]))
def test_equal_shares_never_exceeds_the_budget(
    election: tuple[dict[str, int], dict[int, set[str]], int], completion: str | None
) -> None:
    costs, approvals, budget = election
    selected = methods.equal_shares(costs, approvals, budget, completion=completion)  # type: ignore[arg-type]
    assert sum(costs[p] for p in selected) <= budget
    assert len(set(selected)) == len(selected)
    greedy = methods.greedy_budget(costs, approvals, budget)
    assert sum(costs[p] for p in greedy) <= budget


@FAST
@given(
    st.integers(2, 6).flatmap(
        lambda n: st.lists(st.permutations(list(range(1, n + 1))), min_size=2, max_size=6)
    )
)
def test_kendall_w_is_between_zero_and_one(rankings: list[list[int]]) -> None:
    w = methods.kendall_w(np.array(rankings).T)
    assert -1e-12 <= w <= 1 + 1e-12


@settings(max_examples=15, deadline=None)
@given(tables, st.sampled_from([None, 10.0]), st.integers(0, 2**16))
def test_rank_acceptability_rows_are_distributions(
    rows: list[list[float]], concentration: float | None, seed: int
) -> None:
    table = pd.DataFrame(rows, columns=["a", "b", "c"])
    result = methods.rank_acceptability(
        table, {"a": 1, "b": 1, "c": 1}, samples=300, concentration=concentration, seed=seed
    )
    np.testing.assert_allclose(result.sum(axis=1).to_numpy(), 1.0)
    assert ((result >= 0) & (result <= 1)).all().all()
