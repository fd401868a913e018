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


# -- money is exact (toolkit.money): decimal costs and budgets ---------------------------------


def test_a_budget_that_is_not_a_whole_number_is_used_exactly() -> None:
    # Was a raw TypeError from pabutools (a float into gmpy2's mpq). One voter, share 7.5.
    assert methods.equal_shares({"a": 5}, {1: {"a"}}, 7.5) == ["a"]
    assert methods.equal_shares({"a": 7.5}, {1: {"a"}}, 7.5) == ["a"]
    assert methods.equal_shares({"a": 7.51}, {1: {"a"}}, 7.5) == []
    assert methods.greedy_budget({"a": 5}, {1: {"a"}}, 7.5) == ["a"]


def test_equal_shares_that_cover_a_decimal_cost_exactly_select_it() -> None:
    # Budget 11 over 5 voters: each share is 11/5 and the two supporters pay 4.4 exactly. The
    # float 4.4 is 4.4000000000000003552…, more than two shares of 11/5: x was refused.
    approvals: dict[int, set[str]] = {0: {"x"}, 1: {"x"}, 2: set(), 3: set(), 4: set()}
    assert methods.equal_shares({"x": 4.4}, approvals, 11) == ["x"]
    assert methods.equal_shares({"x": 4.4001}, approvals, 11) == []


def test_greedy_fits_decimal_costs_that_add_up_to_the_budget() -> None:
    # 0.1 + 0.2 == 0.3 in exact arithmetic (in floats the sum is 0.30000000000000004).
    assert methods.greedy_budget({"a": 0.1, "b": 0.2}, {1: {"a", "b"}}, 0.3) == ["a", "b"]
    assert methods.equal_shares(
        {"a": 0.1, "b": 0.2}, {1: {"a", "b"}}, 0.3, completion="utilitarian"
    ) == ["a", "b"]


def test_decimal_and_fraction_inputs_give_the_same_result_as_whole_yen() -> None:
    # The same election in yen and in 千円 (costs / 1000) selects the same projects.
    in_thousands = {p: Fraction(c, 1000) for p, c in COSTS.items()}
    assert methods.equal_shares(in_thousands, EXAMPLE_1, Fraction(11, 10)) == methods.equal_shares(
        COSTS, EXAMPLE_1, 1100
    )
    as_floats = {p: c / 1000 for p, c in COSTS.items()}
    assert methods.greedy_budget(as_floats, EXAMPLE_1, 1.1) == ["bike path", "outdoor gym"]


def test_budget_step_may_be_a_decimal_amount() -> None:
    # pabutools starts each voter at exactly B/n = 10/3 and raises by budget_step (0.5 here):
    # round 0 (10/3 each) cannot pay 5 from one supporter; 10/3 + 0.5 cannot; 10/3 + 1 and
    # 10/3 + 1.5 cannot; 10/3 + 2 = 16/3 can, and the outcome (5) is within the budget 10.
    votes: dict[int, set[str]] = {1: {"a"}, 2: set(), 3: set()}
    assert methods.equal_shares({"a": 5}, votes, 10) == []
    assert methods.equal_shares({"a": 5}, votes, 10, completion="add1", budget_step=0.5) == ["a"]
    clean = {v: set(p) for v, p in votes.items()}
    instance, profile, _ = build_pabutools_election({"a": 5}, clean, 10)
    expected = method_of_equal_shares(
        instance, profile, sat_class=Cost_Sat, voter_budget_increment=Fraction(1, 2)
    )
    assert [p.name for p in expected] == ["a"]


def test_add1_is_a_new_run_not_the_plain_outcome_plus_more() -> None:
    # Documented in equal_shares and docs/methods.md. Shares of 4: A (2) is selected, B (10)
    # is out of reach of its supporters (4 + 2 left). Raised to 5, B's two supporters pay
    # 5 + 5, B is selected first, A no longer fits its supporter's share; raised to 7 the
    # outcome (B, A, C = 19) overspends, so add1 returns the round at 5 or 6: B.
    costs = {"A": 2, "B": 10, "C": 7}
    votes = {1: {"A", "B"}, 2: {"C"}, 3: {"B"}}
    assert methods.equal_shares(costs, votes, 12) == ["A"]
    assert methods.equal_shares(costs, votes, 12, completion="add1") == ["B"]


def test_add1_returns_the_plain_outcome_when_it_is_already_exhaustive() -> None:
    # Example 1 spends 1000 of 1100 and nothing approved costs 100 or less besides what it
    # took, so round 0 is the answer.
    plain = methods.equal_shares(COSTS, EXAMPLE_1, 1100)
    assert methods.equal_shares(COSTS, EXAMPLE_1, 1100, completion="add1") == plain


@pytest.mark.parametrize(
    ("costs", "budget", "step", "message"),
    [
        ({"A": float("nan")}, 10, 1,
         "costs['A']=nan is not allowed; a cost must be a finite number greater than 0."),
        ({"A": float("inf")}, 10, 1,
         "costs['A']=inf is not allowed; a cost must be a finite number greater than 0."),
        ({"A": -0.5}, 10, 1,
         "costs['A']=-0.5 is not allowed; a cost must be a finite number greater than 0."),
        ({"A": 1e20}, 10, 1,
         "costs['A']=1e+20 is not allowed; an amount of money may be at most "
         "1,000,000,000,000,000 yen: check the digits"),
        ({"A": 0.12345}, 10, 1,
         "costs['A']=0.12345 is not allowed; an amount of money may have at most 4 decimals: "
         "round it."),
        ({"A": True}, 10, 1,
         "costs['A']=True is not allowed; a cost must be a finite number greater than 0."),
        ({"A": "5"}, 10, 1,
         "costs['A']='5' is not allowed; a cost must be a finite number greater than 0."),
        ({"A": 5}, float("nan"), 1,
         "budget=nan is not allowed; give a number greater than 0: a finite amount of money"),
        ({"A": 5}, float("inf"), 1,
         "budget=inf is not allowed; give a number greater than 0: a finite amount of money"),
        ({"A": 5}, -100, 1, "budget=-100 is not allowed; give a number greater than 0"),
        ({"A": 5}, 1e99, 1,
         "budget=1e+99 is not allowed; an amount of money may be at most 1,000,000,000,000,000"),
        ({"A": 5}, 10**16, 1,
         "budget=10000000000000000 is not allowed; an amount of money may be at most"),
        ({"A": 5}, 10.00001, 1,
         "budget=10.00001 is not allowed; an amount of money may have at most 4 decimals"),
        ({"A": 5}, False, 1, "budget=False is not allowed; give a number greater than 0"),
        ({"A": 5}, "10", 1, "budget='10' is not allowed; give a number greater than 0"),
        ({"A": 5}, 10, float("nan"), "budget_step=nan is not allowed; give a number greater"),
        ({"A": 5}, 10, -1, "budget_step=-1 is not allowed; give a number greater than 0"),
        ({"A": 5}, 10, 1e-9,
         "budget_step=1e-09 is not allowed; an amount of money may have at most 4 decimals"),
        ({"A": 5}, 10, 1e16,
         "budget_step=1e+16 is not allowed; an amount of money may be at most"),
    ],
    ids=["nan-cost", "inf-cost", "negative-cost", "huge-cost", "too-precise-cost", "bool-cost",
         "str-cost", "nan-budget", "inf-budget", "negative-budget", "huge-budget",
         "huge-int-budget", "too-precise-budget", "bool-budget", "str-budget", "nan-step",
         "negative-step", "too-precise-step", "huge-step"],
)  # fmt: skip
def test_amounts_that_are_not_money_are_refused(
    costs: dict[str, object], budget: object, step: object, message: str
) -> None:
    with pytest.raises(MethodInputError, match=re.escape(message)):
        methods.equal_shares(costs, {1: {"A"}}, budget, completion="add1", budget_step=step)  # type: ignore[arg-type]
    if step == 1:
        with pytest.raises(MethodInputError, match=re.escape(message)):
            methods.greedy_budget(costs, {1: {"A"}}, budget)  # type: ignore[arg-type]


def test_amount_errors_read_in_japanese() -> None:
    with pytest.raises(MethodInputError) as caught:
        methods.equal_shares({"A": 1e20}, {1: {"A"}}, 10)
    assert caught.value.message("ja") == (
        "costs['A']=1e+20 は使えません。金額の上限は 1,000,000,000,000,000 円です。"
        "桁を確かめてください（すべての金額を千円単位にする方法もあります）。"
    )
    with pytest.raises(MethodInputError) as caught:
        methods.greedy_budget({"A": 5}, {1: {"A"}}, float("inf"))
    assert caught.value.message("ja") == (
        "budget=inf は使えません。0 より大きい数値（有限の金額。例: 1200000）を指定してください。"
    )


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


def _reference_add1(
    costs: dict[str, int], approvals: dict[int, set[str]], budget: int
) -> list[str]:
    """equalshares.net's reference add1 loop (equalshares.net/implementation/computation),
    transcribed: the plain method at B/n first, then whole shares floor(B/n) + 1, + 2 …
    while the outcome is not exhaustive and the raised outcome stays within the budget."""
    n = len(approvals)
    outcome = _reference_equal_shares(costs, approvals, budget)
    share = budget // n
    while True:
        spent = sum(costs[p] for p in outcome)
        if all(p in outcome or spent + costs[p] > budget for p in costs):
            return outcome
        share += 1
        raised = _reference_equal_shares(costs, approvals, share * n)
        if sum(costs[p] for p in raised) > budget:
            return outcome
        outcome = raised


def test_add1_raises_from_budget_over_n_not_from_its_floor() -> None:
    # Documented in equal_shares and docs/methods.md. B/n = 5/2. pabutools (and we) try the
    # shares 2.5, 3.5, 4.5: at 4.5 both supporters pay B (9), which overspends the budget of
    # 5, so the last outcome within it (nothing) is returned. equalshares.net's reference
    # code tries 2.5, then 3, 4: at 4 voter 2 pays A (4) and the outcome is exhaustive.
    costs = {"A": 4, "B": 9}
    votes = {1: {"B"}, 2: {"A", "B"}}
    assert methods.equal_shares(costs, votes, 5, completion="add1") == []
    assert _reference_add1(costs, votes, 5) == ["A"]


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda m: st.tuples(
            st.lists(st.integers(1, 30), min_size=m, max_size=m),
            st.lists(st.sets(st.integers(0, m - 1)), min_size=1, max_size=6),
            st.integers(1, 40),
        )
    )
)
def test_add1_matches_equalshares_net_when_budget_over_n_is_whole(
    election: tuple[list[int], list[set[int]], int],
) -> None:
    # The two ways of raising the shares agree when B/n is a whole number (and every project
    # has a supporter: pabutools asks about approved projects only when it checks whether an
    # outcome is exhaustive, the reference code about every project).
    cost_list, ballots, per_voter = election
    costs = {f"p{j}": c for j, c in enumerate(cost_list)}
    approvals = {v: {f"p{j}" for j in ballot} for v, ballot in enumerate(ballots)}
    costs = {p: c for p, c in costs.items() if any(p in a for a in approvals.values())}
    if not costs:
        return
    budget = per_voter * len(approvals)
    assert methods.equal_shares(costs, approvals, budget, completion="add1") == _reference_add1(
        costs, approvals, budget
    )
