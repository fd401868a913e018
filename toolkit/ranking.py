"""The one ranking computation: scores → each criterion on its own 0–1 scale → the weighted
mean → ranks, with the charter's tie-break. The summary, the group rankings, the what-if
sliders and ``ureshii verify`` all rank through :func:`rank_scores`; nothing else does.

The scoring convention is stated in :mod:`toolkit.summary` (and in every export).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from toolkit import methods
from toolkit.model import Criterion


def rank_scores(
    scores: pd.DataFrame,
    criteria: list[Criterion],
    issue_keys: list[str],
    weights: dict[str, float],
    *,
    tie_break: str = "mean_then_median",
    costs: Mapping[str, float | None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The charter's ranking from long scores: ``(scaled table, ranked)``.

    Issues with a number for every criterion are kept (in ``issue_keys`` order), their scores
    are scaled to 0–1 (:func:`scaled_table`) and combined by ``methods.weighted_sum`` with
    the agreed weights. ``ranked`` has the columns ``score`` and ``rank``. This is the only
    place a ranking is computed; ``ureshii verify`` re-runs it on an export's scores.
    Criteria the charter gives no weight (left out in the agreement) play no part.

    Issues with the same score are ordered by the charter's ``tie_break``:

    - ``mean_then_median`` (the default): scores from each criterion's mean; a tie goes to
      the higher score from the medians;
    - ``median_then_mean``: scores from the medians; a tie goes to the higher one from the
      means;
    - ``lowest_cost``: a tie goes to the cheaper issue (``costs``; an unknown cost last);
    - ``facilitator``: tied issues keep sharing their rank, for the facilitator to decide
      on the record.

    Issues still equal after the tie-break share the better rank.
    """
    criteria, weights = weighted_criteria(criteria, weights)
    keys = scored_issues(scores, issue_keys, criteria)
    if not keys:
        empty = pd.DataFrame(columns=[c.key for c in criteria], dtype=float)
        return empty, pd.DataFrame({"score": [], "rank": []})
    # Only the rankable issues go in: an issue that someone answered "don't know" on every
    # time for a criterion would make the aggregation refuse the whole table.
    usable = scores[scores["issue"].isin(keys) & scores["criterion"].isin(weights)]
    by_median = tie_break == "median_then_mean"
    agreed = pd.Series(weights, dtype=float)
    table = scaled_table(usable, criteria, keys, "median" if by_median else "mean")
    ranked = methods.weighted_sum(table, agreed, normalization="none")
    if tie_break in ("mean_then_median", "median_then_mean"):
        other = scaled_table(usable, criteria, keys, "mean" if by_median else "median")
        second = methods.weighted_sum(other, agreed, normalization="none")["score"]
        ranked = break_ties(ranked, -second)
    elif tie_break == "lowest_cost":
        cost = pd.Series({k: (costs or {}).get(k) for k in keys}, dtype=float)
        ranked = break_ties(ranked, cost.fillna(math.inf))
    return table, ranked


def break_ties(ranked: pd.DataFrame, then: pd.Series) -> pd.DataFrame:
    """``ranked`` (columns ``score`` and ``rank``) with issues that share a rank ordered by
    ``then`` (smaller first): the charter's tie-break, or a what-if ranking's agreed ranks.

    Ranks stay competition ranks (1, 2, 2, 4): issues equal on ``then`` as well keep
    sharing the better one.
    """
    first = ranked["rank"].to_numpy()
    second = then.reindex(ranked.index).to_numpy(dtype=float)
    order = np.lexsort((np.arange(len(first)), second, first))
    result = ranked.iloc[order].copy()
    ranks: list[int] = []
    for position, i in enumerate(order):
        j = order[position - 1] if position else None
        same = (
            j is not None
            and first[i] == first[j]
            and (second[i] == second[j] or math.isclose(second[i], second[j], rel_tol=1e-9))
        )
        ranks.append(ranks[-1] if same else position + 1)
    result["rank"] = ranks
    return result


def weighted_criteria(
    criteria: list[Criterion], weights: dict[str, float]
) -> tuple[list[Criterion], dict[str, float]]:
    """The criteria with a weight above 0, and their weights: the ones a ranking uses."""
    kept = [c for c in criteria if weights.get(c.key, 0) > 0]
    return kept, {c.key: weights[c.key] for c in kept}


def scaled_table(
    scores: pd.DataFrame,
    criteria: list[Criterion],
    issues: list[str],
    statistic: Literal["mean", "median"] = "mean",
) -> pd.DataFrame:
    """Issues × criteria mean (or median) scores, each placed on its own scale as 0–1 (cost
    inverted)."""
    table = methods.aggregate_scores(
        scores, issues=issues, criteria=[c.key for c in criteria], statistic=statistic
    )
    for c in criteria:
        span = c.scale_max - c.scale_min
        column = (table[c.key] - c.scale_min) / span
        table[c.key] = 1 - column if c.direction == "cost" else column
    return table


def scored_issues(scores: pd.DataFrame, issues: list[str], criteria: list[Criterion]) -> list[str]:
    """Issues with at least one number for every one of ``criteria`` (others cannot be
    ranked yet)."""
    wanted = {c.key for c in criteria}
    numbers = scores[scores["criterion"].isin(wanted)].dropna(subset=["score"])
    answered = numbers.groupby("issue")["criterion"].nunique()
    return [i for i in issues if answered.get(i, 0) == len(wanted)]


@dataclass(frozen=True)
class RankingRule:
    """What a locked charter says about ranking: weights, tie-break, and the issues' costs
    (for the ``lowest_cost`` tie-break)."""

    weights: dict[str, float]
    tie_break: str
    costs: dict[str, float | None]

    def rank(
        self, scores: pd.DataFrame, criteria: list[Criterion], keys: list[str]
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        return rank_scores(
            scores, criteria, keys, self.weights, tie_break=self.tie_break, costs=self.costs
        )


def what_if_ranking(summary: Mapping[str, Any], weights: Mapping[str, float]) -> pd.DataFrame:
    """The summary's ranking again with other ``weights``: what the charter's rule would give.

    For the results screen's what-if sliders (nothing is stored). The issues are those of
    ``summary["ranking"]``; the criteria those it was ranked on (a criterion the charter gave
    no weight needed no scores, so it cannot be weighed now), and of these only the ones
    ``weights`` gives more than 0. The scores are ranked by :func:`rank_scores` under the
    charter's tie-break, from the summary's own scores, and issues still equal keep their
    agreed order, so the charter's weights give back exactly the agreed ranking.

    Returns a frame indexed by issue key, best first, with ``score`` (0–1), ``rank`` and
    ``agreed_rank``; it is empty when there is no ranking or no weight above 0.
    """
    ranking = list(summary.get("ranking") or [])
    ranked_on = set(ranking[0]["criteria"]) if ranking else set()
    chosen = {k: float(w) for k, w in weights.items() if k in ranked_on and float(w) > 0}
    if not chosen:
        return pd.DataFrame({"score": [], "rank": [], "agreed_rank": []})
    criteria, scores = ranking_inputs(summary)
    charter = summary.get("charter") or {}
    _, ranked = rank_scores(
        scores,
        criteria,
        [row["key"] for row in ranking],
        chosen,
        tie_break=charter.get("tie_break", "mean_then_median"),
        costs={i["key"]: i.get("cost") for i in summary.get("issues", [])},
    )
    agreed = pd.Series({row["key"]: row["rank"] for row in ranking}, dtype=float)
    ranked = break_ties(ranked, agreed)
    ranked["agreed_rank"] = agreed.reindex(ranked.index).astype(int)
    return ranked


def ranking_inputs(summary: Mapping[str, Any]) -> tuple[list[Criterion], pd.DataFrame]:
    """The criteria and the long scores of a summary (or an export's), as :func:`rank_scores`
    takes them: what ranks the summary again without the store (the what-if sliders, and
    ``ureshii verify`` on an export).
    """
    criteria = [
        Criterion(
            id=n,
            key=c["key"],
            name=c["name"],
            direction=c["direction"],
            scale_min=int(c["scale"][0]),
            scale_max=int(c["scale"][1]),
            anchors={},
        )
        for n, c in enumerate(summary["criteria"])
    ]
    scores = pd.DataFrame(summary["scores"]["rows"], columns=summary["scores"]["columns"])
    scores["score"] = scores["score"].astype(float)
    return criteria, scores
