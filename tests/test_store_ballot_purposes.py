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


def test_ensure_ballot_creates_one_draft_and_then_returns_it(empty_store: Store) -> None:
    empty_store.create_workshop(small_workshop(SLUG))
    assert empty_store.ballot_for(SLUG, "method") is None

    first = empty_store.ensure_ballot(
        SLUG, "method", "How shall we rank?", rule="single", options=["weighted_sum", "dots"]
    )
    again = empty_store.ensure_ballot(
        SLUG, "method", "Another title", rule="single", options=["dots"]
    )

    assert (first.key, first.status, first.visibility) == ("method", "draft", "hidden_until_close")
    assert again.key == "method" and again.title == "How shall we rank?"
    assert [b.key for b in empty_store.ballots(SLUG) if b.purpose == "method"] == ["method"]
    assert empty_store.ballot_for(SLUG, "method") == first


def test_two_screens_asking_at_once_get_the_same_ballot(empty_store: Store) -> None:
    empty_store.create_workshop(small_workshop(SLUG))
    with ThreadPoolExecutor(max_workers=4) as pool:
        keys = list(pool.map(lambda _: _ensure_method_vote(empty_store), range(8)))

    assert set(keys) == {"method"}
    assert [b.key for b in empty_store.ballots(SLUG) if b.purpose == "method"] == ["method"]


def test_a_taken_key_gets_the_next_free_number(empty_store: Store) -> None:
    empty_store.create_workshop(small_workshop(SLUG))
    assert empty_store.free_ballot_key(SLUG, "theme-dots") == "theme-dots"
    empty_store.create_ballot(SLUG, "weights", "Old weights", rule="single", options=["a", "b"])
    empty_store.create_ballot(SLUG, "weights-2", "Older", rule="single", options=["a", "b"])

    made = empty_store.ensure_ballot(
        SLUG, "weights", "Weights", rule="points", options=["a", "b"], settings={"points": 100}
    )

    assert made.key == "weights-3" and made.purpose == "weights"
    assert empty_store.free_ballot_key(SLUG, "weights") == "weights-4"


def test_last_event_is_the_newest_of_its_kind(empty_store: Store) -> None:
    empty_store.create_workshop(small_workshop(SLUG))
    assert empty_store.last_event(SLUG, "phase_changed") is None

    empty_store.set_phase(SLUG, "vision")
    empty_store.join(SLUG)
    empty_store.set_phase(SLUG, "method")
    empty_store.join(SLUG)

    last = empty_store.last_event(SLUG, "phase_changed")
    assert last is not None and last.payload["phase"] == "method"
    newer = [e for e in empty_store.changes(SLUG) if e.kind == "phase_changed" and e.seq > last.seq]
    assert newer == []
