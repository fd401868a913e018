"""The busy paths' inserts (``toolkit.store.prepared``) store exactly what SQLAlchemy's own
insert stores, and fail with the same errors, on both engines."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from tests.workshop_data import BALLOT_OPTIONS, with_open_ballot
from toolkit.store import Store
from toolkit.store import tables as s
from toolkit.store.prepared import PreparedInsert

SLUG = "tsuru-dx"
VOTE_COLUMNS = ["ballot_id", "participant_id", "payload", "channel", "created_at"]


@pytest.fixture
def ws(empty_store: Store) -> Store:
    return with_open_ballot(empty_store, SLUG)


def ids(store: Store) -> tuple[int, list[int]]:
    """The open ballot's id and two new participants' ids."""
    people = [store.join_participant(SLUG)[1].id for _ in range(2)]
    return store.ballot(SLUG, "top").id, people


def test_a_prepared_insert_stores_what_sqlalchemys_insert_stores(ws: Store) -> None:
    ballot, (first, second) = ids(ws)
    # A moment in Tokyo (stored as UTC), text with a control character (stored without it)
    # and Japanese in the JSON (stored as itself, whatever the engine's escaping).
    moment = datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=ZoneInfo("Asia/Tokyo"))
    values = {"payload": {"メモ": "窓口\x07の混雑", "n": [1, 2.5]}, "channel": "dev\x00ice"}
    prepared = PreparedInsert(s.votes, VOTE_COLUMNS)
    with ws.engine.begin() as conn:
        mine = prepared.run(
            conn, {"ballot_id": ballot, "participant_id": first, "created_at": moment} | values
        )
        inserted = conn.execute(
            insert(s.votes).values(
                ballot_id=ballot, participant_id=second, created_at=moment, **values
            )
        ).inserted_primary_key
        assert inserted is not None
        theirs = inserted[0]

    with ws.engine.connect() as conn:
        rows = {
            r.id: r for r in conn.execute(select(s.votes).where(s.votes.c.id.in_([mine, theirs])))
        }
        raw = {
            r[0]: tuple(r[1:])
            for r in conn.execute(
                text(
                    "SELECT id, CAST(payload AS TEXT), channel, CAST(created_at AS TEXT) FROM votes"
                )
            )
        }
    assert set(rows) == {mine, theirs}  # the id returned is the new row's
    assert rows[mine].participant_id == first
    read = [(r.payload, r.channel, r.created_at) for r in (rows[mine], rows[theirs])]
    assert read[0] == read[1]
    assert read[0] == ({"メモ": "窓口の混雑", "n": [1, 2.5]}, "device", moment)
    assert raw[mine] == raw[theirs]  # byte for byte as the database holds it


def a_vote(store: Store) -> dict[str, object]:
    """A new participant's vote on the open ballot, as the votes insert takes it."""
    ballot, (person, _) = ids(store)
    return {
        "ballot_id": ballot,
        "participant_id": person,
        "payload": [BALLOT_OPTIONS[0]],
        "channel": "device",
        "created_at": datetime.now(ZoneInfo("UTC")),
    }


def test_a_refused_prepared_insert_raises_sqlalchemys_error(ws: Store) -> None:
    prepared = PreparedInsert(s.votes, VOTE_COLUMNS)
    vote = a_vote(ws)
    with ws.engine.begin() as conn:
        prepared.run(conn, vote)
        with pytest.raises(IntegrityError) as twice, conn.begin_nested():
            prepared.run(conn, vote)  # one person, one vote: the unique constraint
        assert twice.value.statement is not None
        assert "INSERT INTO votes" in twice.value.statement
    _, (latecomer, _) = ids(ws)
    ws.close_ballot(SLUG, "top")
    with ws.engine.begin() as conn, pytest.raises(IntegrityError, match="ballot_not_open"):
        prepared.run(conn, vote | {"participant_id": latecomer})  # the trigger refuses
    assert len(ws.votes(SLUG, "top")) == 1


def test_a_connection_lost_mid_insert_is_invalidated_and_the_next_write_goes_in(
    postgres_server_url: str,
) -> None:
    """PostgreSQL ends the writer's backend (a restart, an administrator) just before an
    insert: the insert raises SQLAlchemy's error saying the connection was invalidated,
    as ``Connection.execute`` would, the connection is not handed out again, and the next
    write through the store goes in."""
    import psycopg
    from sqlalchemy.exc import DBAPIError

    from tests.conftest import _fresh_postgres_database

    store = with_open_ballot(Store.open(_fresh_postgres_database(postgres_server_url)), SLUG)
    try:
        vote = a_vote(store)
        prepared = PreparedInsert(s.votes, VOTE_COLUMNS)
        with store.engine.connect() as conn:
            backend = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            with psycopg.connect(postgres_server_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [backend])
            with pytest.raises(DBAPIError) as lost:
                prepared.run(conn, vote)
            assert "INSERT INTO votes" in str(lost.value.statement)
            assert lost.value.connection_invalidated and conn.invalidated
        assert store.votes(SLUG, "top") == []
        token, _ = store.join_participant(SLUG)
        store.cast_vote(SLUG, "top", token, [BALLOT_OPTIONS[0]])
        assert len(store.votes(SLUG, "top")) == 1
    finally:
        store.close()
