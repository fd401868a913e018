"""What the method charter proposes by default: the method, its time, and the weights.

The method app (``widgets/method``) shows and asks; the rules for what it proposes live here,
so that they can be read and tested without a screen:

- the method vote's winner is the one with most votes, once its results may be seen
  (:func:`vote_winner`), and it is proposed if it is a candidate (:func:`default_method`);
- a method takes the minutes the workshop file gives it, else a rough default
  (:func:`method_minutes`);
- a 100-point ballot's answers become weights summing to 1 (:func:`points_to_weights`);
- the proposed weights come from, in this order, the agreement on screen, the 100-point
  ballot, the workshop file, or equal weights (:func:`proposed_weights`).

Nothing here reads the store or imports ipywidgets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

#: Minutes a method needs when the workshop file gives none (rough, for planning the agenda).
DEFAULT_MINUTES: dict[str, int] = {
    "weighted_sum": 40,
    "topsis": 40,
    "borda": 20,
    "schulze": 25,
    "approval": 10,
    "dot_votes": 15,
    "quadratic": 30,
    "equal_shares": 30,
    "greedy_budget": 20,
    "ahp": 60,
    "moscow": 20,
    "rice": 30,
    "ice": 20,
}
#: Minutes for a method this table does not know.
FALLBACK_MINUTES = 30
#: Points a person shares between the criteria on the weights ballot.
POINTS_TOTAL = 100

WeightsSource = Literal["agreement", "points", "workshop_file", "equal"]


def method_minutes(spec: Mapping[str, Any]) -> int:
    """Minutes for one of the workshop file's ``methods`` entries: its own ``minutes`` if it
    gives any, else the method's default, else :data:`FALLBACK_MINUTES`.

    >>> method_minutes({"id": "borda", "minutes": 45}), method_minutes({"id": "borda"})
    (45, 20)
    >>> method_minutes({"id": "someday"})
    30
    """
    minutes = spec.get("minutes") or DEFAULT_MINUTES.get(str(spec.get("id")), FALLBACK_MINUTES)
    return int(minutes)


def vote_winner(counted: Mapping[str, Any] | None) -> str | None:
    """The leading option of a counted ballot (``toolkit.ballots.tally``'s ``order`` comes
    best first), or ``None`` while there is no count (results hidden, or no votes).

    >>> vote_winner({"order": ["borda", "ahp"], "points": {"borda": 3, "ahp": 1}})
    'borda'
    >>> vote_winner(None), vote_winner({"order": []})
    (None, None)
    """
    if not counted or not counted.get("order"):
        return None
    return str(counted["order"][0])


def default_method(winner: str | None, options: Sequence[str]) -> str | None:
    """The method to propose: the vote's winner if it is one of ``options``, else the first
    option (``None`` if there are none).

    >>> default_method("ahp", ["borda", "ahp"]), default_method(None, ["borda", "ahp"])
    ('ahp', 'borda')
    >>> default_method("schulze", []) is None
    True
    """
    if winner in options:
        return winner
    return options[0] if options else None


def points_to_weights(points: Mapping[str, float]) -> dict[str, float] | None:
    """A 100-point ballot's points per criterion as weights summing to 1 (the seats' mean
    allocation, since every seat gave the same total), or ``None`` if no point was given.

    Two seats gave (60, 40) and (20, 80): 80 and 120 points of 200, so 0.4 and 0.6:

    >>> points_to_weights({"cost": 80, "benefit": 120})
    {'cost': 0.4, 'benefit': 0.6}
    >>> points_to_weights({"cost": 0}) is None
    True
    """
    values = {key: float(value) for key, value in points.items()}
    total = sum(values.values())
    if total <= 0:
        return None
    return {key: value / total for key, value in values.items()}


@dataclass(frozen=True)
class ProposedWeights:
    """The weights a new charter proposes, one per criterion, summing to 1.

    ``rules`` goes on the record in the charter (``weights_from`` and details); ``source``
    says which of the four sources was used; ``allocations`` is the number of seats that
    answered the 100-point ballot when that was the source.
    """

    weights: dict[str, float]
    rules: dict[str, Any] = field(default_factory=dict)
    source: WeightsSource = "equal"
    allocations: int = 0


def proposed_weights(
    criteria: Sequence[str],
    *,
    agreement: Mapping[str, float] | None = None,
    agreement_rules: Mapping[str, Any] | None = None,
    ballot_mean: Mapping[str, float] | None = None,
    allocations: int = 0,
    file_weights: Mapping[str, Any] | None = None,
) -> ProposedWeights:
    """The weights to propose for ``criteria``; the first source that has weights wins:

    1. ``agreement``: the group's proposal on the weights screen (with its ``rules``);
    2. ``ballot_mean``: the mean of the 100-point ballot (weights summing to 1) from
       ``allocations`` seats; a criterion nobody gave points gets 0;
    3. ``file_weights``: the workshop file's ``weight`` per criterion, if every criterion of
       the file has a number (scaled to sum to 1; a criterion without one gets 0);
    4. equal weights.

    >>> proposed_weights(["a", "b"], file_weights={"a": 3, "b": 1}).weights
    {'a': 0.75, 'b': 0.25}
    >>> proposed_weights(["a", "b"], file_weights={"a": 3, "b": None}).source
    'equal'
    >>> mean = proposed_weights(["a", "b"], ballot_mean={"b": 1.0}, allocations=2,
    ...                         file_weights={"a": 3, "b": 1})
    >>> mean.weights, mean.rules
    ({'a': 0.0, 'b': 1.0}, {'weights_from': 'points', 'allocations': 2})
    """
    keys = list(criteria)
    if agreement:
        return ProposedWeights(dict(agreement), dict(agreement_rules or {}), "agreement")
    if ballot_mean:
        weights = {key: float(ballot_mean.get(key, 0.0)) for key in keys}
        rules = {"weights_from": "points", "allocations": allocations}
        return ProposedWeights(weights, rules, "points", allocations)
    given = dict(file_weights or {})
    if given and all(isinstance(v, int | float) for v in given.values()):
        total = float(sum(given.values())) or 1.0
        weights = {key: float(given.get(key) or 0) / total for key in keys}
        return ProposedWeights(weights, {"weights_from": "workshop_file"}, "workshop_file")
    equal = {key: 1 / len(keys) for key in keys} if keys else {}
    return ProposedWeights(equal, {"weights_from": "equal"}, "equal")
