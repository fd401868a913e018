"""The what-if ranking (toolkit.ranking.what_if_ranking) against a hand-worked example.

Two raters score three issues on "resident" (benefit, 1–5) and "cost" (cost, 1–5) alike:

    issue               resident  cost   scaled resident  scaled cost  issue cost (yen)
    madoguchi-konzatsu  5         5      1.0              0.0          3,000,000
    sanres              3         3      0.5              0.5          1,000,000
    chat                1         1      0.0              1.0            500,000

The charter weighs resident 0.75 and cost 0.25 (tie-break: lowest cost), so the agreed scores
are 0.75, 0.5 and 0.25: madoguchi-konzatsu, sanres, chat.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.workshop_data import small_workshop
from toolkit.ranking import what_if_ranking
from toolkit.store import Store
from toolkit.summary import summarize

SLUG = "what-if"
SCORES = {"madoguchi-konzatsu": (5, 5), "sanres": (3, 3), "chat": (1, 1)}


@pytest.fixture
def summary(tmp_path: Path) -> dict[str, Any]:
    with Store.open(tmp_path / "what-if.sqlite") as store:
        store.create_workshop(small_workshop(SLUG))
        raters = [store.join(SLUG) for _ in range(2)]
        store.propose_charter(
            SLUG,
            method="weighted_sum",
            weights={"resident": 0.75, "staff": 0, "cost": 0.25},
            tie_break="lowest_cost",
        )
        for rater in raters:
            store.record_consent(SLUG, rater, 5)
        store.lock_charter(SLUG)
        for rater in raters:
            values: dict[tuple[str, str], int | None] = {}
            for issue, (resident, cost) in SCORES.items():
                values[(issue, "resident")] = resident
                values[(issue, "staff")] = 3
                values[(issue, "cost")] = cost
            store.record_scores(SLUG, rater, values)
        return summarize(store, SLUG)


def _ranks(frame: pd.DataFrame) -> list[tuple[str, int, float, int]]:
    return [
        (str(key), int(row["rank"]), round(float(row["score"]), 6), int(row["agreed_rank"]))
        for key, row in frame.iterrows()
    ]


def test_the_charters_weights_give_back_the_agreed_ranking(summary: dict[str, Any]) -> None:
    assert [(r["key"], r["rank"], r["score"]) for r in summary["ranking"]] == [
        ("madoguchi-konzatsu", 1, 0.75),
        ("sanres", 2, 0.5),
        ("chat", 3, 0.25),
    ]
    # the sliders' points (75 and 25) are the same weights
    assert _ranks(what_if_ranking(summary, {"resident": 75, "cost": 25})) == [
        ("madoguchi-konzatsu", 1, 0.75, 1),
        ("sanres", 2, 0.5, 2),
        ("chat", 3, 0.25, 3),
    ]


def test_cost_alone_turns_the_ranking_round(summary: dict[str, Any]) -> None:
    # scaled cost only: chat 1.0, sanres 0.5, madoguchi-konzatsu 0.0
    assert _ranks(what_if_ranking(summary, {"resident": 0, "cost": 100})) == [
        ("chat", 1, 1.0, 3),
        ("sanres", 2, 0.5, 2),
        ("madoguchi-konzatsu", 3, 0.0, 1),
    ]


def test_equal_scores_are_ordered_by_the_charters_tie_break(summary: dict[str, Any]) -> None:
    # 50/50: every issue scores 0.5 (1.0/0.0, 0.5/0.5, 0.0/1.0); the charter breaks ties by
    # the lower cost: chat (500,000), sanres (1,000,000), madoguchi-konzatsu (3,000,000)
    assert _ranks(what_if_ranking(summary, {"resident": 50, "cost": 50})) == [
        ("chat", 1, 0.5, 3),
        ("sanres", 2, 0.5, 2),
        ("madoguchi-konzatsu", 3, 0.5, 1),
    ]


def test_no_weight_on_a_ranked_criterion_gives_no_ranking(summary: dict[str, Any]) -> None:
    assert what_if_ranking(summary, {"resident": 0, "cost": 0}).empty
    # "staff" was not weighed by the charter, so the ranking has no values to weigh it on
    assert what_if_ranking(summary, {"staff": 100}).empty
    assert what_if_ranking({"ranking": []}, {"resident": 1}).empty
