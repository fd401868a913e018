"""Grouping happiness cards into themes (affinity mapping, KJ法): the decisions behind the
table app's tap-to-group step, with no widget in sight.

A table picks cards by tapping them, then taps a theme (or "new theme") to put them there;
these functions say which cards are offered, how many each theme holds and which theme the
picked cards resemble (a hint, never a move).

>>> from datetime import UTC, datetime
>>> now = datetime(2026, 1, 1, tzinfo=UTC)
>>> cards = [HappinessCard(1, "FAXをなくす", None, "kami", now),
...          HappinessCard(2, "待たずに済む", None, None, now)]
>>> [c.id for c in cards_to_group(cards, only_ungrouped=True)]
[2]
>>> theme_sizes(cards, ["kami", "matanai"])
{'kami': 1, 'matanai': 0}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from toolkit.model import HappinessCard, Theme
from toolkit.theme_suggestions import suggest_theme_for


def cards_to_group(cards: Sequence[HappinessCard], *, only_ungrouped: bool) -> list[HappinessCard]:
    """The cards offered for picking: those without a theme, or all of them."""
    return [c for c in cards if c.theme is None or not only_ungrouped]


def theme_sizes(cards: Collection[HappinessCard], themes: Sequence[str]) -> dict[str, int]:
    """How many cards each theme holds (every theme listed, in the given order)."""
    per = Counter(c.theme for c in cards)
    return {key: per[key] for key in themes}


def still_picked(picked: Collection[int], cards: Sequence[HappinessCard]) -> list[int]:
    """The picked card ids that are still offered, in the cards' order (a card grouped on
    another screen, or hidden by "only cards without a theme", is no longer picked)."""
    wanted = set(picked)
    return [c.id for c in cards if c.id in wanted]


def resembled_theme(
    picked: Collection[int], cards: Sequence[HappinessCard], themes: Sequence[Theme]
) -> str | None:
    """The theme every picked card resembles (by wording, :func:`suggest_theme_for`), or
    None when none fits or the picked cards point at different themes."""
    chosen = set(picked)
    if not chosen:
        return None
    members: dict[str, list[str]] = {th.key: [th.name] for th in themes}
    for card in cards:
        if card.theme and card.id not in chosen:
            members.setdefault(card.theme, []).append(card.text)
    guesses = {suggest_theme_for(c.text, members) for c in cards if c.id in chosen}
    return guesses.pop() if len(guesses) == 1 else None
