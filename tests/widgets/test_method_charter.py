"""The charter panel: propose, consent (fist of five), lock, and change with a reason."""

from __future__ import annotations

import pytest

from toolkit.store import Store
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.method import CharterPanel, MethodVote, WeightAgreement
from widgets.seats import TableSeats

SLUG = "tsuru-dx"


@pytest.fixture
def panel(small_workshop_store: Store) -> CharterPanel:
    ctx = AppContext.for_store(small_workshop_store, SLUG, "en", table=1)
    return CharterPanel(ctx, LiveFeed(small_workshop_store, SLUG), TableSeats(ctx))


def consent(panel: CharterPanel, seat: int, level: int) -> None:
    panel.seats.buttons.value = seat
    panel.consent.level.value = level
    panel.consent.record_button.click()


def test_without_a_proposal_the_weights_are_equal_and_say_where_they_come_from(
    panel: CharterPanel,
) -> None:
    assert panel.state == "none"
    assert panel.propose_button in panel.body.children
    assert panel.weights == pytest.approx({"resident": 1 / 3, "staff": 1 / 3, "cost": 1 / 3})
    assert "equal weights (no proposal yet)" in panel.weights_view.value
    assert panel.tie_break.value == "mean_then_median"  # the workshop file's


def test_a_block_stops_the_lock_and_the_charter_stays_a_draft(
    small_workshop_store: Store, panel: CharterPanel
) -> None:
    panel.propose_button.click()
    assert panel.state == "draft" and "Charter v1 is proposed" in panel.messages.value
    panel.lock_button.click()  # nobody answered yet
    panel.locker.yes.click()
    assert "Nobody has answered the consent check" in panel.messages.value
    consent(panel, 1, 5)
    consent(panel, 2, 0)
    assert "2 answers so far, 1 blocks." in panel.consent.tally.value
    panel.lock_button.click()
    panel.locker.yes.click()
    assert "cannot be locked: 1 participant(s) blocked it" in panel.messages.value
    assert small_workshop_store.locked_charter(SLUG) is None
    assert panel.state == "draft"


def test_lock_gives_charter_v1_with_its_time_and_consent_record(
    small_workshop_store: Store, panel: CharterPanel
) -> None:
    panel.method.value = "weighted_sum"
    panel.propose_button.click()
    consent(panel, 1, 4)
    consent(panel, 2, 5)
    consent(panel, 2, 3)  # a second answer from the same seat is refused
    assert "already answered" in panel.consent.messages.value
    panel.lock_button.click()
    panel.locker.yes.click()
    charter = small_workshop_store.locked_charter(SLUG)
    assert charter is not None and charter.version == 1
    assert charter.consent == {
        "responses": 2,
        "blocks": 0,
        "levels": {"0": 0, "1": 0, "2": 0, "3": 0, "4": 1, "5": 1},
    }
    assert panel.state == "locked"
    assert "Charter v1 is locked. Scoring can start." in panel.messages.value
    card = panel.card.value
    assert "Method charter v1: locked" in card
    assert "2 answers, 0 blocks (fingers → people: 5: 1 · 4: 1 · 3: 0 · 2: 0 · 1: 0 · 0: 0)" in card
    assert "Weighted criteria scoring" in card


def test_a_change_needs_a_reason_and_becomes_version_2_on_the_record(
    small_workshop_store: Store, panel: CharterPanel
) -> None:
    panel.propose_button.click()
    consent(panel, 1, 4)
    panel.lock_button.click()
    panel.locker.yes.click()
    assert panel.revise_button.description == "Propose version 2"
    panel.method.value = "dot_votes"
    panel.reason.value = "   "
    panel.revise_button.click()
    assert "give the reason for the change" in panel.messages.value
    assert [c.version for c in small_workshop_store.charters(SLUG)] == [1]

    panel.reason.value = "時間が足りないのでドット投票にする"
    panel.revise_button.click()
    assert [c.version for c in small_workshop_store.charters(SLUG)] == [1, 2]
    draft = small_workshop_store.charters(SLUG)[-1]
    assert (draft.method, draft.reason, draft.locked) == (
        "dot_votes",
        "時間が足りないのでドット投票にする",
        False,
    )
    assert small_workshop_store.locked_charter(SLUG).version == 1  # v1 governs until v2 is locked
    assert panel.state == "draft" and "Version 2 is proposed" in panel.messages.value
    assert "時間が足りないのでドット投票にする" in panel.history.value
    assert "<td>v1</td>" in panel.history.value and "not locked" in panel.history.value


def test_the_charter_takes_the_vote_winner_and_the_ahp_weights_on_the_record(
    small_workshop_store: Store,
) -> None:
    ctx = AppContext.for_store(small_workshop_store, SLUG, "ja", table=1)
    feed, seats = LiveFeed(small_workshop_store, SLUG), TableSeats(ctx)
    vote = MethodVote(ctx, feed, seats, facilitator=True)
    weights = WeightAgreement(ctx, feed, seats)
    panel = CharterPanel(ctx, feed, seats, vote=vote, agreement=weights)
    vote.controls.open_button.click()
    for seat, method in ((1, "dot_votes"), (2, "dot_votes"), (3, "weighted_sum")):
        seats.buttons.value = seat
        vote.choice.value = method
        vote.vote_button.click()
    vote.controls.close_button.click()
    vote.controls.closer.yes.click()
    feed.poll_once()
    assert panel.method.value == "dot_votes"

    # AHP answers are submitted as 100 points to the weights ballot, like typed points
    small_workshop_store.open_ballot(SLUG, weights.ballot.key)
    weights.mode.value = "ahp"
    weights.sliders[("resident", "staff")].value = 3.0
    weights.sliders[("resident", "cost")].value = 3.0
    seats.buttons.value = 1
    weights.ahp_submit.click()
    assert "比較を100点配分として保存しました" in weights.messages.value
    small_workshop_store.close_ballot(SLUG, weights.ballot.key)
    feed.poll_once()
    expected = {"resident": 0.6, "staff": 0.2, "cost": 0.2}  # 3 : 1 : 1 as 60 / 20 / 20
    assert panel.weights == pytest.approx(expected)
    assert "1 人の100点配分の平均" in panel.weights_view.value
    panel.propose_button.click()
    draft = small_workshop_store.charters(SLUG)[-1]
    assert draft.weights == pytest.approx(expected)
    assert draft.rules["weights_from"] == "points" and draft.rules["allocations"] == 1
