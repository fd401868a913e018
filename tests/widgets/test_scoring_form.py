"""The scoring form: refused before the lock, opens on the lock, "don't know" is None."""

from __future__ import annotations

import math
from pathlib import Path

import ipywidgets
import pytest

from toolkit.store import Store
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.scoring import DONT_KNOW, ScoringForm
from widgets.seats import TableSeats

SLUG = "tsuru-dx"
WEIGHTS = {"resident": 50, "staff": 30, "cost": 20}


def lock(store: Store) -> None:
    store.propose_charter(SLUG, method="weighted_sum", weights=WEIGHTS)
    store.record_consent(SLUG, store.join(SLUG), 4)
    store.lock_charter(SLUG)


def form_for(store: Store, lang: str = "en") -> tuple[ScoringForm, LiveFeed]:
    ctx = AppContext.for_store(store, SLUG, lang, table=1)
    feed = LiveFeed(store, SLUG)
    return ScoringForm(ctx, feed, TableSeats(ctx)), feed


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_before_the_lock_the_form_refuses_and_stores_nothing(
    small_workshop_store: Store, lang: str
) -> None:
    form, _ = form_for(small_workshop_store, lang)
    assert not form.is_open
    expected = "憲章をロック" if lang == "ja" else "lock the method charter first"
    assert expected in form.refusal.value
    assert form.refusal in form.children and form.save_button not in form.children
    form.save_button.click()  # even a scripted click stores nothing
    assert (
        small_workshop_store.scores(SLUG).empty and small_workshop_store.counts(SLUG)["scores"] == 0
    )


def test_the_form_opens_when_a_charter_locked_event_arrives(
    tmp_path: Path, small_workshop_store: Store
) -> None:
    form, feed = form_for(small_workshop_store)
    with Store.open(small_workshop_store.url) as console:  # the facilitator locks on another screen
        lock(console)
    assert not form.is_open
    feed.poll_once()
    assert form.is_open and form.refusal not in form.children
    assert set(form.controls) == {
        (issue, criterion)
        for issue in ("madoguchi-konzatsu", "sanres", "chat")
        for criterion in ("resident", "staff", "cost")
    }
    assert "0 of 9 scored" in form.progress.value
    assert "Scoring under method charter v1" in form.intro.value


def test_scale_anchors_weights_and_dont_know_are_shown(small_workshop_store: Store) -> None:
    lock(small_workshop_store)
    form, _ = form_for(small_workshop_store, "ja")
    control = form.controls[("sanres", "resident")]
    assert isinstance(control, ipywidgets.ToggleButtons)
    assert control.description == "住民のうれしさ"
    assert list(control.options) == [
        ("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5), ("わからない", DONT_KNOW)
    ]  # fmt: skip
    assert control.tooltips[0] == "低" and control.tooltips[4] == "高"
    page = "".join(w.value for box in form.issues_box.children for w in box.children
                   if isinstance(w, ipywidgets.HTML))  # fmt: skip
    assert "1 = 低 · 5 = 高" in page and "重み 50%" in page
    assert "点が高いほど費用が大きい" in page  # the cost criterion says which way is better


def test_scores_and_dont_know_are_stored_for_the_seat(small_workshop_store: Store) -> None:
    lock(small_workshop_store)
    form, _ = form_for(small_workshop_store)
    form.seats.buttons.value = 2
    form.save_button.click()
    assert "Nothing to save yet" in form.messages.value
    form.controls[("sanres", "resident")].value = 4
    form.controls[("sanres", "cost")].value = DONT_KNOW
    assert "2 of 9 scored" in form.progress.value
    form.save_button.click()
    assert "Seat 2: 2 scores saved." in form.messages.value
    scores = small_workshop_store.scores(SLUG)
    stored = {(r.issue, r.criterion): r.score for r in scores.itertuples()}
    assert stored[("sanres", "resident")] == 4
    assert math.isnan(stored[("sanres", "cost")])  # don't know: stored as None (NaN here)
    assert len(stored) == 2

    form.seats.buttons.value = 3  # the next person starts from an empty form
    assert all(c.value is None for c in form.controls.values())
    assert "0 of 9 scored" in form.progress.value


def test_a_new_charter_version_rebuilds_the_form(small_workshop_store: Store) -> None:
    lock(small_workshop_store)
    form, feed = form_for(small_workshop_store)
    form.controls[("chat", "staff")].value = 5
    small_workshop_store.revise_charter(
        SLUG, reason="コストを重視する", weights={"resident": 20, "staff": 20, "cost": 60}
    )
    small_workshop_store.record_consent(SLUG, small_workshop_store.join(SLUG), 5)
    small_workshop_store.lock_charter(SLUG)
    feed.poll_once()
    assert form.charter.version == 2 and "v2" in form.intro.value
    assert form.controls[("chat", "staff")].value is None
