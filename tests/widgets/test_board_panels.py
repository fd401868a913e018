"""The projector board without a browser: it follows the store through the live feed and
never shows a hidden ballot's tally before the vote closes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.workshop_data import small_workshop
from toolkit.model import join_code
from toolkit.store import Store
from widgets.board import ProjectorBoard
from widgets.context import AppContext
from widgets.live import LiveFeed

SLUG = "tsuru-dx"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    with Store.open(tmp_path / "board.sqlite") as store:
        store.create_workshop(small_workshop(SLUG))
    return tmp_path / "board.sqlite"


@pytest.fixture
def screens(path: Path) -> Iterator[tuple[Store, Store]]:
    """Store A (a table laptop, the console) and store B (the board's own kernel)."""
    first, second = Store.open(path), Store.open(path)
    yield first, second
    first.close()
    second.close()


def _board(store: Store, lang: str = "en") -> tuple[ProjectorBoard, LiveFeed]:
    feed = LiveFeed(store, SLUG)
    return ProjectorBoard(AppContext.for_store(store, SLUG, lang), feed), feed


def test_a_card_added_on_another_screen_reaches_the_board(
    screens: tuple[Store, Store],
) -> None:
    table, board_store = screens
    board, feed = _board(board_store)
    assert board.phase == "happiness" and "No cards yet" in board.text
    table.add_card(SLUG, "子どもを連れて窓口で待たずに済む", stakeholder="kosodate")
    assert "子どもを連れて" not in board.text  # not before the board's feed polls
    feed.poll_once()
    assert "子どもを連れて窓口で待たずに済む" in board.text
    assert "1 cards" in board.header.value
    charts = board.chart_views()
    assert charts, "the happiness map is drawn"
    for chart in charts:  # each chart carries its data as a table
        assert "<svg" in chart._image.value and "<table" in chart._table.value
    assert "子育て世帯" in board.text  # the map's table names the stakeholder


def test_the_board_follows_the_phase(screens: tuple[Store, Store]) -> None:
    console, board_store = screens
    board, feed = _board(board_store, "ja")
    console.draft_vision(SLUG, "だれも待たされないまち", themes=["matanai"])
    console.set_phase(SLUG, "vision")
    feed.poll_once()
    assert board.phase == "vision"
    assert "<h1>ビジョン</h1>" in board.header.value and "だれも待たされないまち" in board.text
    # the panel names the phase it shows (the page waits on it), one phase at a time
    assert "ureshii-phase-vision" in board.panel._dom_classes
    console.set_phase(SLUG, "issues")
    feed.poll_once()
    assert "窓口の混雑緩和" in board.text and "ギャップ" in board.text
    phases = [c for c in board.panel._dom_classes if c.startswith("ureshii-phase-")]
    assert phases == ["ureshii-phase-issues"]


def test_a_hidden_ballot_shows_only_its_vote_count_until_it_closes(
    screens: tuple[Store, Store],
) -> None:
    console, board_store = screens
    console.set_phase(SLUG, "town_meeting")
    board, feed = _board(board_store)
    assert "has not opened yet" in board.text
    console.open_ballot(SLUG, "town")
    for choice in (["sanres"], ["sanres", "chat"], ["madoguchi-konzatsu"]):
        console.cast_vote(SLUG, "town", console.join(SLUG), choice)
    feed.poll_once()
    assert "Results are hidden until the vote closes (3 votes so far)" in board.text
    assert "3レス" not in board.text  # no option name, no tally, while hidden
    assert not board.chart_views()
    console.close_ballot(SLUG, "town")
    feed.poll_once()
    assert "hidden" not in board.text
    (tally,) = board.chart_views()
    rows = tally._table.value
    assert "3レス" in rows and "<td>2</td>" in rows  # sanres: 2 approvals
    assert rows.index("3レス") < rows.index("チャットツールの定着")  # best first


def test_released_results_show_before_close(screens: tuple[Store, Store]) -> None:
    console, board_store = screens
    console.set_phase(SLUG, "town_meeting")
    console.open_ballot(SLUG, "town")
    console.cast_vote(SLUG, "town", console.join(SLUG), ["chat"])
    board, feed = _board(board_store)
    assert "hidden until the vote closes (1 votes" in board.text
    console.release_results(SLUG, "town")
    feed.poll_once()
    assert "チャットツールの定着" in board.text and "hidden" not in board.text


def test_method_and_results_panels(screens: tuple[Store, Store]) -> None:
    console, board_store = screens
    console.set_phase(SLUG, "method")
    console.propose_charter(
        SLUG, method="weighted_sum", weights={"resident": 50, "staff": 30, "cost": 20}
    )
    raters = [console.join(SLUG) for _ in range(3)]
    for token in raters:
        console.record_consent(SLUG, token, 4)
    board, feed = _board(board_store)
    assert "Method charter v1 (draft)" in board.text and "3 answers, 0 blocks" in board.text
    # The consent chart beside the line shows the levels; the line does not repeat them.
    assert "fingers → people" not in board.text
    console.lock_charter(SLUG)
    scores = {"madoguchi-konzatsu": (5, 4, 2), "sanres": (3, 5, 4), "chat": (2, 3, 5)}
    for token in raters:
        console.record_scores(
            SLUG,
            token,
            {
                (issue, criterion): value
                for issue, values in scores.items()
                for criterion, value in zip(("resident", "staff", "cost"), values, strict=True)
            },
        )
    console.set_phase(SLUG, "results")
    feed.poll_once()
    assert board.phase == "results"
    assert "Top 3 of 3 issues" in board.text and "Robustness" in board.text
    first = board.summary["ranking"][0]
    assert f"<td>1</td><td>{first['title']}</td>" in board.text


def test_the_board_shows_the_room_how_to_join_while_phones_have_something_to_do(
    screens: tuple[Store, Store],
) -> None:
    console, board_store = screens
    url = "http://192.168.1.20:8866/p/"
    feed = LiveFeed(board_store, SLUG)
    board = ProjectorBoard(AppContext.for_store(board_store, SLUG, "ja"), feed, join_url=url)
    shown = board.join.view.value
    assert url in shown and "<svg" in shown, "the address and its QR code"
    assert f"参加コード: {join_code(SLUG)}" in shown
    assert "参加コード" not in board.text, "beside the phase's content, not in it"

    def visible() -> bool:
        return board.join.layout.display != "none"

    seen: dict[str, bool] = {}
    for phase in ("happiness", "vision", "issues", "method", "scoring", "results", "town_meeting"):
        console.set_phase(SLUG, phase)
        feed.poll_once()
        seen[phase] = visible()
    assert seen == {
        "happiness": True,  # cards from phones
        "vision": True,  # the vision's consent
        "issues": False,
        "method": True,  # the charter's consent
        "scoring": True,
        "results": False,
        "town_meeting": True,
    }
    console.open_ballot(SLUG, "town")
    console.set_phase(SLUG, "results")
    feed.poll_once()
    assert visible(), "a ballot is open: phones have something to do"


def test_a_three_way_tie_is_marked_on_the_board(screens: tuple[Store, Store]) -> None:
    """Three issues scored alike, under a charter whose tie-break leaves ties to the
    facilitator, share rank 1: the board marks each as a tie (chart labels and the table
    kept for screen readers), and the chart's notes carry score and robustness."""
    console, board_store = screens
    console.propose_charter(
        SLUG,
        method="weighted_sum",
        weights={"resident": 50, "staff": 30, "cost": 20},
        tie_break="facilitator",
    )
    raters = [console.join(SLUG) for _ in range(3)]
    for token in raters:
        console.record_consent(SLUG, token, 4)
    console.lock_charter(SLUG)
    issues = ("madoguchi-konzatsu", "sanres", "chat")
    for token in raters:
        console.record_scores(
            SLUG,
            token,
            {(i, c): 4 for i in issues for c in ("resident", "staff", "cost")},
        )
    console.set_phase(SLUG, "results")
    board, _ = _board(board_store, "ja")
    assert [row["rank"] for row in board.summary["ranking"]] == [1, 1, 1]
    chart = board._charts["ranking"].chart.to_dict()
    labels = [row[next(iter(row))] for row in chart["datasets"][chart["data"]["name"]]]
    titles = {i["key"]: i["title"] for i in board.summary["issues"]}
    assert sorted(labels) == sorted(f"=1. {titles[i]}（同順位）" for i in issues)
    assert board.text.count("<td>1位（同順位）</td>") == 3
    data = board._charts["ranking"]._table.value
    body = data[data.index("<tbody>") :]
    assert body.count("<td>0.65 · 100%</td>") == 3, "score · robustness after each bar"
    assert "⚠" not in body, "nobody is divided"
