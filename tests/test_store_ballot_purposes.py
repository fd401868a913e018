"""The store's one answer to "which ballot serves this step" and "when did the phase start",
on a real SQLite file and a real PostgreSQL server. Screens used to work these out
themselves, each a little differently; now they ask the store."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.workshop_data import small_workshop
from toolkit.store import Store

SLUG = "tsuru-dx"


def _ensure_method_vote(store: Store) -> str:
    return store.ensure_ballot(
        SLUG, "method", "How shall we rank?", rule="single", options=["weighted_sum", "dots"]
    ).key


def test_ensure_ballot_creates_one_draft_and_then_returns_it(store: Store) -> None:
    store.create_workshop(small_workshop(SLUG))
    assert store.ballot_for(SLUG, "method") is None

    first = store.ensure_ballot(
        SLUG, "method", "How shall we rank?", rule="single", options=["weighted_sum", "dots"]
    )
    again = store.ensure_ballot(SLUG, "method", "Another title", rule="single", options=["dots"])

    assert (first.key, first.status, first.visibility) == ("method", "draft", "hidden_until_close")
    assert again.key == "method" and again.title == "How shall we rank?"
    assert [b.key for b in store.ballots(SLUG) if b.purpose == "method"] == ["method"]
    assert store.ballot_for(SLUG, "method") == first


def test_two_screens_asking_at_once_get_the_same_ballot(store: Store) -> None:
    store.create_workshop(small_workshop(SLUG))
    with ThreadPoolExecutor(max_workers=4) as pool:
        keys = list(pool.map(lambda _: _ensure_method_vote(store), range(8)))

    assert set(keys) == {"method"}
    assert [b.key for b in store.ballots(SLUG) if b.purpose == "method"] == ["method"]


def test_a_taken_key_gets_the_next_free_number(store: Store) -> None:
    store.create_workshop(small_workshop(SLUG))
    assert store.free_ballot_key(SLUG, "theme-dots") == "theme-dots"
    store.create_ballot(SLUG, "weights", "Old weights", rule="single", options=["a", "b"])
    store.create_ballot(SLUG, "weights-2", "Older", rule="single", options=["a", "b"])

    made = store.ensure_ballot(
        SLUG, "weights", "Weights", rule="points", options=["a", "b"], settings={"points": 100}
    )

    assert made.key == "weights-3" and made.purpose == "weights"
    assert store.free_ballot_key(SLUG, "weights") == "weights-4"


def test_last_event_is_the_newest_of_its_kind(store: Store) -> None:
    store.create_workshop(small_workshop(SLUG))
    assert store.last_event(SLUG, "phase_changed") is None

    store.set_phase(SLUG, "vision")
    store.join(SLUG)
    store.set_phase(SLUG, "method")
    store.join(SLUG)

    last = store.last_event(SLUG, "phase_changed")
    assert last is not None and last.payload["phase"] == "method"
    newer = [e for e in store.changes(SLUG) if e.kind == "phase_changed" and e.seq > last.seq]
    assert newer == []
