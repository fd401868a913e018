"""The projector board during a town meeting's burst: a batch of votes updates the running
count from the ballots voted on (no new summary), and a chart waits for its redraw while
votes keep coming (issue 20)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import widgets.board as board_module
from tests.workshop_data import small_workshop
from toolkit.store import Store
from widgets.board import ProjectorBoard
from widgets.context import AppContext
from widgets.live import LiveFeed

SLUG = "tsuru-dx"
OPTIONS = ["madoguchi-konzatsu", "sanres", "chat"]


@pytest.fixture
def screens(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """Store A (the phones' server) and store B (the board's own kernel), a live ballot
    open and the workshop in its town-meeting phase."""
    path = tmp_path / "board.sqlite"
    with Store.open(path) as store:
        store.create_workshop(small_workshop(SLUG))
        store.create_ballot(
            SLUG, "live", "Live ballot", rule="approval", options=OPTIONS, visibility="live"
        )
        store.open_ballot(SLUG, "live")
        store.set_phase(SLUG, "town_meeting")
    first, second = Store.open(path), Store.open(path)
    yield first, second
    first.close()
    second.close()


def _vote(store: Store, n: int) -> None:
    for i in range(n):
        token = store.join(SLUG, category="resident")
        store.cast_vote(SLUG, "live", token, [OPTIONS[i % len(OPTIONS)]])


def _count_summaries(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = board_module.summarize

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(board_module, "summarize", counted)
    return calls


def test_a_vote_batch_updates_the_count_without_a_new_summary(
    screens: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    phones, board_store = screens
    feed = LiveFeed(board_store, SLUG)
    board = ProjectorBoard(AppContext.for_store(board_store, SLUG, "en"), feed)
    assert "open · 0 votes" in board.text
    calls = _count_summaries(monkeypatch)
    _vote(phones, 4)
    feed.poll_once()
    assert calls == []  # only the counts and the ballot voted on were read
    assert "open · 4 votes" in board.text
    assert "4 votes" in board.header.value and "4 participants" in board.header.value
    [chart] = [c for c in board.chart_views() if "Live ballot" in c._table.value]
    assert "<svg" in chart._image.value  # without an event loop the chart is drawn at once
    assert board.summary["ballots"][-1]["tally"]["points"]["madoguchi-konzatsu"] == 2
    # Anything else than a burst's events is a full refresh, as before.
    phones.close_ballot(SLUG, "live")
    feed.poll_once()
    assert calls == [1]
    assert "closed · 4 votes" in board.text


def test_a_hidden_ballot_stays_hidden_on_the_cheap_path(screens: tuple[Store, Store]) -> None:
    phones, board_store = screens
    phones.open_ballot(SLUG, "town")  # hidden until it closes
    feed = LiveFeed(board_store, SLUG)
    board = ProjectorBoard(AppContext.for_store(board_store, SLUG, "en"), feed)
    token = phones.join(SLUG)
    phones.cast_vote(SLUG, "town", token, ["chat"])
    feed.poll_once()
    town = next(b for b in board.summary["ballots"] if b["key"] == "town")
    assert town["votes"] == 1 and town["tally"] is None and town["payloads"] is None
    assert "1 votes so far" in board.text


def test_charts_wait_while_votes_keep_coming_and_are_drawn_when_they_stop(
    screens: tuple[Store, Store],
) -> None:
    phones, board_store = screens
    feed = LiveFeed(board_store, SLUG)
    board = ProjectorBoard(AppContext.for_store(board_store, SLUG, "en"), feed)
    board.chart_every = 1.0

    async def burst() -> None:
        _vote(phones, 1)
        feed.poll_once()  # the first chart is drawn at once
        [chart] = [c for c in board.chart_views() if "Live ballot" in c._table.value]
        first = chart._table.value
        _vote(phones, 2)
        feed.poll_once()  # within chart_every of that drawing: the count only
        assert "open · 3 votes" in board.text
        assert chart._table.value == first
        await asyncio.sleep(1.5)  # the held redraw comes once the votes stop
        assert chart._table.value != first
        assert board._redraw_pending is None and not board._stale

    asyncio.run(burst())
