"""Participatory budgeting: Method of Equal Shares (via pabutools) and greedy selection."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pabutools.election import Cost_Sat
from pabutools.rules import method_of_equal_shares

from toolkit import methods
from toolkit.methods import MethodInputError
from toolkit.methods.budgeting import build_pabutools_election

# equalshares.net, "Explanation of the Method of Equal Shares", Example 1 and Example 2
# (https://equalshares.net/explanation#example): budget 1100, 11 voters, five projects.
COSTS = {"bike path": 700, "outdoor gym": 400, "new park": 250, "new playground": 200,
         "library for kids": 100}  # fmt: skip
EXAMPLE_1 = {
    1: {"bike path", "outdoor gym"},
    2: {"bike path", "outdoor gym", "new park"},
    3: {"bike path", "outdoor gym"},
    4: {"bike path", "outdoor gym", "new park"},
    5: {"bike path", "outdoor gym", "new park"},
    6: {"bike path", "outdoor gym"},
    7: {"new park", "new playground", "library for kids"},
    8: {"new playground"},
    9: {"new playground", "library for kids"},
    10: {"new park", "new playground", "library for kids"},
    11: {"bike path"},
}
# Example 2: the right-most voter votes for the outdoor gym instead of the bike path.
EXAMPLE_2 = {**EXAMPLE_1, 11: {"outdoor gym"}}


def test_equalshares_net_example_1() -> None:
    assert methods.equal_shares(COSTS, EXAMPLE_1, 1100) == [
        "bike path", "new playground", "library for kids",
    ]  # fmt: skip


def test_equalshares_net_example_2() -> None:
    assert methods.equal_shares(COSTS, EXAMPLE_2, 1100) == [
        "outdoor gym", "new park", "new playground",
    ]  # fmt: skip


def test_equalshares_net_greedy_comparison() -> None:
    # The same page: the usual method selects the bike path (7 votes), then the outdoor gym
    # (6 votes), and then the budget is exhausted.
    assert methods.greedy_budget(COSTS, EXAMPLE_1, 1100) == ["bike path", "outdoor gym"]


def test_greedy_skips_a_project_that_no_longer_fits_and_continues() -> None:
    costs = {"big": 800, "mid": 500, "small": 150}
    votes = {1: {"big", "mid", "small"}, 2: {"big", "mid"}, 3: {"big"}}
    assert methods.greedy_budget(costs, votes, 1000) == ["big", "small"]


def test_greedy_tie_break_is_lower_cost_then_name() -> None:
    costs = {"b": 300, "a": 300, "c": 200, "z": 100}
    votes = {1: {"a", "b", "c"}, 2: {"a", "b", "c"}}
    assert methods.greedy_budget(costs, votes, 10_000) == ["c", "a", "b"]


def test_equal_shares_tie_break_prefers_lower_cost_then_name() -> None:
    # equalshares.net, "How to break ties?": among projects with the same effective vote count
    # the lower cost wins; then the higher initial vote count; we then use the name (the page
    # says to draw lots). Two disjoint groups of 4 with a share of 100 each: both projects
    # have effective vote count 4.
    costs = {"X": 300, "Y": 200}
    votes = {v: {"X"} for v in range(4)} | {v: {"Y"} for v in range(4, 8)}
    assert methods.equal_shares(costs, votes, 800) == ["Y", "X"]
    same = {"X": 200, "Y": 200}
    assert methods.equal_shares(same, votes, 800) == ["X", "Y"]


def test_completions() -> None:
    # Example 2 leaves 150 unspent (1100 − 850); the library (100) still fits.
    for completion in ("add1", "utilitarian", "add1_utilitarian"):
        selected = methods.equal_shares(COSTS, EXAMPLE_2, 1100, completion=completion)  # type: ignore[arg-type]
        assert selected[:3] == ["outdoor gym", "new park", "new playground"], completion
        assert "library for kids" in selected
        assert sum(COSTS[p] for p in selected) <= 1100


def test_add1_matches_pabutools_budget_increment() -> None:
    clean = {v: set(p) for v, p in EXAMPLE_2.items()}
    instance, profile, _ = build_pabutools_election(COSTS, clean, 1100)
    expected = method_of_equal_shares(
        instance, profile, sat_class=Cost_Sat, voter_budget_increment=1
    )
    assert methods.equal_shares(COSTS, EXAMPLE_2, 1100, completion="add1") == [
        p.name for p in expected
    ]


def test_voters_who_approve_nothing_still_get_a_share() -> None:
    # With 2 voters the single supporter's share (50) cannot pay 60; with 1 voter it can.
    assert methods.equal_shares({"A": 60}, {1: {"A"}, 2: set()}, 100) == []
    assert methods.equal_shares({"A": 60}, {1: {"A"}}, 100) == ["A"]


@pytest.mark.parametrize(
    ("costs", "approvals", "budget", "message"),
    [
        ({"A": -5}, {1: {"A"}}, 10, "costs['A']=-5 is not allowed; a cost must be a finite number"),
        ({"A": 0}, {1: {"A"}}, 10, "costs['A']=0 is not allowed"),
        ({}, {1: {"A"}}, 10, "costs is empty"),
        ({"A": 5}, {1: {"A", "B"}}, 10,
         "approvals[1] names 'B', which is not in costs; allowed: 'A'"),
        ({"A": 5}, {}, 10, "approvals={} holds no voters"),
        ({"A": 5}, {1: {"A"}}, 0, "budget=0 is not allowed; give a number greater than 0"),
        ({"A": 5}, {1: "A"}, 10, "approvals[1] names 'A'"),
    ],
    ids=["negative-cost", "zero-cost", "no-projects", "unknown-project", "no-voters",
         "zero-budget", "string-approvals"],
)  # fmt: skip
def test_bad_budget_input(
    costs: dict[str, float], approvals: dict[int, object], budget: float, message: str
) -> None:
    with pytest.raises(MethodInputError, match=re.escape(message)):
        methods.equal_shares(costs, approvals, budget)  # type: ignore[arg-type]
    with pytest.raises(MethodInputError, match=re.escape(message)):
        methods.greedy_budget(costs, approvals, budget)  # type: ignore[arg-type]


def test_unknown_completion() -> None:
    with pytest.raises(MethodInputError, match="completion='add2' is not supported"):
        methods.equal_shares(COSTS, EXAMPLE_1, 1100, completion="add2")  # type: ignore[arg-type]
    with pytest.raises(MethodInputError, match="budget_step=0 is not allowed"):
        methods.equal_shares(COSTS, EXAMPLE_1, 1100, completion="add1", budget_step=0)


def _reference_equal_shares(
    costs: dict[str, int], approvals: dict[int, set[str]], budget: int
) -> list[str]:
    """A direct, exact transcription of equalshares.net's explanation (cost utilities).

    Each voter starts with budget/n. For every affordable project find the smallest ρ such that
    supporters paying min(share, ρ·cost) cover the cost; select the project with the smallest
    ρ (the highest effective vote count 1/ρ); ties: lower cost, more approvals, then name.
    """
    shares = {v: Fraction(budget, len(approvals)) for v in approvals}
    counts = {p: sum(p in a for a in approvals.values()) for p in costs}
    remaining = set(costs)
    selected: list[str] = []
    while True:
        best: tuple[Fraction, int, int, str] | None = None
        for project in remaining:
            cost = costs[project]
            supporters = sorted((v for v in approvals if project in approvals[v]), key=shares.get)
            if not supporters or sum(shares[v] for v in supporters) < cost:
                continue
            paid, left = Fraction(0), len(supporters)
            for v in supporters:
                rho = (cost - paid) / (left * cost)
                if shares[v] >= rho * cost:
                    break
                paid += shares[v]
                left -= 1
            key = (rho, cost, -counts[project], project)
            if best is None or key < best:
                best = key
        if best is None:
            return selected
        rho, cost, _, project = best
        for v in approvals:
            if project in approvals[v]:
                shares[v] -= min(shares[v], rho * cost)
        remaining.discard(project)
        selected.append(project)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda m: st.tuples(
            st.lists(st.integers(1, 60), min_size=m, max_size=m),
            st.lists(st.sets(st.integers(0, m - 1)), min_size=1, max_size=9),
            st.integers(1, 200),
        )
    )
)
def test_equal_shares_matches_a_direct_transcription_of_the_rule(
    election: tuple[list[int], list[set[int]], int],
) -> None:
    cost_list, ballots, budget = election
    costs = {f"p{j}": c for j, c in enumerate(cost_list)}
    approvals = {v: {f"p{j}" for j in ballot} for v, ballot in enumerate(ballots)}
    assert methods.equal_shares(costs, approvals, budget) == _reference_equal_shares(
        costs, approvals, budget
    )
