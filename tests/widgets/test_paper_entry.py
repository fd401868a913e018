"""Paper ballots typed in by staff: each rule's form, codes, refusals, all marked ``paper``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.widgets.conftest import SLUG
from toolkit.store import Store, normalize_code
from widgets.context import AppContext
from widgets.paper import PaperBallotEntry

A, B = "madoguchi-konzatsu", "online-shinsei"


def entry(store: Store, rule: str, **settings: Any) -> PaperBallotEntry:
    store.create_ballot(SLUG, "paper", "紙の投票", rule=rule, options=[A, B], settings=settings)
    store.open_ballot(SLUG, "paper")
    return PaperBallotEntry(AppContext.for_store(store, SLUG, "ja"))


def test_nothing_to_enter_while_no_ballot_is_open(small_workshop_store: Store) -> None:
    form = PaperBallotEntry(AppContext.for_store(small_workshop_store, SLUG, "en"))
    assert form.enter.disabled
    assert "No ballot is open" in form.message.value


@pytest.mark.parametrize(
    ("rule", "settings", "marks", "stored"),
    [
        ("single", {}, {"single": B}, B),
        ("approval", {}, {A: True, B: True}, [A, B]),
        ("dot_votes", {"dots": 3}, {A: 2, B: 1}, {A: 2, B: 1}),
        ("borda", {}, {A: "2", B: "1"}, [B, A]),
        ("score", {"min": 0, "max": 5}, {A: "4"}, {A: 4}),
        ("equal_shares", {"budget": 10, "costs": {A: 8, B: 2}}, {B: True}, [B]),
    ],
)
def test_each_rule_is_entered_as_a_paper_vote(
    small_workshop_store: Store,
    rule: str,
    settings: dict[str, Any],
    marks: dict[str, Any],
    stored: Any,
) -> None:
    form = entry(small_workshop_store, rule, **settings)
    for name, value in marks.items():
        form._controls[name].value = value  # as staff click or type in the browser
    form.enter.click()

    [vote] = small_workshop_store.votes(SLUG, "paper")
    assert (vote.payload, vote.channel) == (stored, "paper")
    assert "入力しました" in form.message.value
    assert "紙 1 票" in form.counter.value
    # The form is clean for the next paper.
    assert all(c.value in (None, False, 0, "–") for c in form._controls.values())


def test_a_printed_code_votes_once_on_paper_or_phone(small_workshop_store: Store) -> None:
    form = entry(small_workshop_store, "approval")
    [code] = small_workshop_store.issue_codes(SLUG, 1)
    form.code.value = code.lower()
    form._controls[A].value = True
    form.enter.click()
    assert [v.channel for v in small_workshop_store.votes(SLUG, "paper")] == ["paper"]

    form.code.value = code
    form._controls[B].value = True
    form.enter.click()
    assert "すでに投票" in form.message.value  # the database refused the second vote
    assert form.code.value == code  # what staff typed stays for them to check
    with pytest.raises(Exception, match="already voted"):
        small_workshop_store.cast_vote(SLUG, "paper", normalize_code(code), [B])
    assert len(small_workshop_store.votes(SLUG, "paper")) == 1


def test_refused_papers_store_nothing_and_say_why(small_workshop_store: Store) -> None:
    form = entry(small_workshop_store, "borda")
    form._controls[A].value = "1"
    form._controls[B].value = "1"
    form.enter.click()
    assert "同じ順位" in form.message.value

    form._controls[B].value = "2"
    form.code.value = "22222-22222"
    form.enter.click()
    assert "コードは見つかりません" in form.message.value

    small_workshop_store.close_ballot(SLUG, "paper")
    form.code.value = ""
    form.enter.click()
    assert "受付中ではありません" in form.message.value
    assert small_workshop_store.votes(SLUG, "paper") == []
    assert small_workshop_store.counts(SLUG)["participants"] == 0  # no paper voter was left behind
