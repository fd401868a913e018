"""The console's ballots: every ballot with its state and controls, and a new town-meeting vote.

Each ballot's buttons are :class:`widgets.ui.BallotBar` (closing asks first), the same bar as
in the method app.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets

from toolkit.ballots import BALLOT_RULES, ballot_rule, rule_name
from toolkit.ballots.purposes import THEME_DOTS, start_theme_dot_vote, theme_ballot
from toolkit.i18n import t
from toolkit.methods.registry import METHODS, method_name
from toolkit.model import Ballot
from toolkit.store import Store
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed
from widgets.ui import BALLOT_EVENTS, WIDE_LABEL, BallotBar, button, heading


# ---------------------------------------------------------------------- ballots
def option_names(store: Store, slug: str, lang: str) -> dict[str, str]:
    """Readable names of ballot options: issues, themes, criteria or methods, by key."""
    names: dict[str, str] = {key: method_name(key, lang) for key in METHODS}
    names.update({c.key: c.name for c in store.criteria(slug)})
    names.update({th.key: th.name for th in store.themes(slug)})
    names.update({i.key: i.title for i in store.issues(slug)})
    return names


class BallotRow(ipywidgets.VBox):
    """One ballot: its state, and the buttons that fit it (open, close with confirmation,
    release results)."""

    def __init__(self, ctx: AppContext, ballot: Ballot, on_change: Callable[[], None]) -> None:
        self.ctx = ctx
        self.key = ballot.key
        self.on_change = on_change
        self.ballot = ballot
        self.info = ipywidgets.HTML()
        self.message = MessageArea()
        # Open, close (final: it asks first) and show results: the same bar as in every app.
        self.bar = BallotBar(ctx, ballot, self.message, on_change)
        self.open_button, self.release_button = self.bar.open_button, self.bar.release_button
        self.closer, self.close_button = self.bar.closer, self.bar.close_button
        self.confirm, self.confirm_text = self.closer.box, self.closer.question
        self.confirm_close, self.cancel_close = self.closer.yes, self.closer.cancel
        super().__init__(
            children=[self.info, self.bar, self.message],
            layout=ipywidgets.Layout(border="1px solid #d9d4c7", padding="0 .6em", margin=".3em 0"),
        )
        self.add_class("ureshii-ballot-row")

    def update(self, ballot: Ballot, votes: int, names: dict[str, str]) -> None:
        lang = self.ctx.lang
        self.ballot = ballot
        status = t(f"console_ballot_status_{ballot.status}", lang)
        if ballot.visibility == "live":
            seen = t("console_ballot_visibility_live", lang)
        elif ballot.results_visible:
            seen = t("console_ballot_visibility_shown", lang)
        else:
            seen = t("console_ballot_visibility_hidden", lang)
        options = ("、" if lang == "ja" else ", ").join(names.get(o, o) for o in ballot.options)
        details = t(
            "console_ballot_details",
            lang,
            status=status,
            votes=votes,
            visibility=seen,
            rule=rule_name(ballot.rule, lang),
        )
        with self.hold_sync():
            self.info.value = (
                f"<p><b>{escape(ballot.title)}</b><br>"
                f"{escape(details)}<br><small>{escape(options)}</small></p>"
            )
            self.bar.show_state(ballot)


#: A new town-meeting ballot may use every rule; a budget rule takes the issues' costs.
NEW_BALLOT_RULES = tuple(BALLOT_RULES)


class NewBallotForm(ipywidgets.VBox):
    """Create a town-meeting ballot over some of the workshop's issues (a draft until
    opened)."""

    def __init__(self, ctx: AppContext, on_created: Callable[[], None]) -> None:
        self.ctx = ctx
        self.on_created = on_created
        lang = ctx.lang
        wide = {"style": WIDE_LABEL}
        self.title = ipywidgets.Text(
            description=t("console_new_ballot_title", lang),
            value=t("console_new_ballot_default_title", lang),
            layout=ipywidgets.Layout(width="40em"),
            **wide,
        )
        self.rule = ipywidgets.Dropdown(
            options=[(rule_name(r, lang), r) for r in NEW_BALLOT_RULES],
            value="approval",
            description=t("console_new_ballot_rule", lang),
            **wide,
        )
        self.settings = ipywidgets.HBox()
        self.inputs: dict[str, Any] = {}
        self.rule.observe(self._show_settings, names=["value"])
        self._show_settings()
        self.hidden = ipywidgets.Checkbox(
            value=True, description=t("console_new_ballot_hidden", lang), indent=False
        )
        self.options = ipywidgets.SelectMultiple(
            options=[(i.title, i.key) for i in ctx.store.issues(ctx.slug)],
            description=t("console_new_ballot_options", lang),
            rows=8,
            layout=ipywidgets.Layout(width="40em"),
            **wide,
        )
        self.create_button = button(
            t("console_new_ballot_create", lang), icon="plus", button_style="primary"
        )
        self.message = MessageArea()
        self.create_button.on_click(guarded(self.message, lang)(self.create))
        super().__init__(
            [
                heading(t("console_new_ballot_heading", lang), level=3),
                self.title,
                ipywidgets.HBox([self.rule, self.settings]),
                self.options,
                self.hidden,
                self.create_button,
                self.message,
            ]
        )
        self.add_class("ureshii-new-ballot")

    def _show_settings(self, _change: object = None) -> None:
        """One field per setting the chosen rule needs (or has a default for)."""
        lang = self.ctx.lang
        self.inputs = {}
        for setting in ballot_rule(self.rule.value).settings:
            if not setting.required and setting.default is None:
                continue  # optional limits (max_choices…) stay off in a quick ballot
            label = t(f"ballot_setting_{setting.name}", lang)
            wide = {"style": WIDE_LABEL}
            if setting.kind == "amount":
                self.inputs[setting.name] = ipywidgets.FloatText(value=0, description=label, **wide)
            else:
                start = setting.default if setting.default is not None else setting.suggested
                self.inputs[setting.name] = ipywidgets.BoundedIntText(
                    value=start if start is not None else setting.minimum,
                    min=setting.minimum,
                    max=setting.maximum,
                    description=label,
                    **wide,
                )
        self.settings.children = tuple(self.inputs.values())

    def create(self, _button: object = None) -> None:
        store, slug = self.ctx.store, self.ctx.slug
        taken = {b.key for b in store.ballots(slug)}
        key = next(f"town-{n}" for n in range(1, len(taken) + 2) if f"town-{n}" not in taken)
        rule = ballot_rule(self.rule.value)
        settings: dict[str, Any] = {name: box.value for name, box in self.inputs.items()}
        if rule.needs_costs:  # the issues' own costs; check_settings names any that lack one
            costs = {i.key: i.cost for i in store.issues(slug)}
            settings["costs"] = {o: costs.get(o) for o in self.options.value}
        ballot = store.create_ballot(
            slug,
            key,
            self.title.value.strip() or t("console_new_ballot_default_title", self.ctx.lang),
            rule=self.rule.value,
            options=list(self.options.value),
            settings=settings,
            purpose="town_meeting",
            visibility="hidden_until_close" if self.hidden.value else "live",
        )
        self.options.value = ()
        self.message.show(
            t("console_new_ballot_created", self.ctx.lang, title=ballot.title), "success"
        )
        self.on_created()


class BallotControls(ipywidgets.VBox):
    """Every ballot of the workshop with its status, votes and visibility, and its controls."""

    def __init__(self, ctx: AppContext, feed: LiveFeed, **kwargs: Any) -> None:
        self.ctx = ctx
        self.rows: dict[str, BallotRow] = {}
        self.list = ipywidgets.VBox()
        self.new_ballot = NewBallotForm(ctx, self.refresh)
        # The tables' dot vote on themes is opened here (a table laptop cannot open a vote).
        self.theme_dots = button(t("console_theme_dots_start", ctx.lang), icon="play")
        self.theme_message = MessageArea()
        self.theme_dots.on_click(guarded(self.theme_message, ctx.lang)(self._start_theme_dots))
        super().__init__(
            children=[
                heading(t("console_ballots_heading", ctx.lang)),
                self.list,
                ipywidgets.HBox([self.theme_dots, self.theme_message]),
                self.new_ballot,
            ],
            **kwargs,
        )
        self.add_class("ureshii-ballot-controls")
        feed.subscribe(lambda _events: self.refresh(), kinds=BALLOT_EVENTS)
        self.refresh()

    def row(self, key: str) -> BallotRow:
        return self.rows[key]

    def _start_theme_dots(self, _button: object = None) -> None:
        lang = self.ctx.lang
        ballot = start_theme_dot_vote(self.ctx.store, self.ctx.slug, t("table_dots_heading", lang))
        self.refresh()
        self.theme_message.show(
            t("table_dots_started", lang, n=len(ballot.options), dots=THEME_DOTS), "success"
        )

    def refresh(self) -> None:
        store, slug = self.ctx.store, self.ctx.slug
        ballots = store.ballots(slug)
        names = option_names(store, slug, self.ctx.lang)
        for ballot in ballots:
            if ballot.key not in self.rows:
                self.rows[ballot.key] = BallotRow(self.ctx, ballot, self.refresh)
            self.rows[ballot.key].update(ballot, len(store.votes(slug, ballot.key)), names)
        children = tuple(self.rows[b.key] for b in ballots)
        if not children:
            children = (
                ipywidgets.HTML(f"<p>{escape(t('console_ballots_none', self.ctx.lang))}</p>"),
            )
        if children != self.list.children:
            self.list.children = children
        self.theme_dots.disabled = theme_ballot(ballots) is not None
