"""Method cards and the method vote, driven as the browser would (no browser)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.workshop_data import small_workshop
from toolkit.i18n import t
from toolkit.methods import METHODS
from toolkit.store import Store
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.method import MethodCards, MethodVote
from widgets.seats import TableSeats

SLUG = "tsuru-dx"


@pytest.fixture
def three_methods_store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "w.sqlite") as opened:
        spec = small_workshop(SLUG)
        spec["methods"] = [{"id": "weighted_sum", "minutes": 35, "note": "理由が説明しやすい"},
                           {"id": "dot_votes"}, {"id": "ahp"}]  # fmt: skip
        opened.create_workshop(spec)
        yield opened


def app(store: Store, lang: str = "en") -> tuple[AppContext, LiveFeed, TableSeats]:
    ctx = AppContext.for_store(store, SLUG, lang, table=1)
    return ctx, LiveFeed(store, SLUG), TableSeats(ctx)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_one_card_per_candidate_method_with_time_strengths_and_risks(
    three_methods_store: Store, lang: str
) -> None:
    ctx, _, _ = app(three_methods_store, lang)
    cards = MethodCards(ctx)
    assert list(cards.cards) == ["weighted_sum", "dot_votes", "ahp"]
    weighted = cards.cards["weighted_sum"].value
    assert METHODS["weighted_sum"].name(lang) in weighted
    assert ("約35分" if lang == "ja" else "about 35 minutes") in weighted  # from the file
    assert "理由が説明しやすい" in weighted  # the workshop's own note
    # no minutes in the file: the default for the method (dot voting: 15)
    assert ("約15分" if lang == "ja" else "about 15 minutes") in cards.cards["dot_votes"].value
    for label in (
        ("Strengths", "Risks", "What participants do") if lang == "en" else ("強み", "注意点")
    ):
        assert label in cards.cards["ahp"].value


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_has_a_card_in_both_languages(method: str) -> None:
    for lang in ("ja", "en"):
        texts = [t(f"method_info_{method}_{part}", lang) for part in ("does", "strengths", "risks")]
        assert all(texts) and len(set(texts)) == 3


def test_the_method_ballot_is_created_as_a_draft_and_only_the_facilitator_gets_controls(
    three_methods_store: Store,
) -> None:
    ctx, feed, seats = app(three_methods_store)
    table = MethodVote(ctx, feed, seats)
    ballot = three_methods_store.ballot(SLUG, table.ballot.key)
    assert (ballot.purpose, ballot.rule, ballot.status) == ("method", "single", "draft")
    assert ballot.options == ("weighted_sum", "dot_votes", "ahp")
    assert table.controls not in table.children
    facilitator = MethodVote(ctx, feed, seats, facilitator=True)
    assert facilitator.controls in facilitator.children
    assert (
        len([b for b in three_methods_store.ballots(SLUG) if b.purpose == "method"]) == 1
    )  # reused


def test_a_vote_before_the_facilitator_opens_is_refused_with_a_message(
    three_methods_store: Store,
) -> None:
    ctx, feed, seats = app(three_methods_store)
    vote = MethodVote(ctx, feed, seats)
    assert vote.vote_button.disabled
    seats.buttons.value = 1
    vote.choice.value = "ahp"
    vote.vote_button.click()  # a script can click a disabled button: the store refuses
    assert "not open" in vote.messages.value
    assert three_methods_store.votes(SLUG, vote.ballot.key) == []


def test_one_vote_per_seat_hidden_tally_until_close(
    three_methods_store: Store, request: pytest.FixtureRequest
) -> None:
    ctx, feed, seats = app(three_methods_store)
    board = MethodVote(ctx, feed, seats, facilitator=True)
    other = Store.open(three_methods_store.url)  # another kernel: its own connection
    request.addfinalizer(other.close)
    table_ctx, table_feed, table_seats = app(other)
    table = MethodVote(table_ctx, table_feed, table_seats)
    board.controls.open_button.click()
    table_feed.poll_once()
    assert not table.vote_button.disabled  # the table saw the opening through its feed

    for seat, choice in ((1, "ahp"), (2, "weighted_sum"), (3, "weighted_sum")):
        table_seats.buttons.value = seat
        table.choice.value = choice
        table.vote_button.click()
        assert "is stored" in table.messages.value
    table_seats.buttons.value = 1
    table.choice.value = "dot_votes"
    table.vote_button.click()
    assert "already voted" in table.messages.value
    assert len(three_methods_store.votes(SLUG, board.ballot.key)) == 3

    feed.poll_once()
    assert "3 votes so far" in board.status.value
    assert "hidden until the vote closes" in board.tally.value
    assert board.winner is None
    board.controls.close_button.click()
    board.controls.closer.yes.click()  # closing asks first
    assert board.winner == "weighted_sum"
    assert "<caption>Votes per method</caption>" in board.tally.value
    table_feed.poll_once()
    assert table.vote_button.disabled and "Voting is closed: 3 votes." in table.status.value
