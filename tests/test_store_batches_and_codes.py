"""Batched writes (one commit for many phones) and printed one-time codes, on both engines."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.workshop_data import BALLOT_OPTIONS, small_workshop, with_open_ballot
from toolkit.errors import (
    BallotClosedError,
    DuplicateVoteError,
    InvalidInputError,
    NotEligibleError,
    NotFoundError,
)
from toolkit.store import Store, format_code, normalize_code

SLUG = "tsuru-dx"
OPTIONS = BALLOT_OPTIONS


@pytest.fixture
def ws(empty_store: Store) -> Store:
    return with_open_ballot(empty_store, SLUG)


def count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_a_batch_commits_every_good_item_and_returns_each_failure_in_its_place(
    ws: Store,
) -> None:
    tokens = [ws.join(SLUG) for _ in range(3)]
    events_before = ws.last_seq(SLUG)

    def vote(token: str, payload: Any) -> Any:
        return lambda store: store.cast_vote(SLUG, "top", token, payload)

    results = ws.write_batch(
        [
            vote(tokens[0], ["online-shinsei"]),
            vote(tokens[0], ["madoguchi-konzatsu"]),  # the same token again
            vote(tokens[1], ["no-such-option"]),
            vote("not-a-token", ["online-shinsei"]),
            vote(tokens[2], OPTIONS),
        ]
    )

    assert [type(r).__name__ for r in results] == [
        "Vote",
        "DuplicateVoteError",
        "InvalidInputError",
        "NotFoundError",
        "Vote",
    ]
    assert isinstance(results[1], DuplicateVoteError)
    assert isinstance(results[2], InvalidInputError)
    assert isinstance(results[3], NotFoundError)
    stored = ws.votes(SLUG, "top")
    assert [v.payload for v in stored] == [["online-shinsei"], OPTIONS]
    # One event per stored vote, none for the refused ones.
    assert [e.kind for e in ws.changes(SLUG, since=events_before)] == ["vote_cast", "vote_cast"]


def test_an_item_is_all_or_nothing_inside_the_batch(ws: Store) -> None:
    """A paper ballot is a join plus a vote: if the vote is refused, no participant is left."""
    participants = count(ws, "participants")
    ws.close_ballot(SLUG, "top")

    def paper(store: Store) -> Any:
        token = store.join(SLUG, channel="paper")
        return store.cast_vote(SLUG, "top", token, ["online-shinsei"])

    [result] = ws.write_batch([paper])

    assert isinstance(result, BallotClosedError)
    assert count(ws, "participants") == participants


def test_joins_in_a_batch_are_durable_and_usable(ws: Store) -> None:
    results = ws.write_batch([lambda store: store.join(SLUG) for _ in range(50)])
    tokens = [r for r in results if isinstance(r, str)]
    assert len(set(tokens)) == 50
    for token in tokens[:3]:
        ws.cast_vote(SLUG, "top", token, ["online-shinsei"])
    assert ws.counts(SLUG)["participants"] == 50
    assert ws.write_batch([]) == []


def test_a_failing_item_leaves_the_others_stored_exactly_once(ws: Store) -> None:
    """A batch runs without savepoints first; a failure rolls it all back and runs it again,
    each item alone. What the first attempt wrote must not be stored twice."""
    participants, events_before = count(ws, "participants"), ws.last_seq(SLUG)
    token = ws.join(SLUG)
    ws.cast_vote(SLUG, "top", token, ["online-shinsei"])

    results = ws.write_batch(
        [
            lambda store: store.join(SLUG),
            lambda store: store.cast_vote(SLUG, "top", token, ["online-shinsei"]),  # again
            lambda store: store.join(SLUG, category="staff"),
        ]
    )

    assert [type(r).__name__ for r in results] == ["str", "DuplicateVoteError", "str"]
    assert count(ws, "participants") == participants + 3
    assert len(ws.votes(SLUG, "top")) == 1
    kinds = [e.kind for e in ws.changes(SLUG, since=events_before)]
    assert kinds == ["participant_joined", "vote_cast", "participant_joined", "participant_joined"]


def test_a_workshop_read_in_a_batch_that_failed_is_not_remembered(ws: Store) -> None:
    """Workshop ids are remembered once read in a committed transaction. A batch whose
    workshop was created and then rolled back must not leave its id behind."""

    def create_then_fail(store: Store) -> Any:
        # create_workshop reads the new workshop back from another connection, which cannot
        # see this batch's uncommitted rows yet; the batch's own join does.
        with pytest.raises(NotFoundError):
            store.create_workshop(small_workshop("rolled-back"))
        store.join("rolled-back")
        raise RuntimeError("the item fails after its writes")

    [result] = ws.write_batch([create_then_fail])

    assert isinstance(result, RuntimeError)
    with pytest.raises(NotFoundError):
        ws.join("rolled-back")
    assert ws.write_batch([lambda store: store.join(SLUG)])[0]  # the known one still works


def test_codes_are_printable_single_use_identities(ws: Store) -> None:
    codes = ws.issue_codes(SLUG, 20)

    assert len(set(codes)) == 20
    assert all(len(code) == 11 and code[5] == "-" for code in codes)
    assert not set("01OIL") & set("".join(codes).replace("-", ""))
    first = normalize_code(codes[0].lower().replace("-", " "))
    assert format_code(first) == codes[0]
    assert ws.workshop_of_token(first) == SLUG
    assert ws.participant(SLUG, first).channel == "code"

    ws.cast_vote(SLUG, "top", first, ["online-shinsei"])
    with pytest.raises(DuplicateVoteError):
        ws.cast_vote(SLUG, "top", first, ["online-shinsei"], channel="paper")
    # Only hashes are stored: no code appears in the database.
    with ws.engine.connect() as conn:
        stored = " ".join(conn.execute(text("SELECT token_hash FROM participants")).scalars())
    assert first not in stored


def test_a_codes_only_ballot_refuses_device_tokens(ws: Store) -> None:
    ws.create_ballot(
        SLUG, "formal", "Formal", rule="single", options=OPTIONS, settings={"eligible": ["code"]}
    )
    ws.open_ballot(SLUG, "formal")
    device = ws.join(SLUG)
    [code] = ws.issue_codes(SLUG, 1)

    with pytest.raises(NotEligibleError) as refused:
        ws.cast_vote(SLUG, "formal", device, "online-shinsei")
    assert "コード" in refused.value.messages["ja"]
    ws.cast_vote(SLUG, "formal", normalize_code(code), "online-shinsei")
    assert len(ws.votes(SLUG, "formal")) == 1


@pytest.mark.parametrize("bad", [0, -1, 5001, 2.5, True])
def test_a_bad_code_count_is_refused_in_both_languages(ws: Store, bad: Any) -> None:
    with pytest.raises(InvalidInputError) as refused:
        ws.issue_codes(SLUG, bad)
    assert "5000" in refused.value.messages["en"] and "5000" in refused.value.messages["ja"]


@pytest.mark.parametrize("typed", ["", "ABC", "7KQ4M-XH2R0", "7KQ4M-XH2RDX"])
def test_what_cannot_be_a_code_normalises_to_nothing(typed: str) -> None:
    assert normalize_code(typed) == ""


def test_a_workshop_file_with_codes_identity_makes_code_only_ballots(empty_store: Store) -> None:
    spec = small_workshop("codes-ws")
    spec["town_meeting"] = {
        "identity": "codes",
        "ballots": [
            {"id": "b", "title": "B", "rule": "approval", "options": ["madoguchi-konzatsu"]}
        ],
    }
    empty_store.create_workshop(spec)
    assert empty_store.ballot("codes-ws", "b").settings["eligible"] == ["code", "paper"]


def test_control_characters_never_reach_the_database(ws: Store) -> None:
    """NUL (which PostgreSQL refuses), bells, escapes and lone surrogates are removed from
    every text and JSON value the store writes; tabs and line breaks stay, and what is
    returned is what was stored."""
    token = ws.join(SLUG)
    card = ws.add_card(SLUG, "夜\x00でも\x07申請\r\nでき\tる\ud800", token=token)
    ws.create_ballot(
        SLUG, "odd", "題\x1b名", rule="single", options=OPTIONS, settings={"note\x0b": "x\x00"}
    )
    stored = [c.text for c in ws.cards(SLUG) if c.id == card.id]
    assert stored == [card.text] == ["夜でも申請\nでき\tる"]
    ballot = ws.ballot(SLUG, "odd")
    assert (ballot.title, ballot.settings) == ("題名", {"note": "x"})


def test_a_paper_vote_is_its_voter_and_its_vote_together_inside_a_batch_too(ws: Store) -> None:
    """cast_paper_vote inside a batch item runs as savepoints of that batch's transaction."""
    [code] = ws.issue_codes(SLUG, 1)
    participants = ws.counts(SLUG)["participants"]
    results = ws.write_batch(
        [
            lambda store: store.cast_paper_vote(SLUG, "top", ["online-shinsei"]),
            lambda store: store.cast_paper_vote(SLUG, "top", ["nope"]),
            lambda store: store.cast_paper_vote(
                SLUG, "top", [OPTIONS[0]], code=normalize_code(code)
            ),
        ]
    )
    assert [type(r).__name__ for r in results] == ["Vote", "InvalidInputError", "Vote"]
    assert [v.channel for v in ws.votes(SLUG, "top")] == ["paper", "paper"]
    assert ws.counts(SLUG)["participants"] == participants + 1  # the refused paper left none


def test_join_and_vote_stores_both_or_neither(ws: Store) -> None:
    """A town meeting's join page asks its question: the new participant and the vote are
    one write. A refused vote leaves nobody behind; a second vote by that token is refused."""
    participants = count(ws, "participants")

    token, participant, vote = ws.join_and_vote(
        SLUG, "top", ["online-shinsei"], category="resident"
    )

    assert ws.participant(SLUG, token) == participant
    assert participant.category == "resident" and participant.channel == "device"
    assert vote.participant_id == participant.id and vote.payload == ["online-shinsei"]
    assert [v.payload for v in ws.votes(SLUG, "top")] == [["online-shinsei"]]
    assert count(ws, "participants") == participants + 1
    with pytest.raises(DuplicateVoteError):
        ws.cast_vote(SLUG, "top", token, OPTIONS)

    with pytest.raises(InvalidInputError):
        ws.join_and_vote(SLUG, "top", ["no-such-option"])
    ws.close_ballot(SLUG, "top")
    with pytest.raises(BallotClosedError):
        ws.join_and_vote(SLUG, "top", ["online-shinsei"])
    assert count(ws, "participants") == participants + 1
    assert len(ws.votes(SLUG, "top")) == 1


def test_join_and_vote_in_a_batch_is_all_or_none_even_when_its_caller_goes_on(
    ws: Store,
) -> None:
    """In a batch, a join-and-vote takes no savepoint of its own (two statements fewer per
    phone): its failure fails the batch's first pass, which runs again with savepoints.
    That holds even for an item that catches the failure and writes on: the refused
    phone's participant is never stored, everything else is, once."""
    participants, events_before = count(ws, "participants"), ws.last_seq(SLUG)

    def refused_then_join(store: Store) -> str:
        with pytest.raises(InvalidInputError):
            store.join_and_vote(SLUG, "top", ["no-such-option"])
        return store.join(SLUG, category="staff")

    caught = ws.write_batch(  # the only failure is one its caller went past
        [lambda store: store.join_and_vote(SLUG, "top", ["online-shinsei"]), refused_then_join]
    )
    assert [type(r).__name__ for r in caught] == ["tuple", "str"]
    assert count(ws, "participants") == participants + 2
    results = ws.write_batch(
        [
            lambda store: store.join_and_vote(SLUG, "top", ["no-such-option"]),
            lambda store: store.join_and_vote(SLUG, "top", [OPTIONS[1]], category="resident"),
        ]
    )

    assert [type(r).__name__ for r in results] == ["InvalidInputError", "tuple"]
    assert count(ws, "participants") == participants + 3
    assert [v.payload for v in ws.votes(SLUG, "top")] == [["online-shinsei"], [OPTIONS[1]]]
    kinds = [e.kind for e in ws.changes(SLUG, since=events_before)]
    assert kinds == [
        "participant_joined",
        "vote_cast",
        "participant_joined",
        "participant_joined",
        "vote_cast",
    ]


def test_a_batch_asks_for_its_workshops_lock_once(ws: Store) -> None:
    """On PostgreSQL every event takes the workshop's advisory lock, so that event numbers
    become visible in order; a batch holds it to its commit, so it asks once, not twice per
    phone (20 join-and-votes: 40 events, one lock). SQLite serialises writers itself."""
    from sqlalchemy import event

    asked: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "pg_advisory_xact_lock" in statement:
            asked.append(statement)

    before = ws.last_seq(SLUG)
    event.listen(ws.engine, "before_cursor_execute", seen)
    try:
        results = ws.write_batch(
            [lambda store: store.join_and_vote(SLUG, "top", [OPTIONS[0]]) for _ in range(20)]
        )
    finally:
        event.remove(ws.engine, "before_cursor_execute", seen)

    assert all(isinstance(result, tuple) for result in results)
    assert len(asked) == (1 if ws.engine.dialect.name == "postgresql" else 0)
    events = ws.changes(SLUG, since=before)
    assert [e.kind for e in events] == ["participant_joined", "vote_cast"] * 20
    assert [e.seq for e in events] == sorted(e.seq for e in events)
