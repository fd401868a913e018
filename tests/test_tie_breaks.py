"""The charter's tie-break decides the order of issues with the same score, on both databases,
and an export of that ranking verifies.

Three raters score one criterion (the only one with a weight), on a 1–5 scale:

=====================  =========  ======  ========  ==========
issue                  scores     mean    median    cost
=====================  =========  ======  ========  ==========
madoguchi-konzatsu     1, 4, 4    3       4         3,000,000
sanres                 3, 3, 4    3.33    3         1,000,000
chat                   2, 3, 4    3       3         500,000
=====================  =========  ======  ========  ==========
"""

from __future__ import annotations

import json

import pytest

from tests.workshop_data import tied_scores
from toolkit.export.json_export import render_json
from toolkit.export.verify import verify_document
from toolkit.store import Store
from toolkit.summary import summarize

SLUG = "tsuru-dx"


def ranked_with(store: Store, tie_break: str) -> list[tuple[str, int]]:
    tied_scores(store, SLUG, tie_break)
    summary = summarize(store, SLUG)
    assert verify_document(json.loads(render_json(summary))).matches
    return [(row["key"], row["rank"]) for row in summary["ranking"]]


@pytest.mark.parametrize(
    ("tie_break", "expected"),
    [
        # means: sanres first; madoguchi and chat tie at 3, the higher median (4) goes first
        ("mean_then_median", [("sanres", 1), ("madoguchi-konzatsu", 2), ("chat", 3)]),
        # medians: madoguchi first; sanres and chat tie at 3, the higher mean (3.33) first
        ("median_then_mean", [("madoguchi-konzatsu", 1), ("sanres", 2), ("chat", 3)]),
        # means: sanres first; of the tied two, chat costs less
        ("lowest_cost", [("sanres", 1), ("chat", 2), ("madoguchi-konzatsu", 3)]),
        # the tie stays for the facilitator to decide: both rank 2, in the issues' order
        ("facilitator", [("sanres", 1), ("madoguchi-konzatsu", 2), ("chat", 2)]),
    ],
)
def test_the_charters_tie_break_orders_tied_issues(
    empty_store: Store, tie_break: str, expected: list[tuple[str, int]]
) -> None:
    assert ranked_with(empty_store, tie_break) == expected


def test_scores_stay_those_of_the_agreed_statistic(empty_store: Store) -> None:
    ranked_with(empty_store, "median_then_mean")
    ranking = summarize(empty_store, SLUG)["ranking"]
    # medians placed on 1–5 as 0–1: madoguchi 4 → .75, sanres and chat 3 → .5
    assert [row["score"] for row in ranking] == [0.75, 0.5, 0.5]
