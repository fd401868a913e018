"""Seats at a table laptop, as a room uses them: the same person after a reload (a new kernel
on the same store), the table from the laptop's link or chosen on screen, and the category a
person gives when sitting down."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workshop_data import small_workshop
from toolkit.store import Store
from widgets.context import AppContext
from widgets.happiness import ThemeDotVote
from widgets.seats import TableSeats

SLUG = "tsuru-dx"


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = tmp_path / "room.sqlite"
    with Store.open(path) as store:
        store.create_workshop(small_workshop(SLUG))
        store.add_theme(SLUG, "3レス", key="sanres")
    return str(path)


def kernel(database: str, table: int | None) -> tuple[Store, AppContext]:
    """What one Voilà kernel opens: its own store connection and context."""
    store = Store.open(database)
    return store, AppContext.for_store(store, SLUG, "en", table=table)


def test_a_reload_keeps_the_person_and_refuses_their_second_vote(database: str) -> None:
    store, ctx = kernel(database, table=1)
    seats = TableSeats(ctx)
    vote = ThemeDotVote(ctx, seats)
    ThemeDotVote(AppContext.for_store(store, SLUG, "en"), seats).start_button.click()
    vote.refresh()
    seats.buttons.value = 1
    vote.dots["sanres"].value = 2
    vote.submit_button.click()
    assert "Seat 1: your dots are saved (2)" in vote.message.value
    store.close()

    # The same laptop reloads its tab: a new kernel, a new widget, the same seat.
    store, ctx = kernel(database, table=1)
    seats = TableSeats(ctx)
    vote = ThemeDotVote(ctx, seats)
    seats.buttons.value = 1
    vote.dots["matanai"].value = 3
    vote.submit_button.click()
    assert "already voted" in vote.message.value
    (ballot,) = [b for b in store.ballots(SLUG) if b.purpose == "themes"]
    assert [v.payload for v in store.votes(SLUG, ballot.key)] == [{"sanres": 2}]
    assert store.counts(SLUG)["participants"] == 1
    # Seat 1 at another table is another person, and may vote.
    _, other = kernel(database, table=2)
    seats_b = TableSeats(other)
    vote_b = ThemeDotVote(other, seats_b)
    seats_b.buttons.value = 1
    vote_b.dots["matanai"].value = 1
    vote_b.submit_button.click()
    assert len(store.votes(SLUG, ballot.key)) == 2
    assert [(x.table, x.seat) for x in store.seats(SLUG)] == [(1, 1), (2, 1)]
    store.close()


def test_the_table_comes_from_the_link_or_is_chosen_on_screen(database: str) -> None:
    store, linked = kernel(database, table=4)
    assert TableSeats(linked).table_choice not in TableSeats(linked).children
    assert TableSeats(linked).table == 4

    _, plain = kernel(database, table=None)
    seats = TableSeats(plain)
    assert seats.children[0] is seats.table_choice
    seats.buttons.value = 2
    with pytest.raises(Exception, match="Choose this laptop's table first"):
        seats.token()
    seats.table_choice.value = 3
    token = seats.token()
    assert token == TableSeats(linked).ctx.store.take_seat(SLUG, 3, 2)
    assert [(x.table, x.seat) for x in store.seats(SLUG)] == [(3, 2)]


def test_a_seat_gives_its_category_once_and_keeps_it(database: str) -> None:
    store, ctx = kernel(database, table=1)
    seats = TableSeats(ctx)
    assert seats.category.layout.display == "none"  # no seat chosen yet
    seats.buttons.value = 5
    assert seats.category.layout.display is None and not seats.category.disabled
    seats.category.value = "staff"
    assert [(x.seat, x.category) for x in store.seats(SLUG)] == [(5, "staff")]
    assert seats.category.disabled  # a seat keeps its first category

    _, again = kernel(database, table=1)
    reloaded = TableSeats(again)
    reloaded.buttons.value = 5
    assert reloaded.category.value == "staff" and reloaded.category.disabled
    reloaded.buttons.value = 6
    assert reloaded.category.value is None and not reloaded.category.disabled
    assert store.participant_categories(SLUG) == {store.seats(SLUG)[0].participant_id: "staff"}
