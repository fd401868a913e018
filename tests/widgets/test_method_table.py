"""The table laptops' method app (``workshops/table_method.ipynb``) next to the facilitator's.

Two screens on one store, each with its own live feed, as in the room: the facilitator's
charter panel and the table's vote, weights and consent check. The table's widgets are
driven as the browser would (seat buttons, radio and number values, clicks); the table's
feed is polled by hand, which is what its background task does every second.
"""

from __future__ import annotations

import pytest

from toolkit.store import Store
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.method import CharterPanel, ConsentCheck, MethodVote, WeightAgreement
from widgets.seats import TableSeats

SLUG = "tsuru-dx"


class Table:
    """The widgets of table_method.ipynb, without the facilitator's buttons."""

    def __init__(self, store: Store, lang: str = "en") -> None:
        ctx = AppContext.for_store(store, SLUG, lang, table=1)
        self.feed = LiveFeed(store, SLUG)
        self.seats = TableSeats(ctx)
        self.vote = MethodVote(ctx, self.feed, self.seats)
        self.weights = WeightAgreement(ctx, self.feed, self.seats)
        self.consent = ConsentCheck(ctx, self.feed, self.seats, show_charter=True)

    def answer(self, seat: int, level: int) -> None:
        self.seats.buttons.value = seat
        self.consent.level.value = level
        self.consent.record_button.click()


@pytest.fixture
def facilitator(small_workshop_store: Store) -> CharterPanel:
    ctx = AppContext.for_store(small_workshop_store, SLUG, "en", table=1)
    return CharterPanel(ctx, LiveFeed(small_workshop_store, SLUG), TableSeats(ctx))


def test_the_table_has_no_facilitator_buttons(small_workshop_store: Store) -> None:
    table = Table(small_workshop_store)
    assert table.vote.controls not in table.vote.children
    assert table.weights.controls not in table.weights.children
    assert not any(isinstance(child, CharterPanel) for child in table.consent.children)


def test_before_a_proposal_the_table_waits_and_cannot_answer(small_workshop_store: Store) -> None:
    table = Table(small_workshop_store)
    assert "No charter has been proposed yet" in table.consent.charter_view.value
    assert table.consent.form.layout.display == "none"
    assert table.consent.tally.value == ""
    table.answer(1, 4)  # a click that arrives anyway (a script can send one) stores nothing
    assert small_workshop_store.charters(SLUG) == []
    assert small_workshop_store.counts(SLUG)["participants"] == 0


def test_the_proposed_charter_appears_live_and_each_seat_consents_once(
    small_workshop_store: Store, facilitator: CharterPanel
) -> None:
    table = Table(small_workshop_store)
    facilitator.method.value = "weighted_sum"
    facilitator.propose_button.click()
    table.feed.poll_once()  # the table's feed brings the facilitator's proposal
    card = table.consent.charter_view.value
    assert "Draft charter v1 (not locked yet)" in card
    assert "Weighted criteria scoring" in card and "住民のうれしさ" in card and "33%" in card
    assert table.consent.form.layout.display == ""
    assert not table.consent.record_button.disabled

    table.answer(1, 4)
    table.answer(2, 5)
    table.answer(2, 0)  # the same seat again: refused by the store, said in the widget
    assert "already answered" in table.consent.messages.value
    assert sorted(c.level for c in small_workshop_store.consents(SLUG, 1)) == [4, 5]
    assert "2 answers so far, 0 blocks." in table.consent.tally.value

    facilitator.consent.refresh()  # the facilitator's screen counts the table's answers
    assert "2 answers so far, 0 blocks." in facilitator.consent.tally.value
    facilitator.lock_button.click()
    facilitator.locker.yes.click()
    table.feed.poll_once()
    assert "Charter v1 is locked: scoring can start" in table.consent.charter_view.value
    assert "2 answers, 0 blocks (fingers → people: 5: 1 · 4: 1 · 3: 0" in (
        table.consent.charter_view.value
    )
    assert table.consent.form.layout.display == "none"


def test_a_new_version_asks_the_table_again(
    small_workshop_store: Store, facilitator: CharterPanel
) -> None:
    table = Table(small_workshop_store)
    facilitator.propose_button.click()
    table.answer(1, 3)
    facilitator.consent.refresh()
    facilitator.lock_button.click()
    facilitator.locker.yes.click()
    facilitator.reason.value = "コストを重く見たい"
    facilitator.revise_button.click()
    table.feed.poll_once()
    assert "Draft charter v2 (not locked yet)" in table.consent.charter_view.value
    assert "コストを重く見たい" in table.consent.charter_view.value
    assert "0 answers so far" in table.consent.tally.value
    table.answer(1, 5)  # the same seat answers the new version
    assert [c.level for c in small_workshop_store.consents(SLUG, 2)] == [5]


def test_the_table_votes_once_the_facilitator_opens_the_vote(small_workshop_store: Store) -> None:
    table = Table(small_workshop_store)
    assert table.vote.vote_button.disabled
    small_workshop_store.open_ballot(
        SLUG, table.vote.ballot.key
    )  # the facilitator, on another screen
    table.feed.poll_once()
    assert not table.vote.vote_button.disabled
    table.seats.buttons.value = 3
    table.vote.choice.value = "dot_votes"
    table.vote.vote_button.click()
    assert "Seat 3: your vote for “Dot voting” is stored." in table.vote.messages.value
    (vote,) = small_workshop_store.votes(SLUG, table.vote.ballot.key)
    assert vote.payload == "dot_votes"


def test_pairwise_weights_at_a_table_are_submitted_for_the_seat(
    small_workshop_store: Store,
) -> None:
    table = Table(small_workshop_store)
    table.weights.mode.value = "ahp"
    assert "CR = 0.00" in table.weights.ahp_status.value
    assert "not sent anywhere" not in table.weights.proposal_view.value
    assert table.weights.ahp_submit.disabled  # until the facilitator opens the vote
    small_workshop_store.open_ballot(SLUG, table.weights.ballot.key)
    table.feed.poll_once()
    table.weights.sliders[("resident", "staff")].value = 3.0
    table.weights.sliders[("resident", "cost")].value = 3.0
    table.seats.buttons.value = 4
    table.weights.ahp_submit.click()
    assert "Seat 4: your comparisons are stored as 100 points" in table.weights.messages.value
    (vote,) = small_workshop_store.votes(SLUG, table.weights.ballot.key)
    assert vote.payload == {"resident": 60, "staff": 20, "cost": 20}
    (seat,) = [s for s in small_workshop_store.seats(SLUG) if (s.table, s.seat) == (1, 4)]
    assert vote.participant_id == seat.participant_id


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_waiting_and_locked_texts_exist_in_both_languages(
    small_workshop_store: Store, lang: str
) -> None:
    table = Table(small_workshop_store, lang)
    waiting = "まだ憲章は提案されていません" if lang == "ja" else "No charter has been proposed"
    assert waiting in table.consent.charter_view.value
    charter = small_workshop_store.propose_charter(
        SLUG, method="weighted_sum", weights={"resident": 1.0}
    )
    small_workshop_store.record_consent(
        SLUG, small_workshop_store.join(SLUG), 5, version=charter.version
    )
    small_workshop_store.lock_charter(SLUG)
    table.feed.poll_once()
    locked = "憲章 v1 はロックされました" if lang == "ja" else "Charter v1 is locked"
    assert locked in table.consent.charter_view.value
