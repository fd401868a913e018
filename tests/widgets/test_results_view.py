"""The results view renders the summary; what-if weights re-rank without touching the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.workshop_data import small_workshop, tied_scores
from toolkit.demo import build_demo
from toolkit.store import Store
from toolkit.summary import summarize
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.results import ResultsView

SLUG = "tsuru-dx"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    result = build_demo(tmp_path_factory.mktemp("demo"), lang="ja", seed=0)
    with Store.open(result.path) as store:
        yield store, result.slug


@pytest.fixture(scope="module")
def view(demo: tuple[Store, str]) -> ResultsView:
    store, slug = demo
    return ResultsView(AppContext.for_store(store, slug, "en"), LiveFeed(store, slug))


def test_the_ranking_table_shows_rank_score_robustness_and_division(view: ResultsView) -> None:
    ranking = view.summary["ranking"]
    assert ranking and view.order() == [row["key"] for row in ranking]
    table = view.ranking_table.value
    positions = [table.index(row["title"]) for row in ranking]
    assert positions == sorted(positions)  # best first
    first = ranking[0]
    assert f"{first['score']:.3f}" in table and f"{first['robustness'] * 100:.0f}%" in table
    assert "in what share of 2,000 slightly different weightings" in table
    divided = [row for row in ranking if row["divides_group"]]
    assert divided, "the demo has issues that divide the group"
    assert table.count("⚠ divides the group") == len(divided)
    assert "Ranking under method charter v1 (Weighted criteria scoring)" in view.header.value


def test_the_chart_has_its_data_as_a_table(view: ResultsView) -> None:
    data = view.chart._table.value
    assert "Score by issue (colour: robustness)" in data
    for row in view.summary["ranking"]:
        assert row["title"] in data
    assert "<svg" in view.chart._image.value


def test_items_that_divide_the_group_are_listed_with_their_spread(view: ResultsView) -> None:
    discuss = view.discuss.value
    assert "Items to discuss: the group is divided" in discuss
    for row in view.summary["ranking"]:
        heading = f"{row['rank']}. {row['title']} — ⚠"
        assert (heading in discuss) == row["divides_group"]
    assert "住民のうれしさ: 1 pts ×" in discuss  # how the answers spread, per criterion


def test_each_category_has_its_own_ranking(view: ResultsView) -> None:
    groups = view.summary["by_group"]
    assert not any(g["suppressed"] for g in groups.values())
    html = view.by_category.value
    assert f"Resident ({groups['resident']['raters']} people)" in html
    assert f"Staff ({groups['staff']['raters']} people)" in html


def test_what_if_weights_rerank_without_changing_the_charter(
    demo: tuple[Store, str], view: ResultsView
) -> None:
    store, slug = demo
    before = store.locked_charter(slug)
    whatif = view.whatif
    agreed = view.order()
    assert whatif.order == agreed  # the sliders start at the charter's weights
    assert whatif.weights() == pytest.approx({k: v * 100 for k, v in before.weights.items()})
    assert "WHAT-IF ONLY: this is not the agreed charter" in whatif.banner.value
    # sliders move in whole points but start from the exact weights: the same scores
    first = view.summary["ranking"][0]
    assert f"<td>{first['title']}</td><td>{first['score']:.3f}</td>" in whatif.table.value
    assert all(s.value == round(before.weights[k] * 100) for k, s in whatif.sliders.items())

    for key, slider in whatif.sliders.items():
        slider.value = 100 if key == "cost" else 0
    cheapest_first = sorted(agreed, key=lambda k: -_criteria(view)[k]["cost"])
    assert whatif.order == cheapest_first != agreed
    assert "▲ up" in whatif.table.value and "▼ down" in whatif.table.value
    assert "moved up" in whatif.note.value

    after = store.locked_charter(slug)
    assert (after.version, after.weights, after.locked_at) == (
        before.version,
        before.weights,
        before.locked_at,
    )
    assert summarize(store, slug)["ranking"] == view.summary["ranking"]

    for slider in whatif.sliders.values():
        slider.value = 0
    assert "Give at least one criterion some weight." in whatif.note.value
    whatif.reset_button.click()
    assert whatif.order == agreed and "same order" in whatif.note.value


@pytest.mark.parametrize("tie_break", ["lowest_cost", "median_then_mean", "facilitator"])
def test_what_if_starts_from_the_agreed_order_when_a_tie_was_broken(
    tmp_path: Path, tie_break: str
) -> None:
    with Store.open(str(tmp_path / "tied.sqlite")) as store:
        tied_scores(store, SLUG, tie_break)
        view = ResultsView(AppContext.for_store(store, SLUG, "en"), LiveFeed(store, SLUG))
        agreed = [(row["key"], row["rank"]) for row in view.summary["ranking"]]
        assert view.whatif.order == [key for key, _ in agreed]
        assert "same order" in view.whatif.note.value
        assert "▲" not in view.whatif.table.value and "▼" not in view.whatif.table.value


def _criteria(view: ResultsView) -> dict[str, dict[str, float]]:
    return {row["key"]: row["criteria"] for row in view.summary["ranking"]}


def test_before_scores_it_says_why_and_new_scores_arrive_live(tmp_path: Path) -> None:
    with Store.open(tmp_path / "w.sqlite") as store:
        store.create_workshop(small_workshop(SLUG))
        ctx = AppContext.for_store(store, SLUG, "ja")
        feed = LiveFeed(store, SLUG)
        view = ResultsView(ctx, feed)
        assert "まだ順位はありません" in view.header.value
        assert view.whatif.layout.display == "none"

        store.propose_charter(
            SLUG, method="weighted_sum", weights={"resident": 1, "staff": 0, "cost": 0}
        )
        people = [store.join(SLUG, category="resident") for _ in range(3)]
        for person in people:
            store.record_consent(SLUG, person, 4)
        store.lock_charter(SLUG)
        for n, person in enumerate(people):
            store.record_scores(
                SLUG,
                person,
                {(i, c): 1 + (n + k) % 5 for k, i in enumerate(("sanres", "chat"))
                 for c in ("resident", "staff", "cost")},
            )  # fmt: skip
        feed.poll_once()
        assert [row["key"] for row in view.summary["ranking"]] == view.order()
        assert len(view.order()) == 2
        # three residents are fewer than five: their category's ranking is hidden, and it says why
        assert "住民: 5 人未満のため非表示" in view.by_category.value
        assert "試算のみ" in view.whatif.banner.value
