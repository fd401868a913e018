"""The app context, the live feed and in-widget messages (no browser needed)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.workshop_data import small_workshop
from toolkit.errors import InvalidInputError, NotFoundError
from toolkit.model import Event
from toolkit.store import Store
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed

SLUG = "tsuru-dx"


@pytest.fixture
def two_screens(database_url: str) -> tuple[Store, Store]:
    """Two independent connections to one store, as two app kernels would have."""
    first = Store.open(database_url)
    first.create_workshop(small_workshop(SLUG))
    second = Store.open(database_url)
    yield first, second
    first.close()
    second.close()


def test_context_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.sqlite"
    with Store.open(path) as store:
        store.create_workshop(small_workshop("older"))
        store.create_workshop(small_workshop(SLUG))
    monkeypatch.setenv("URESHII_DATABASE_URL", str(path))
    monkeypatch.delenv("URESHII_LANG")
    ctx = AppContext.from_environment()
    assert (ctx.slug, ctx.lang) == (SLUG, "ja")  # newest workshop, in its own language
    monkeypatch.setenv("URESHII_WORKSHOP", "older")
    monkeypatch.setenv("URESHII_LANG", "en")
    assert (AppContext.from_environment().slug, AppContext.from_environment().lang) == (
        "older",
        "en",
    )


def test_context_on_an_empty_store_says_what_to_do(tmp_path: Path) -> None:
    with (
        Store.open(tmp_path / "empty.sqlite") as store,
        pytest.raises(NotFoundError, match="run `ureshii demo`"),
    ):
        AppContext.for_store(store, table=1)


def test_a_write_on_one_screen_reaches_the_feed_of_another(
    two_screens: tuple[Store, Store],
) -> None:
    table, board = two_screens
    feed = LiveFeed(board, SLUG)
    seen: list[Event] = []
    themes_only: list[Event] = []
    feed.subscribe(seen.extend)
    feed.subscribe(themes_only.extend, kinds={"theme_added"})
    assert feed.poll_once() == []
    table.add_card(SLUG, "待たずに済む")
    table.add_theme(SLUG, "待たない")
    feed.poll_once()
    assert [e.kind for e in seen] == ["card_added", "theme_added"]
    assert [e.kind for e in themes_only] == ["theme_added"]
    assert feed.poll_once() == [] and len(seen) == 2  # nothing delivered twice


def test_one_failing_subscriber_does_not_stop_the_others(two_screens: tuple[Store, Store]) -> None:
    table, board = two_screens
    feed = LiveFeed(board, SLUG)
    seen: list[Event] = []

    def broken(events: list[Event]) -> None:
        raise RuntimeError("view crashed")

    feed.subscribe(broken)
    feed.subscribe(seen.extend)
    table.add_card(SLUG, "うれしい")
    feed.poll_once()
    assert [e.kind for e in seen] == ["card_added"]


def test_background_polling_on_the_event_loop(two_screens: tuple[Store, Store]) -> None:
    table, board = two_screens
    seen: list[Event] = []

    async def scenario() -> None:
        feed = LiveFeed(board, SLUG, interval=0.05)
        feed.subscribe(seen.extend)
        feed.start()
        assert feed.running
        await asyncio.sleep(0.1)
        table.add_card(SLUG, "バックグラウンドで届く")
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.05)
        feed.stop()
        assert not feed.running

    asyncio.run(scenario())
    assert [e.kind for e in seen] == ["card_added"]


def test_guarded_callback_shows_the_error_in_the_apps_language() -> None:
    area = MessageArea()

    @guarded(area, "ja")
    def submit() -> None:
        raise InvalidInputError("text_required", field="カード")

    submit()
    assert "カード を入力してください。" in area.value and 'role="status"' in area.value

    @guarded(area, "en")
    def crash() -> None:
        raise KeyError("bug")

    crash()
    assert "Something went wrong and nothing was saved" in area.value


def test_each_seat_is_its_own_anonymous_participant(two_screens: tuple[Store, Store]) -> None:
    from widgets.seats import TableSeats

    store, _ = two_screens
    seats = TableSeats(AppContext.for_store(store, SLUG, "en", table=1), seats=4)
    with pytest.raises(InvalidInputError, match="Choose your seat first"):
        seats.token()
    seats.buttons.value = 2  # as the front end sets it
    first = seats.token()
    assert seats.token() == first  # the same person keeps one token
    seats.buttons.value = 3
    assert seats.token() != first
    assert store.counts(SLUG)["participants"] == 2
