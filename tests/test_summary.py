"""The results summary: worked by hand on a small workshop, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workshop_data import small_workshop
from toolkit.ballots import tally
from toolkit.store import Store
from toolkit.summary import summarize

SLUG = "tsuru-dx"


@pytest.fixture
def scored(empty_store: Store) -> Store:
    """Three raters score three issues; weights resident 0.5, staff 0.3, cost 0.2."""
    empty_store.create_workshop(small_workshop(SLUG))
    tokens = [empty_store.join(SLUG, category="staff") for _ in range(3)]
    empty_store.propose_charter(
        SLUG, method="weighted_sum", weights={"resident": 50, "staff": 30, "cost": 20}
    )
    for token in tokens:
        empty_store.record_consent(SLUG, token, 5)
    empty_store.lock_charter(SLUG)
    # (resident, staff, cost) per issue, the same for every rater except one "don't know"
    answers = {"madoguchi-konzatsu": (5, 3, 5), "sanres": (3, 5, 1), "chat": (2, 4, 1)}
    for n, token in enumerate(tokens):
        empty_store.record_scores(
            SLUG,
            token,
            {
                (issue, crit): (None if (n, issue, crit) == (2, "chat", "staff") else value)
                for issue, values in answers.items()
                for crit, value in zip(("resident", "staff", "cost"), values, strict=True)
            },
        )
    return empty_store


def test_ranking_is_the_weighted_mean_on_each_scale(scored: Store) -> None:
    ranking = summarize(scored, SLUG)["ranking"]
    # scaled to 0–1 on 1–5 (cost inverted): madoguchi (1, .5, 0) → .5·1 + .3·.5 + .2·0 = .65
    # sanres (.5, 1, 1) → .25 + .3 + .2 = .75; chat (.25, .75, 1) → .125 + .225 + .2 = .55
    assert [(r["key"], r["rank"], r["score"]) for r in ranking] == [
        ("sanres", 1, 0.75),
        ("madoguchi-konzatsu", 2, 0.65),
        ("chat", 3, 0.55),
    ]
    assert ranking[2]["raters"] == 3
    assert all(0 <= r["robustness"] <= 1 for r in ranking)
    assert ranking[0]["criteria"] == {"resident": 0.5, "staff": 1.0, "cost": 1.0}


def test_identical_answers_mean_full_agreement(scored: Store) -> None:
    for row in summarize(scored, SLUG)["ranking"]:
        assert row["agreement_rwg"] == 1.0 and row["divides_group"] is False


def test_groups_smaller_than_five_are_suppressed(scored: Store) -> None:
    assert summarize(scored, SLUG)["by_group"] == {
        "staff": {"raters": None, "suppressed": True, "ranking": []}
    }


def test_hidden_results_stay_hidden_until_close(scored: Store) -> None:
    scored.open_ballot(SLUG, "town")
    scored.cast_vote(SLUG, "town", scored.join(SLUG), ["chat", "sanres"])
    [ballot] = summarize(scored, SLUG)["ballots"]
    assert (ballot["votes"], ballot["tally"]) == (1, None)
    assert summarize(scored, SLUG, include_hidden=True)["ballots"][0]["tally"] is not None
    scored.close_ballot(SLUG, "town")
    [ballot] = summarize(scored, SLUG)["ballots"]
    assert ballot["tally"] == {
        "order": ["sanres", "chat", "madoguchi-konzatsu"],
        "points": {"madoguchi-konzatsu": 0.0, "sanres": 1.0, "chat": 1.0},
    }


def test_no_ranking_before_the_charter_is_locked(empty_store: Store) -> None:
    empty_store.create_workshop(small_workshop(SLUG))
    summary = summarize(empty_store, SLUG)
    assert summary["charter"] is None and summary["ranking"] == []


@pytest.mark.parametrize(
    ("rule", "payloads", "settings", "order"),
    [
        ("single", ["B", "A", "B"], {}, ["B", "A", "C"]),
        ("dot_votes", [{"A": 2, "C": 1}, {"C": 3}], {"dots": 3}, ["C", "A", "B"]),
        ("borda", [["A", "B", "C"], ["B", "A", "C"], ["B", "C", "A"]], {}, ["B", "A", "C"]),
        ("schulze", [["C", "A", "B"], ["C", "B", "A"], ["A", "B", "C"]], {}, ["C", "A", "B"]),
        (
            "greedy_budget",
            [["A", "B"], ["A"], ["C"]],
            {"budget": 10, "costs": {"A": 6, "B": 5, "C": 4}},
            ["A", "C", "B"],  # A and C are funded; B after them, though more supported
        ),
    ],
    ids=["single", "dots", "borda", "schulze", "greedy"],
)
def test_tally_by_rule(
    rule: str, payloads: list[object], settings: dict[str, object], order: list[str]
) -> None:
    assert tally(rule, ("A", "B", "C"), settings, payloads)["order"] == order


def test_criteria_left_out_of_the_charter_need_no_scores(empty_store: Store) -> None:
    """The group agreed on two criteria only; nobody has to score the third."""
    empty_store.create_workshop(small_workshop(SLUG))
    token = empty_store.join(SLUG)
    empty_store.propose_charter(
        SLUG, method="weighted_sum", weights={"resident": 75, "staff": 25, "cost": 0}
    )
    empty_store.record_consent(SLUG, token, 4)
    empty_store.lock_charter(SLUG)
    empty_store.record_scores(
        SLUG,
        token,
        {
            ("sanres", "resident"): 5,
            ("sanres", "staff"): 1,
            ("chat", "resident"): 3,
            ("chat", "staff"): 5,
            ("sanres", "cost"): 1,  # scored anyway: a weight of 0 ignores it
        },
    )
    ranking = summarize(empty_store, SLUG)["ranking"]
    # sanres: .75·1 + .25·0 = .75; chat: .75·.5 + .25·1 = .625; cost (weight 0) plays no part
    assert [(r["key"], r["score"]) for r in ranking] == [("sanres", 0.75), ("chat", 0.625)]
    assert set(ranking[0]["criteria"]) == {"resident", "staff"}


def test_the_theme_ranking_alone_is_the_summarys(tmp_path: Path) -> None:
    """The vision is drafted from ``theme_ranking`` (no scores, no robustness sampling):
    the same themes, counts and order as the results summary, on the demo's dots and cards."""
    from toolkit.demo import build_demo
    from toolkit.summary import theme_ranking

    demo = build_demo(tmp_path, lang="ja", seed=0)
    with Store.open(demo.path) as store:
        slug = store.workshops()[-1].slug
        themes = theme_ranking(store, slug)
        assert themes == summarize(store, slug)["themes"]
        assert themes[0]["dots"] > 0 and sum(th["cards"] for th in themes) > 0
        assert [th["dots"] for th in themes] == sorted((th["dots"] for th in themes), reverse=True)
