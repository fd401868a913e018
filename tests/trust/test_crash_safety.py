"""Crash safety: a burst of 1,000 votes, the server killed with SIGKILL in the middle.

The server answers a vote only after the batch that holds it is committed (writes.py). So
whatever the moment of the kill, every vote a phone saw acknowledged (201 + receipt) must be
in the store after a restart, under the receipt the phone shows; no token may have two
votes; and the meeting goes on where it was: the ballot is still open, the phones whose
vote was never answered can vote now (or are told they already did, when their vote was
committed just before the kill), and the audit log has one ``vote_cast`` per vote.

Run once on SQLite (WAL, synchronous=FULL) and once on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path

import pytest

from tests.trust.trust_helpers import (
    A,
    B,
    C,
    new_town_meeting,
    receipt_of,
    serve_meeting,
    vote_phones,
)
from tests.trust.trust_helpers import join_phones as join_all

PHONES = 1_000
KILL_AFTER = 400
"""Acknowledged votes after which the server is killed (the burst is still going)."""
BALLOT = "crash"
OPTIONS = [A, B, C]


def _vote_of(n: int) -> list[str]:
    return [OPTIONS[n % len(OPTIONS)]]


def _database(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return str(tmp_path / "town.sqlite")
    from tests.conftest import _fresh_postgres_database

    return _fresh_postgres_database(request.getfixturevalue("postgres_server_url"))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_no_acknowledged_vote_is_lost_when_the_server_is_killed(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    database = _database(kind, tmp_path, request)
    slug = new_town_meeting(tmp_path, database)
    meeting = serve_meeting(f"crash-{kind}", database, slug)
    try:
        meeting.ballot(BALLOT, "approval", OPTIONS)
        tokens = join_all(meeting.server.base, slug, PHONES)
        votes = {token: _vote_of(n) for n, token in enumerate(tokens)}
        with meeting.store() as store:
            phase_before = store.workshop(slug).phase
        pid = meeting.server.process.pid

        def kill_in_the_middle(acknowledged: int) -> None:
            if acknowledged == KILL_AFTER:
                os.kill(pid, signal.SIGKILL)

        burst = vote_phones(
            meeting.server.base, slug, BALLOT, votes, on_acknowledged=kill_in_the_middle
        )
        meeting.server.process.wait(timeout=30)
        assert meeting.server.process.returncode == -signal.SIGKILL
    finally:
        meeting.server.stop()

    acknowledged = burst.acknowledged
    unanswered = [t for t, o in burst.outcomes.items() if o.error is not None]
    # The kill really fell in the middle of the burst: some answered, some never.
    assert KILL_AFTER <= len(acknowledged) < PHONES, burst.statuses()
    assert unanswered, "no request was cut off by the kill"
    refused = {t: o for t, o in burst.outcomes.items() if o.status not in (201, None)}
    assert refused == {}, "before the kill, nothing but acknowledgements"

    restarted = serve_meeting(f"crash-{kind}-restarted", database, slug)
    try:
        # Every acknowledged vote is stored, under the very receipt the phone shows.
        with restarted.store() as store:
            for token, receipt in acknowledged.items():
                stored = store.participant_votes(slug, token).get(BALLOT)
                assert stored is not None, f"acknowledged vote lost ({receipt})"
                assert receipt_of(stored) == receipt
                assert stored.payload == votes[token]
            ballot = store.ballot(slug, BALLOT)
            assert ballot.status == "open", "the ballot is open as before the crash"
            assert store.workshop(slug).phase == phase_before

        # The phones that never got an answer try again: a new vote, or "already voted"
        # when their vote was committed just before the kill (and is stored as sent).
        retry = vote_phones(
            restarted.server.base,
            slug,
            BALLOT,
            {t: votes[t] for t in votes if t not in acknowledged},
        )
        for token, outcome in retry.outcomes.items():
            assert outcome.status in (201, 409), (token, outcome)
            if outcome.status == 409:
                assert outcome.body["error"]["code"] == "duplicate_vote"

        with restarted.store() as store:
            stored_votes = store.votes(slug, BALLOT)
            per_participant = Counter(v.participant_id for v in stored_votes)
            assert len(stored_votes) == PHONES
            assert max(per_participant.values()) == 1, "a token has two votes"
            for token, payload in votes.items():
                assert store.participant_votes(slug, token)[BALLOT].payload == payload
            events = store.changes(slug, 0, limit=100_000)
            cast = [e for e in events if e.kind == "vote_cast" and e.payload == {"ballot": BALLOT}]
            assert len(cast) == PHONES, "one vote_cast event per stored vote"
            joined = [e for e in events if e.kind == "participant_joined"]
            assert store.counts(slug)["participants"] == PHONES
            assert len(joined) == PHONES
    finally:
        restarted.server.stop()
