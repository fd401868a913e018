"""The happiness map's first two steps: who the stakeholders are, and their happiness cards.

* :class:`StakeholderPanel` — the stakeholders and a form to add one with its category;
* :class:`CardBoard` — choose a stakeholder, write a happiness card, post; cards by stakeholder.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any

import ipywidgets

from toolkit.errors import InvalidInputError
from toolkit.model import CATEGORIES, HappinessCard, category_name
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.seats import TableSeats
from widgets.ui import (
    HAPPINESS_EVENTS,
    WIDE_LABEL,
    LivePanel,
    heading_html,
    html_table,
    set_options,
)


def card_group_html(title: str, count: str, items: str) -> str:
    """A group of cards: its title and how many (escaped here), then ``items`` (``<li>`` HTML)."""
    return (
        f'<h4 style="margin:.4em 0 .1em">{escape(title)} '
        f'<span style="font-weight:normal">({escape(count)})</span></h4>'
        f'<ul style="margin:0 0 .3em">{items}</ul>'
    )


# ---------------------------------------------------------------------- stakeholders
class StakeholderPanel(LivePanel):
    """The stakeholders of the workshop, and a form to add one with its category."""

    LIVE_KINDS = HAPPINESS_EVENTS

    def __init__(self, ctx: AppContext, feed: LiveFeed | None = None, **kwargs: Any) -> None:
        super().__init__(ctx, feed, **kwargs)
        self.listing = ipywidgets.HTML()
        self.name = ipywidgets.Text(
            description=self._("table_stakeholder_name"),
            placeholder=self._("table_stakeholder_name_placeholder"),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="28em"),
        )
        self.category = ipywidgets.Dropdown(
            options=[(category_name(c, ctx.lang), c) for c in CATEGORIES],
            value="resident",
            description=self._("table_stakeholder_category"),
            style=WIDE_LABEL,
        )
        self.add_button = ipywidgets.Button(
            description=self._("table_stakeholder_add"), button_style="primary", icon="plus"
        )
        self.add_button.on_click(self._guard(self._add))
        self.children = [
            ipywidgets.HTML(
                heading_html(
                    self._("table_stakeholders_heading"), self._("table_stakeholders_hint")
                )
            ),
            self.listing,
            ipywidgets.HBox([self.name, self.category, self.add_button]),
            self.message,
        ]
        self.refresh()

    def _add(self, _button: object = None) -> None:
        name = self.name.value.strip()
        if not name:
            raise InvalidInputError("text_required", field=self._("table_stakeholder_name"))
        added = self.ctx.store.add_stakeholder(self.ctx.slug, name, category=self.category.value)
        self.name.value = ""
        self.refresh()
        self.message.show(self._("table_stakeholder_added", name=added.name), "success")

    def refresh(self) -> None:
        holders = self.ctx.store.stakeholders(self.ctx.slug)
        if not holders:
            self.listing.value = f"<p>{escape(self._('table_stakeholders_none'))}</p>"
            return
        per = Counter(c.stakeholder for c in self.ctx.store.cards(self.ctx.slug))
        rows = [(s.name, category_name(s.category, self.ctx.lang), per[s.key]) for s in holders]
        columns = [self._(k) for k in ("table_col_stakeholder", "table_col_category")]
        self.listing.value = html_table([*columns, self._("table_col_cards")], rows)


# ---------------------------------------------------------------------- cards
class CardBoard(LivePanel):
    """Choose a stakeholder, write what would make them glad, post; every card, live.

    With ``seats``, a card posted while a seat is chosen records that seat's anonymous
    participant (so the export can count people); without a seat it is the table's card.
    """

    LIVE_KINDS = HAPPINESS_EVENTS

    def __init__(
        self,
        ctx: AppContext,
        feed: LiveFeed | None = None,
        *,
        seats: TableSeats | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(ctx, feed, **kwargs)
        self.seats = seats
        self.stakeholder = ipywidgets.Dropdown(
            description=self._("table_card_stakeholder"), style=WIDE_LABEL
        )
        self.text = ipywidgets.Textarea(
            description=self._("table_card_text"),
            placeholder=self._("table_card_placeholder"),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="36em", height="5em"),
        )
        self.post_button = ipywidgets.Button(
            description=self._("table_card_post"), button_style="primary", icon="thumbtack"
        )
        self.post_button.on_click(self._guard(self._post))
        self.listing = ipywidgets.HTML()
        self.children = [
            ipywidgets.HTML(
                heading_html(self._("table_cards_heading"), self._("table_cards_hint"))
            ),
            self.stakeholder,
            self.text,
            self.post_button,
            self.message,
            self.listing,
        ]
        self.refresh()

    def _post(self, _button: object = None) -> None:
        key = self.stakeholder.value
        if not key:
            raise InvalidInputError("table_card_needs_stakeholder")
        text = self.text.value.strip()
        if not text:
            raise InvalidInputError("text_required", field=self._("table_card_text"))
        token = self.seats.token() if self.seats is not None and self.seats.seat else None
        self.ctx.store.add_card(self.ctx.slug, text, stakeholder=key, token=token)
        self.text.value = ""
        self.refresh()
        name = dict((v, k) for k, v in self.stakeholder.options).get(key, key)
        self.message.show(self._("table_card_posted", stakeholder=name), "success")

    @staticmethod
    def _theme_tag(themes: dict[str, str], theme: str | None) -> str:
        if not theme:
            return ""
        return f' <span style="color:#52606d">［{escape(themes.get(theme, theme))}］</span>'

    def refresh(self) -> None:
        store, slug = self.ctx.store, self.ctx.slug
        holders = store.stakeholders(slug)
        set_options(
            self.stakeholder,
            [(self._("table_choose"), ""), *((s.name, s.key) for s in holders)],
        )
        cards = store.cards(slug)
        themes = {th.key: th.name for th in store.themes(slug)}
        if not cards:
            self.listing.value = f"<p>{escape(self._('table_cards_none'))}</p>"
            return
        names: dict[str | None, str] = {s.key: s.name for s in holders}
        order: list[str | None] = [*names, None]
        by_holder: dict[str | None, list[HappinessCard]] = {}
        for card in cards:
            by_holder.setdefault(card.stakeholder, []).append(card)
        parts = []
        for key in order:
            group = by_holder.get(key)
            if not group:
                continue
            title = names.get(key) or self._("table_no_stakeholder")
            items = "".join(
                f"<li>{escape(c.text)}{self._theme_tag(themes, c.theme)}</li>" for c in group
            )
            parts.append(card_group_html(title, self._("table_card_count", n=len(group)), items))
        self.listing.value = "".join(parts)
