"""The pabulib ``.pb`` export of every ballot rule, read back by pabutools (issue 17, item 9).

Each ballot rule gets a real ballot in a real store (the small workshop's issues as options,
five voters), the ``.pb`` of each is parsed with ``pabutools.election.parse_pabulib`` and
checked against the pabulib format (https://pabulib.org/format): a budget only for budget
ballots, a pabulib rule name, ``votes``/``score``/``selected`` per project; for the two
budget rules pabutools' own rule, run on the parsed file, funds what ``selected`` says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

from tests.workshop_data import small_workshop
from toolkit.ballots import BALLOT_RULES
from toolkit.export.pabulib import render_pabulib
from toolkit.store import Store
from toolkit.summary import summarize

SLUG = "tsuru-dx"
OPTIONS = ["madoguchi-konzatsu", "sanres", "chat"]
COSTS = {"madoguchi-konzatsu": 3_000_000, "sanres": 1_000_000, "chat": 500_000}
BUDGET = 4_000_000

#: Five voters per rule; the budget ballots are chosen so that greedy and Equal Shares
#: fund different projects, and nothing ties.
BALLOTS: dict[str, tuple[dict[str, Any], list[Any]]] = {
    "single": ({}, ["sanres", "sanres", "chat", "madoguchi-konzatsu", "sanres"]),
    "approval": (
        {"max_choices": 2},
        [["sanres", "chat"], ["sanres"], ["madoguchi-konzatsu", "sanres"], ["chat"], ["sanres"]],
    ),
    "dot_votes": (
        {"dots": 3},
        [{"sanres": 2, "chat": 1}, {"madoguchi-konzatsu": 3}, {"sanres": 3}, {"chat": 2}, {}],
    ),
    "points": (
        {"total": 100},
        [
            {"sanres": 60, "chat": 40},
            {"madoguchi-konzatsu": 100},
            {"sanres": 50, "madoguchi-konzatsu": 50},
            {"chat": 70, "sanres": 30},
            {"sanres": 100},
        ],
    ),
    "borda": (
        {},
        [
            ["sanres", "chat", "madoguchi-konzatsu"],
            ["madoguchi-konzatsu", "sanres"],
            ["sanres", "madoguchi-konzatsu", "chat"],
            ["chat", "sanres", "madoguchi-konzatsu"],
            ["sanres"],
        ],
    ),
    "schulze": (
        {},
        [
            ["sanres", "chat", "madoguchi-konzatsu"],
            ["madoguchi-konzatsu", "sanres", "chat"],
            ["sanres", "madoguchi-konzatsu", "chat"],
            ["chat", "sanres", "madoguchi-konzatsu"],
            ["sanres", "chat"],
        ],
    ),
    "score": (
        {"min": 0, "max": 5},
        [
            {"sanres": 5, "chat": 3, "madoguchi-konzatsu": 0},
            {"madoguchi-konzatsu": 4, "sanres": 2},
            {"sanres": 4},
            {"chat": 5, "sanres": 1},
            {"sanres": 3, "madoguchi-konzatsu": 1},
        ],
    ),
    "quadratic": (
        {"credits": 16},
        [{"sanres": 3, "chat": 2}, {"madoguchi-konzatsu": 4}, {"sanres": 2}, {"chat": 1}, {}],
    ),
    # Approvals: madoguchi 3, chat 2, sanres 1. Greedy funds madoguchi (3,000,000), then
    # chat (500,000); sanres no longer fits. Equal Shares (800,000 a voter) cannot pay
    # madoguchi from its three supporters (2,400,000) nor sanres from one: it funds chat.
    "equal_shares": (
        {"budget": BUDGET, "costs": COSTS},
        [["madoguchi-konzatsu"]] * 3 + [["sanres", "chat"], ["chat"]],
    ),
    "greedy_budget": (
        {"budget": BUDGET, "costs": COSTS},
        [["madoguchi-konzatsu"]] * 3 + [["sanres", "chat"], ["chat"]],
    ),
}
PABULIB_RULES = {"greedy", "equalshares", "equalshares/add1", "unknown"}  # pabulib.org/format
VOTE_TYPES = {"approval", "ordinal", "cumulative", "scoring", "choose-1"}


def test_every_ballot_rule_is_exported() -> None:
    assert set(BALLOTS) == set(BALLOT_RULES)


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A real SQLite store with one closed ballot per rule, five voters each."""
    path = tmp_path_factory.mktemp("pb") / "ureshii.sqlite"
    with Store.open(path) as store:
        spec = small_workshop(SLUG)
        spec.pop("town_meeting")
        store.create_workshop(spec)
        tokens = [store.join(SLUG) for _ in range(5)]
        for rule, (settings, votes) in BALLOTS.items():
            store.create_ballot(
                SLUG, rule, f"{rule} 投票", rule=rule, options=OPTIONS, settings=settings
            )
            store.open_ballot(SLUG, rule)
            for token, vote in zip(tokens, votes, strict=True):
                store.cast_vote(SLUG, rule, token, vote)
            store.close_ballot(SLUG, rule)
        yield summarize(store, SLUG)


def _parsed(summary: dict[str, Any], rule: str, folder: Path) -> tuple[Any, Any, str]:
    text = render_pabulib(summary, ballot=rule).decode("utf-8")
    path = folder / f"{rule}.pb"
    path.write_text(text, encoding="utf-8")
    instance, profile = parse_pabulib(str(path))
    return instance, profile, text


def _projects(instance: Any) -> dict[str, dict[str, str]]:
    return {p.name: instance.project_meta[p] for p in instance}


@pytest.mark.parametrize("rule", list(BALLOTS))
def test_pb_file_follows_the_pabulib_format(
    summary: dict[str, Any], rule: str, tmp_path: Path
) -> None:
    instance, profile, _ = _parsed(summary, rule, tmp_path)
    entry = next(b for b in summary["ballots"] if b["key"] == rule)
    meta = instance.meta
    assert meta["rule"] in PABULIB_RULES
    assert meta["vote_type"] in VOTE_TYPES
    assert meta["ureshii_rule"] == rule
    assert len(profile) == int(meta["num_votes"]) == 5
    assert re.fullmatch(r"#1: [^#]+( #2: [^#]+)?", meta["comment"])  # numbered, as pabulib asks
    projects = _projects(instance)
    assert set(projects) == set(OPTIONS)
    # votes: how many voters voted for the option, whatever the points.
    for option in OPTIONS:
        voted = sum(1 for ballot in profile if option in {p.name for p in ballot})
        assert int(projects[option]["votes"]) == voted
    if meta["vote_type"] in ("cumulative", "scoring"):
        for option in OPTIONS:
            assert float(projects[option]["score"]) == entry["tally"]["points"][option]
    chosen = {name for name, row in projects.items() if row["selected"] == "1"}
    assert all(row["selected"] in ("0", "1") for row in projects.values())
    if BALLOT_RULES[rule].needs_costs:
        assert meta["rule"] == {"equal_shares": "equalshares", "greedy_budget": "greedy"}[rule]
        assert instance.budget_limit == BUDGET and meta["currency"] == "JPY"
        assert chosen == set(entry["tally"]["selected"])
    else:
        # No budget: none invented; the winners of the published tally are selected.
        assert meta["rule"] == "unknown"
        assert instance.budget_limit == 0
        assert "had no budget" in meta["comment"]
        points = entry["tally"]["points"]
        assert chosen == {o for o in OPTIONS if points[o] == max(points.values())}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("equal_shares", {"chat"}), ("greedy_budget", {"madoguchi-konzatsu", "chat"})],
)
def test_pabutools_own_rule_funds_the_selected_projects(
    summary: dict[str, Any], rule: str, expected: set[str], tmp_path: Path
) -> None:
    instance, profile, _ = _parsed(summary, rule, tmp_path)
    selected = {name for name, row in _projects(instance).items() if row["selected"] == "1"}
    assert selected == expected
    if instance.meta["rule"] == "equalshares":
        outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    else:
        # pabulib's greedy: most votes first, skip what no longer fits (Cost_Sat makes
        # pabutools' satisfaction-per-cost the number of approvals).
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    assert {p.name for p in outcome} == selected


def test_points_are_listed_highest_first(summary: dict[str, Any], tmp_path: Path) -> None:
    _, _, text = _parsed(summary, "points", tmp_path)
    votes = text.split("VOTES\n", 1)[1].splitlines()
    assert votes[0] == "voter_id;vote;points"
    rows = [line.split(";") for line in votes[1:]]
    for _, _, points in rows:
        numbers = [float(p) for p in points.split(",")]
        assert numbers == sorted(numbers, reverse=True)
    assert ["sanres,chat", "60,40"] in [row[1:] for row in rows]  # cast {"chat": 40, "sanres": 60}
