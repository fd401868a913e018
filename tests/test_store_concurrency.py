"""Many OS processes writing to one store at once: nothing lost, nothing doubled, no error.

Runs on a real SQLite file (WAL, BEGIN IMMEDIATE, busy timeout, retried transactions) and a
real PostgreSQL server, with real processes (multiprocessing "spawn"), as ``ureshii serve``
replicas and table laptops would write.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter

import pytest

from tests.workshop_data import small_workshop
from toolkit.errors import DuplicateVoteError
from toolkit.store import Store

SLUG = "tsuru-dx"
PROCESSES = 8
WRITES_EACH = 200


def _post_cards(url: str, worker: int) -> list[str]:
    """Post WRITES_EACH cards; return the errors that reached this caller (should be none)."""
    errors = []
    with Store.open(url, upgrade=False) as store:
        for n in range(WRITES_EACH):
            try:
                store.add_card(SLUG, f"worker {worker} card {n}", stakeholder="kosodate")
            except Exception as error:  # collected and asserted empty by the test
                errors.append(repr(error))
    return errors


def _vote_all(url: str, tokens: list[str]) -> Counter[str]:
    outcome: Counter[str] = Counter()
    with Store.open(url, upgrade=False) as store:
        for token in tokens:
            try:
                store.cast_vote(SLUG, "town", token, ["chat"])
                outcome["stored"] += 1
            except DuplicateVoteError:
                outcome["duplicate"] += 1
            except Exception as error:
                outcome[f"error: {error!r}"] += 1
    return outcome


def _pool() -> multiprocessing.pool.Pool:
    return multiprocessing.get_context("spawn").Pool(PROCESSES)


@pytest.mark.slow
def test_eight_processes_times_two_hundred_writes(empty_store: Store, database_url: str) -> None:
    empty_store.create_workshop(small_workshop(SLUG))
    before = empty_store.last_seq(SLUG)
    with _pool() as pool:
        results = pool.starmap(_post_cards, [(database_url, w) for w in range(PROCESSES)])
    assert [e for errors in results for e in errors] == []
    cards = empty_store.cards(SLUG)
    assert len(cards) == PROCESSES * WRITES_EACH == 1600
    assert len({c.text for c in cards}) == 1600
    events = empty_store.changes(SLUG, since=before, limit=5000)
    assert [e.kind for e in events].count("card_added") == 1600
    assert [e.seq for e in events] == sorted({e.seq for e in events})


@pytest.mark.slow
def test_the_same_token_racing_in_two_processes_votes_once(
    empty_store: Store, database_url: str
) -> None:
    empty_store.create_workshop(small_workshop(SLUG))
    empty_store.open_ballot(SLUG, "town")
    tokens = [empty_store.join(SLUG) for _ in range(200)]
    # Every token is sent by two different processes at about the same time.
    shares = [tokens[i::4] for i in range(4)]
    with _pool() as pool:
        results = pool.starmap(_vote_all, [(database_url, share) for share in shares + shares])
    total = sum(results, Counter())
    assert total == Counter({"stored": 200, "duplicate": 200})
    assert len(empty_store.votes(SLUG, "town")) == 200
