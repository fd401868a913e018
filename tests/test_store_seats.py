"""A seat at a table laptop is one person all day: the same participant through every app,
reload and kernel restart, and one vote per ballot whatever the table laptop does.

Each "kernel" here is its own ``Store.open`` on the same database, as two Voilà kernels (or a
kernel before and after a restart) are; both SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.workshop_data import small_workshop
from toolkit.errors import DuplicateVoteError, InvalidInputError
from toolkit.store import Store

SLUG = "tsuru-dx"


@pytest.fixture
def database(database_url: str) -> str:
    with Store.open(database_url) as store:
        store.create_workshop(small_workshop(SLUG))
        store.open_ballot(SLUG, "town")
    return database_url


def test_a_seat_is_the_same_person_in_every_kernel(database: str) -> None:
    with Store.open(database) as table_app:
        first = table_app.take_seat(SLUG, 3, 2, category="staff")
        table_app.cast_vote(SLUG, "town", first, ["chat"])
    # Another app on the same laptop, or the same app after a reload or a kernel restart.
    with Store.open(database) as after_reload:
        again = after_reload.take_seat(SLUG, 3, 2)
        assert again == first
        with pytest.raises(DuplicateVoteError):
            after_reload.cast_vote(SLUG, "town", again, ["sanres"])
        assert [v.payload for v in after_reload.votes(SLUG, "town")] == [["chat"]]
        assert after_reload.counts(SLUG)["participants"] == 1
        (seat,) = after_reload.seats(SLUG)
        assert (seat.table, seat.seat, seat.category) == (3, 2, "staff")
        assert after_reload.participant(SLUG, again).channel == "table"


def test_each_seat_and_each_table_is_its_own_person(database: str) -> None:
    with Store.open(database) as store:
        tokens = {(t, s): store.take_seat(SLUG, t, s) for t in (1, 2) for s in (1, 2, 3)}
        assert len(set(tokens.values())) == 6
        assert store.counts(SLUG)["participants"] == 6
        assert [(x.table, x.seat) for x in store.seats(SLUG)] == sorted(tokens)
        # Seats are 'seat_taken' events on the record, once each.
        taken = [e.payload for e in store.changes(SLUG, since=0) if e.kind == "seat_taken"]
        assert len(taken) == 6 and {"table": 2, "seat": 3} in taken


def test_a_seat_keeps_the_first_group_it_was_given(database: str) -> None:
    with Store.open(database) as store:
        token = store.take_seat(SLUG, 1, 1)
        assert store.participant(SLUG, token).category is None
        store.take_seat(SLUG, 1, 1, category="resident")
        store.take_seat(SLUG, 1, 1, category="staff")
        assert store.participant(SLUG, token).category == "resident"
        assert set(store.participant_categories(SLUG).values()) == {"resident"}


def test_seat_tokens_differ_between_workshops(database: str) -> None:
    with Store.open(database) as store:
        store.create_workshop(small_workshop("other-town"))
        assert store.take_seat(SLUG, 1, 1) != store.take_seat("other-town", 1, 1)


@pytest.mark.parametrize(
    ("table", "seat", "message"),
    [
        (0, 1, "table 0 is not allowed; give a whole number from 1 to 99."),
        (100, 1, "table 100 is not allowed"),
        (1, 13, "seat 13 is not allowed; give a whole number from 1 to 12."),
        (1, True, "seat True is not allowed"),
        ("1", 1, "table '1' is not allowed"),
    ],
    ids=["table-0", "table-100", "seat-13", "seat-bool", "table-text"],
)
def test_a_table_or_seat_out_of_range_is_refused_in_words(
    database: str, table: object, seat: object, message: str
) -> None:
    with Store.open(database) as store:
        with pytest.raises(InvalidInputError, match=message) as error:
            store.take_seat(SLUG, table, seat)  # type: ignore[arg-type]
        assert "整数" in error.value.message("ja")
        assert store.counts(SLUG)["participants"] == 0


def test_the_seat_map_cannot_be_rewritten(database: str) -> None:
    with Store.open(database) as store:
        store.take_seat(SLUG, 1, 1)
        for sql in ("UPDATE seats SET seat_no = 2", "DELETE FROM seats"):
            with pytest.raises(IntegrityError, match="append_only"), store.engine.begin() as conn:
                conn.execute(text(sql))
        assert len(store.seats(SLUG)) == 1


def test_two_laptops_taking_the_same_new_seat_at_once_get_one_person(database: str) -> None:
    results: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def sit() -> None:
        try:
            with Store.open(database) as store:
                start.wait(timeout=30)
                results.append(store.take_seat(SLUG, 5, 1))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=sit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(results) == 4
    assert len(set(results)) == 1
    with Store.open(database) as store:
        assert len(store.seats(SLUG)) == 1 and store.counts(SLUG)["participants"] == 1
