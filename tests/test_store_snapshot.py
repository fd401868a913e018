"""A snapshot: reads that see the store at one moment, on SQLite and on PostgreSQL.

The results summary reads a dozen tables. Phones keep voting while the board and the
console summarize, so without one read transaction the count of votes could disagree with
the tally or the audit log printed beside it."""

from __future__ import annotations

import threading

import pytest

from tests.workshop_data import small_workshop
from toolkit.errors import NotFoundError
from toolkit.store import Store
from toolkit.summary import summarize

SLUG = "tsuru-dx"


def _vote(store: Store) -> None:
    token = store.join(SLUG)
    store.cast_vote(SLUG, "town", token, ["sanres"])


def test_reads_in_a_snapshot_do_not_see_later_votes(empty_store: Store) -> None:
    empty_store.create_workshop(small_workshop(SLUG))
    empty_store.open_ballot(SLUG, "town")
    _vote(empty_store)

    with empty_store.snapshot(SLUG):
        before = (
            empty_store.counts(SLUG),
            len(empty_store.votes(SLUG, "town")),
            empty_store.last_seq(SLUG),
        )
        voter = threading.Thread(target=_vote, args=(empty_store,))
        voter.start()
        voter.join()
        during = (
            empty_store.counts(SLUG),
            len(empty_store.votes(SLUG, "town")),
            empty_store.last_seq(SLUG),
        )
    after = empty_store.counts(SLUG)

    assert during == before
    assert before[0]["votes"] == 1 and before[1] == 1
    assert after["votes"] == 2 and after["participants"] == 2


def test_a_snapshot_of_an_unknown_workshop_says_so(empty_store: Store) -> None:
    with pytest.raises(NotFoundError), empty_store.snapshot("no-such-workshop"):
        pass


def test_a_summary_agrees_with_itself_while_phones_vote(empty_store: Store) -> None:
    empty_store.create_workshop(small_workshop(SLUG))
    empty_store.open_ballot(SLUG, "town")
    phones = 120
    done = threading.Event()

    def vote_all() -> None:
        try:
            for _ in range(phones):
                _vote(empty_store)
        finally:
            done.set()

    voter = threading.Thread(target=vote_all)
    voter.start()
    seen = []
    while not done.is_set() or not seen:
        summary = summarize(empty_store, SLUG, include_hidden=True)
        casts = sum(1 for e in summary["audit_log"] if e["kind"] == "vote_cast")
        joins = sum(1 for e in summary["audit_log"] if e["kind"] == "participant_joined")
        (town,) = summary["ballots"]
        seen.append(summary["counts"]["votes"])
        assert summary["counts"]["votes"] == town["votes"] == casts == len(town["payloads"])
        assert summary["counts"]["participants"] == joins
    voter.join()

    assert summarize(empty_store, SLUG)["counts"]["votes"] == phones
    assert len(seen) >= 2  # it summarized while the votes came in, not only after
