"""Simple, documented scorers: RICE, ICE and MoSCoW.

They are quick to explain to a group and need no normalisation; their weakness is that the
inputs are guesses, so the ranking is only as good as the discussion behind them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from toolkit.methods._common import as_table, check_choice, ranked_frame
from toolkit.methods._errors import input_error

#: MoSCoW categories and the points each is worth (must is the strongest).
MOSCOW_POINTS: dict[str, int] = {"must": 3, "should": 2, "could": 1, "wont": 0}
_MOSCOW_BY_POINTS = {points: name for name, points in MOSCOW_POINTS.items()}


def _columns(table: pd.DataFrame, argument: str, needed: Sequence[str]) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        missing = [c for c in needed if c not in table.columns]
        if missing:
            raise input_error(
                "methods_missing_columns",
                argument=argument,
                allowed=", ".join(needed),
                value=list(table.columns),
            )
        table = table[list(needed)]
    return as_table(table, argument)


def rice(table: pd.DataFrame) -> pd.DataFrame:
    """RICE score = reach × impact × confidence ÷ effort (Intercom's RICE framework).

    ``table`` has one row per item and the columns ``reach`` (people affected per period, ≥ 0),
    ``impact`` (e.g. 0.25, 0.5, 1, 2, 3; ≥ 0), ``confidence`` (a fraction 0–1: 0.8 for 80%)
    and ``effort`` (person-months, > 0). Returns ``"score"`` and ``"rank"`` (1 = best, ties
    share the best rank), best first.
    """
    frame = _columns(table, "table", ("reach", "impact", "confidence", "effort"))
    for item, row in frame.iterrows():
        for column in ("reach", "impact"):
            if row[column] < 0:
                raise input_error(
                    "methods_non_negative_value", argument=column, item=item, value=row[column]
                )
        if not 0 <= row["confidence"] <= 1:
            raise input_error("methods_rice_confidence", item=item, value=row["confidence"])
        if row["effort"] <= 0:
            raise input_error(
                "methods_positive_value", argument="effort", item=item, value=row["effort"]
            )
    score = frame["reach"] * frame["impact"] * frame["confidence"] / frame["effort"]
    return ranked_frame(frame.index, "score", score.to_numpy())


def ice(table: pd.DataFrame, *, combine: Literal["product", "mean"] = "product") -> pd.DataFrame:
    """ICE score from ``impact``, ``confidence`` and ``ease`` (each typically 1–10, ≥ 0).

    ``combine="product"`` (default) multiplies the three, so a very low value on any one
    pulls the item down; ``"mean"`` averages them (a common variant). Returns ``"score"``
    and ``"rank"`` (1 = best, ties share the best rank), best first.
    """
    check_choice("combine", combine, ("product", "mean"))
    frame = _columns(table, "table", ("impact", "confidence", "ease"))
    for item, row in frame.iterrows():
        for column in ("impact", "confidence", "ease"):
            if row[column] < 0:
                raise input_error(
                    "methods_non_negative_value", argument=column, item=item, value=row[column]
                )
    values = frame.to_numpy()
    score = values.prod(axis=1) if combine == "product" else values.mean(axis=1)
    return ranked_frame(frame.index, "score", score)


def moscow(
    assignments: Sequence[Mapping[Hashable, str]], *, items: Sequence[Hashable] | None = None
) -> pd.DataFrame:
    """MoSCoW sorting by several participants: must / should / could / wont per item.

    ``assignments`` holds one dict per participant, ``{item: "must" | "should" | "could" |
    "wont"}``; an item a participant left out is not counted for that participant. Points
    are must 3, should 2, could 1, wont 0. Per item the result gives the count of each
    category, ``"n"``, ``"score"`` (mean points), ``"category"`` (the lower median category,
    so an item is "must" only if at least half of those who sorted it said must) and
    ``"rank"`` by score (1 = best, ties share the best rank), best first. Items nobody
    sorted get score 0, category "wont" and n 0.
    """
    if not isinstance(assignments, Sequence) or isinstance(assignments, str | bytes):
        raise input_error("methods_no_ballots", argument="assignments", value=assignments)
    if len(assignments) == 0:
        raise input_error("methods_no_ballots", argument="assignments", value=assignments)
    names: list[Hashable] = list(items) if items is not None else []
    votes: dict[Hashable, list[int]] = {name: [] for name in names}
    for index, assignment in enumerate(assignments, start=1):
        if not isinstance(assignment, Mapping):
            raise input_error("methods_allocation_shape", index=index, value=assignment)
        for item, category in assignment.items():
            if category not in MOSCOW_POINTS:
                raise input_error("methods_moscow_category", index=index, item=item, value=category)
            if item not in votes:
                if items is not None:
                    raise input_error(
                        "methods_ballot_unknown_option",
                        index=index,
                        value=item,
                        allowed=", ".join(repr(i) for i in names),
                    )
                votes[item] = []
                names.append(item)
            votes[item].append(MOSCOW_POINTS[category])
    if items is None:
        names = sorted(names, key=str)
    rows = []
    for name in names:
        points = sorted(votes[name])
        counts = {c: sum(1 for p in points if p == MOSCOW_POINTS[c]) for c in MOSCOW_POINTS}
        n = len(points)
        median = points[(n - 1) // 2] if n else 0
        rows.append(
            {**counts, "n": n, "score": float(np.mean(points)) if n else 0.0,
             "category": _MOSCOW_BY_POINTS[median]}
        )  # fmt: skip
    frame = pd.DataFrame(rows, index=pd.Index(names))
    ranked = ranked_frame(frame.index, "score", frame["score"].to_numpy())
    return ranked.join(frame.drop(columns="score"))
