"""Participatory budgeting: the Method of Equal Shares and "most votes first".

Input: ``costs`` ``{project: cost}``, ``approvals`` ``{voter: {projects}}`` (a voter who
approves nothing still counts: their share of the budget stays unspent) and the ``budget``.
Output: the selected projects in order of selection.

Money is exact. Every cost, the budget and ``budget_step`` are amounts as
:mod:`toolkit.money` defines them (a finite number greater than 0, at most
:data:`~toolkit.money.MAX_AMOUNT`, at most :data:`~toolkit.money.MAX_DECIMALS` decimals) and
are converted through their decimal text (the float ``4.4`` is ``22/5``), so sums and shares
are fractions: a project that fits the budget exactly is never refused because of binary
rounding. Anything else raises :class:`~toolkit.methods.MethodInputError` naming the
argument (or project), the value and what is allowed.

The Method of Equal Shares is computed by pabutools (exact rational arithmetic), with cost
utilities as on equalshares.net: each voter gets budget/n; a project is affordable if its
supporters can pay its cost from their remaining shares; the affordable project whose cost can
be split most equally (highest "effective vote count") is selected next.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from toolkit.methods._common import check_amount, check_choice
from toolkit.methods._errors import input_error

if TYPE_CHECKING:  # pabutools is imported where it is used: it is slow to import
    from pabutools.election import ApprovalProfile, Instance, Project

Completion = Literal["add1", "utilitarian", "add1_utilitarian"]


def _check(
    costs: object, approvals: object, budget: object
) -> tuple[dict[str, Fraction], dict[Hashable, set[str]], Fraction]:
    if not isinstance(costs, Mapping) or not costs:
        raise input_error("methods_empty", argument="costs", value=costs, minimum=1)
    clean_costs: dict[str, Fraction] = {}
    for project, cost in costs.items():
        clean_costs[project] = check_amount(
            f"costs[{project!r}]", cost, invalid_key="methods_bad_cost", project=project
        )
    if not isinstance(approvals, Mapping) or not approvals:
        raise input_error("methods_no_voters", value=approvals)
    allowed = ", ".join(repr(p) for p in clean_costs)
    clean: dict[Hashable, set[str]] = {}
    for voter, chosen in approvals.items():
        if isinstance(chosen, str | bytes) or not isinstance(chosen, Collection):
            raise input_error("methods_unknown_project", voter=voter, value=chosen, allowed=allowed)
        for project in chosen:
            if project not in clean_costs:
                raise input_error(
                    "methods_unknown_project", voter=voter, value=project, allowed=allowed
                )
        clean[voter] = set(chosen)
    limit = check_amount("budget", budget)
    return clean_costs, clean, limit


def _approval_counts(
    costs: Mapping[str, object], approvals: Mapping[Hashable, set[str]]
) -> dict[str, int]:
    counts = dict.fromkeys(costs, 0)
    for chosen in approvals.values():
        for project in chosen:
            counts[project] += 1
    return counts


def _greedy_key(
    costs: Mapping[str, Fraction], counts: Mapping[str, int]
) -> Callable[[str], tuple[int, Fraction, str]]:
    """Most approvals first, then the lower cost, then the name (code-point order)."""
    return lambda p: (-counts[p], costs[p], str(p))


def _greedy_fill(
    selected: list[str],
    costs: Mapping[str, Fraction],
    counts: Mapping[str, int],
    budget: Fraction,
) -> list[str]:
    spent = sum((costs[p] for p in selected), Fraction(0))
    chosen = list(selected)
    taken = set(chosen)
    for project in sorted(costs, key=_greedy_key(costs, counts)):
        if project in taken or counts[project] == 0:
            continue
        if spent + costs[project] <= budget:
            chosen.append(project)
            taken.add(project)
            spent += costs[project]
    return chosen


def greedy_budget(
    costs: Mapping[str, float | Fraction],
    approvals: Mapping[Hashable, Collection[str]],
    budget: float | Fraction,
) -> list[str]:
    """Most approvals first: go down the projects by number of approvals and select each one
    that still fits in the remaining budget; a project that no longer fits is skipped (the
    count does not stop there). Projects nobody approved are never selected.

    Tie-break (deterministic): more approvals first, then the lower cost, then the project
    name in code-point order. Returns the selected projects in order of selection.

    >>> greedy_budget({"a": 6, "b": 5, "c": 4}, {1: {"a"}, 2: {"a", "b"}, 3: {"c"}}, 10)
    ['a', 'c']
    """
    clean_costs, clean, limit = _check(costs, approvals, budget)
    return _greedy_fill([], clean_costs, _approval_counts(clean_costs, clean), limit)


def _pabutools_number(amount: int | Fraction) -> Any:
    """An exact amount as pabutools computes with it: an int when whole (as before), else a
    gmpy2 ``mpq`` (pabutools' rationals do not take a ``Fraction``, and a float would bring
    back the binary rounding this module avoids)."""
    exact = Fraction(amount)
    if exact.denominator == 1:
        return exact.numerator
    from pabutools.fractions import frac

    return frac(exact.numerator, exact.denominator)


def build_pabutools_election(
    costs: Mapping[str, int | Fraction],
    approvals: Mapping[Hashable, set[str]],
    budget: int | Fraction,
) -> tuple[Instance, ApprovalProfile, dict[str, Project]]:
    """The pabutools Instance and ApprovalProfile for this election (also used by the bench).

    ``costs`` and ``budget`` are exact (int or Fraction), already checked.
    """
    from pabutools.election import ApprovalBallot, ApprovalProfile, Instance, Project

    projects = {name: Project(name, _pabutools_number(cost)) for name, cost in costs.items()}
    instance = Instance(projects.values(), budget_limit=_pabutools_number(budget))
    ballots = [ApprovalBallot([projects[p] for p in chosen]) for chosen in approvals.values()]
    profile = ApprovalProfile(ballots, instance=instance)
    return instance, profile, projects


def equal_shares(
    costs: Mapping[str, float | Fraction],
    approvals: Mapping[Hashable, Collection[str]],
    budget: float | Fraction,
    *,
    completion: Completion | None = None,
    budget_step: float | Fraction = 1,
) -> list[str]:
    """Method of Equal Shares (cost utilities, as on equalshares.net), computed by pabutools.

    ``completion`` (the plain method often spends only part of the budget):

    - ``None``: the plain method, each voter's share is budget/n.
    - ``"add1"``: equalshares.net's recommended completion, as pabutools computes it
      (``voter_budget_increment``). Round 0 is the plain method: every voter starts with
      exactly budget/n (``frac(budget_limit, num_ballots)`` in pabutools). While the outcome
      is not exhaustive (an approved project still fits in what is left of the budget), every
      share is raised by ``budget_step`` and the method runs again from the start, so round k
      gives each voter budget/n + k × ``budget_step``. The first exhaustive outcome is
      returned; if the next round would overspend the budget, the last outcome within it.
      ``budget_step`` is 1 currency unit, as on equalshares.net; with few voters and a large
      budget in yen that means very many runs: pass a larger ``budget_step`` (e.g. 1% of
      budget/n) and record it.

      Where the raises start: equalshares.net's reference code also begins with the plain
      method at budget/n, but then raises the shares on whole units, floor(budget/n) + 1,
      floor(budget/n) + 2 …; pabutools, and so this function, raises from budget/n itself.
      The two agree whenever budget/n is a whole number of yen; otherwise they try different
      shares and may return different outcomes (neither spends more in general). We keep
      budget/n: every round is then the plain method with shares larger by a whole number of
      steps, so round 0 IS the plain method's outcome (returned unchanged when it is already
      exhaustive, or when one step more would overspend), and a ``budget_step`` other than 1
      raises by the same amount every round. A raised round is a new run of the method, not
      the plain outcome plus more projects: it usually keeps the plain method's projects and
      adds to them, but it can select another set. With costs A 2, B 10, C 7, voters {A, B},
      {C}, {B} and a budget of 12 the plain method selects A; at shares of 5, B's supporters
      can pay it equally and it is selected first, A no longer fits its supporter's share,
      and add1 returns B. ``docs/methods.md`` has both examples.
    - ``"utilitarian"``: after the plain method, fill the remaining budget with the most
      approved projects that still fit (as :func:`greedy_budget`).
    - ``"add1_utilitarian"``: ``"add1"`` followed by the utilitarian fill.

    Ties (two projects with the same effective vote count) are broken as equalshares.net
    recommends: the lower cost first, then the higher number of approvals; where both are equal
    (equalshares.net would draw lots) we take the project name in code-point order, so the
    result is deterministic. The selected projects are returned in order of selection; the
    utilitarian fill appends its projects after those of the method.

    >>> costs = {"bike": 700, "gym": 400, "park": 250, "playground": 200, "library": 100}
    >>> votes = {1: {"bike", "gym"}, 2: {"bike", "gym", "park"}, 3: {"bike", "gym"},
    ...          4: {"bike", "gym", "park"}, 5: {"bike", "gym", "park"}, 6: {"bike", "gym"},
    ...          7: {"park", "playground", "library"}, 8: {"playground"},
    ...          9: {"playground", "library"}, 10: {"park", "playground", "library"},
    ...          11: {"bike"}}
    >>> equal_shares(costs, votes, 1100)
    ['bike', 'playground', 'library']
    """
    if completion is not None:
        check_choice("completion", completion, ("add1", "utilitarian", "add1_utilitarian"))
    step = check_amount("budget_step", budget_step)
    clean_costs, clean, limit = _check(costs, approvals, budget)
    counts = _approval_counts(clean_costs, clean)
    from pabutools.election import Cost_Sat
    from pabutools.rules import method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    instance, profile, _ = build_pabutools_election(clean_costs, clean, limit)
    tie_breaking = TieBreakingRule(
        lambda _instance, _profile, project: (project.cost, -counts[project.name], project.name)
    )
    increment = _pabutools_number(step) if completion in ("add1", "add1_utilitarian") else None
    outcome = method_of_equal_shares(
        instance,
        profile,
        sat_class=Cost_Sat,
        tie_breaking=tie_breaking,
        voter_budget_increment=increment,
    )
    selected = [project.name for project in outcome]
    if completion in ("utilitarian", "add1_utilitarian"):
        selected = _greedy_fill(selected, clean_costs, counts, limit)
    return selected
