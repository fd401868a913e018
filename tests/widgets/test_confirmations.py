"""One confirmation rule for every irreversible action, in every app: walk the console's, the
method app's and the table app's buttons, find the ones that close a vote, lock the charter
or revoke a table link, and check that each asks before it acts and acts only on "Yes"."""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets
import pytest

from toolkit.i18n import t
from toolkit.server.table_links import ENV_TABLE_LINK_KEY, table_link_key
from toolkit.store import Store
from widgets.confirm import ConfirmButton, irreversible_buttons
from widgets.console import FacilitatorConsole
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.method import CharterPanel, MethodVote, WeightAgreement
from widgets.seats import TableSeats
from widgets.table_app import TableApp

SLUG = "tsuru-dx"
WEIGHTS = {"resident": 50, "staff": 30, "cost": 20}

#: The catalog labels of the buttons that cannot be undone. "Close them and continue" (the
#: phase change's warning) is not here: it is itself the answer to a question.
IRREVERSIBLE = (
    "console_ballot_close",
    "method_ballot_close_button",
    "console_charter_lock",
    "method_lock_button",
    "console_tables_revoke",
)


def every_button(root: ipywidgets.Widget) -> Iterator[ipywidgets.Button]:
    stack = [root]
    while stack:
        widget = stack.pop()
        if isinstance(widget, ipywidgets.Button):
            yield widget
        stack.extend(getattr(widget, "children", ()) or ())


@pytest.fixture
def screens(
    small_workshop_store: Store, monkeypatch: pytest.MonkeyPatch
) -> list[ipywidgets.Widget]:
    """Every facilitator screen with something irreversible on it, all of it enabled."""
    monkeypatch.setenv(ENV_TABLE_LINK_KEY, table_link_key("a-facilitator-secret-for-tests"))
    ctx = AppContext.for_store(small_workshop_store, SLUG, "en")
    feed = LiveFeed(small_workshop_store, SLUG)
    seats = TableSeats(ctx)
    vote = MethodVote(ctx, feed, seats, facilitator=True)
    weights = WeightAgreement(ctx, feed, seats, facilitator=True)
    charter = CharterPanel(ctx, feed, seats, vote=vote, agreement=weights)
    for ballot in small_workshop_store.ballots(SLUG):
        small_workshop_store.open_ballot(SLUG, ballot.key)
    small_workshop_store.propose_charter(SLUG, method="weighted_sum", weights=WEIGHTS)
    small_workshop_store.record_consent(SLUG, small_workshop_store.join(SLUG), 5)
    console = FacilitatorConsole(ctx, feed, join_url="http://192.0.2.10:8866/p/tsuru-dx/")
    feed.poll_once()
    table = TableApp(
        AppContext.for_store(small_workshop_store, SLUG, "en", table=1),
        LiveFeed(small_workshop_store, SLUG),
    )
    return [console, vote, weights, charter, table]


def test_every_irreversible_button_is_a_confirm_button(screens: list[ipywidgets.Widget]) -> None:
    labels = {t(key, "en") for key in IRREVERSIBLE}
    found: set[str] = set()
    for screen in screens:
        asking = {id(c.button) for c in irreversible_buttons(screen)}
        for button in every_button(screen):
            if button.description in labels:
                found.add(button.description)
                assert id(button) in asking, f"{button.description!r} acts without asking"
    assert found == labels  # the walk saw every kind


def test_each_one_asks_first_cancel_keeps_everything_and_yes_acts(
    small_workshop_store: Store, screens: list[ipywidgets.Widget]
) -> None:
    confirms: list[ConfirmButton] = [c for s in screens for c in irreversible_buttons(s)]
    # The console's ballot rows, the method app's two ballots, two charter locks, the links.
    assert len(confirms) >= 6
    for confirm in confirms:
        if confirm.button.disabled:  # e.g. the second screen after the first closed a vote
            continue
        before = len(small_workshop_store.changes(SLUG))
        confirm.button.click()
        assert confirm.asking and confirm.question.value.startswith('<p role="alert"')
        assert len(small_workshop_store.changes(SLUG)) == before, (
            f"{confirm.button.description!r} acted"
        )
        confirm.cancel.click()
        assert not confirm.asking and len(small_workshop_store.changes(SLUG)) == before
        confirm.yes.click()  # a "Yes" left over from a withdrawn question does nothing
        assert len(small_workshop_store.changes(SLUG)) == before
    vote = screens[1]
    assert isinstance(vote, MethodVote)
    vote.controls.close_button.click()
    vote.controls.closer.yes.click()
    assert small_workshop_store.ballot(SLUG, vote.ballot.key).status == "closed"
    assert vote.controls.close_button.disabled and not vote.controls.closer.asking
