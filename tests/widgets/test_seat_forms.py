"""Per-seat forms at a shared table laptop: when the next person picks their seat, every
form starts empty (never the previous person's numbers); scoring, dots and the vision's
consent have their own tests (test_scoring_form.py, test_table_happiness.py)."""

from __future__ import annotations

from toolkit.store import Store
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.method import MethodVote, WeightAgreement
from widgets.seats import TableSeats

SLUG = "tsuru-dx"


def test_points_typed_by_one_seat_are_gone_for_the_next(small_workshop_store: Store) -> None:
    ctx = AppContext.for_store(small_workshop_store, SLUG, "en", table=1)
    seats = TableSeats(ctx)
    weights = WeightAgreement(ctx, LiveFeed(small_workshop_store, SLUG), seats)
    weights.points["resident"].value = 70  # typed before tapping a seat: kept for that seat
    seats.buttons.value = 1
    assert weights.allocation()["resident"] == 70
    weights.points["staff"].value = 20
    seats.buttons.value = 2  # seat 1 left without submitting
    assert weights.allocation() == {"resident": 0, "staff": 0, "cost": 0}
    assert "Total: 0 of 100 points" in weights.points_total.value


def test_a_method_chosen_by_one_seat_is_not_chosen_for_the_next(
    small_workshop_store: Store,
) -> None:
    ctx = AppContext.for_store(small_workshop_store, SLUG, "en", table=1)
    seats = TableSeats(ctx)
    vote = MethodVote(ctx, LiveFeed(small_workshop_store, SLUG), seats)
    seats.buttons.value = 1
    vote.choice.value = vote.choice.options[0][1]
    seats.buttons.value = 2
    assert vote.choice.value is None


def test_a_consent_level_chosen_by_one_seat_is_not_chosen_for_the_next(
    small_workshop_store: Store,
) -> None:
    """Both consent checks (the charter's and the vision's) start empty for the next
    person, on the one fist-of-five scale."""
    from widgets.method import ConsentCheck
    from widgets.vision import VisionDraft

    ctx = AppContext.for_store(small_workshop_store, SLUG, "en", table=1)
    seats = TableSeats(ctx)
    feed = LiveFeed(small_workshop_store, SLUG)
    checks = [ConsentCheck(ctx, feed, seats, show_charter=True), VisionDraft(ctx, seats, feed)]
    seats.buttons.value = 1
    for check in checks:
        check.level.value = 2
    seats.buttons.value = 2  # seat 1 left without answering
    assert [check.level.value for check in checks] == [None, None]
    assert checks[0].level.options == checks[1].level.options, "one scale on both screens"
