"""Ballots that serve a step of the workshop (not the town meeting): which one serves, and
how the facilitator starts it. Every screen asks here, so the console and the table app
agree on which ballot is "the dot vote on themes"."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from toolkit.errors import InvalidInputError
from toolkit.model import Ballot

if TYPE_CHECKING:
    from toolkit.store import Store

THEME_DOTS = 3
"""Dots per person on a dot vote on themes started from a screen."""


def theme_ballot(ballots: Collection[Ballot]) -> Ballot | None:
    """The dot vote on themes: the open one, else a draft, else the last closed."""
    candidates = [b for b in ballots if b.purpose == "themes" and b.rule == "dot_votes"]
    for status in ("open", "draft", "closed"):
        found = [b for b in candidates if b.status == status]
        if found:
            return found[-1]
    return None


def start_theme_dot_vote(store: Store, slug: str, title: str) -> Ballot:
    """Create and open a dot vote over the current themes (:data:`THEME_DOTS` each), or
    return the one that is already there. A facilitator's action (console, facilitator
    app); a table laptop never starts a vote."""
    existing = theme_ballot(store.ballots(slug))
    if existing is not None:
        return existing
    themes = [th.key for th in store.themes(slug)]
    if not themes:
        raise InvalidInputError("table_dots_need_themes")
    key = store.free_ballot_key(slug, "theme-dots")
    store.create_ballot(
        slug,
        key,
        title,
        rule="dot_votes",
        options=themes,
        settings={"dots": THEME_DOTS},
        purpose="themes",
        visibility="live",
    )
    return store.open_ballot(slug, key)


PURPOSE_PHASES: dict[str, tuple[str, ...]] = {
    "themes": ("happiness",),
    "method": ("method",),
    "weights": ("method",),
    "town_meeting": ("town_meeting",),
}
"""The phases a ballot of each purpose serves; a purpose not listed ("other") serves none,
so an open ballot of it is always worth a word when the phase changes."""


def ballots_left_open(ballots: Collection[Ballot], phase: str) -> list[Ballot]:
    """The open ballots that do not serve ``phase``: moving the room to ``phase`` would leave
    them open (the theme dot vote still taking dots during the town meeting), so the console
    asks first.

    >>> from toolkit.model import Ballot
    >>> dots = Ballot(
    ...     1, "theme-dots", "Dots", "themes", "dot_votes", ("a",), {}, "live", "open", False
    ... )
    >>> [b.key for b in ballots_left_open([dots], "town_meeting")]
    ['theme-dots']
    >>> ballots_left_open([dots], "happiness")
    []
    """
    return [
        b for b in ballots if b.status == "open" and phase not in PURPOSE_PHASES.get(b.purpose, ())
    ]
