"""The happiness map at a table laptop: stakeholders, cards, themes, the dot vote, the map.

Each widget takes the app context (and, in an app, the shared :class:`~widgets.live.LiveFeed`);
it writes through :class:`toolkit.store.Store` and then re-reads the store, so what another
table posts appears here on the feed's next poll. Nothing is kept only in this kernel except
the seats' anonymous tokens (:class:`~widgets.seats.TableSeats`).

* :class:`StakeholderPanel` — the stakeholders and a form to add one with its category;
* :class:`CardBoard` — choose a stakeholder, write a happiness card, post; cards by stakeholder
  (both in :mod:`widgets.happiness.cards`);
* :class:`ThemeGrouping` — create themes, move selected cards into a theme, and offline
  theme suggestions (:mod:`toolkit.theme_suggestions`) the group accepts one by one
  (:mod:`widgets.happiness.themes`);
* :class:`ThemeDotVote` — each seat places its dots on the themes (ballot purpose "themes",
  rule "dot_votes"); the tally when the ballot's results may be seen
  (:mod:`widgets.happiness.dots`);
* :class:`HappinessMap` — cards per stakeholder × theme as a table (and a heatmap)
  (:mod:`widgets.happiness.map_view`).

What every screen shares (the live panel, tables, headings) is in :mod:`widgets.ui`.
"""

from __future__ import annotations

from widgets.happiness.cards import CardBoard, StakeholderPanel
from widgets.happiness.dots import ThemeDotVote
from widgets.happiness.map_view import HappinessMap
from widgets.happiness.themes import ThemeGrouping

__all__ = [
    "CardBoard",
    "HappinessMap",
    "StakeholderPanel",
    "ThemeDotVote",
    "ThemeGrouping",
]
