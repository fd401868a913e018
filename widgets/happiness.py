"""The happiness map at a table laptop: stakeholders, cards, themes, the dot vote, the map.

Each widget takes the app context (and, in an app, the shared :class:`~widgets.live.LiveFeed`);
it writes through :class:`toolkit.store.Store` and then re-reads the store, so what another
table posts appears here on the feed's next poll. Nothing is kept only in this kernel except
the seats' anonymous tokens (:class:`~widgets.seats.TableSeats`).

* :class:`StakeholderPanel` — the stakeholders and a form to add one with its group;
* :class:`CardBoard` — choose a stakeholder, write a happiness card, post; cards by stakeholder;
* :class:`ThemeGrouping` — create themes, move selected cards into a theme, and offline
  theme suggestions (:mod:`toolkit.theme_suggestions`) the group accepts one by one;
* :class:`ThemeDotVote` — each seat places its dots on the themes (ballot purpose "themes",
  rule "dot_votes"); the tally when the ballot's results may be seen;
* :class:`HappinessMap` — cards per stakeholder × theme as a table (and a heatmap).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

import ipywidgets

from toolkit.ballots import tally
from toolkit.ballots.purposes import THEME_DOTS, start_theme_dot_vote, theme_ballot
from toolkit.errors import InvalidInputError
from toolkit.grouping import cards_to_group, resembled_theme, still_picked, theme_sizes
from toolkit.i18n import t
from toolkit.model import CATEGORIES, Ballot, Event, HappinessCard, Theme
from toolkit.theme_suggestions import Suggestion, suggest_themes
from widgets.chart import ChartView
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed
from widgets.seats import TableSeats

_WIDE = {"description_width": "initial"}
_CELL = "border:1px solid #d9d4c7;padding:.2em .6em;text-align:left"


# ---------------------------------------------------------------------- shared helpers
class LivePanel(ipywidgets.VBox):
    """A panel that re-reads the store when events of ``LIVE_KINDS`` arrive on the feed."""

    LIVE_KINDS: frozenset[str] = frozenset()

    def __init__(self, ctx: AppContext, feed: LiveFeed | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ctx = ctx
        self.message = MessageArea()
        if feed is not None:
            feed.subscribe(self._on_events, kinds=self.LIVE_KINDS or None)

    def _(self, key: str, **params: Any) -> str:
        """A catalog message in the app's language."""
        return t(key, self.ctx.lang, **params)

    def _guard(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        return guarded(self.message, self.ctx.lang)(callback)

    def _on_events(self, events: list[Event]) -> None:
        if self.wants(events):
            self.refresh()

    def wants(self, events: list[Event]) -> bool:
        """Whether these events (already of ``LIVE_KINDS``) change what the panel shows."""
        return True

    def _about_theme_ballots(self, events: list[Event]) -> bool:
        """False when every event is about a ballot other than a theme dot vote (e.g. the
        town meeting's votes), so a busy vote elsewhere does not re-read this panel."""
        keys = {e.payload.get("ballot") for e in events}
        if None in keys:
            return True
        ballots = {b.key: b.purpose for b in self.ctx.store.ballots(self.ctx.slug)}
        return any(ballots.get(str(key)) == "themes" for key in keys)

    def refresh(self) -> None:  # pragma: no cover - every panel overrides it
        raise NotImplementedError


def heading_html(text: str, hint: str = "", level: int = 3) -> str:
    """A section heading with an optional hint below it (both escaped)."""
    html = f'<h{level} style="margin:.3em 0 .1em">{escape(text)}</h{level}>'
    if hint:
        html += f'<p style="margin:0 0 .4em;color:#3e4c59">{escape(hint)}</p>'
    return html


def table_html(columns: Sequence[str], rows: Sequence[Sequence[object]], caption: str = "") -> str:
    """An accessible HTML table (caption, header cells with scope); every cell escaped."""
    head = "".join(
        f'<th scope="col" style="{_CELL};white-space:nowrap">{escape(c)}</th>' for c in columns
    )
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{escape(str(v))}</td>' for v in row) + "</tr>"
        for row in rows
    )
    cap = (
        f'<caption style="text-align:left;font-weight:bold">{escape(caption)}</caption>'
        if caption
        else ""
    )
    return (
        '<div style="overflow-x:auto;max-width:100%">'
        f'<table style="border-collapse:collapse;margin:.3em 0">{cap}'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def set_options(widget: Any, options: Sequence[tuple[str, Any]]) -> None:
    """Replace a selection widget's options only if they changed, keeping the selection."""
    new = tuple((str(label), value) for label, value in options)
    old = tuple((str(label), value) for label, value in (widget.options or ()))
    if new == old:
        return
    values = {value for _, value in new}
    kept = widget.value
    widget.options = new
    if isinstance(kept, tuple):
        widget.value = tuple(v for v in kept if v in values)
    elif kept in values:
        widget.value = kept
    elif new:  # never a blank single choice: a blank "move to" would mean "take out"
        widget.value = new[0][1]


def category_label(category: str, lang: str) -> str:
    return t(f"table_category_{category}", lang) if category in CATEGORIES else category


# ---------------------------------------------------------------------- stakeholders
class StakeholderPanel(LivePanel):
    """The stakeholders of the workshop, and a form to add one with its group."""

    LIVE_KINDS = frozenset({"stakeholder_added", "card_added"})

    def __init__(self, ctx: AppContext, feed: LiveFeed | None = None, **kwargs: Any) -> None:
        super().__init__(ctx, feed, **kwargs)
        self.listing = ipywidgets.HTML()
        self.name = ipywidgets.Text(
            description=self._("table_stakeholder_name"),
            placeholder=self._("table_stakeholder_name_placeholder"),
            style=_WIDE,
            layout=ipywidgets.Layout(width="28em"),
        )
        self.category = ipywidgets.Dropdown(
            options=[(category_label(c, ctx.lang), c) for c in CATEGORIES],
            value="resident",
            description=self._("table_stakeholder_category"),
            style=_WIDE,
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
        rows = [(s.name, category_label(s.category, self.ctx.lang), per[s.key]) for s in holders]
        columns = [self._(k) for k in ("table_col_stakeholder", "table_col_category")]
        self.listing.value = table_html([*columns, self._("table_col_cards")], rows)


# ---------------------------------------------------------------------- cards
class CardBoard(LivePanel):
    """Choose a stakeholder, write what would make them glad, post; every card, live.

    With ``seats``, a card posted while a seat is chosen records that seat's anonymous
    participant (so the export can count people); without a seat it is the table's card.
    """

    LIVE_KINDS = frozenset({"card_added", "card_grouped", "stakeholder_added", "theme_added"})

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
            description=self._("table_card_stakeholder"), style=_WIDE
        )
        self.text = ipywidgets.Textarea(
            description=self._("table_card_text"),
            placeholder=self._("table_card_placeholder"),
            style=_WIDE,
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
            count = escape(self._("table_card_count", n=len(group)))
            parts.append(
                f'<h4 style="margin:.4em 0 .1em">{escape(title)} '
                f'<span style="font-weight:normal">({count})</span></h4>'
                f'<ul style="margin:0 0 .3em">{items}</ul>'
            )
        self.listing.value = "".join(parts)


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
            style=_WIDE,
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


#: Cards and theme buttons are finger-sized, and a long card wraps instead of being cut.
_TOUCH_CSS = """<style>
.ureshii-pick.jupyter-button, .ureshii-put.jupyter-button {min-height:44px; height:auto;
  width:auto; max-width:24em; white-space:normal; text-align:left; line-height:1.3;
  padding:.35em .7em; margin:.2em; font-size:16px}
.ureshii-pick.jupyter-button.mod-active {outline:3px solid #1d4f91; outline-offset:1px}
</style>"""


class ThemeGrouping(LivePanel):
    """Group cards into themes by touch: tap cards to pick them (tap again to unpick), then
    tap a theme to put them there, or name a new theme (the picked cards go in it). No
    Ctrl/Shift-click, so it works on a tablet and feels like moving sticky notes (KJ法).
    Offline suggestions can be accepted one by one."""

    LIVE_KINDS = frozenset({"card_added", "card_grouped", "theme_added", "stakeholder_added"})

    def __init__(self, ctx: AppContext, feed: LiveFeed | None = None, **kwargs: Any) -> None:
        super().__init__(ctx, feed, **kwargs)
        self.theme_name = ipywidgets.Text(
            description=self._("table_theme_name"),
            placeholder=self._("table_theme_name_placeholder"),
            style=_WIDE,
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
            ipywidgets.HTML(_TOUCH_CSS),
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
            count = escape(self._("table_card_count", n=len(group)))
            parts.append(
                f'<h4 style="margin:.4em 0 .1em">{escape(title)} '
                f'<span style="font-weight:normal">({count})</span></h4>'
                f'<ul style="margin:0 0 .3em">{items}</ul>'
            )
        self.overview.value = "".join(parts)


# ---------------------------------------------------------------------- dot vote
class ThemeDotVote(LivePanel):
    """Each seat places its dots on the themes; submitted through ``store.cast_vote``.

    Uses the workshop's ballot with purpose "themes" and rule "dot_votes" (the facilitator
    usually creates it). If there is none, the facilitator (the app opened without a table
    number) has a button that creates and opens one over the current themes with
    :data:`THEME_DOTS` dots each (the console has the same button); a table laptop
    (``?table=N``) waits for it. The store checks every vote (allowance, one vote per
    person); the tally is shown when the ballot's results may be seen.
    """

    LIVE_KINDS = frozenset(
        {
            "ballot_created",
            "ballot_opened",
            "ballot_closed",
            "results_released",
            "vote_cast",
            "theme_added",
        }
    )

    def __init__(
        self, ctx: AppContext, seats: TableSeats, feed: LiveFeed | None = None, **kwargs: Any
    ) -> None:
        super().__init__(ctx, feed, **kwargs)
        self.seats = seats
        self.ballot: Ballot | None = None
        self.intro = ipywidgets.HTML()
        self.start_button = ipywidgets.Button(
            description=self._("table_dots_start"),
            button_style="primary",
            icon="play",
            layout=ipywidgets.Layout(width="auto"),
        )
        self.start_button.on_click(self._guard(self._start))
        self.dots: dict[str, ipywidgets.BoundedIntText] = {}
        self.inputs = ipywidgets.VBox()
        self.remaining = ipywidgets.HTML()
        self.submit_button = ipywidgets.Button(
            description=self._("table_dots_submit"), button_style="primary", icon="check"
        )
        self.submit_button.on_click(self._guard(self._submit))
        self.results = ipywidgets.HTML()
        self.own = ipywidgets.HTML()
        seats.on_change(self._seat_changed)
        self.children = [
            ipywidgets.HTML(heading_html(self._("table_dots_heading"))),
            self.intro,
            self.start_button,
            self.own,
            self.inputs,
            self.remaining,
            self.submit_button,
            self.message,
            self.results,
        ]
        self.refresh()

    def wants(self, events: list[Event]) -> bool:
        return self._about_theme_ballots(events)

    @property
    def allowance(self) -> int:
        return int(self.ballot.settings.get("dots", THEME_DOTS)) if self.ballot else 0

    def used(self) -> int:
        return sum(int(box.value or 0) for box in self.dots.values())

    def _start(self, _button: object = None) -> None:
        store, slug = self.ctx.store, self.ctx.slug
        if self.ctx.table is not None:  # a message sent without the (hidden) button
            raise InvalidInputError("table_dots_not_for_tables")
        ballot = start_theme_dot_vote(store, slug, self._("table_dots_heading"))
        self.refresh()
        self.message.show(
            self._("table_dots_started", n=len(ballot.options), dots=THEME_DOTS), "success"
        )

    def _submit(self, _button: object = None) -> None:
        if self.ballot is None:
            raise InvalidInputError("table_dots_missing")
        used = self.used()
        if used == 0:
            raise InvalidInputError("table_dots_none")
        token = self.seats.token()
        payload = {key: int(box.value) for key, box in self.dots.items() if box.value}
        self.ctx.store.cast_vote(self.ctx.slug, self.ballot.key, token, payload)
        for box in self.dots.values():
            box.value = 0
        self.refresh()
        self.message.show(self._("table_dots_saved", seat=self.seats.seat, used=used), "success")

    def _seat_changed(self) -> None:
        """A new person at the keyboard starts from an empty form: never the previous
        person's dots; if this seat has voted already, its stored dots are shown."""
        for box in self.dots.values():
            box.value = 0
        self.message.clear()
        self._show_own_vote()

    def _show_own_vote(self) -> None:
        """The chosen seat's stored dots on this ballot, if it has voted (read-only)."""
        pid = self.seats.participant_id()
        ballot = self.ballot
        own = None
        if pid is not None and ballot is not None:
            own = next(
                (
                    v
                    for v in self.ctx.store.votes(self.ctx.slug, ballot.key)
                    if v.participant_id == pid
                ),
                None,
            )
        if own is None or not isinstance(own.payload, dict):
            self.own.value = ""
            return
        names = {th.key: th.name for th in self.ctx.store.themes(self.ctx.slug)}
        placed = ("、" if self.ctx.lang == "ja" else ", ").join(
            f"{names.get(key, key)} {n}" for key, n in own.payload.items()
        )
        self.own.value = (
            f'<p role="status" style="font-weight:600">'
            f"{escape(self._('table_dots_own', seat=self.seats.seat, dots=placed))}</p>"
        )

    def _show_remaining(self, _change: object = None) -> None:
        if self.ballot is None or self.ballot.status != "open":
            self.remaining.value = ""
            return
        used, dots = self.used(), self.allowance
        if used > dots:
            text, colour = self._("table_dots_over", used=used, dots=dots), "#a4161a"
        else:
            text, colour = self._("table_dots_remaining", left=dots - used, dots=dots), "#1d4f91"
        self.remaining.value = (
            f'<p role="status" aria-live="polite" style="font-size:1.2em;font-weight:700;'
            f'color:{colour}">{escape(text)}</p>'
        )

    def refresh(self) -> None:
        store, slug = self.ctx.store, self.ctx.slug
        ballot = theme_ballot(store.ballots(slug))
        self.ballot = ballot
        themes = store.themes(slug)
        names = {th.key: th.name for th in themes}
        # Opening a vote is the facilitator's: a table laptop (its table link) never can.
        facilitator = self.ctx.table is None
        self.start_button.layout.display = "" if ballot is None and facilitator else "none"
        voting = ballot is not None and ballot.status == "open"
        self.submit_button.layout.display = "" if voting else "none"
        if ballot is None:
            missing = self._("table_dots_missing" if facilitator else "table_dots_waiting")
            self.intro.value = f"<p>{escape(missing)}</p>"
            self._build_inputs((), names)
            self.results.value = ""
            return
        intro = []
        limit = ballot.settings.get("max_per_option")
        if ballot.status != "closed":
            intro.append(self._("table_dots_hint", dots=self.allowance))
            if limit:
                intro.append(self._("table_dots_per_option", limit=limit))
        if ballot.status == "draft":
            intro.append(self._("table_dots_draft"))
        elif ballot.status == "closed":
            intro.append(self._("table_dots_closed"))
        unlisted = [th.name for th in themes if th.key not in ballot.options]
        if unlisted and ballot.status != "closed":
            intro.append(self._("table_dots_new_themes", themes="、".join(unlisted)))
        self.intro.value = "".join(f"<p>{escape(p)}</p>" for p in intro)
        self._build_inputs(ballot.options if voting else (), names, limit)
        self._show_own_vote()
        self._show_results(ballot, names)

    def _build_inputs(
        self, options: Sequence[str], names: dict[str, str], limit: int | None = None
    ) -> None:
        if tuple(self.dots) != tuple(options):
            boxes: dict[str, ipywidgets.BoundedIntText] = {}
            for key in options:
                box = self.dots.get(key)
                if box is None:
                    box = ipywidgets.BoundedIntText(
                        value=0,
                        min=0,
                        max=max(self.allowance, 1),
                        description=names.get(key, key),
                        style=_WIDE,
                        layout=ipywidgets.Layout(width="24em"),
                    )
                    box.observe(self._show_remaining, names=["value"])
                boxes[key] = box
            self.dots = boxes
            self.inputs.children = tuple(boxes.values())
        for key, box in self.dots.items():
            box.description = names.get(key, key)
            box.max = max(int(limit or self.allowance), 1)
        self._show_remaining()

    def _show_results(self, ballot: Ballot, names: dict[str, str]) -> None:
        votes = self.ctx.store.votes(self.ctx.slug, ballot.key)
        count = f"<p>{escape(self._('table_dots_votes', n=len(votes)))}</p>"
        if not ballot.results_visible:
            self.results.value = count + f"<p>{escape(self._('table_dots_hidden'))}</p>"
            return
        if not votes:
            self.results.value = count
            return
        counted = tally(ballot.rule, ballot.options, ballot.settings, [v.payload for v in votes])
        rows = [(names.get(o, o), int(counted["points"][o])) for o in counted["order"]]
        columns = [self._("table_col_theme"), self._("table_col_dots")]
        self.results.value = count + table_html(columns, rows, self._("table_dots_results"))


# ---------------------------------------------------------------------- the map
class HappinessMap(LivePanel):
    """Cards per stakeholder × theme: a table (always) and a heatmap (when ticked)."""

    LIVE_KINDS = frozenset({"card_added", "card_grouped", "stakeholder_added", "theme_added"})

    def __init__(
        self,
        ctx: AppContext,
        feed: LiveFeed | None = None,
        *,
        show_chart: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(ctx, feed, **kwargs)
        self.table = ipywidgets.HTML()
        self.show_chart = ipywidgets.Checkbox(
            value=show_chart, description=self._("table_map_show_chart"), indent=False
        )
        self.chart = ChartView(lang=ctx.lang)
        self.show_chart.observe(lambda _c: self.refresh(), names=["value"])
        self._drawn: object = None
        self.children = [
            ipywidgets.HTML(heading_html(self._("table_map_heading"))),
            self.table,
            self.show_chart,
            self.chart,
        ]
        self.refresh()

    def counts(self) -> tuple[list[str], list[str], list[list[int]]]:
        """Stakeholder names, theme names (with "not in a theme" last) and card counts."""
        store, slug = self.ctx.store, self.ctx.slug
        cards = store.cards(slug)
        holders: list[tuple[str | None, str]] = [(s.key, s.name) for s in store.stakeholders(slug)]
        if any(c.stakeholder is None for c in cards):
            holders.append((None, self._("table_no_stakeholder")))
        themes: list[tuple[str | None, str]] = [(th.key, th.name) for th in store.themes(slug)]
        if any(c.theme is None for c in cards):
            themes.append((None, self._("table_ungrouped")))
        per = Counter((c.stakeholder, c.theme) for c in cards)
        counts = [[per[(h, th)] for th, _ in themes] for h, _ in holders]
        return [n for _, n in holders], [n for _, n in themes], counts

    def refresh(self) -> None:
        holders, themes, counts = self.counts()
        if not any(any(row) for row in counts):
            self.table.value = f"<p>{escape(self._('table_map_empty'))}</p>"
            self.chart.chart = None
            self._drawn = None
            return
        total = self._("table_map_total")
        rows = [[h, *row, sum(row)] for h, row in zip(holders, counts, strict=True)]
        rows.append(
            [total, *(sum(col) for col in zip(*counts, strict=True)), sum(map(sum, counts))]
        )
        columns = [self._("table_col_stakeholder"), *themes, total]
        self.table.value = table_html(columns, rows)
        wanted = (holders, themes, counts) if self.show_chart.value else None
        if wanted != self._drawn:  # the chart is redrawn only when the numbers change
            self.chart.chart = self._heatmap(holders, themes, counts) if wanted else None
            self._drawn = wanted

    def _heatmap(self, holders: list[str], themes: list[str], counts: list[list[int]]) -> Any:
        import altair as alt
        import pandas as pd

        who, theme, n = (
            self._("table_col_stakeholder"),
            self._("table_col_theme"),
            self._("table_col_cards"),
        )
        frame = pd.DataFrame(
            [
                {who: h, theme: th, n: counts[i][j]}
                for i, h in enumerate(holders)
                for j, th in enumerate(themes)
            ]
        )
        return (
            alt.Chart(frame, title=self._("table_map_heading"))
            .mark_rect()
            .encode(
                x=alt.X(f"{theme}:N", sort=themes, axis=alt.Axis(labelAngle=-30)),
                y=alt.Y(f"{who}:N", sort=holders),
                color=alt.Color(f"{n}:Q", scale=alt.Scale(scheme="oranges")),
            )
            .properties(width=max(240, 90 * len(themes)), height=max(120, 36 * len(holders)))
            .configure_axis(labelFontSize=15, titleFontSize=15, labelLimit=240)
            .configure_legend(labelFontSize=14, titleFontSize=14)
            .configure_title(fontSize=18)
        )
