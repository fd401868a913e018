"""Grouping the happiness cards into themes by touch (KJ法), with offline suggestions.

:class:`ThemeGrouping` — create themes, move picked cards into a theme, and offline theme
suggestions (:mod:`toolkit.theme_suggestions`) the group accepts one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import ipywidgets

from toolkit.errors import InvalidInputError
from toolkit.grouping import cards_to_group, resembled_theme, still_picked, theme_sizes
from toolkit.i18n import t
from toolkit.model import HappinessCard, Theme
from toolkit.theme_suggestions import Suggestion, suggest_themes
from widgets.context import AppContext
from widgets.happiness.cards import card_group_html
from widgets.live import LiveFeed
from widgets.ui import HAPPINESS_EVENTS, WIDE_LABEL, LivePanel, heading_html


# ---------------------------------------------------------------------- themes
class _SuggestionRow(ipywidgets.VBox):
    """One suggestion the group can accept (with a name it may edit) or dismiss."""

    def __init__(
        self, panel: ThemeGrouping, suggestion: Suggestion, cards: Sequence[HappinessCard]
    ) -> None:
        lang = panel.ctx.lang
        self.card_ids = [cards[i].id for i in suggestion.cards]
        self.theme = suggestion.theme if isinstance(suggestion.theme, str) else None
        texts = "".join(f"<li>{escape(cards[i].text)}</li>" for i in suggestion.cards)
        self.name = ipywidgets.Text(
            value=suggestion.label,
            description=t("table_theme_name", lang),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="24em"),
        )
        if self.theme is not None:
            theme_names = {th.key: th.name for th in panel.ctx.store.themes(panel.ctx.slug)}
            target: ipywidgets.Widget = ipywidgets.HTML(
                escape(
                    t(
                        "table_suggestion_existing",
                        lang,
                        theme=theme_names.get(self.theme, self.theme),
                    )
                )
            )
        else:
            target = self.name
        self.accept_button = ipywidgets.Button(
            description=t("table_accept", lang), button_style="success", icon="check"
        )
        self.dismiss_button = ipywidgets.Button(description=t("table_dismiss", lang), icon="times")
        self.accept_button.on_click(panel._guard(lambda _b: panel.accept(self)))
        self.dismiss_button.on_click(panel._guard(lambda _b: panel.dismiss(self)))
        super().__init__(
            [
                ipywidgets.HTML(f'<ul style="margin:.2em 0">{texts}</ul>'),
                ipywidgets.HBox([target, self.accept_button, self.dismiss_button]),
            ],
            layout=ipywidgets.Layout(border="1px solid #d9d4c7", padding="0 .5em", margin=".2em 0"),
        )


class ThemeGrouping(LivePanel):
    """Group cards into themes by touch: tap cards to pick them (tap again to unpick), then
    tap a theme to put them there, or name a new theme (the picked cards go in it). No
    Ctrl/Shift-click, so it works on a tablet and feels like moving sticky notes (KJ法).
    Offline suggestions can be accepted one by one."""

    LIVE_KINDS = HAPPINESS_EVENTS

    def __init__(self, ctx: AppContext, feed: LiveFeed | None = None, **kwargs: Any) -> None:
        super().__init__(ctx, feed, **kwargs)
        self.theme_name = ipywidgets.Text(
            description=self._("table_theme_name"),
            placeholder=self._("table_theme_name_placeholder"),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="28em"),
        )
        self.create_button = ipywidgets.Button(
            description=self._("table_theme_create"),
            button_style="primary",
            icon="plus",
            layout=ipywidgets.Layout(width="auto", min_height="44px"),
        )
        self.create_button.on_click(self._guard(self._create))
        self.only_ungrouped = ipywidgets.Checkbox(
            value=True, description=self._("table_only_ungrouped"), indent=False
        )
        self.only_ungrouped.observe(lambda _c: self.refresh(), names=["value"])
        #: One toggle per offered card, by card id: pressed = picked.
        self.card_toggles: dict[int, ipywidgets.ToggleButton] = {}
        self.card_board = ipywidgets.Box(
            layout=ipywidgets.Layout(display="flex", flex_flow="row wrap")
        )
        self.picked_status = ipywidgets.HTML()
        self.unpick_button = ipywidgets.Button(
            description=self._("table_unpick"),
            icon="times",
            layout=ipywidgets.Layout(width="auto", min_height="44px"),
        )
        self.unpick_button.on_click(self._guard(lambda _b: self.unpick()))
        #: One button per theme, by theme key: puts the picked cards in it.
        self.theme_buttons: dict[str, ipywidgets.Button] = {}
        self.take_out_button = ipywidgets.Button(description=self._("table_take_out"), icon="reply")
        self.take_out_button.add_class("ureshii-put")
        self.take_out_button.on_click(self._guard(lambda _b: self.put_in(None)))
        self.theme_board = ipywidgets.Box(
            layout=ipywidgets.Layout(display="flex", flex_flow="row wrap")
        )
        self.suggested: str | None = None
        self.hint = ipywidgets.HTML()
        self.overview = ipywidgets.HTML()
        self.suggest_button = ipywidgets.Button(
            description=self._("table_suggest"), icon="lightbulb"
        )
        self.suggest_button.on_click(self._guard(self._suggest))
        self.suggestions = ipywidgets.VBox()
        self._card_labels: tuple[tuple[int, str], ...] = ()
        self._quiet = False
        self.children = [
            ipywidgets.HTML(
                heading_html(self._("table_themes_heading"), self._("table_themes_hint"))
            ),
            ipywidgets.HTML(f"<p>{escape(self._('table_cards_select_hint'))}</p>"),
            self.only_ungrouped,
            self.card_board,
            ipywidgets.HBox([self.picked_status, self.unpick_button]),
            self.hint,
            ipywidgets.HTML(f"<p><b>{escape(self._('table_put_in_heading'))}</b></p>"),
            self.theme_board,
            ipywidgets.HBox([self.theme_name, self.create_button]),
            self.message,
            ipywidgets.HTML(f"<p>{escape(self._('table_suggest_hint'))}</p>"),
            self.suggest_button,
            self.suggestions,
            self.overview,
        ]
        self.refresh()

    # -- picking
    @property
    def picked(self) -> list[int]:
        """The ids of the picked cards, in the order the cards are shown."""
        return [card_id for card_id, toggle in self.card_toggles.items() if toggle.value]

    def unpick(self) -> None:
        """Release every picked card (nothing changes in the store)."""
        self._quiet = True  # one redraw for the lot, not one per card
        try:
            for toggle in self.card_toggles.values():
                toggle.value = False
        finally:
            self._quiet = False
        self._picked_changed()

    def _picked_changed(self, _change: object = None) -> None:
        if self._quiet:
            return
        n = len(self.picked)
        text = self._("table_picked", n=n) if n else self._("table_picked_none")
        self.picked_status.value = (
            f'<p role="status" aria-live="polite" style="font-weight:600;margin:.3em 0">'
            f"{escape(text)}</p>"
        )
        self.unpick_button.layout.display = "" if n else "none"
        self._hint_theme()

    # -- actions
    def _create(self, _button: object = None) -> None:
        name = self.theme_name.value.strip()
        if not name:
            raise InvalidInputError("text_required", field=self._("table_theme_name"))
        picked = self.picked
        theme = self.ctx.store.add_theme(self.ctx.slug, name)
        for card_id in picked:
            self.ctx.store.group_card(self.ctx.slug, card_id, theme.key)
        self.theme_name.value = ""
        self.unpick()
        self.refresh()
        if picked:
            self.message.show(self._("table_moved", n=len(picked), theme=theme.name), "success")
        else:
            self.message.show(self._("table_theme_created", name=theme.name), "success")

    def put_in(self, theme: str | None) -> None:
        """Put the picked cards in ``theme`` (None: take them out of their theme)."""
        chosen = self.picked
        if not chosen:
            raise InvalidInputError("table_select_cards_first")
        for card_id in chosen:
            self.ctx.store.group_card(self.ctx.slug, card_id, theme)
        self.unpick()
        self.refresh()
        if theme is None:
            self.message.show(self._("table_taken_out", n=len(chosen)), "success")
        else:
            name = self._theme_names().get(theme, theme)
            self.message.show(self._("table_moved", n=len(chosen), theme=name), "success")

    def _suggest(self, _button: object = None) -> None:
        cards = self.ctx.store.cards(self.ctx.slug)
        themes = self.ctx.store.themes(self.ctx.slug)
        ungrouped = cards_to_group(cards, only_ungrouped=True)
        existing: dict[str, list[str]] = {th.key: [th.name] for th in themes}
        for card in cards:
            if card.theme:
                existing.setdefault(card.theme, []).append(card.text)
        found = suggest_themes([c.text for c in ungrouped], existing=existing)
        self.suggestions.children = tuple(_SuggestionRow(self, s, ungrouped) for s in found)
        if found:
            self.message.show(self._("table_suggest_count", n=len(found)), "info")
        else:
            self.message.show(self._("table_suggest_none"), "info")

    def accept(self, row: _SuggestionRow) -> None:
        """Put the suggestion's cards (those still without a theme) in its theme."""
        still_free = {c.id for c in self.ctx.store.cards(self.ctx.slug) if c.theme is None}
        ids = [i for i in row.card_ids if i in still_free]
        if not ids:
            self.dismiss(row)
            self.message.show(self._("table_suggestion_stale"), "info")
            return
        if row.theme is None:
            name = row.name.value.strip()
            if not name:
                raise InvalidInputError("text_required", field=self._("table_theme_name"))
            theme: Theme = self.ctx.store.add_theme(self.ctx.slug, name)
            key, label = theme.key, theme.name
        else:
            key = row.theme
            label = self._theme_names().get(key, key)
        for card_id in ids:
            self.ctx.store.group_card(self.ctx.slug, card_id, key)
        self.dismiss(row)
        self.refresh()
        self.message.show(self._("table_moved", n=len(ids), theme=label), "success")

    def dismiss(self, row: _SuggestionRow) -> None:
        self.suggestions.children = tuple(r for r in self.suggestions.children if r is not row)

    # -- reading the store
    def _hint_theme(self) -> None:
        """Light up the theme the picked cards resemble (a suggestion: nothing moves)."""
        store, slug = self.ctx.store, self.ctx.slug
        key = resembled_theme(self.picked, store.cards(slug), store.themes(slug))
        self.suggested = key
        for theme, button in self.theme_buttons.items():
            button.button_style = "info" if theme == key else ""
        if key is None:
            self.hint.value = ""
            return
        name = self._theme_names().get(key, key)
        self.hint.value = f"<p>{escape(self._('table_hint_theme', theme=name))}</p>"

    def _theme_names(self) -> dict[str, str]:
        return {th.key: th.name for th in self.ctx.store.themes(self.ctx.slug)}

    def _card_toggle(self, card_id: int, label: str) -> ipywidgets.ToggleButton:
        toggle = self.card_toggles.get(card_id)
        if toggle is None:
            toggle = ipywidgets.ToggleButton(value=False, icon="")
            toggle.add_class("ureshii-pick")
            toggle.observe(self._guard(self._picked_changed), names=["value"])
        toggle.description = label
        toggle.tooltip = label
        return toggle

    def refresh(self) -> None:
        store, slug = self.ctx.store, self.ctx.slug
        themes = store.themes(slug)
        names = {th.key: th.name for th in themes}
        holders = {s.key: s.name for s in store.stakeholders(slug)}
        cards = store.cards(slug)
        shown = cards_to_group(cards, only_ungrouped=bool(self.only_ungrouped.value))

        def label(card: HappinessCard) -> str:
            who = holders.get(card.stakeholder or "", "")
            text = card.text + (f"（{who}）" if who else "")
            return f"［{names.get(card.theme, card.theme)}］ {text}" if card.theme else text

        labels = tuple((c.id, label(c)) for c in shown)
        if labels != self._card_labels:
            kept = set(still_picked(self.picked, shown))
            toggles = {card_id: self._card_toggle(card_id, text) for card_id, text in labels}
            self._quiet = True
            try:
                for card_id, toggle in toggles.items():
                    toggle.value = card_id in kept
            finally:
                self._quiet = False
            self.card_toggles = toggles
            self.card_board.children = tuple(toggles.values())
            self._card_labels = labels
        if not shown:
            self.card_board.children = (
                ipywidgets.HTML(f"<p>{escape(self._('table_cards_none_to_group'))}</p>"),
            )
        sizes = theme_sizes(cards, list(names))
        buttons: dict[str, ipywidgets.Button] = {}
        for th in themes:
            button = self.theme_buttons.get(th.key)
            if button is None:
                button = ipywidgets.Button(icon="sign-in")
                button.add_class("ureshii-put")
                button.on_click(self._guard(lambda _b, key=th.key: self.put_in(key)))
            button.description = self._("table_theme_target", theme=th.name, n=sizes[th.key])
            button.tooltip = self._("table_put_in", theme=th.name)
            buttons[th.key] = button
        self.theme_buttons = buttons
        self.take_out_button.layout.display = "none" if self.only_ungrouped.value else ""
        board = (*buttons.values(), self.take_out_button)
        if self.theme_board.children != board:  # a poll that changed nothing sends nothing
            self.theme_board.children = board
        self._picked_changed()
        if not themes:
            self.overview.value = f"<p>{escape(self._('table_themes_none'))}</p>"
            return
        per: dict[str | None, list[HappinessCard]] = {}
        for card in cards:
            per.setdefault(card.theme, []).append(card)
        parts = []
        for key in [*names, None]:
            group = per.get(key, [])
            if key is None and not group:
                continue
            title = names[key] if key else self._("table_ungrouped")
            items = "".join(f"<li>{escape(c.text)}</li>" for c in group)
            parts.append(card_group_html(title, self._("table_card_count", n=len(group)), items))
        self.overview.value = "".join(parts)
