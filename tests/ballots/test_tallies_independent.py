"""``toolkit.ballots.tally`` against references that share no code with it.

- Ranked ballots (Borda, Schulze) against ``pref_voting``: a ``ProfileWithTies`` in which a
  voter's unranked options are tied below everything they ranked. pref_voting's supports
  count only options *both* ranked unless ``use_extended_strict_preference()`` is called, so
  :func:`_profile` calls it (``domination_borda_scores`` uses the extended preference
  anyway).
- Budget rules and the counting rules against ``tests/ballots/reference.py``: the
  definitions written out with exact fractions.

Known answers first (the cases of the bug report, worked by hand), then properties over
random elections (Hypothesis).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pref_voting.margin_based_methods import beat_path, beat_path_defeat
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import domination_borda_scores

from tests.ballots.reference import (
    COUNTING_RULES,
    budget_order,
    direct_counts,
    exact,
    greedy,
    mes_cost_utilities,
    ranked_order,
)
from toolkit.ballots import tally

BUDGET_RULES = ("equal_shares", "greedy_budget")
RANKED_RULES = ("borda", "schulze")
ALL_RULES = (*COUNTING_RULES, *RANKED_RULES, *BUDGET_RULES)
NAMES = tuple(f"o{i}" for i in range(1, 7))

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------- pref_voting


def _profile(options: tuple[str, ...], rankings: list[list[str]]) -> ProfileWithTies:
    """The ballots as pref_voting sees them: rank 1 best; options a voter left out are
    unranked, and with the extended strict preference an unranked option is below every
    ranked one and tied with the other unranked ones."""
    profile = ProfileWithTies(
        [{option: rank for rank, option in enumerate(ranking, start=1)} for ranking in rankings],
        candidates=list(options),
    )
    profile.use_extended_strict_preference()
    return profile


def _schulze_points(options: tuple[str, ...], rankings: list[list[str]]) -> dict[str, float]:
    """(n − 1) − the number of options that beat each one, by pref_voting's Beat Path
    defeat relation with winning votes (the support of X over Y) as link strength."""
    profile = _profile(options, rankings)
    defeats = beat_path_defeat(profile, strength_function=profile.support)
    return {o: float(len(options) - 1 - defeats.in_degree(o)) for o in options}


def test_pref_voting_counts_unranked_below_ranked_only_when_told() -> None:
    """The convention this file relies on (pref_voting 1.18): without the extended strict
    preference a truncated ballot says nothing about its unranked options."""
    plain = ProfileWithTies([{"B": 1}], candidates=["A", "B"])
    assert plain.support("B", "A") == 0
    assert beat_path(plain, strength_function=plain.support) == ["A", "B"]
    extended = _profile(("A", "B"), [["B"]])
    assert (extended.support("B", "A"), extended.support("A", "B")) == (1, 0)
    assert beat_path(extended, strength_function=extended.support) == ["B"]
    assert domination_borda_scores(extended) == {"A": 0, "B": 1}


# --------------------------------------------------------------------------- known answers

CYCLE = [["C", "B", "A"], ["B", "A", "C"], ["A", "C", "B"]]
# Winning votes and margins disagree here: links B→A 3:2, A→C 3:2, C→B 2:1 (margins all
# 1, a three-way tie); with winning votes B beats A (3 > 2) and C (path B→A→C, 3 > 2) and A
# beats C (3 > path C→B→A, 2).
WINNING_VOTES = [["C", "B"], ["C", "B"], ["A"], ["A"], ["B", "A", "C"]]

RANKED_KNOWN = [
    ("borda-truncated-two-options", "borda", ("A", "B"), [["B"]], {"B": 1, "A": 0}, ["B", "A"]),
    (
        "borda-truncated-unranked-option-present",
        "borda",
        ("C", "B", "A"),
        [["C"], ["C"], ["A", "C"], ["A", "C"], ["A", "C"]],
        {"C": 7, "A": 6, "B": 0},
        ["C", "A", "B"],
    ),
    (
        "schulze-truncated-two-options",
        "schulze",
        ("A", "B"),
        [["B"]],
        {"B": 1, "A": 0},
        ["B", "A"],
    ),
    (
        "schulze-cycle-ties-keep-ballot-order",
        "schulze",
        ("C", "B", "A"),
        CYCLE,
        {"C": 2, "B": 2, "A": 2},
        ["C", "B", "A"],
    ),
    (
        "schulze-winning-votes-not-margins",
        "schulze",
        ("A", "B", "C"),
        WINNING_VOTES,
        {"B": 2, "A": 1, "C": 0},
        ["B", "A", "C"],
    ),
]


@pytest.mark.parametrize(
    ("rule", "options", "payloads", "points", "order"),
    [case[1:] for case in RANKED_KNOWN],
    ids=[case[0] for case in RANKED_KNOWN],
)
def test_ranked_known_answers(
    rule: str,
    options: tuple[str, ...],
    payloads: list[list[str]],
    points: dict[str, int],
    order: list[str],
) -> None:
    result = tally(rule, options, {}, [list(p) for p in payloads])
    assert result["points"] == {o: float(points[o]) for o in options}
    assert result["order"] == order


@pytest.mark.parametrize(
    ("rule", "options", "payloads", "points"),
    [case[1:5] for case in RANKED_KNOWN],
    ids=[case[0] for case in RANKED_KNOWN],
)
def test_ranked_known_answers_agree_with_pref_voting(
    rule: str,
    options: tuple[str, ...],
    payloads: list[list[str]],
    points: dict[str, int],
) -> None:
    """The hand-worked answers above are also what the reference computes."""
    if rule == "borda":
        assert domination_borda_scores(_profile(options, payloads)) == points
    else:
        assert _schulze_points(options, payloads) == {o: float(p) for o, p in points.items()}


CLASSIC_COSTS = {"bike": 700, "gym": 400, "park": 250, "playground": 200, "library": 100}
CLASSIC_OPTIONS = ("park", "bike", "library", "gym", "playground")
CLASSIC_VOTES = [
    ["bike", "gym"],
    ["bike", "gym", "park"],
    ["bike", "gym"],
    ["bike", "gym", "park"],
    ["bike", "gym", "park"],
    ["bike", "gym"],
    ["park", "playground", "library"],
    ["playground"],
    ["playground", "library"],
    ["park", "playground", "library"],
    ["bike"],
]
CLASSIC_POINTS = {"bike": 7, "gym": 6, "park": 5, "playground": 4, "library": 3}

BUDGET_KNOWN = [
    (
        "equal-shares-decimal-cost-exactly-affordable",
        "equal_shares",
        ("x",),
        {"budget": 11, "costs": {"x": 4.4}},
        [["x"], ["x"], [], [], []],
        ["x"],
        ["x"],
        {"x": 2},
    ),
    (
        "greedy-decimals-0.1+0.2-fit-0.3",
        "greedy_budget",
        ("b", "a"),
        {"budget": 0.3, "costs": {"a": 0.1, "b": 0.2}},
        [["a", "b"]],
        ["a", "b"],
        ["a", "b"],
        {"a": 1, "b": 1},
    ),
    (
        # 2.5 each; a and b both cost their supporters ρ = 1/2; the lower cost (a) wins the
        # tie, after which b's supporters have 1.25 + 2.5 < 5.
        "equal-shares-decimal-budget-7.5",
        "equal_shares",
        ("b", "a"),
        {"budget": 7.5, "costs": {"a": 2.5, "b": 5}},
        [["a", "b"], ["b"], ["a"]],
        ["a"],
        ["a", "b"],
        {"a": 2, "b": 2},
    ),
    (
        "equal-shares-equalshares.net-classic",
        "equal_shares",
        CLASSIC_OPTIONS,
        {"budget": 1100, "costs": CLASSIC_COSTS},
        CLASSIC_VOTES,
        ["bike", "playground", "library"],
        ["bike", "playground", "library", "gym", "park"],
        CLASSIC_POINTS,
    ),
    (
        "greedy-equalshares.net-classic",
        "greedy_budget",
        CLASSIC_OPTIONS,
        {"budget": 1100, "costs": CLASSIC_COSTS},
        CLASSIC_VOTES,
        ["bike", "gym"],
        ["bike", "gym", "park", "playground", "library"],
        CLASSIC_POINTS,
    ),
]


@pytest.mark.parametrize(
    ("rule", "options", "ballot_settings", "payloads", "selected", "order", "points"),
    [case[1:] for case in BUDGET_KNOWN],
    ids=[case[0] for case in BUDGET_KNOWN],
)
def test_budget_known_answers(
    rule: str,
    options: tuple[str, ...],
    ballot_settings: dict[str, Any],
    payloads: list[list[str]],
    selected: list[str],
    order: list[str],
    points: dict[str, int],
) -> None:
    result = tally(rule, options, ballot_settings, [list(p) for p in payloads])
    assert result["selected"] == selected
    assert result["order"] == order
    assert result["points"] == {o: float(points[o]) for o in options}
    chooser = mes_cost_utilities if rule == "equal_shares" else greedy
    assert chooser(ballot_settings["costs"], payloads, ballot_settings["budget"]) == selected


COUNTING_KNOWN = [
    ("single-ties-keep-ballot-order", "single", ("b", "a"), {}, ["a", "b"], {"b": 1, "a": 1},
     ["b", "a"]),
    ("approval-ties-keep-ballot-order", "approval", ("z", "a", "m"), {}, [["m", "a"], ["z"]],
     {"z": 1, "a": 1, "m": 1}, ["z", "a", "m"]),
    ("dot-votes-sum", "dot_votes", ("A", "B", "C"), {"dots": 5, "max_per_option": 3},
     [{"A": 3, "B": 2}, {"C": 3}, {"B": 1}], {"A": 3, "B": 3, "C": 3}, ["A", "B", "C"]),
    ("points-sum", "points", ("A", "B"), {"total": 100}, [{"A": 60, "B": 40}, {"B": 100}],
     {"A": 60, "B": 140}, ["B", "A"]),
    ("score-sum", "score", ("A", "B", "C"), {"min": 0, "max": 5},
     [{"A": 4, "B": 2, "C": 0}, {"A": 1, "B": 5}], {"A": 5, "B": 7, "C": 0}, ["B", "A", "C"]),
    # Votes, not credits: by credits (squares) it would be A 9, B 8, C 1.
    ("quadratic-sums-votes-not-credits", "quadratic", ("A", "B", "C"), {"credits": 16},
     [{"A": 3, "B": 2}, {"B": 2, "C": 1}], {"A": 3, "B": 4, "C": 1}, ["B", "A", "C"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "options", "ballot_settings", "payloads", "points", "order"),
    [case[1:] for case in COUNTING_KNOWN],
    ids=[case[0] for case in COUNTING_KNOWN],
)
def test_counting_known_answers(
    rule: str,
    options: tuple[str, ...],
    ballot_settings: dict[str, Any],
    payloads: list[Any],
    points: dict[str, int],
    order: list[str],
) -> None:
    result = tally(rule, options, ballot_settings, payloads)
    assert result["points"] == {o: float(points[o]) for o in options}
    assert result["order"] == order
    assert direct_counts(rule, options, payloads) == points


# --------------------------------------------------------------------------- strategies


@st.composite
def option_lists(draw: st.DrawFn) -> tuple[str, ...]:
    """2–6 of o1..o6 in a random order (the ballot's order is rarely alphabetical)."""
    size = draw(st.integers(2, 6))
    return tuple(draw(st.permutations(NAMES))[:size])


def rankings_of(options: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    """One voter's ranking, best first, possibly truncated (never empty)."""
    return st.permutations(options).flatmap(
        lambda order: st.integers(1, len(order)).map(lambda k: list(order[:k]))
    )


@st.composite
def random_profiles(draw: st.DrawFn) -> tuple[tuple[str, ...], list[list[str]]]:
    options = draw(option_lists())
    return options, draw(st.lists(rankings_of(options), min_size=1, max_size=12))


@st.composite
def one_voter_profiles(draw: st.DrawFn) -> tuple[tuple[str, ...], list[list[str]]]:
    options = draw(option_lists())
    return options, [draw(rankings_of(options))]


@st.composite
def all_equal_profiles(draw: st.DrawFn) -> tuple[tuple[str, ...], list[list[str]]]:
    options = draw(option_lists())
    ranking = draw(rankings_of(options))
    return options, [list(ranking) for _ in range(draw(st.integers(1, 12)))]


@st.composite
def cyclic_profiles(draw: st.DrawFn) -> tuple[tuple[str, ...], list[list[str]]]:
    """Condorcet cycles: every rotation of one order (a Latin square), each by 1–3 voters,
    all cut to the same length, plus up to two stray ballots to break the symmetry."""
    options = draw(option_lists())
    base = draw(st.permutations(options))
    keep = draw(st.integers(2, len(options)))
    rankings: list[list[str]] = []
    for shift in range(len(base)):
        rotated = [*base[shift:], *base[:shift]][:keep]
        rankings += [list(rotated) for _ in range(draw(st.integers(1, 3)))]
    rankings += draw(st.lists(rankings_of(options), max_size=2))
    return options, rankings


RANKED_PROFILES = {
    "random": random_profiles(),
    "one-voter": one_voter_profiles(),
    "all-equal": all_equal_profiles(),
    "cycle": cyclic_profiles(),
}


def _split(draw: st.DrawFn, total: int, options: list[str]) -> dict[str, int]:
    """``total`` spread over ``options`` in whole numbers, zeros dropped."""
    shares: dict[str, int] = {}
    left = total
    for option in options[:-1]:
        shares[option] = draw(st.integers(0, left))
        left -= shares[option]
    shares[options[-1]] = left
    return {o: n for o, n in shares.items() if n}


@st.composite
def counting_elections(
    draw: st.DrawFn, rule: str
) -> tuple[tuple[str, ...], dict[str, Any], list[Any]]:
    options = draw(option_lists())
    ballot_settings: dict[str, Any]
    if rule == "dot_votes":
        dots = draw(st.integers(1, 10))
        cap = draw(st.none() | st.integers(1, dots))
        ballot_settings = {"dots": dots} if cap is None else {"dots": dots, "max_per_option": cap}
    elif rule == "points":
        ballot_settings = {"total": draw(st.sampled_from([1, 10, 100]))}
    elif rule == "score":
        ballot_settings = {"min": 0, "max": 5}
    elif rule == "quadratic":
        ballot_settings = {"credits": draw(st.integers(1, 100))}
    else:
        ballot_settings = {}
    voters = draw(st.integers(1, 12))
    return (
        options,
        ballot_settings,
        [draw(counting_payloads(rule, options, ballot_settings)) for _ in range(voters)],
    )


@st.composite
def counting_payloads(
    draw: st.DrawFn, rule: str, options: tuple[str, ...], ballot_settings: dict[str, Any]
) -> Any:
    """One valid payload of a counting rule."""
    if rule == "single":
        return draw(st.sampled_from(options))
    chosen = draw(st.lists(st.sampled_from(options), unique=True))
    if rule == "approval":
        return chosen
    if rule == "dot_votes":
        cap = ballot_settings.get("max_per_option", ballot_settings["dots"])
        dots: dict[str, int] = {}
        left = ballot_settings["dots"]
        for option in chosen:
            if left == 0:
                break
            dots[option] = draw(st.integers(1, min(cap, left)))
            left -= dots[option]
        return dots
    if rule == "points":
        return _split(draw, ballot_settings["total"], chosen or [options[0]])
    if rule == "score":
        return {o: draw(st.integers(0, 5)) for o in chosen}
    if rule == "quadratic":
        votes: dict[str, int] = {}
        credits = ballot_settings["credits"]
        for option in chosen:
            votes[option] = draw(st.integers(0, math.isqrt(credits)))
            credits -= votes[option] ** 2
        return votes
    raise AssertionError(rule)


COST_KINDS = {
    "yen": st.integers(1, 10**9),
    # few distinct costs: many exact ties in price and cost
    "yen-round": st.integers(1, 10).map(lambda k: k * 100_000_000),
    "decimal": st.integers(1, 99).map(lambda k: k / 10),
}


@st.composite
def budget_elections(
    draw: st.DrawFn, cost_kind: str
) -> tuple[tuple[str, ...], dict[str, Any], list[list[str]]]:
    """Costs in yen (whole numbers up to 10^9) or decimals (0.1–9.9); a budget between the
    cheapest cost and the total (same kind); 1–12 voters, each approving projects within
    the budget (drawn, then the last ones dropped until they fit, as a valid ballot must)."""
    options = draw(option_lists())
    costs = {o: draw(COST_KINDS[cost_kind]) for o in options}
    low, high = min(costs.values()), sum(exact(c) for c in costs.values())
    budget: float
    if cost_kind == "decimal":
        budget = draw(st.integers(round(low * 10), int(high * 10))) / 10
    elif cost_kind == "yen-round":
        budget = draw(st.integers(int(low) // 100_000_000, int(high) // 100_000_000)) * 10**8
    else:
        budget = draw(st.integers(int(low), int(high)))
    payloads = []
    for _ in range(draw(st.integers(1, 12))):
        approved = draw(st.lists(st.sampled_from(options), unique=True))
        while sum((exact(costs[o]) for o in approved), Fraction(0)) > exact(budget):
            approved.pop()
        payloads.append(approved)
    return options, {"budget": budget, "costs": costs}, payloads


@st.composite
def any_elections(draw: st.DrawFn, rule: str) -> tuple[tuple[str, ...], dict[str, Any], list[Any]]:
    if rule in RANKED_RULES:
        options, rankings = draw(random_profiles())
        return options, {}, rankings
    if rule in BUDGET_RULES:
        return draw(budget_elections(draw(st.sampled_from(sorted(COST_KINDS)))))
    return draw(counting_elections(rule))


# --------------------------------------------------------------------------- properties


@pytest.mark.parametrize("kind", list(RANKED_PROFILES), ids=list(RANKED_PROFILES))
@PROPERTY
@given(data=st.data())
def test_borda_equals_pref_voting_domination_borda(kind: str, data: st.DataObject) -> None:
    options, rankings = data.draw(RANKED_PROFILES[kind])
    expected = domination_borda_scores(_profile(options, rankings))
    result = tally("borda", options, {}, [list(r) for r in rankings])
    assert result["points"] == {o: float(expected[o]) for o in options}
    assert result["order"] == ranked_order(options, expected)


@pytest.mark.parametrize("kind", list(RANKED_PROFILES), ids=list(RANKED_PROFILES))
@PROPERTY
@given(data=st.data())
def test_schulze_equals_pref_voting_beat_path_winning_votes(kind: str, data: st.DataObject) -> None:
    options, rankings = data.draw(RANKED_PROFILES[kind])
    profile = _profile(options, rankings)
    winners = beat_path(profile, strength_function=profile.support)
    expected = _schulze_points(options, rankings)
    result = tally("schulze", options, {}, [list(r) for r in rankings])
    top = float(len(options) - 1)
    assert {o for o in options if result["points"][o] == top} == set(winners)
    assert result["points"] == expected
    assert result["order"] == ranked_order(options, expected)


@pytest.mark.parametrize("cost_kind", list(COST_KINDS), ids=list(COST_KINDS))
@pytest.mark.parametrize("rule", BUDGET_RULES, ids=BUDGET_RULES)
@PROPERTY
@given(data=st.data())
def test_budget_rules_equal_exact_reference(rule: str, cost_kind: str, data: st.DataObject) -> None:
    options, ballot_settings, payloads = data.draw(budget_elections(cost_kind))
    chooser = mes_cost_utilities if rule == "equal_shares" else greedy
    selected = chooser(ballot_settings["costs"], payloads, ballot_settings["budget"])
    supporters = direct_counts("approval", options, payloads)
    result = tally(rule, options, ballot_settings, [list(p) for p in payloads])
    assert result["selected"] == selected
    assert result["points"] == {o: float(supporters[o]) for o in options}
    assert result["order"] == budget_order(options, selected, supporters)
    assert sum((exact(ballot_settings["costs"][o]) for o in selected), Fraction(0)) <= exact(
        ballot_settings["budget"]
    )


@PROPERTY
@given(tenths=st.integers(1, 99), supporters=st.integers(1, 6), abstainers=st.integers(0, 6))
def test_equal_shares_decimal_cost_exactly_covered_by_shares(
    tenths: int, supporters: int, abstainers: int
) -> None:
    """Each voter's share is tenths/10; x costs exactly what its supporters hold together
    (e.g. 5 voters share 11, two supporters of a 4.4 project). Added up in floats the
    shares fall short of the cost in about one case in ten."""
    voters = supporters + abstainers
    ballot_settings: dict[str, Any] = {
        "budget": voters * tenths / 10,
        "costs": {"x": supporters * tenths / 10},
    }
    payloads: list[list[str]] = [["x"]] * supporters + [[]] * abstainers
    assert exact(ballot_settings["budget"]) / voters * supporters == exact(
        ballot_settings["costs"]["x"]
    )
    assert mes_cost_utilities(ballot_settings["costs"], payloads, ballot_settings["budget"]) == [
        "x"
    ]
    result = tally("equal_shares", ("x",), ballot_settings, [list(p) for p in payloads])
    assert result["selected"] == ["x"]
    assert result["points"] == {"x": float(supporters)}


@pytest.mark.parametrize("rule", BUDGET_RULES, ids=BUDGET_RULES)
@PROPERTY
@given(data=st.data())
def test_budget_rules_spend_a_decimal_budget_to_the_last_digit(
    rule: str, data: st.DataObject
) -> None:
    """The budget is exactly the total cost (decimals) and one voter approves every
    project, so greedy selects them all, and Equal Shares with that single voter too."""
    options = data.draw(option_lists())
    tenths = {o: data.draw(st.integers(1, 99)) for o in options}
    costs = {o: k / 10 for o, k in tenths.items()}
    ballot_settings: dict[str, Any] = {"budget": sum(tenths.values()) / 10, "costs": costs}
    payloads = [list(data.draw(st.permutations(options)))]
    if rule == "greedy_budget":
        payloads += data.draw(st.lists(st.lists(st.sampled_from(options), unique=True), max_size=5))
    chooser = mes_cost_utilities if rule == "equal_shares" else greedy
    selected = chooser(costs, payloads, ballot_settings["budget"])
    assert sorted(selected) == sorted(options)
    result = tally(rule, options, ballot_settings, [list(p) for p in payloads])
    assert result["selected"] == selected


@pytest.mark.parametrize("rule", COUNTING_RULES, ids=COUNTING_RULES)
@PROPERTY
@given(data=st.data())
def test_counting_rules_equal_direct_counts(rule: str, data: st.DataObject) -> None:
    options, ballot_settings, payloads = data.draw(counting_elections(rule))
    expected = direct_counts(rule, options, payloads)
    result = tally(rule, options, ballot_settings, payloads)
    assert result["points"] == {o: float(expected[o]) for o in options}
    assert result["order"] == ranked_order(options, expected)


@pytest.mark.parametrize("rule", ALL_RULES, ids=ALL_RULES)
@PROPERTY
@given(data=st.data())
def test_every_option_once_in_order_and_points(rule: str, data: st.DataObject) -> None:
    options, ballot_settings, payloads = data.draw(any_elections(rule))
    result = tally(rule, options, ballot_settings, payloads)
    assert sorted(result["order"]) == sorted(options)
    assert len(result["order"]) == len(options)
    assert set(result["points"]) == set(options)
    assert len(result["points"]) == len(options)
    assert all(isinstance(v, float) for v in result["points"].values())
    if rule in BUDGET_RULES:
        selected = result["selected"]
        assert len(set(selected)) == len(selected)
        assert result["order"][: len(selected)] == selected
    else:
        assert result["order"] == ranked_order(options, result["points"])


MONOTONE_RULES = ("single", "approval", "dot_votes")


@pytest.mark.parametrize("rule", MONOTONE_RULES, ids=MONOTONE_RULES)
@PROPERTY
@given(data=st.data())
def test_one_more_vote_never_lowers_its_options(rule: str, data: st.DataObject) -> None:
    options, ballot_settings, payloads = data.draw(counting_elections(rule))
    extra = data.draw(counting_payloads(rule, options, ballot_settings))
    before = tally(rule, options, ballot_settings, list(payloads))
    after = tally(rule, options, ballot_settings, [*payloads, extra])
    given_points = direct_counts(rule, options, [extra])
    for option in options:
        if given_points[option] > 0:
            assert after["points"][option] > before["points"][option]
        else:
            assert after["points"][option] == before["points"][option]
    if rule == "single":
        assert after["order"].index(extra) <= before["order"].index(extra)
