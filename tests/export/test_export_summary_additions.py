"""What issue 6 added to the results summary, worked by hand on both databases."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from tests.export.conftest import SLUG, scored_workshop
from toolkit.ranking import rank_scores
from toolkit.store import Store
from toolkit.summary import summarize


@pytest.fixture
def summary(empty_store: Store) -> dict[str, Any]:
    tokens = scored_workshop(empty_store, {"staff": 5, "resident": 5})
    card = empty_store.add_card(SLUG, "窓口で待たずに済む", stakeholder="kosodate", token=tokens[0])
    empty_store.group_card(SLUG, card.id, "matanai")
    empty_store.add_card(SLUG, "FAXがなくなる", stakeholder="madoguchi")
    empty_store.draft_vision(SLUG, "待たないまち", themes=["matanai"])
    empty_store.draft_vision(SLUG, "だれも待たないまち", themes=["matanai"])
    for token in tokens[:3]:
        empty_store.record_vision_consent(SLUG, token, 4)
    empty_store.rate_issue(SLUG, "chat", current=2, ideal=4)
    return summarize(empty_store, SLUG)


def test_summary_stays_json_safe(summary: dict[str, Any]) -> None:
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary


def test_every_issue_with_its_links_and_gap(summary: dict[str, Any]) -> None:
    issues = {i["key"]: i for i in summary["issues"]}
    assert list(issues) == ["madoguchi-konzatsu", "sanres", "chat"]
    assert issues["madoguchi-konzatsu"]["themes"] == ["matanai"]
    assert issues["madoguchi-konzatsu"]["stakeholders"] == ["kosodate"]
    assert (issues["chat"]["current"], issues["chat"]["ideal"], issues["chat"]["gap"]) == (2, 4, 2)
    assert issues["sanres"]["cost"] == 1_000_000


def test_happiness_map_counts_cards_per_stakeholder_and_theme(summary: dict[str, Any]) -> None:
    grid = summary["happiness_map"]
    assert grid == {  # one grouped card of kosodate, one ungrouped card of madoguchi
        "stakeholders": ["kosodate", "madoguchi"],
        "themes": ["matanai", None],
        "counts": [[1, 0], [0, 1]],
    }
    assert summary["cards"] == [
        {"text": "窓口で待たずに済む", "stakeholder": "kosodate", "theme": "matanai"},
        {"text": "FAXがなくなる", "stakeholder": "madoguchi", "theme": None},
    ]


def test_vision_history_and_charter_versions(summary: dict[str, Any]) -> None:
    assert [v["version"] for v in summary["vision_history"]] == [1, 2]
    assert summary["vision"]["consent"]["responses"] == 3
    [version] = summary["charter_history"]
    assert version["weights"] == {"resident": 0.5, "staff": 0.3, "cost": 0.2}
    assert version["consent"]["responses"] == 10 and version["tie_break"] == "mean_then_median"


def test_score_stats_by_hand(summary: dict[str, Any]) -> None:
    stats = pd.DataFrame(summary["score_stats"]["rows"], columns=summary["score_stats"]["columns"])
    row = stats[(stats.issue == "madoguchi-konzatsu") & (stats.criterion == "cost")].iloc[0]
    # everyone gave cost 5 on a 1–5 cost scale: mean 5, scaled (5 − 5) / 4 = 0 after inversion
    assert (row.answers, row.dont_know, row["mean"], row["median"], row.scaled) == (10, 0, 5, 5, 0)
    assert len(stats) == 9


def test_scores_are_anonymous_and_numbered_from_one(summary: dict[str, Any]) -> None:
    scores = summary["scores"]
    raters = [row[0] for row in scores["rows"]]
    assert sorted(set(raters)) == list(range(1, 11))
    assert scores["rater_groups"] == ["staff"] * 5 + ["resident"] * 5


def test_a_small_group_hides_every_raters_group(empty_store: Store) -> None:
    scored_workshop(empty_store, {"staff": 6, "resident": 4})
    summary = summarize(empty_store, SLUG)
    assert summary["by_group"]["resident"] == {"raters": None, "suppressed": True, "ranking": []}
    # labelling the 6 staff would single out the 4 residents as the unlabelled raters
    assert summary["scores"]["rater_groups"] == [None] * 10


def test_rank_scores_is_what_the_ranking_shows(empty_store: Store, summary: dict[str, Any]) -> None:
    table, ranked = rank_scores(
        empty_store.scores(SLUG), empty_store.criteria(SLUG),
        ["madoguchi-konzatsu", "sanres", "chat"], {"resident": 0.5, "staff": 0.3, "cost": 0.2},
    )  # fmt: skip
    assert [(str(k), round(float(v), 6)) for k, v in ranked["score"].items()] == [
        (r["key"], r["score"]) for r in summary["ranking"]
    ]
    assert table.shape == (3, 3)


def test_roadmap_groups_issues_by_year(empty_store: Store) -> None:
    scored_workshop(empty_store, {"staff": 5})
    empty_store.add_issue(SLUG, "公用車運転日報の電子化", key="nippo", year=2027)
    empty_store.add_issue(SLUG, "修繕報告の一元管理", key="shuzen", year=2026)
    roadmap = summarize(empty_store, SLUG)["roadmap"]
    # ranked issues (no year) first by rank; a year without ranked issues keeps store order
    assert roadmap == [
        {"year": 2026, "issues": ["shuzen"]},
        {"year": 2027, "issues": ["nippo"]},
        {"year": None, "issues": ["sanres", "madoguchi-konzatsu", "chat"]},
    ]


def test_ballot_payloads_only_when_results_are_visible(empty_store: Store) -> None:
    tokens = scored_workshop(empty_store, {"staff": 5})
    empty_store.open_ballot(SLUG, "town")
    empty_store.cast_vote(SLUG, "town", tokens[0], ["sanres", "chat"])
    empty_store.cast_vote(SLUG, "town", tokens[1], ["chat"])
    [ballot] = summarize(empty_store, SLUG)["ballots"]
    assert (ballot["payloads"], ballot["tally"]) == (None, None)
    empty_store.close_ballot(SLUG, "town")
    [ballot] = summarize(empty_store, SLUG)["ballots"]
    # sorted by their JSON text, not by time or voter: the order says nothing about who
    assert ballot["payloads"] == [["chat", "sanres"], ["chat"]]
    assert ballot["options"] == ["madoguchi-konzatsu", "sanres", "chat"]


def test_audit_log_is_the_event_log(empty_store: Store) -> None:
    scored_workshop(empty_store, {"staff": 5})
    log = summarize(empty_store, SLUG)["audit_log"]
    kinds = [e["kind"] for e in log]
    assert kinds[0] == "workshop_created" and "charter_locked" in kinds
    assert [e["seq"] for e in log] == sorted(e["seq"] for e in log)
    assert log[-1]["seq"] == empty_store.last_seq(SLUG)
    assert len(log) == log[-1]["seq"] - log[0]["seq"] + 1  # one workshop: every event


def test_an_issue_nobody_could_score_on_a_criterion_is_left_out(empty_store: Store) -> None:
    """Every rater said "don't know" on cost for chat: the rest is still ranked."""
    tokens = scored_workshop(empty_store, {"staff": 5})
    for token in tokens:
        empty_store.record_scores(SLUG, token, {("chat", "cost"): None})
    summary = summarize(empty_store, SLUG)
    assert [r["key"] for r in summary["ranking"]] == ["sanres", "madoguchi-konzatsu"]
    assert summary["by_group"]["staff"]["ranking"] == [
        {"key": "sanres", "rank": 1},
        {"key": "madoguchi-konzatsu", "rank": 2},
    ]
