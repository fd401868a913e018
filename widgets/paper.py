"""Paper ballots entered by staff: one form per ballot rule, marked ``paper`` in the store.

Residents who do not use a phone vote on paper. Staff type each paper ballot here (on the
facilitator's or a staff laptop): with the ballot's printed one-time code when it has one
(a code that already voted is refused by the database), or as a new anonymous paper voter.
Each entry is :meth:`toolkit.store.Store.cast_paper_vote`: the paper voter and the vote are
stored together or not at all.
"""

from __future__ import annotations

from typing import Any

import ipywidgets

from toolkit.ballots import ballot_rule, option_label, option_names
from toolkit.errors import InvalidInputError, NotFoundError
from toolkit.i18n import t
from toolkit.model import Ballot
from toolkit.money import amount_text, exact_amount
from toolkit.store import Store, normalize_code
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed
from widgets.ui import BALLOT_EVENTS

NONE = "–"


def option_labels(store: Store, slug: str, ballot: Ballot, lang: str) -> dict[str, str]:
    """What staff read for each option: a method's name, an issue's title, a theme…"""
    names = option_names(store.issues(slug), store.themes(slug), store.criteria(slug))
    return {o: option_label(ballot.purpose, o, lang, names) for o in ballot.options}


class PaperBallotEntry(ipywidgets.VBox):
    """Choose an open ballot, type the paper's code (if any) and its marks, then enter it."""

    def __init__(self, ctx: AppContext, feed: LiveFeed | None = None, **kwargs: Any) -> None:
        self.ctx = ctx
        lang = ctx.lang
        self.message = MessageArea()
        # Wide enough for a ballot's whole title (ipywidgets' 300 px cuts it off).
        self.ballot = ipywidgets.Dropdown(
            description=t("paper_ballot_label", lang),
            style={"description_width": "initial"},
            layout=ipywidgets.Layout(width="44em", max_width="100%"),
        )
        self.code = ipywidgets.Text(
            description=t("paper_code_label", lang),
            placeholder="7KQ4M-XH2RD",
            style={"description_width": "initial"},
        )
        self.code_hint = ipywidgets.HTML(f"<small>{t('paper_code_hint', lang)}</small>")
        self.marks = ipywidgets.VBox()
        self.enter = ipywidgets.Button(
            description=t("paper_enter", lang),
            button_style="primary",
            icon="check",
            layout=ipywidgets.Layout(width="auto"),  # the whole label, never "…"
        )
        self.enter.on_click(guarded(self.message, lang)(self._enter))
        self.counter = ipywidgets.HTML()
        self.entered = 0
        self._controls: dict[str, Any] = {}
        self.ballot.observe(self._ballot_chosen, names=["value"])
        super().__init__(
            children=[
                self.ballot,
                self.code,
                self.code_hint,
                self.marks,
                self.enter,
                self.message,
                self.counter,
            ],
            **kwargs,
        )
        self.add_class("ureshii-paper")
        self.refresh()
        if feed is not None:
            feed.subscribe(lambda _events: self.refresh(), kinds=BALLOT_EVENTS)

    # ------------------------------------------------------------------ ballots
    def refresh(self) -> None:
        """Offer the open ballots; keep the chosen one while it stays open."""
        store, slug = self.ctx.store, self.ctx.slug
        ballots = [b for b in store.ballots(slug) if b.status == "open"]
        chosen = self.ballot.value
        self.ballot.options = [(b.title, b.key) for b in ballots]
        keys = [b.key for b in ballots]
        self.ballot.value = chosen if chosen in keys else (keys[0] if keys else None)
        self.enter.disabled = not keys
        if not keys:
            self.message.show(t("paper_no_open_ballot", self.ctx.lang))
        self._count()

    def _current(self) -> Ballot | None:
        if self.ballot.value is None:
            return None
        return self.ctx.store.ballot(self.ctx.slug, self.ballot.value)

    def _ballot_chosen(self, _change: object = None) -> None:
        ballot = self._current()
        self._controls = {}
        if ballot is None:
            self.marks.children = ()
            return
        lang = self.ctx.lang
        labels = option_labels(self.ctx.store, self.ctx.slug, ballot, lang)
        settings = ballot.settings
        rule = ballot_rule(ballot.rule)
        low, high = rule.field_range(settings, len(ballot.options))
        rows: list[Any] = [ipywidgets.HTML(f"<b>{rule.paper_hint(lang)}</b>")]
        if rule.form == "radio":
            radio = ipywidgets.RadioButtons(
                options=[(labels[o], o) for o in ballot.options], value=None
            )
            self._controls["single"] = radio
            rows.append(radio)
        for option in ballot.options if rule.form != "radio" else ():
            label = labels[option]
            cost = (settings.get("costs") or {}).get(option)
            if cost is not None:
                label = f"{label} ({t('paper_cost', lang, cost=amount_text(exact_amount(cost)))})"
            control: Any
            if rule.form == "checkboxes":
                control = ipywidgets.Checkbox(description=label, indent=False)
            elif rule.form in ("ranks", "scale"):
                values = [NONE, *(str(n) for n in range(low, high + 1))]
                control = ipywidgets.Dropdown(options=values, value=NONE, description=label)
            else:  # numbers: dots, points, votes
                control = ipywidgets.BoundedIntText(value=0, min=low, max=high, description=label)
            control.style = {"description_width": "initial"}
            self._controls[option] = control
            rows.append(control)
        self.marks.children = rows
        self._count()

    # ------------------------------------------------------------------ entering
    def payload(self) -> Any:
        """The paper ballot as the store takes it (``toolkit.ballots.validate_vote``)."""
        ballot = self._current()
        if ballot is None:
            raise InvalidInputError("paper_no_open_ballot")
        form = ballot_rule(ballot.rule).form
        if form == "radio":
            chosen = self._controls["single"].value
            if chosen is None:
                raise InvalidInputError("participant_choose_one")
            return chosen
        if form == "checkboxes":
            return [o for o, box in self._controls.items() if box.value]
        if form == "ranks":
            ranked = [(int(c.value), o) for o, c in self._controls.items() if c.value != NONE]
            ranks = [r for r, _ in ranked]
            if len(set(ranks)) != len(ranks):
                raise InvalidInputError("participant_rank_repeated")
            return [o for _, o in sorted(ranked)]
        if form == "scale":
            return {o: int(c.value) for o, c in self._controls.items() if c.value != NONE}
        return {o: int(c.value) for o, c in self._controls.items() if c.value}

    def _enter(self, _button: object = None) -> None:
        ballot = self._current()
        if ballot is None:
            raise InvalidInputError("paper_no_open_ballot")
        payload = self.payload()
        typed = self.code.value.strip()
        code = normalize_code(typed) if typed else None
        store, slug = self.ctx.store, self.ctx.slug
        if typed and (not code or store.workshop_of_token(code) != slug):
            raise NotFoundError("participant_code_unknown")
        store.cast_paper_vote(slug, ballot.key, payload, code=code)
        self.entered += 1
        self.message.show(t("paper_entered", self.ctx.lang, n=self.entered), "success")
        self.code.value = ""
        self._ballot_chosen()  # a clean form for the next paper

    def _count(self) -> None:
        ballot = self._current()
        if ballot is None:
            self.counter.value = ""
            return
        votes = self.ctx.store.votes(self.ctx.slug, ballot.key)
        paper = sum(1 for v in votes if v.channel == "paper")
        self.counter.value = (
            f"<small>{t('paper_count', self.ctx.lang, paper=paper, total=len(votes))}</small>"
        )
