"""Reference tallies for the ballot tests, written straight from the published definitions.

Small and slow on purpose: every step of each definition is a line here, with exact
arithmetic (:class:`fractions.Fraction`) throughout, so that a disagreement with
``toolkit.ballots.tally`` points at the toolkit and not at this file. Nothing here imports
from ``toolkit``; ranked ballots (Borda, Schulze) are checked against ``pref_voting``
instead, in ``test_tallies_independent.py``.

Money (budgets, costs) arrives as ints or floats, as it is stored in a ballot's settings,
and is read as the decimal a person typed: ``Fraction(repr(float(x)))``, so 0.1 is exactly
1/10 and 0.1 + 0.2 == 0.3 (see :func:`exact`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from fractions import Fraction
from typing import Any

COUNTING_RULES = ("single", "approval", "dot_votes", "points", "score", "quadratic")


def exact(amount: float) -> Fraction:
    """A yen amount or decimal as an exact number: the shortest decimal that reads back as
    the same float.

    >>> exact(0.1) + exact(0.2) == exact(0.3), exact(4.4), exact(10**9)
    (True, Fraction(22, 5), Fraction(1000000000, 1))
    """
    return Fraction(repr(float(amount)))


def _voters(approvals: Mapping[Any, Collection[str]] | Sequence[Collection[str]]) -> list[set[str]]:
    """One approval set per voter, from a {voter: approved} mapping or a list of ballots."""
    ballots = approvals.values() if isinstance(approvals, Mapping) else approvals
    return [set(ballot) for ballot in ballots]


def _price(cost: Fraction, funds: list[Fraction]) -> Fraction | None:
    """The smallest ρ with Σ_i min(funds_i, ρ·cost) == cost, or None when the supporters
    together have less than ``cost`` (the project is not affordable).

    Going up the supporters from the poorest: if an equal split of what is still owed
    among those not yet counted is within the poorest one's funds, everyone left pays that
    split (q = ρ·cost); otherwise that supporter pays everything they have.
    """
    if sum(funds, Fraction(0)) < cost:
        return None
    paid = Fraction(0)
    left = len(funds)
    for money in sorted(funds):
        split = (cost - paid) / left
        if split <= money:
            return split / cost
        paid += money
        left -= 1
    raise AssertionError("unreachable: the supporters can pay, so some split fits")


def mes_cost_utilities(
    costs: Mapping[str, float],
    approvals: Mapping[Any, Collection[str]] | Sequence[Collection[str]],
    budget: float,
) -> list[str]:
    """Method of Equal Shares with cost utilities, plain (no completion); the selected
    projects in order of selection.

    Definition: Peters & Skowron, "Proportionality and the limits of welfarism" (EC 2020)
    and Peters, Pierczyński & Skowron, "Proportional participatory budgeting with additive
    utilities" (NeurIPS 2021), as computed on equalshares.net ("Method of Equal Shares",
    section "Computation", with cost utilities: a voter's utility for a project is its
    cost):

    1. Each of the n voters (those who approve nothing included) gets budget/n.
    2. A project c costing C is affordable at price ρ if its supporters can pay C with
       supporter i paying min(remaining_i, ρ·C).
    3. Select the affordable project with the smallest ρ; ties: lower cost, then more
       approvals, then the name in code-point order (equalshares.net draws lots at the last
       step; the toolkit specifies the name). Its supporters pay, and repeat until no
       project is affordable. A project nobody approves is never affordable.

    The classic example from equalshares.net (budget 1,100, 11 voters, 100 each): the bike
    path is paid by its 7 supporters at 100 each (ρ = 1/7); gym and park can then no longer
    be paid; the playground costs 50 each to voters 7–10 (ρ = 1/4), the library 33⅓ each
    to voters 7, 9, 10 (ρ = 1/3); what is left (16⅔ for voters 7 and 10) cannot pay the park.

    >>> costs = {"bike": 700, "gym": 400, "park": 250, "playground": 200, "library": 100}
    >>> votes = {1: {"bike", "gym"}, 2: {"bike", "gym", "park"}, 3: {"bike", "gym"},
    ...          4: {"bike", "gym", "park"}, 5: {"bike", "gym", "park"}, 6: {"bike", "gym"},
    ...          7: {"park", "playground", "library"}, 8: {"playground"},
    ...          9: {"playground", "library"}, 10: {"park", "playground", "library"},
    ...          11: {"bike"}}
    >>> mes_cost_utilities(costs, votes, 1100)
    ['bike', 'playground', 'library']

    Decimals exactly: 5 voters share 11 (2.2 each); the two supporters of x have 4.4, x's
    cost to the last digit.

    >>> mes_cost_utilities({"x": 4.4}, [["x"], ["x"], [], [], []], 11)
    ['x']
    """
    cost = {project: exact(value) for project, value in costs.items()}
    assert all(value > 0 for value in cost.values()), "costs must be positive"
    voters = _voters(approvals)
    if not voters:
        return []
    money = [exact(budget) / len(voters)] * len(voters)
    supporters = {p: [i for i, ballot in enumerate(voters) if p in ballot] for p in cost}
    selected: list[str] = []
    while True:
        best: tuple[tuple[Fraction, Fraction, int, str], str] | None = None
        for project in cost:
            if project in selected or not supporters[project]:
                continue
            rho = _price(cost[project], [money[i] for i in supporters[project]])
            if rho is None:
                continue
            key = (rho, cost[project], -len(supporters[project]), project)
            if best is None or key < best[0]:
                best = (key, project)
        if best is None:
            return selected
        (rho, project_cost, _, _), project = best
        for i in supporters[project]:
            money[i] -= min(money[i], rho * project_cost)
        selected.append(project)


def greedy(
    costs: Mapping[str, float],
    approvals: Mapping[Any, Collection[str]] | Sequence[Collection[str]],
    budget: float,
) -> list[str]:
    """Greedy approval budgeting ("utilitarian greedy", the usual city rule); the selected
    projects in order of selection.

    Definition: Peters & Skowron / equalshares.net ("Method of Equal Shares" vs "the
    standard method", i.e. greedy by votes): go down the projects by number of approvals
    (ties: lower cost, then name in code-point order) and select each one that still fits
    in the remaining budget; a project that does not fit is skipped and the count goes on.
    Projects with no approvals are never selected.

    On the classic example the bike path (7 approvals, 700) and the gym (6, 400) use up the
    1,100 and nothing else fits:

    >>> costs = {"bike": 700, "gym": 400, "park": 250, "playground": 200, "library": 100}
    >>> votes = [{"bike", "gym"}, {"bike", "gym", "park"}, {"bike", "gym"},
    ...          {"bike", "gym", "park"}, {"bike", "gym", "park"}, {"bike", "gym"},
    ...          {"park", "playground", "library"}, {"playground"},
    ...          {"playground", "library"}, {"park", "playground", "library"}, {"bike"}]
    >>> greedy(costs, votes, 1100)
    ['bike', 'gym']
    >>> greedy({"a": 0.1, "b": 0.2}, [["a", "b"]], 0.3)  # 0.1 + 0.2 fits 0.3 exactly
    ['a', 'b']
    """
    cost = {project: exact(value) for project, value in costs.items()}
    voters = _voters(approvals)
    count = {p: sum(p in ballot for ballot in voters) for p in cost}
    left = exact(budget)
    selected: list[str] = []
    for project in sorted(cost, key=lambda p: (-count[p], cost[p], p)):
        if count[project] > 0 and cost[project] <= left:
            selected.append(project)
            left -= cost[project]
    return selected


def direct_counts(rule: str, options: Sequence[str], payloads: Sequence[Any]) -> dict[str, int]:
    """Points per option for the counting rules, one payload per voter, every option
    present (0 when nobody gave it anything).

    - ``single`` (plurality): the number of voters who chose the option.
    - ``approval``: the number of voters who approved it (Brams & Fishburn).
    - ``dot_votes``, ``points`` (cumulative voting), ``score`` (range voting): the sum of
      the numbers voters gave it.
    - ``quadratic`` (Lalley & Weyl, quadratic voting): the sum of the votes (not of the
      credits, which are the squares).

    >>> direct_counts("single", ["B", "A"], ["A", "A", "B"])
    {'B': 1, 'A': 2}
    >>> direct_counts("quadratic", ["A", "B", "C"], [{"A": 3, "B": 2}, {"B": 1}])
    {'A': 3, 'B': 3, 'C': 0}
    """
    points = dict.fromkeys(options, 0)
    for payload in payloads:
        if rule == "single":
            points[payload] += 1
        elif rule == "approval":
            for option in set(payload):
                points[option] += 1
        elif rule in ("dot_votes", "points", "score", "quadratic"):
            for option, amount in payload.items():
                points[option] += amount
        else:
            raise ValueError(f"not a counting rule: {rule}")
    return points


def ranked_order(options: Sequence[str], points: Mapping[str, Any]) -> list[str]:
    """Best first; equal points keep the ballot's option order."""
    return sorted(options, key=lambda o: (-points[o], options.index(o)))


def budget_order(
    options: Sequence[str], selected: Sequence[str], points: Mapping[str, Any]
) -> list[str]:
    """The selected projects in order of selection, then the others by points (ties in the
    ballot's option order)."""
    rest = [o for o in options if o not in selected]
    return [*selected, *ranked_order(rest, points)]
