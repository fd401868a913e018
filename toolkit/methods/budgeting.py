"""Participatory budgeting: the Method of Equal Shares and "most votes first".

Input: ``costs`` ``{project: cost}`` (finite, > 0), ``approvals`` ``{voter: {projects}}`` (a
voter who approves nothing still counts: their share of the budget stays unspent) and the
``budget``. Output: the selected projects in order of selection.

The Method of Equal Shares is computed by pabutools (exact rational arithmetic), with cost
utilities as on equalshares.net: each voter gets budget/n; a project is affordable if its
supporters can pay its cost from their remaining shares; the affordable project whose cost can
be split most equally (highest "effective vote count") is selected next.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Mapping
from typing import TYPE_CHECKING, Literal

from toolkit.methods._common import check_choice, check_positive_number, is_number
from toolkit.methods._errors import input_error

if TYPE_CHECKING:  # pabutools is imported where it is used: it is slow to import
    from pabutools.election import ApprovalProfile, Instance, Project

Completion = Literal["add1", "utilitarian", "add1_utilitarian"]


def _exact(value: float) -> int | float:
    """Whole amounts as int so that pabutools' rationals stay exact and readable."""
    return int(value) if float(value).is_integer() else float(value)


def _check(
    costs: object, approvals: object, budget: object
) -> tuple[dict[str, int | float], dict[Hashable, set[str]], int | float]:
    if not isinstance(costs, Mapping) or not costs:
        raise input_error("methods_empty", argument="costs", value=costs, minimum=1)
    clean_costs: dict[str, int | float] = {}
    for project, cost in costs.items():
        if not is_number(cost) or not math.isfinite(float(cost)) or float(cost) <= 0:
            raise input_error("methods_bad_cost", project=project, value=cost)
        clean_costs[project] = _exact(float(cost))
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
    limit = _exact(check_positive_number("budget", budget))
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
    costs: Mapping[str, int | float], counts: Mapping[str, int]
) -> Callable[[str], tuple[int, float, str]]:
    """Most approvals first, then the lower cost, then the name (code-point order)."""
    return lambda p: (-counts[p], costs[p], str(p))


def _greedy_fill(
    selected: list[str],
    costs: Mapping[str, int | float],
    counts: Mapping[str, int],
    budget: int | float,
) -> list[str]:
    spent = sum(costs[p] for p in selected)
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
    costs: Mapping[str, float],
    approvals: Mapping[Hashable, Collection[str]],
    budget: float,
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


def build_pabutools_election(
    costs: Mapping[str, int | float], approvals: Mapping[Hashable, set[str]], budget: int | float
) -> tuple[Instance, ApprovalProfile, dict[str, Project]]:
    """The pabutools Instance and ApprovalProfile for this election (also used by the bench)."""
    from pabutools.election import ApprovalBallot, ApprovalProfile, Instance, Project

    projects = {name: Project(name, cost) for name, cost in costs.items()}
    instance = Instance(projects.values(), budget_limit=budget)
    ballots = [ApprovalBallot([projects[p] for p in chosen]) for chosen in approvals.values()]
    profile = ApprovalProfile(ballots, instance=instance)
    return instance, profile, projects


def equal_shares(
    costs: Mapping[str, float],
    approvals: Mapping[Hashable, Collection[str]],
    budget: float,
    *,
    completion: Completion | None = None,
    budget_step: float = 1,
) -> list[str]:
    """Method of Equal Shares (cost utilities, as on equalshares.net), computed by pabutools.

    ``completion`` (the plain method often spends only part of the budget):

    - ``None``: the plain method, each voter's share is budget/n.
    - ``"add1"``: equalshares.net's recommended completion. Each voter's share is raised by
      ``budget_step`` (1 currency unit, as on equalshares.net) until the outcome is
      exhaustive (no further project fits) or the next step's outcome would exceed the real
      budget; the last outcome within the budget is returned (pabutools'
      ``voter_budget_increment``). With few voters and a large budget in yen, 1 yen per step
      means very many runs: pass a larger ``budget_step`` (e.g. 1% of budget/n) and record it.
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
    step = _exact(check_positive_number("budget_step", budget_step))
    clean_costs, clean, limit = _check(costs, approvals, budget)
    counts = _approval_counts(clean_costs, clean)
    from pabutools.election import Cost_Sat
    from pabutools.rules import method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    instance, profile, _ = build_pabutools_election(clean_costs, clean, limit)
    tie_breaking = TieBreakingRule(
        lambda _instance, _profile, project: (project.cost, -counts[project.name], project.name)
    )
    increment = step if completion in ("add1", "add1_utilitarian") else None
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
