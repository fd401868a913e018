"""Votes: Borda, Schulze, approval, dot voting and quadratic voting.

Ranked ballots are ``[(count, ["A", "C", "B"]), …]``: ``count`` people ranked A first, C
second, B third. A ballot may rank only some options; the unranked options count as tied
below every ranked one. Approval ballots are ``[(count, {"A", "B"}), …]``. Allocations (dots,
quadratic votes) are one dict per participant, ``[{"A": 2, "B": 1}, {"B": 3}, …]``.

The options are ``options`` when given (a ballot naming another option is an error), else
every option named on any ballot, sorted by name. Tallies are sorted best first; tied options
keep the order of the options, so the result never depends on the order of the ballots.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit.methods._common import (
    FloatArray,
    IntArray,
    check_positive_integer,
    is_number,
    is_whole,
    sorted_tally,
)
from toolkit.methods._errors import input_error

RankedBallots = Sequence[tuple[int, Sequence[str]]]
ApprovalBallots = Sequence[tuple[int, "set[str] | frozenset[str] | Sequence[str]"]]
Allocations = Sequence[Mapping[str, int]]


def _split_ballots(ballots: object, argument: str = "ballots") -> list[tuple[int, Any]]:
    if not isinstance(ballots, Sequence) or isinstance(ballots, str | bytes):
        raise input_error("methods_no_ballots", argument=argument, value=ballots)
    out: list[tuple[int, Any]] = []
    for index, ballot in enumerate(ballots, start=1):
        if not isinstance(ballot, tuple | list) or len(ballot) != 2:
            raise input_error("methods_ballot_shape", index=index, value=ballot)
        count, choice = ballot
        if not is_whole(count) or int(count) < 1:
            raise input_error("methods_ballot_shape", index=index, value=ballot)
        if type(choice) not in (list, tuple, set, frozenset) and (
            isinstance(choice, str | bytes) or not isinstance(choice, Sequence | set | frozenset)
        ):
            raise input_error("methods_ballot_shape", index=index, value=ballot)
        out.append((int(count), choice))
    if not out:
        raise input_error("methods_no_ballots", argument=argument, value=ballots)
    return out


def _resolve_options(named: list[Any], options: Sequence[str] | None) -> list[str]:
    if options is not None:
        resolved = list(options)
        if len(set(resolved)) != len(resolved):
            seen: set[str] = set()
            for o in resolved:
                if o in seen:
                    raise input_error("methods_duplicate_label", argument="options", value=o)
                seen.add(o)
        return resolved
    found: set[str] = set()
    for choice in named:
        found.update(choice)
    return sorted(found, key=str)


def _check_named(index: int, choice: Sequence[Hashable], known: dict[str, int]) -> None:
    seen: set[Hashable] = set()
    for option in choice:
        if option not in known:
            raise input_error(
                "methods_ballot_unknown_option",
                index=index,
                value=option,
                allowed=", ".join(repr(o) for o in known),
            )
        if option in seen:
            raise input_error("methods_ballot_duplicate", index=index, value=option)
        seen.add(option)


def _ranked(
    ballots: object, options: Sequence[str] | None
) -> tuple[list[str], IntArray, FloatArray]:
    """Options, positions (ballots × options; unranked = number of options) and counts."""
    parsed = _split_ballots(ballots)
    for index, (_, choice) in enumerate(parsed, start=1):
        if isinstance(choice, set | frozenset):
            raise input_error("methods_ballot_shape", index=index, value=(_, choice))
        if len(choice) == 0:
            raise input_error("methods_ballot_empty_ranking", index=index, value=choice)
    names = _resolve_options([c for _, c in parsed], options)
    known = {o: i for i, o in enumerate(names)}
    m = len(names)
    positions = np.full((len(parsed), m), m, dtype=np.int64)
    counts = np.empty(len(parsed), dtype=np.float64)
    lengths = np.empty(len(parsed), dtype=np.int64)
    flat: list[int] = []
    for b, (count, choice) in enumerate(parsed):
        try:
            columns = [known[option] for option in choice]
        except (KeyError, TypeError):
            columns = []
        if len(columns) != len(choice) or len(set(columns)) != len(columns):
            _check_named(b + 1, choice, known)  # raises, naming the option
        flat.extend(columns)
        lengths[b] = len(columns)
        counts[b] = count
    rows = np.repeat(np.arange(len(parsed)), lengths)
    starts = np.cumsum(lengths) - lengths
    positions[rows, np.asarray(flat, dtype=np.int64)] = np.arange(len(flat)) - np.repeat(
        starts, lengths
    )
    return names, positions, counts


def borda(ballots: RankedBallots, *, options: Sequence[str] | None = None) -> pd.Series:
    """Borda count: with n options a ballot gives n−1 points to its first choice, n−2 to the
    second, …, 0 to the last; each ballot counts ``count`` times.

    A ballot that ranks only k options gives the ranked ones n−1 … n−k points and the
    unranked ones 0 (the "truncated ballot" convention). Returns points per option sorted best
    first (ties keep the order of the options).

    >>> borda([(2, ["A", "B", "C"]), (1, ["C", "B", "A"])]).to_dict()
    {'A': 4, 'B': 3, 'C': 2}
    """
    names, positions, counts = _ranked(ballots, options)
    m = len(names)
    points = np.where(positions < m, m - 1 - positions, 0)
    totals = counts @ points
    return sorted_tally(dict(zip(names, totals.tolist(), strict=True)), names, "borda")


@dataclass(frozen=True, eq=False)
class SchulzeResult:
    """Outcome of :func:`schulze`.

    ``ranking`` lists the options best first; ``ranks`` gives each option's rank (1 = best;
    options that beat each other equally share the best rank); ``pairwise`` is d[X, Y], the
    number of voters preferring X to Y; ``strongest_paths`` is p[X, Y], the strength of the
    strongest path from X to Y (winning votes).
    """

    ranking: list[str]
    ranks: pd.Series
    pairwise: pd.DataFrame
    strongest_paths: pd.DataFrame

    @property
    def winners(self) -> list[str]:
        """Every option with rank 1 (more than one only on a tie)."""
        return [o for o in self.ranking if self.ranks[o] == 1]


def pairwise_preferences(
    ballots: RankedBallots, *, options: Sequence[str] | None = None
) -> pd.DataFrame:
    """d[X, Y]: how many voters rank X above Y (unranked options are below ranked ones)."""
    names, positions, counts = _ranked(ballots, options)
    d = _count_preferences(positions, counts)
    return pd.DataFrame(d, index=pd.Index(names), columns=pd.Index(names))


def _count_preferences(positions: IntArray, counts: FloatArray) -> IntArray:
    """d[x, y] = Σ counts over ballots placing x before y (vectorised, B·m² comparisons).

    Ballots are grouped by their count so the comparisons can be counted with
    ``count_nonzero`` (about 20× faster than a float matrix product over booleans); with many
    distinct counts a weighted product is used instead.
    """
    m = positions.shape[1]
    transposed = np.ascontiguousarray(positions.T.astype(np.int32))  # options × ballots
    d = np.zeros((m, m), dtype=np.int64)
    distinct = np.unique(counts)
    if distinct.size > 64:
        weights = counts.astype(np.float64)
        for x in range(m):
            d[x] = np.rint((transposed[x] < transposed).astype(np.float64) @ weights)
        return d
    chunk = max(1, 2_000_000 // max(1, m * m))  # keeps the m × m × chunk booleans ~2 MB
    for value in distinct:
        subset = transposed[:, counts == value]
        for start in range(0, subset.shape[1], chunk):
            block = subset[:, start : start + chunk]
            d += int(value) * np.count_nonzero(block[:, None, :] < block[None, :, :], axis=2)
    return d


def schulze(ballots: RankedBallots, *, options: Sequence[str] | None = None) -> SchulzeResult:
    """Schulze method with **winning votes** as link strength.

    The link X→Y has strength d[X, Y] if more voters prefer X to Y (d[X, Y] > d[Y, X]) and 0
    otherwise; p[X, Y] is the strongest path (widest path, Floyd–Warshall). X beats Y if
    p[X, Y] > p[Y, X]. An option's rank is 1 + the number of options that beat it, so options
    that nobody separates share the best rank. ``ranking`` orders by rank, then by the number
    of options beaten, then by the order of the options.

    >>> schulze([(3, ["A", "B"]), (2, ["B", "A"])]).ranking
    ['A', 'B']
    """
    d_frame = pairwise_preferences(ballots, options=options)
    names = list(d_frame.index)
    d = d_frame.to_numpy().astype(np.float64)
    m = len(names)
    p = np.where(d > d.T, d, 0.0)
    np.fill_diagonal(p, 0.0)
    for k in range(m):
        through = np.minimum(p[:, k : k + 1], p[k : k + 1, :])
        p = np.maximum(p, through)
        np.fill_diagonal(p, 0.0)
    beats = p > p.T
    losses = beats.sum(axis=0)
    wins = beats.sum(axis=1)
    ranks = 1 + losses
    order = np.lexsort((np.arange(m), -wins, ranks))
    return SchulzeResult(
        ranking=[names[i] for i in order],
        ranks=pd.Series(ranks.astype(np.int64), index=pd.Index(names), name="rank"),
        pairwise=d_frame,
        strongest_paths=pd.DataFrame(
            p.astype(np.int64), index=pd.Index(names), columns=pd.Index(names)
        ),
    )


def approval(ballots: ApprovalBallots, *, options: Sequence[str] | None = None) -> pd.Series:
    """Approval voting: each ballot approves a set of options; an option's score is the
    number of voters approving it. An empty approval set is a valid (blank) ballot.

    Returns approvals per option sorted best first (ties keep the order of the options).

    >>> approval([(2, {"A", "B"}), (1, {"B"})]).to_dict()
    {'B': 3, 'A': 2}
    """
    parsed = _split_ballots(ballots)
    names = _resolve_options([list(c) for _, c in parsed], options)
    known = {o: i for i, o in enumerate(names)}
    totals = dict.fromkeys(names, 0)
    for index, (count, choice) in enumerate(parsed, start=1):
        _check_named(index, list(choice), known)
        for option in choice:
            totals[option] += count
    return sorted_tally(totals, names, "approvals")


def _allocations(
    allocations: object, options: Sequence[str] | None, *, allow_negative: bool
) -> tuple[list[str], list[dict[str, int]]]:
    if not isinstance(allocations, Sequence) or isinstance(allocations, str | bytes):
        raise input_error("methods_no_ballots", argument="allocations", value=allocations)
    if len(allocations) == 0:
        raise input_error("methods_no_ballots", argument="allocations", value=allocations)
    parsed: list[dict[str, int]] = []
    for index, allocation in enumerate(allocations, start=1):
        if not isinstance(allocation, Mapping):
            raise input_error("methods_allocation_shape", index=index, value=allocation)
        for option, votes in allocation.items():
            if not is_whole(votes) or (not allow_negative and int(votes) < 0):
                raise input_error(
                    "methods_allocation_not_whole",
                    index=index,
                    option=option,
                    value=votes,
                    minimum="-∞" if allow_negative else 0,
                )
        parsed.append({o: int(v) for o, v in allocation.items()})
    names = _resolve_options([list(a) for a in parsed], options)
    known = {o: i for i, o in enumerate(names)}
    for index, allocation in enumerate(parsed, start=1):
        _check_named(index, list(allocation), known)
    return names, parsed


def dot_votes(
    allocations: Allocations,
    *,
    dots_per_person: int,
    max_per_option: int | None = None,
    options: Sequence[str] | None = None,
) -> pd.Series:
    """Dot voting: each participant places up to ``dots_per_person`` dots (whole numbers ≥ 0)
    and at most ``max_per_option`` on one option (no limit if None). Unused dots are allowed.

    Returns dots per option sorted best first (ties keep the order of the options).

    >>> dot_votes([{"A": 2, "B": 1}, {"B": 3}], dots_per_person=3).to_dict()
    {'B': 4, 'A': 2}
    """
    allowance = check_positive_integer("dots_per_person", dots_per_person)
    cap = (
        None if max_per_option is None else check_positive_integer("max_per_option", max_per_option)
    )
    names, parsed = _allocations(allocations, options, allow_negative=False)
    totals = dict.fromkeys(names, 0)
    for index, allocation in enumerate(parsed, start=1):
        used = sum(allocation.values())
        if used > allowance:
            raise input_error(
                "methods_dots_over_allowance", index=index, value=used, allowed=allowance
            )
        for option, dots in allocation.items():
            if cap is not None and dots > cap:
                raise input_error(
                    "methods_dots_over_option", index=index, option=option, value=dots, allowed=cap
                )
            totals[option] += dots
    return sorted_tally(totals, names, "dots")


def quadratic(
    allocations: Allocations, *, credits: int | float, options: Sequence[str] | None = None
) -> pd.Series:
    """Quadratic voting: v votes on one option cost v² credits; each participant may spend at
    most ``credits``. Votes are whole numbers; a negative number is a vote against (it costs
    v² too). An option's result is the sum of its votes (not of the credits).

    Returns net votes per option sorted best first (ties keep the order of the options).

    >>> quadratic([{"A": 2, "B": 1}, {"B": 3}], credits=9).to_dict()
    {'B': 4, 'A': 2}
    """
    if not is_number(credits) or credits <= 0:
        raise input_error("methods_positive_number", argument="credits", value=credits)
    names, parsed = _allocations(allocations, options, allow_negative=True)
    totals = dict.fromkeys(names, 0)
    for index, allocation in enumerate(parsed, start=1):
        spent = sum(v * v for v in allocation.values())
        if spent > credits:
            raise input_error(
                "methods_quadratic_over_credits", index=index, value=spent, allowed=credits
            )
        for option, votes in allocation.items():
            totals[option] += votes
    return sorted_tally(totals, names, "votes")
