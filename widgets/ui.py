"""The shared pieces of every screen: one home for what the apps' widgets have in common.

- :func:`stylesheet` — the one style sheet (``widgets/ureshii.css``) as an invisible widget;
  each app's outermost widget shows it once.
- :func:`html_table` — an accessible HTML table (caption, ``th scope=col``, escaped cells);
  :func:`bar_cell` and :func:`percent` for its cells.
- :func:`heading_html` / :func:`heading` / :func:`paragraph` — headings and plain text.
- :func:`fit` and :func:`button` — buttons as wide as their words; :func:`set_options` —
  a selection widget's options replaced without losing the selection.
- :class:`LivePanel` — a panel that re-reads the store when the live feed reports events of
  its kinds; the event-kind sets (:data:`BALLOT_EVENTS`, :data:`CHARTER_EVENTS`…).
- :class:`BallotBar` — the facilitator's open / close (asks first) / show-results buttons of
  one ballot, the same in the console and the method app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from html import escape
from importlib import resources
from typing import Any

import ipywidgets

from toolkit.i18n import t
from toolkit.model import Ballot, Event
from widgets.confirm import ConfirmButton
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed

# ---------------------------------------------------------------------- event kinds
#: What the live feed reports about ballots and votes (the vote panels, the console's list).
BALLOT_EVENTS = frozenset(
    {"ballot_created", "ballot_opened", "ballot_closed", "results_released", "vote_cast"}
)
#: The method charter: proposed, changed, locked, consented to.
CHARTER_EVENTS = frozenset(
    {"charter_proposed", "charter_amended", "charter_locked", "consent_given"}
)
#: The happiness map: stakeholders, cards, themes and cards put into themes.
HAPPINESS_EVENTS = frozenset({"stakeholder_added", "card_added", "card_grouped", "theme_added"})
#: The backlog of issues.
ISSUE_EVENTS = frozenset({"issue_added", "issue_rated", "issue_linked"})
#: The vision draft and its consent check.
VISION_EVENTS = frozenset({"vision_drafted", "vision_consent_given"})
#: The room moved to another phase.
PHASE_EVENTS = frozenset({"phase_changed"})
#: A table laptop's link was revoked.
TABLE_LINK_EVENTS = frozenset({"table_link_revoked"})
#: What the results (ranking, what-if) are computed from.
RESULT_EVENTS = frozenset({"scores_recorded", "charter_locked", "issue_added"})
#: After the workshop (the follow-up app): the roadmap, indicators, measurements, reviews.
FOLLOWUP_EVENTS = frozenset(
    {"roadmap_item_set", "indicator_added", "measurement_recorded", "review_date_set"}
)
#: Surveys: defined, a wave opened or closed, an answer came in, an indicator linked.
SURVEY_EVENTS = frozenset(
    {
        "survey_defined",
        "survey_wave_opened",
        "survey_wave_closed",
        "survey_answered",
        "survey_indicator_linked",
    }
)
#: Rate limits: a server held an address's writes back; the facilitator lifted a limit.
LIMIT_EVENTS = frozenset({"rate_limited", "address_allowed"})


# ---------------------------------------------------------------------- style
@cache
def stylesheet_text() -> str:
    """The rules of ``widgets/ureshii.css`` (read once, from the installed package)."""
    return resources.files("widgets").joinpath("ureshii.css").read_text(encoding="utf-8")


def stylesheet() -> ipywidgets.HTML:
    """The style sheet as an (invisible) widget; each app's outermost widget shows it once.

    Every rule is scoped to a class of ours (``.ureshii-console``, ``.ureshii-app``…), so
    the sheet changes nothing outside the widgets that carry the class.
    """
    widget = ipywidgets.HTML(f"<style>\n{stylesheet_text()}</style>")
    widget.add_class("ureshii-stylesheet")
    return widget


css = stylesheet
"""The name the method widgets used (``widgets.method.css``)."""


# ---------------------------------------------------------------------- HTML
def html_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    caption: str = "",
    *,
    raw: bool = False,
    css_class: str = "ureshii-data",
) -> str:
    """An accessible table: a caption (if any), ``th scope=col`` headers, one row per item.

    Cells are escaped unless ``raw`` (for cells built with :func:`bar_cell`); the look comes
    from the style sheet (``css_class``), and a wide table scrolls sideways in its box.

    >>> html_table(["Name", "n"], [("A & B", 2)], "Counts")  # doctest: +ELLIPSIS
    '<div class="ureshii-table-wrap"><table class="ureshii-data"><caption>Counts</caption>...'
    >>> "<td>A &amp; B</td><td>2</td>" in html_table(["Name", "n"], [("A & B", 2)])
    True
    """
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell if raw else escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (
        f'<div class="ureshii-table-wrap"><table class="{escape(css_class, quote=True)}">{cap}'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def bar_cell(share: float, text: str) -> str:
    """A table cell's content: the number as text, with a decorative bar beside it."""
    width = max(0.0, min(1.0, share)) * 12
    return (
        f'<span aria-hidden="true" style="display:inline-block;width:{width:.2f}em;'
        f'height:.8em;background:#e07a5f;margin-right:.4em"></span>{escape(text)}'
    )


def percent(weight: float) -> str:
    """``0.4`` → ``"40%"``."""
    return f"{weight * 100:.0f}%"


def heading_html(text: str, hint: str = "", level: int = 3) -> str:
    """A heading with an optional hint under it (both escaped).

    >>> heading_html("Cards", "One per line", level=2)
    '<h2>Cards</h2><p class="ureshii-hint">One per line</p>'
    """
    html = f"<h{level}>{escape(text)}</h{level}>"
    if hint:
        html += f'<p class="ureshii-hint">{escape(hint)}</p>'
    return html


def heading(text: str, level: int = 2, hint: str = "") -> ipywidgets.HTML:
    """:func:`heading_html` as a widget."""
    return ipywidgets.HTML(heading_html(text, hint, level))


def paragraph(text: str) -> str:
    """``<p>text</p>``, escaped."""
    return f"<p>{escape(text)}</p>"


# ---------------------------------------------------------------------- controls
WIDE_LABEL = {"description_width": "initial"}
"""A control's ``style``: its description as wide as its words (never cut off)."""


def fit(button: ipywidgets.Button) -> ipywidgets.Button:
    """A button as wide as its words (a flex column would stretch it across the screen)."""
    button.layout.width = "auto"
    button.layout.align_self = "flex-start"
    return button


def button(description: str = "", **kwargs: Any) -> ipywidgets.Button:
    """A button as wide as its label (the default width cuts Japanese labels off)."""
    kwargs.setdefault("layout", ipywidgets.Layout(width="auto", min_width="6em"))
    return ipywidgets.Button(description=description, **kwargs)


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


# ---------------------------------------------------------------------- live panels
class LivePanel(ipywidgets.VBox):
    """A panel that re-reads the store when events of ``LIVE_KINDS`` arrive on the feed.

    A subclass sets ``LIVE_KINDS`` (e.g. :data:`HAPPINESS_EVENTS`), implements
    :meth:`refresh`, and may narrow :meth:`wants`. ``self.message`` shows the results and
    errors of its buttons (wrap a callback in ``self._guard``).
    """

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


# ---------------------------------------------------------------------- ballot controls
#: The catalog keys of the bar's words in the console (``done_*``: what it says after).
CONSOLE_BALLOT_WORDS: Mapping[str, str] = {
    "open": "console_ballot_open",
    "close": "console_ballot_close",
    "release": "console_ballot_release",
    "done_open": "console_ballot_opened_ok",
    "done_close": "console_ballot_closed_ok",
    "done_release": "console_ballot_released_ok",
}
#: The same bar's words in the method app (it says nothing after: the tally shows it).
METHOD_BALLOT_WORDS: Mapping[str, str] = {
    "open": "method_ballot_open_button",
    "close": "method_ballot_close_button",
    "release": "method_ballot_release_button",
}


class BallotBar(ipywidgets.HBox):
    """The facilitator's buttons for one ballot: open, close (final: it asks first, with a
    :class:`~widgets.confirm.ConfirmButton`) and show the results now.

    ``BallotBar(ctx, ballot, message, on_change, *, words=CONSOLE_BALLOT_WORDS,
    close_style="danger")``:

    - ``ctx``: the app context; ``ballot``: the :class:`~toolkit.model.Ballot` as last read,
      or its key (then it is read from the store; it must exist);
    - ``message``: the :class:`~widgets.feedback.MessageArea` that shows a refused action
      (e.g. the ballot was closed on another screen) and, if ``words`` has ``done_*`` keys,
      what was done;
    - ``on_change``: called with no argument after each action (re-read the store there);
    - ``words``: catalog keys of the labels (:data:`CONSOLE_BALLOT_WORDS`,
      :data:`METHOD_BALLOT_WORDS`); ``close_style``: the close button's ``button_style``.

    Attributes: ``open_button``, ``closer`` (the ConfirmButton; ``closer.yes`` closes),
    ``close_button`` (= ``closer.button``), ``release_button``. Call :meth:`show_state`
    with the ballot as last read, to enable only the buttons that fit its state.
    """

    def __init__(
        self,
        ctx: AppContext,
        ballot: Ballot | str,
        message: MessageArea,
        on_change: Callable[[], Any],
        *,
        words: Mapping[str, str] = CONSOLE_BALLOT_WORDS,
        close_style: str = "danger",
        **kwargs: Any,
    ) -> None:
        if isinstance(ballot, str):
            ballot = ctx.store.ballot(ctx.slug, ballot)
        self.ctx, self.key, self.message, self._on_change = ctx, ballot.key, message, on_change
        self.words = words
        lang = ctx.lang
        act = guarded(message, lang)
        self.open_button = fit(button(t(words["open"], lang), icon="play", button_style="success"))
        # Closing is final: it asks first, the same way in every app (widgets/confirm.py).
        self.closer = ConfirmButton(
            t(words["close"], lang),
            question=t("confirm_close_ballot", lang, title=ballot.title),
            confirm=t("confirm_close_ballot_yes", lang),
            lang=lang,
            on_confirm=act(self.close_vote),
            icon="stop",
            button_style=close_style,
        )
        self.close_button = fit(self.closer.button)
        self.release_button = fit(button(t(words["release"], lang), icon="eye"))
        self.open_button.on_click(act(self.open_vote))
        self.release_button.on_click(act(self.release_results))
        super().__init__(children=[self.open_button, self.closer, self.release_button], **kwargs)
        self.add_class("ureshii-ballot-bar")
        self.show_state(ballot)

    def _done(self, what: str) -> None:
        said = self.words.get(f"done_{what}")
        if said:
            self.message.show(t(said, self.ctx.lang), "success")
        self._on_change()

    def open_vote(self, _button: object = None) -> None:
        self.ctx.store.open_ballot(self.ctx.slug, self.key)
        self._done("open")

    def close_vote(self, _button: object = None) -> None:
        self.ctx.store.close_ballot(self.ctx.slug, self.key)
        self._done("close")

    def release_results(self, _button: object = None) -> None:
        self.ctx.store.release_results(self.ctx.slug, self.key)
        self._done("release")

    def show_state(self, ballot: Ballot) -> None:
        """Only the buttons that fit: open a draft, close an open vote, show results that
        are still hidden (a draft has none yet)."""
        self.open_button.disabled = ballot.status != "draft"
        self.close_button.disabled = ballot.status != "open"
        self.release_button.disabled = ballot.status == "draft" or ballot.results_visible
        self.closer.set_question(t("confirm_close_ballot", self.ctx.lang, title=ballot.title))
