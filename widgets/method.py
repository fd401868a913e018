"""Method agreement: agree *how* to prioritise before anyone scores (優先順位の決め方から決める).

Four widgets, used in this order on ``workshops/method.ipynb``:

- :class:`MethodCards` explains each candidate method of the workshop in plain words (what
  participants do, time needed, strengths, risks; wording from ``docs/methods.md``).
- :class:`MethodVote` is the vote on the method: a ballot with purpose "method", rule
  "single", one vote per seat; its tally shows when the ballot's results are visible.
- :class:`WeightAgreement` chooses the criteria and their weights, by a 100-point allocation
  per seat (a "points" ballot), typed in or from pairwise comparisons (AHP, consistency
  ratio live, submitted as 100 points to the same ballot).
- :class:`CharterPanel` (facilitator) proposes the charter, runs the consent check
  (fist of five, :class:`ConsentCheck`), locks it, and records later changes as new
  versions with a reason.

Table laptops use ``workshops/table_method.ipynb``: the same cards, vote and weights without
the facilitator's buttons, and a :class:`ConsentCheck` with ``show_charter=True``, which shows
the charter the table is asked to consent to and follows the facilitator's proposal live.

Every write goes through :class:`toolkit.store.Store`; every widget re-reads the store when
the app's :class:`~widgets.live.LiveFeed` reports a change, so a vote or a consent given at a
table laptop appears on the projector within the feed's interval.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from html import escape
from typing import Any

import ipywidgets
import traitlets

from toolkit import consent, methods
from toolkit.ballots import tally
from toolkit.errors import InvalidInputError
from toolkit.i18n import t
from toolkit.methods.registry import method_name
from toolkit.model import Ballot, Criterion, Event, MethodCharter
from toolkit.store import TIE_BREAKS
from widgets.confirm import ConfirmButton
from widgets.consent import ConsentLevels
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed
from widgets.seats import TableSeats

#: Minutes a method needs when the workshop file gives none (rough, for planning the agenda).
DEFAULT_MINUTES: dict[str, int] = {
    "weighted_sum": 40,
    "topsis": 40,
    "borda": 20,
    "schulze": 25,
    "approval": 10,
    "dot_votes": 15,
    "quadratic": 30,
    "equal_shares": 30,
    "greedy_budget": 20,
    "ahp": 60,
    "moscow": 20,
    "rice": 30,
    "ice": 20,
}
#: Saaty's consistency threshold: above it, the comparisons should be revisited.
CR_THRESHOLD = 0.10
#: Points a person shares between the criteria.
POINTS_TOTAL = 100

BALLOT_EVENTS = frozenset(
    {"ballot_created", "ballot_opened", "ballot_closed", "results_released", "vote_cast"}
)
CHARTER_EVENTS = frozenset(
    {"charter_proposed", "charter_amended", "charter_locked", "consent_given"}
)

# Large, readable type for the projector; scoped to these widgets' own classes.
# ipywidgets sizes its controls from CSS variables: setting them on the app's own box makes
# every control inside it larger (labels, inputs, buttons, sliders), and nothing outside.
PROJECTOR_CSS = """<style>
.ureshii-app { font-size: 17px; --jp-widgets-font-size: 17px; --jp-ui-font-size1: 17px;
  --jp-content-font-size1: 17px; --jp-widgets-inline-height: 36px;
  --jp-widgets-inline-label-width: 11em; --jp-widgets-inline-width: 440px;
  --jp-widgets-slider-handle-size: 22px; --jp-widgets-slider-track-thickness: 6px; }
.ureshii-app .widget-html-content { font-size: 17px; line-height: 1.5; }
.ureshii-app h2 { font-size: 1.5em; margin: .6em 0 .3em; }
.ureshii-app h3 { font-size: 1.25em; margin: .5em 0 .2em; }
.ureshii-app table { border-collapse: collapse; margin: .3em 0; min-width: 26em; }
.ureshii-app td, .ureshii-app th { border: 1px solid #d9d4c7; padding: .2em .6em;
  text-align: left; vertical-align: top; }
.ureshii-app caption { text-align: left; font-weight: bold; }
.ureshii-card { border: 2px solid #d9d4c7; border-radius: 8px; padding: .4em .9em;
  margin: .4em 0; background: #fffdf8; }
.ureshii-app .ureshii-cards { display: grid; gap: 0 .8em;
  grid-template-columns: repeat(auto-fill, minmax(30em, 1fr)); }
.ureshii-app .ureshii-card dt { font-weight: bold; margin-top: .3em; float: none;
  width: auto; text-align: left; }
.ureshii-app .ureshii-card dd { margin: 0 0 0 1em; float: none; }
.ureshii-app .ureshii-ahp-pair { border-top: 1px solid #e6e1d3; padding-top: .4em; }
.ureshii-app .ureshii-ahp-end { width: auto; overflow-wrap: anywhere; }
.ureshii-app .ureshii-ahp-end .widget-html-content { line-height: 1.3; white-space: normal;
  font-weight: 600; }
.ureshii-app .ureshii-ahp-end-left .widget-html-content { text-align: right;
  padding-right: .6em; }
.ureshii-app .ureshii-ahp-end-right .widget-html-content { text-align: left;
  padding-left: .6em; }
.ureshii-app .ureshii-ahp-slider { width: auto; }
</style>"""


# ---------------------------------------------------------------------- shared helpers
def css() -> ipywidgets.HTML:
    """The projector style sheet as a (invisible) widget; each app shows it once."""
    return ipywidgets.HTML(PROJECTOR_CSS)


def fit(button: ipywidgets.Button) -> ipywidgets.Button:
    """A button as wide as its words (a flex column would stretch it across the screen)."""
    button.layout.width = "auto"
    button.layout.align_self = "flex-start"
    return button


def html_table(
    caption: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, raw: bool = False
) -> str:
    """An accessible table (caption, ``th scope=col``); cells are escaped unless ``raw``."""
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell if raw else escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption>{escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def bar_cell(share: float, text: str) -> str:
    """A table cell's content: the number as text, with a decorative bar beside it."""
    width = max(0.0, min(1.0, share)) * 12
    return (
        f'<span aria-hidden="true" style="display:inline-block;width:{width:.2f}em;'
        f'height:.8em;background:#e07a5f;margin-right:.4em"></span>{escape(text)}'
    )


def percent(weight: float) -> str:
    return f"{weight * 100:.0f}%"


def candidate_methods(ctx: AppContext) -> list[str]:
    """The workshop's candidate method ids, in the order of its file."""
    return [m["id"] for m in ctx.store.workshop(ctx.slug).spec.get("methods", [])]


def find_ballot(ctx: AppContext, purpose: str) -> Ballot | None:
    """The newest ballot with this purpose ("method", "weights"), or ``None``."""
    found = [b for b in ctx.store.ballots(ctx.slug) if b.purpose == purpose]
    return found[-1] if found else None


def ensure_ballot(
    ctx: AppContext,
    purpose: str,
    *,
    title: str,
    rule: str,
    options: Sequence[str],
    settings: Mapping[str, Any] | None = None,
) -> Ballot:
    """The newest ballot with ``purpose``; created as a draft (hidden until close) if none.

    Results stay hidden until the facilitator closes the vote or shows them, so early votes
    do not sway later ones (docs/methods.md, dot voting).
    """
    existing = find_ballot(ctx, purpose)
    if existing is not None:
        return existing
    taken = {b.key for b in ctx.store.ballots(ctx.slug)}
    key, n = purpose, 2
    while key in taken:
        key, n = f"{purpose}-{n}", n + 1
    try:
        return ctx.store.create_ballot(
            ctx.slug,
            key,
            title,
            rule=rule,
            options=list(options),
            settings=dict(settings or {}),
            purpose=purpose,
            visibility="hidden_until_close",
        )
    except InvalidInputError:  # another screen created it a moment ago
        created = find_ballot(ctx, purpose)
        if created is None:
            raise
        return created


def ballot_tally(ctx: AppContext, ballot: Ballot) -> tuple[int, dict[str, Any] | None]:
    """(number of votes, tally or ``None`` while the results are hidden)."""
    votes = ctx.store.votes(ctx.slug, ballot.key)
    if not ballot.results_visible or not votes:
        return len(votes), None
    return len(votes), tally(
        ballot.rule, ballot.options, ballot.settings, [v.payload for v in votes]
    )


def method_vote_winner(ctx: AppContext) -> str | None:
    """The method with most votes, once the method vote's results may be seen."""
    ballot = find_ballot(ctx, "method")
    if ballot is None:
        return None
    _, counted = ballot_tally(ctx, ballot)
    if not counted or not counted["order"]:
        return None
    return str(counted["order"][0])


def mean_allocation(ctx: AppContext, ballot: Ballot | None) -> tuple[int, dict[str, float] | None]:
    """(allocations, mean weights summing to 1) of a visible 100-point ballot."""
    if ballot is None:
        return 0, None
    votes, counted = ballot_tally(ctx, ballot)
    if counted is None:
        return votes, None
    points = {k: float(v) for k, v in counted["points"].items()}
    total = sum(points.values())
    if total <= 0:
        return votes, None
    return votes, {k: v / total for k, v in points.items()}


def weights_table(
    caption: str, weights: Mapping[str, float], names: Mapping[str, str], lang: str
) -> str:
    """Weights as a table with decorative bars (the text is the content)."""
    rows = [
        (escape(names.get(key, key)), bar_cell(value, percent(value)))
        for key, value in weights.items()
    ]
    columns = (t("method_col_criterion", lang), t("method_col_weight", lang))
    return html_table(caption, columns, rows, raw=True)


def tie_break_name(tie_break: str, lang: str) -> str:
    """A tie-break rule in words (an unknown rule is shown as it is stored)."""
    return t(f"method_tie_{tie_break}", lang) if tie_break in TIE_BREAKS else tie_break


def charter_card(charter: MethodCharter, title: str, names: Mapping[str, str], lang: str) -> str:
    """A charter as a card: method, tie-break, reason and consent record, weights table."""
    rows = [
        (t("method_charter_method", lang), method_name(charter.method, lang)),
        (t("method_charter_tie_break", lang), tie_break_name(charter.tie_break, lang)),
    ]
    if charter.reason:
        rows.append((t("method_col_reason", lang), charter.reason))
    if charter.consent:
        rows.append(
            (
                t("method_col_consent", lang),
                consent.summary(consent.tally_from_record(charter.consent), lang),
            )
        )
    facts = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in rows)
    weights = weights_table(t("method_charter_weights", lang), charter.weights, names, lang)
    return (
        f'<section class="ureshii-card" aria-label="{escape(title)}">'
        f"<h3>{escape(title)}</h3><dl>{facts}</dl>{weights}</section>"
    )


def _heading(text: str, level: int = 2) -> ipywidgets.HTML:
    return ipywidgets.HTML(f"<h{level}>{escape(text)}</h{level}>")


def _paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _label_style() -> dict[str, str]:
    return {"description_width": "initial"}


class _BallotControls(ipywidgets.HBox):
    """The facilitator's open / close / show-results buttons for one ballot."""

    def __init__(self, ctx: AppContext, key: str, area: MessageArea, on_change: Any) -> None:
        self.ctx, self.key, self._on_change = ctx, key, on_change
        lang = ctx.lang
        self.open_button = ipywidgets.Button(
            description=t("method_ballot_open_button", lang), icon="play", button_style="success"
        )
        # Closing is final: it asks first, as everywhere (widgets/confirm.py).
        self.closer = ConfirmButton(
            t("method_ballot_close_button", lang),
            question=t("confirm_close_ballot", lang, title=ctx.store.ballot(ctx.slug, key).title),
            confirm=t("confirm_close_ballot_yes", lang),
            lang=lang,
            on_confirm=guarded(area, lang)(self._close),
            icon="stop",
            button_style="warning",
        )
        self.close_button = self.closer.button
        self.release_button = ipywidgets.Button(
            description=t("method_ballot_release_button", lang), icon="eye"
        )
        for button in (self.open_button, self.close_button, self.release_button):
            fit(button)
        self.open_button.on_click(guarded(area, lang)(self._open))
        self.release_button.on_click(guarded(area, lang)(self._release))
        super().__init__(children=[self.open_button, self.closer, self.release_button])

    def _open(self, _: object = None) -> None:
        self.ctx.store.open_ballot(self.ctx.slug, self.key)
        self._on_change()

    def _close(self, _: object = None) -> None:
        self.ctx.store.close_ballot(self.ctx.slug, self.key)
        self._on_change()

    def _release(self, _: object = None) -> None:
        self.ctx.store.release_results(self.ctx.slug, self.key)
        self._on_change()

    def show_state(self, ballot: Ballot) -> None:
        self.open_button.disabled = ballot.status != "draft"
        self.close_button.disabled = ballot.status != "open"
        self.release_button.disabled = ballot.status != "open" or ballot.results_visible


def _status_text(ballot: Ballot, votes: int, lang: str) -> str:
    return t(f"method_ballot_status_{ballot.status}", lang, votes=votes)


# ---------------------------------------------------------------------- method cards
class MethodCards(ipywidgets.VBox):
    """One card per candidate method: what participants do, time, strengths, risks."""

    def __init__(self, ctx: AppContext, **kwargs: Any) -> None:
        self.ctx = ctx
        self.cards: dict[str, ipywidgets.HTML] = {}
        for spec in ctx.store.workshop(ctx.slug).spec.get("methods", []):
            self.cards[spec["id"]] = ipywidgets.HTML(self.card_html(spec))
        grid = ipywidgets.Box(list(self.cards.values()))
        grid.add_class("ureshii-cards")
        super().__init__(
            children=[css(), _heading(t("method_cards_title", ctx.lang)), grid], **kwargs
        )
        self.add_class("ureshii-app")
        self.add_class("ureshii-method-cards")

    def card_html(self, spec: Mapping[str, Any]) -> str:
        lang, method = self.ctx.lang, str(spec["id"])
        minutes = spec.get("minutes") or DEFAULT_MINUTES.get(method, 30)
        parts = [
            ("method_card_does_label", t(f"method_info_{method}_does", lang)),
            ("method_card_time_label", t("method_card_minutes", lang, minutes=minutes)),
            ("method_card_strengths_label", t(f"method_info_{method}_strengths", lang)),
            ("method_card_risks_label", t(f"method_info_{method}_risks", lang)),
        ]
        if spec.get("note"):
            parts.append(("method_card_note_label", str(spec["note"])))
        items = "".join(
            f"<dt>{escape(t(label, lang))}</dt><dd>{escape(text)}</dd>" for label, text in parts
        )
        name = escape(method_name(method, lang))
        return (
            f'<section class="ureshii-card" aria-label="{name}">'
            f"<h3>{name}</h3><dl>{items}</dl></section>"
        )


# ---------------------------------------------------------------------- method vote
class MethodVote(ipywidgets.VBox):
    """Each seat votes once for a method; the tally shows once results may be seen.

    ``facilitator=True`` adds the buttons that open and close the vote (and show the
    results early). The ballot (purpose "method", rule "single") is created as a draft if
    the workshop has none.
    """

    ballot = traitlets.Any(None, allow_none=True).tag(sync=False)  # toolkit.model.Ballot

    def __init__(
        self,
        ctx: AppContext,
        feed: LiveFeed,
        seats: TableSeats,
        *,
        facilitator: bool = False,
        **kwargs: Any,
    ) -> None:
        self.ctx, self.seats, self.facilitator = ctx, seats, facilitator
        lang = ctx.lang
        self.messages = MessageArea()
        ballot = ensure_ballot(
            ctx,
            "method",
            title=t("method_ballot_title_method", lang),
            rule="single",
            options=candidate_methods(ctx),
        )
        self.choice = ipywidgets.RadioButtons(
            options=[(method_name(m, lang), m) for m in ballot.options],
            value=None,
            description=t("method_vote_choice", lang),
            style=_label_style(),
        )
        self.vote_button = ipywidgets.Button(
            description=t("method_vote_button", lang), icon="check", button_style="primary"
        )
        self.vote_button.on_click(guarded(self.messages, lang)(self._vote))
        self.status = ipywidgets.HTML()
        self.tally = ipywidgets.HTML()
        self.controls = _BallotControls(ctx, ballot.key, self.messages, self.refresh)
        children: list[ipywidgets.Widget] = [
            css(),
            _heading(t("method_vote_title", lang)),
            self.status,
        ]
        if facilitator:
            children.append(self.controls)
        children += [self.choice, self.vote_button, self.messages, self.tally]
        super().__init__(children=children, **kwargs)
        self.add_class("ureshii-app")
        self.add_class("ureshii-method-vote")
        self.ballot = ballot
        feed.subscribe(self._on_events, kinds=BALLOT_EVENTS)
        seats.on_change(self._clear_choice)
        self.refresh()

    def _clear_choice(self) -> None:
        """Another person sat down: no method is chosen for them."""
        self.choice.value = None
        self.messages.clear()

    @property
    def winner(self) -> str | None:
        """The leading method once results are visible (``None`` before)."""
        return method_vote_winner(self.ctx)

    def _on_events(self, events: list[Event]) -> None:
        key = self.ballot.key
        if any(e.payload.get("ballot") in (key, None) for e in events):
            self.refresh()

    def refresh(self) -> None:
        lang = self.ctx.lang
        self.ballot = ballot = self.ctx.store.ballot(self.ctx.slug, self.ballot.key)
        votes, counted = ballot_tally(self.ctx, ballot)
        self.controls.show_state(ballot)
        self.vote_button.disabled = ballot.status != "open"
        self.choice.disabled = ballot.status != "open"
        with self.hold_sync():
            self.status.value = _paragraph(_status_text(ballot, votes, lang))
            if not ballot.results_visible:
                self.tally.value = _paragraph(t("method_tally_hidden", lang))
            elif counted is None:
                self.tally.value = _paragraph(t("method_tally_none", lang))
            else:
                most = max(counted["points"].values()) or 1.0
                rows = [
                    (
                        escape(method_name(m, lang)),
                        bar_cell(counted["points"][m] / most, f"{counted['points'][m]:.0f}"),
                    )
                    for m in counted["order"]
                ]
                columns = (t("method_col_method", lang), t("method_col_votes", lang))
                self.tally.value = html_table(
                    t("method_tally_title", lang), columns, rows, raw=True
                )

    def _vote(self, _: object = None) -> None:
        lang = self.ctx.lang
        if self.choice.value is None:
            self.messages.show(t("method_vote_choose", lang), "error")
            return
        choice = str(self.choice.value)
        self.ctx.store.cast_vote(self.ctx.slug, self.ballot.key, self.seats.token(), choice)
        self.messages.show(
            t("method_vote_cast", lang, seat=self.seats.seat, method=method_name(choice, lang)),
            "success",
        )
        self.choice.value = None
        self.refresh()


# ---------------------------------------------------------------------- criteria and weights
def ahp_options(a: str, b: str, lang: str) -> list[tuple[str, float]]:
    """Saaty's scale for one pair, left = ``a`` far more important, right = ``b``.

    The value is how many times more important ``a`` is than ``b`` (9 … 1 … 1/9).
    """
    options = [
        (t("method_ahp_more", lang, a=a, b=b, strength=t(f"method_ahp_strength_{n}", lang), n=n),
         float(n))
        for n in range(9, 1, -1)
    ]  # fmt: skip
    options.append((t("method_ahp_equal", lang, a=a, b=b), 1.0))
    options += [
        (t("method_ahp_more", lang, a=b, b=a, strength=t(f"method_ahp_strength_{n}", lang), n=n),
         1.0 / n)
        for n in range(2, 10)
    ]  # fmt: skip
    return options


def most_inconsistent(
    pairs: Mapping[tuple[str, str], float], weights: Mapping[str, float]
) -> tuple[str, str]:
    """The judgement that the weights explain worst: max |log(a_ij · w_j / w_i)| (Saaty's ε)."""

    def error(item: tuple[tuple[str, str], float]) -> float:
        (a, b), value = item
        return abs(math.log(value * weights[b] / weights[a]))

    return max(pairs.items(), key=error)[0]


class WeightAgreement(ipywidgets.VBox):
    """Choose the criteria, then weights by 100-point allocation or pairwise comparison.

    ``proposal`` (Python only) holds the group's current proposal, one weight per criterion
    of the workshop (0 for criteria left out), summing to 1; ``proposal_rules`` says how it
    was reached (it goes into the charter's ``rules``, on the record). Both modes fill the
    same "points" ballot, one answer per seat: "points" takes a 100-point allocation typed in,
    "ahp" takes pairwise comparisons and submits their AHP weights as 100 points (largest
    remainder, :func:`toolkit.methods.allocate_points`). The proposal is the mean of the
    seats' allocations once the ballot's results are visible, whichever form each person used.
    """

    proposal = traitlets.Dict().tag(sync=False)
    proposal_rules = traitlets.Dict().tag(sync=False)
    source = traitlets.Unicode("").tag(sync=False)
    ahp_result = traitlets.Any(None, allow_none=True).tag(sync=False)  # methods.AhpResult

    def __init__(
        self,
        ctx: AppContext,
        feed: LiveFeed,
        seats: TableSeats,
        *,
        facilitator: bool = False,
        **kwargs: Any,
    ) -> None:
        self.ctx, self.seats, self.facilitator = ctx, seats, facilitator
        lang = ctx.lang
        self.criteria: dict[str, Criterion] = {c.key: c for c in ctx.store.criteria(ctx.slug)}
        self.names = {k: c.name for k, c in self.criteria.items()}
        self.messages = MessageArea()
        self.ballot = ensure_ballot(
            ctx,
            "weights",
            title=t("method_ballot_title_weights", lang),
            rule="points",
            options=list(self.criteria),
            settings={"total": POINTS_TOTAL},
        )
        self.chosen_boxes = {
            key: ipywidgets.Checkbox(value=True, description=c.name, indent=False)
            for key, c in self.criteria.items()
        }
        for box in self.chosen_boxes.values():
            box.observe(self._chosen_changed, names=["value"])
        self.mode = ipywidgets.ToggleButtons(
            options=[
                (t("method_mode_points", lang), "points"),
                (t("method_mode_ahp", lang), "ahp"),
            ],
            value="points",
            description=t("method_weights_mode", lang),
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.mode.observe(self._mode_changed, names=["value"])

        # 100-point allocation
        self.points = {
            key: ipywidgets.BoundedIntText(
                value=0,
                min=0,
                max=POINTS_TOTAL,
                step=5,
                description=c.name,
                style={"description_width": "10em"},
            )
            for key, c in self.criteria.items()
        }
        for box in self.points.values():
            box.observe(self._points_changed, names=["value"])
        self.points_total = ipywidgets.HTML()
        self.points_submit = ipywidgets.Button(
            description=t("method_points_submit", lang), icon="check", button_style="primary"
        )
        fit(self.points_submit)
        self.points_submit.on_click(guarded(self.messages, lang)(self._submit_points))
        self.ballot_status = ipywidgets.HTML()
        self.controls = _BallotControls(ctx, self.ballot.key, self.messages, self.refresh)
        self.points_list = ipywidgets.VBox()
        self.points_panel = ipywidgets.VBox(
            [
                ipywidgets.HTML(_paragraph(t("method_points_help", lang))),
                self.points_list,
                self.points_total,
                self.points_submit,
            ]
        )

        # pairwise comparison (AHP): one person's comparisons, submitted as 100 points to the
        # same ballot, so the group's mean counts AHP and points answers alike.
        self.sliders: dict[tuple[str, str], ipywidgets.SelectionSlider] = {}
        self._slider_labels: dict[tuple[str, str], ipywidgets.HTML] = {}
        self._pair_rows: dict[tuple[str, str], ipywidgets.VBox] = {}
        self._end_layout = ipywidgets.Layout(flex="0 1 11em", min_width="5em")
        self.pairs_box = ipywidgets.VBox()
        self.ahp_status = ipywidgets.HTML()
        self.ahp_points = ipywidgets.HTML()
        self.ahp_submit = ipywidgets.Button(
            description=t("method_ahp_submit", lang), icon="check", button_style="primary"
        )
        fit(self.ahp_submit)
        self.ahp_submit.on_click(guarded(self.messages, lang)(self._submit_ahp))
        # The judgements a person was warned about (CR above 0.10): a second click on the
        # same judgements submits them anyway; any change asks again.
        self._inconsistent_warned: tuple[Any, ...] | None = None
        self.ahp_panel = ipywidgets.VBox(
            [
                ipywidgets.HTML(_paragraph(t("method_ahp_help", lang))),
                self.pairs_box,
                self.ahp_status,
                self.ahp_points,
                self.ahp_submit,
            ]
        )

        self.method_area = ipywidgets.VBox()
        self.proposal_view = ipywidgets.HTML()
        super().__init__(
            children=[
                css(),
                _heading(t("method_weights_title", lang)),
                ipywidgets.HTML(_paragraph(t("method_criteria_prompt", lang))),
                ipywidgets.HBox(list(self.chosen_boxes.values()), layout={"flex_flow": "row wrap"}),
                self.mode,
                self.ballot_status,
                *([self.controls] if facilitator else []),
                self.method_area,
                self.messages,
                self.proposal_view,
            ],
            **kwargs,
        )
        self.add_class("ureshii-app")
        self.add_class("ureshii-weights")
        seats.observe(lambda _: self._reset_ahp_warning(), names=["seat", "table"])
        feed.subscribe(self._on_events, kinds=BALLOT_EVENTS)
        seats.on_change(self._clear_points)
        self._chosen_changed()

    def _clear_points(self) -> None:
        """Another person sat down: the points form starts empty, never the last person's."""
        for box in self.points.values():
            box.value = 0
        self.messages.clear()

    # -- reading the form
    def chosen(self) -> list[str]:
        """The criteria ticked, in the workshop's order."""
        return [key for key, box in self.chosen_boxes.items() if box.value]

    def allocation(self) -> dict[str, int]:
        return {key: int(self.points[key].value) for key in self.chosen()}

    # -- reacting
    def _on_events(self, events: list[Event]) -> None:
        if any(e.payload.get("ballot") in (self.ballot.key, None) for e in events):
            self.refresh()

    def _chosen_changed(self, change: object = None) -> None:
        chosen = self.chosen()
        self.points_list.children = [self.points[key] for key in chosen]
        self._build_sliders(chosen)
        self._points_changed()
        self._reset_ahp_warning()
        self.refresh()

    def _mode_changed(self, change: object = None) -> None:
        self.messages.clear()
        self._build_sliders(self.chosen())
        self.refresh()

    def _points_changed(self, change: object = None) -> None:
        lang = self.ctx.lang
        total = sum(self.allocation().values())
        if total == POINTS_TOTAL:
            note, tone = t("method_points_exact", lang), "#1b6e3a"
        elif total < POINTS_TOTAL:
            note, tone = t("method_points_left", lang, left=POINTS_TOTAL - total), "#1d4f91"
        else:
            note, tone = t("method_points_over", lang, over=total - POINTS_TOTAL), "#a4161a"
        self.points_total.value = (
            f'<p role="status" aria-live="polite" style="font-size:1.2em;font-weight:600;'
            f'color:{tone}">{escape(t("method_points_total", lang, total=total))} — '
            f"{escape(note)}</p>"
        )

    def _build_sliders(self, chosen: list[str]) -> None:
        # Built when AHP is first chosen: 15 comparisons are ~200 widget models, which a
        # table laptop that only uses the 100 points should not have to receive.
        if self.mode.value != "ahp":
            return
        rows = []
        for i, a in enumerate(chosen):
            for b in chosen[i + 1 :]:
                if (a, b) not in self.sliders:
                    self._pair_rows[(a, b)] = self._pair_row(a, b)
                rows.append(self._pair_rows[(a, b)])
        self.pairs_box.children = rows

    def _pair_row(self, a: str, b: str) -> ipywidgets.VBox:
        """One comparison: ``a`` named at the left end, ``b`` at the right, the words below.

        The names sit in boxes of their own that wrap (never cut off, whatever their length);
        the slider takes the width in between, so a row fits a 1366-pixel screen.
        """
        lang = self.ctx.lang
        slider = ipywidgets.SelectionSlider(
            options=ahp_options(self.names[a], self.names[b], lang),
            value=1.0,
            description="",
            tooltip=t("method_ahp_pair", lang, a=self.names[a], b=self.names[b]),
            readout=False,
            continuous_update=False,
            layout={"width": "auto", "flex": "1 1 14em", "min_width": "10em"},
        )
        slider.add_class("ureshii-ahp-slider")
        ends = []
        for key, side in ((a, "left"), (b, "right")):
            end = ipywidgets.HTML(
                f'<span class="ureshii-ahp-end-{side}">{escape(self.names[key])}</span>',
                layout=self._end_layout,  # one shared model for every end label
            )
            end.add_class("ureshii-ahp-end")
            end.add_class(f"ureshii-ahp-end-{side}")
            ends.append(end)
        label = ipywidgets.HTML()
        self.sliders[(a, b)], self._slider_labels[(a, b)] = slider, label
        slider.observe(self._slider_moved, names=["value"])
        self._show_judgement((a, b))
        line = ipywidgets.HBox(
            [ends[0], slider, ends[1]], layout={"align_items": "center", "width": "100%"}
        )
        row = ipywidgets.VBox([line, label])
        row.add_class("ureshii-ahp-pair")
        return row

    def _show_judgement(self, pair: tuple[str, str]) -> None:
        slider = self.sliders[pair]
        text = slider.label or ""
        self._slider_labels[pair].value = (
            f'<p class="ureshii-ahp-judgement" style="margin:0 0 .8em;text-align:center;'
            f'font-weight:600">{escape(text)}</p>'
        )

    def _slider_moved(self, change: dict[str, Any]) -> None:
        for pair, slider in self.sliders.items():
            if slider is change["owner"]:
                self._show_judgement(pair)
        self._reset_ahp_warning()
        self.refresh()

    def judgements(self) -> dict[tuple[str, str], float]:
        """The comparisons among the chosen criteria: ``{(a, b): a's importance over b}``."""
        chosen = set(self.chosen())
        return {
            pair: float(slider.value)
            for pair, slider in self.sliders.items()
            if pair[0] in chosen and pair[1] in chosen
        }

    # -- the proposal
    def refresh(self) -> None:
        """Re-read the ballot and recompute the proposal for the current mode."""
        lang = self.ctx.lang
        self.ballot = self.ctx.store.ballot(self.ctx.slug, self.ballot.key)
        self.controls.show_state(self.ballot)
        votes = len(self.ctx.store.votes(self.ctx.slug, self.ballot.key))
        self.points_submit.disabled = self.ballot.status != "open"
        self.ahp_submit.disabled = self.ballot.status != "open" or len(self.chosen()) < 2
        self.ballot_status.value = _paragraph(_status_text(self.ballot, votes, lang))
        if self.mode.value == "points":
            self.method_area.children = [self.points_panel]
        else:
            self.method_area.children = [self.ahp_panel]
            self._ahp_preview()
        # Both forms fill the same ballot: the proposal is always the group's mean.
        self._points_proposal()

    def _set_proposal(
        self, weights: dict[str, float] | None, rules: dict[str, Any], source: str
    ) -> None:
        full = {key: float((weights or {}).get(key, 0.0)) for key in self.criteria}
        with self.hold_trait_notifications():
            self.proposal_rules = rules if weights else {}
            self.source = source if weights else ""
            self.proposal = full if weights else {}

    def _points_proposal(self) -> None:
        lang = self.ctx.lang
        votes, weights = mean_allocation(self.ctx, self.ballot)
        if weights is None:
            key = "method_proposal_hidden" if votes else "method_proposal_none"
            self.proposal_view.value = _paragraph(t(key, lang, votes=votes))
            self._set_proposal(None, {}, "")
            return
        rules = {
            "weights_from": "points",
            "ballot": self.ballot.key,
            "allocations": votes,
            "criteria": [k for k, v in weights.items() if v > 0],
        }
        self._set_proposal(weights, rules, t("method_source_points", lang, votes=votes))
        caption = t("method_proposal_points_title", lang, votes=votes)
        self.proposal_view.value = weights_table(caption, self.proposal, self.names, lang)

    def _ahp_preview(self) -> None:
        """This person's AHP weights, consistency ratio and the 100 points they would submit."""
        lang = self.ctx.lang
        chosen = self.chosen()
        if len(chosen) < 2:
            self.ahp_result = None
            self.ahp_status.value = _paragraph(t("method_ahp_need_two", lang))
            self.ahp_points.value = ""
            return
        pairs = self.judgements()
        judged: dict[tuple[Hashable, Hashable], float] = {pair: v for pair, v in pairs.items()}
        result = methods.ahp_from_pairs(judged, labels=chosen)
        self.ahp_result = result
        weights = {str(k): float(v) for k, v in result.weights.items()}
        cr = result.consistency_ratio
        cr_text = f"{cr:.2f}"
        if cr > CR_THRESHOLD:
            a, b = most_inconsistent(pairs, weights)
            message = t("method_ahp_cr_high", lang, cr=cr_text, a=self.names[a], b=self.names[b])
            colour = "#a4161a"
        else:
            message, colour = t("method_ahp_cr_ok", lang, cr=cr_text), "#1b6e3a"
        self.ahp_status.value = (
            f'<p role="status" aria-live="polite" style="font-size:1.15em;font-weight:600;'
            f'color:{colour}">{escape(message)}</p>'
        )
        points = self.ahp_allocation()
        rows = [
            (escape(self.names[key]), bar_cell(value / POINTS_TOTAL, str(value)))
            for key, value in points.items()
        ]
        columns = (t("method_col_criterion", lang), t("method_ahp_col_points", lang))
        self.ahp_points.value = html_table(
            t("method_ahp_points_title", lang), columns, rows, raw=True
        )

    def ahp_allocation(self) -> dict[str, int]:
        """The AHP weights on this screen as whole points summing to 100 (largest remainder)."""
        if self.ahp_result is None:
            return {}
        return {str(k): v for k, v in methods.allocate_points(self.ahp_result).items()}

    def _reset_ahp_warning(self) -> None:
        if self._inconsistent_warned is not None:
            self._inconsistent_warned = None
            self.ahp_submit.description = t("method_ahp_submit", self.ctx.lang)
            self.ahp_submit.button_style = "primary"

    def _submit_ahp(self, _: object = None) -> None:
        """Submit this person's comparisons as a 100-point allocation to the weights ballot.

        A consistency ratio above 0.10 is not refused (a group may knowingly keep a strong
        view), but the first click only warns and names the comparison to look at again; a
        second click on the same comparisons submits them.
        """
        lang = self.ctx.lang
        chosen = self.chosen()
        if len(chosen) < 2:
            self.messages.show(t("method_ahp_need_two", lang), "error")
            return
        self._ahp_preview()
        result = self.ahp_result
        assert result is not None  # two or more criteria are chosen
        cr = result.consistency_ratio
        # the warning holds for this seat and these answers only
        judged = (self.seats.seat, tuple(chosen), tuple(sorted(self.judgements().items())))
        if cr > CR_THRESHOLD and self._inconsistent_warned != judged:
            pairs = self.judgements()
            weights = {str(k): float(v) for k, v in result.weights.items()}
            a, b = most_inconsistent(pairs, weights)
            self.messages.show(
                t(
                    "method_ahp_submit_inconsistent",
                    lang,
                    cr=f"{cr:.2f}",
                    a=self.names[a],
                    b=self.names[b],
                ),
                "error",
            )
            self._inconsistent_warned = judged
            self.ahp_submit.description = t("method_ahp_submit_anyway", lang, cr=f"{cr:.2f}")
            self.ahp_submit.button_style = "warning"
            return
        allocation = self.ahp_allocation()
        payload = {key: value for key, value in allocation.items() if value}
        self.ctx.store.cast_vote(self.ctx.slug, self.ballot.key, self.seats.token(), payload)
        listed = t("wf_list_separator", lang).join(
            f"{self.names[k]} {v}" for k, v in allocation.items()
        )
        self.messages.show(
            t("method_ahp_stored", lang, seat=self.seats.seat, cr=f"{cr:.2f}", points=listed),
            "success",
        )
        for slider in self.sliders.values():  # the next person starts from "equal"
            slider.value = 1.0
        self._reset_ahp_warning()
        self.refresh()

    def _submit_points(self, _: object = None) -> None:
        lang = self.ctx.lang
        allocation = self.allocation()
        if not allocation:
            self.messages.show(t("method_points_no_criteria", lang), "error")
            return
        total = sum(allocation.values())
        if total != POINTS_TOTAL:
            self.messages.show(t("method_points_wrong_total", lang, total=total), "error")
            return
        payload = {key: value for key, value in allocation.items() if value}
        self.ctx.store.cast_vote(self.ctx.slug, self.ballot.key, self.seats.token(), payload)
        self.messages.show(t("method_points_stored", lang, seat=self.seats.seat), "success")
        for box in self.points.values():  # the next person starts from an empty form
            box.value = 0
        self.refresh()


# ---------------------------------------------------------------------- consent and charter
class ConsentCheck(ipywidgets.VBox):
    """Fist of five on the newest draft charter, one answer per seat; 0 blocks the lock.

    Inside :class:`CharterPanel` the panel shows the draft itself. On a table laptop
    (``show_charter=True``) the check shows the charter it asks about, and follows the
    store: "no charter yet" (the form hidden), the draft as soon as the facilitator proposes
    it (or a new version), and the locked charter once it is locked.
    """

    def __init__(
        self,
        ctx: AppContext,
        feed: LiveFeed,
        seats: TableSeats,
        *,
        show_charter: bool = False,
        **kwargs: Any,
    ):
        self.ctx, self.seats, self.show_charter = ctx, seats, show_charter
        lang = ctx.lang
        self.names = {c.key: c.name for c in ctx.store.criteria(ctx.slug)}
        self.messages = MessageArea()
        self.level = ConsentLevels(lang, description=t("method_consent_prompt", lang))
        seats.on_change(lambda: setattr(self.level, "value", None))  # the next person's answer
        self.legend = ipywidgets.HTML(
            _paragraph(consent.scale_hint(lang))
            + f"<p><strong>{escape(t('method_consent_block_note', lang))}</strong></p>"
        )
        self.record_button = ipywidgets.Button(
            description=t("method_consent_button", lang), icon="check", button_style="primary"
        )
        fit(self.record_button)
        self.record_button.on_click(guarded(self.messages, lang)(self._record))
        self.tally = ipywidgets.HTML()
        self.charter_view = ipywidgets.HTML()
        self.form = ipywidgets.VBox([self.legend, self.level, self.record_button])
        children: list[ipywidgets.Widget] = [_heading(t("method_consent_title", lang), 3)]
        if show_charter:
            children = [css(), _heading(t("method_consent_title", lang)), self.charter_view]
        children += [self.form, self.messages, self.tally]
        super().__init__(children=children, **kwargs)
        self.add_class("ureshii-consent")
        if show_charter:
            self.add_class("ureshii-app")
        feed.subscribe(lambda events: self.refresh(), kinds=CHARTER_EVENTS)
        self.refresh()

    def draft(self) -> MethodCharter | None:
        """The newest charter if it is still a draft (the one consent is asked for)."""
        charters = self.ctx.store.charters(self.ctx.slug)
        if charters and not charters[-1].locked:
            return charters[-1]
        return None

    def levels(self) -> list[int]:
        draft = self.draft()
        if draft is None:
            return []
        return [c.level for c in self.ctx.store.consents(self.ctx.slug, draft.version)]

    def refresh(self) -> None:
        lang = self.ctx.lang
        draft = self.draft()
        # Only the button is disabled without a draft: ipywidgets 8's ToggleButtons view applies
        # `disabled` only when it rebuilds its buttons, so toggling it live would not show.
        self.record_button.disabled = draft is None
        if self.show_charter:
            self._show_charter(draft)
            if draft is None:  # nothing to count: the charter above says what comes next
                self.tally.value = ""
                return
        levels = self.levels()
        summary = t("method_consent_tally", lang, responses=len(levels), blocks=levels.count(0))
        rows = [(consent.label(n, lang), levels.count(n)) for n in consent.LEVELS]
        columns = (t("method_col_level", lang), t("method_col_people", lang))
        self.tally.value = (
            f'<p role="status" aria-live="polite" style="font-weight:600">{escape(summary)}</p>'
            + html_table(t("method_consent_tally_caption", lang), columns, rows)
        )

    def _show_charter(self, draft: MethodCharter | None) -> None:
        """The charter this check is about, or what the table waits for."""
        lang = self.ctx.lang
        self.form.layout.display = "none" if draft is None else ""
        if draft is not None:
            title = t("method_draft_title", lang, version=draft.version)
            self.charter_view.value = charter_card(draft, title, self.names, lang)
            return
        locked = self.ctx.store.locked_charter(self.ctx.slug)
        if locked is None:
            self.charter_view.value = _paragraph(t("method_consent_waiting", lang))
            return
        time = self.ctx.format_time(locked.locked_at)
        title = t("method_locked_title", lang, version=locked.version, time=time)
        self.charter_view.value = _paragraph(
            t("method_consent_locked", lang, version=locked.version)
        ) + charter_card(locked, title, self.names, lang)

    def _record(self, _: object = None) -> None:
        lang = self.ctx.lang
        draft = self.draft()
        if draft is None:
            return
        if self.level.value is None:
            self.messages.show(t("method_consent_choose", lang), "error")
            return
        level = int(self.level.value)
        self.ctx.store.record_consent(
            self.ctx.slug, self.seats.token(), level, version=draft.version
        )
        self.messages.show(
            t("method_consent_recorded", lang, seat=self.seats.seat, level=level), "success"
        )
        self.level.value = None
        self.refresh()


def _default_method(ctx: AppContext, options: list[str]) -> str | None:
    """The method vote's winner if it is a candidate, else the first candidate."""
    winner = method_vote_winner(ctx)
    if winner in options:
        return winner
    return options[0] if options else None


class CharterPanel(ipywidgets.VBox):
    """The facilitator's charter: propose → consent check → lock; later changes with a reason.

    The method defaults to the method vote's winner, the weights to ``agreement.proposal``
    (else the mean of the 100-point ballot, else the workshop file's weights, else equal
    weights), the tie-break to the workshop file's. States follow the store: no charter yet,
    a draft waiting for consent, or a locked charter (with the form to propose a change).
    """

    weights = traitlets.Dict().tag(sync=False)  # {criterion: weight}, summing to 1
    weights_rules = traitlets.Dict().tag(sync=False)
    state = traitlets.Unicode("none").tag(sync=False)  # "none" | "draft" | "locked"

    def __init__(
        self,
        ctx: AppContext,
        feed: LiveFeed,
        seats: TableSeats,
        *,
        vote: MethodVote | None = None,
        agreement: WeightAgreement | None = None,
        **kwargs: Any,
    ) -> None:
        self.ctx, self.seats, self.vote, self.agreement = ctx, seats, vote, agreement
        lang = ctx.lang
        spec = ctx.store.workshop(ctx.slug).spec
        self.criteria = {c.key: c for c in ctx.store.criteria(ctx.slug)}
        self.names = {k: c.name for k, c in self.criteria.items()}
        self.messages = MessageArea()
        options = candidate_methods(ctx)
        for charter in ctx.store.charters(ctx.slug):
            if charter.method not in options:
                options.append(charter.method)
        self.method = ipywidgets.Dropdown(
            options=[(method_name(m, lang), m) for m in options],
            value=_default_method(ctx, options),
            description=t("method_charter_method", lang),
            style=_label_style(),
        )
        self.tie_break = ipywidgets.Dropdown(
            options=[(t(f"method_tie_{tb}", lang), tb) for tb in TIE_BREAKS],
            value=spec.get("tie_break", TIE_BREAKS[0]),
            description=t("method_charter_tie_break", lang),
            style=_label_style(),
        )
        self.weights_view = ipywidgets.HTML()
        self.take_weights = ipywidgets.Button(
            description=t("method_refresh_weights", lang), icon="refresh"
        )
        fit(self.take_weights)
        self.take_weights.on_click(guarded(self.messages, lang)(self._take_weights))
        self.propose_button = ipywidgets.Button(
            description=t("method_propose_button", lang), icon="file-text", button_style="primary"
        )
        fit(self.propose_button)
        self.propose_button.on_click(guarded(self.messages, lang)(self._propose))
        self.proposal_form = ipywidgets.VBox(
            [self.method, self.tie_break, self.weights_view, self.take_weights]
        )

        self.card = ipywidgets.HTML()
        self.consent = ConsentCheck(ctx, feed, seats)
        # Locking is what scoring relies on: it asks first (widgets/confirm.py).
        self.locker = ConfirmButton(
            t("method_lock_button", lang),
            question=t("confirm_lock_charter", lang),
            confirm=t("confirm_lock_charter_yes", lang),
            lang=lang,
            on_confirm=guarded(self.messages, lang)(self._lock),
            icon="lock",
        )
        self.lock_button = fit(self.locker.button)

        self.reason = ipywidgets.Textarea(
            description=t("method_revise_reason", lang),
            style=_label_style(),
            layout={"width": "95%", "height": "4em"},
        )
        self.revise_button = ipywidgets.Button(icon="pencil", button_style="warning")
        fit(self.revise_button)
        self.revise_button.on_click(guarded(self.messages, lang)(self._revise))
        self.history = ipywidgets.HTML()
        self.body = ipywidgets.VBox()
        super().__init__(
            children=[css(), _heading(t("method_charter_title", lang)), self.body], **kwargs
        )
        self.add_class("ureshii-app")
        self.add_class("ureshii-charter")
        if agreement is not None:
            agreement.observe(self._take_weights, names=["proposal"])
        self._take_weights()
        feed.subscribe(self._on_events, kinds=CHARTER_EVENTS | BALLOT_EVENTS)
        self.refresh()

    # -- the weights to propose
    def _resolve_weights(self) -> tuple[dict[str, float], dict[str, Any], str]:
        lang = self.ctx.lang
        if self.agreement is not None and self.agreement.proposal:
            return (
                dict(self.agreement.proposal),
                dict(self.agreement.proposal_rules),
                self.agreement.source,
            )
        votes, mean = mean_allocation(self.ctx, find_ballot(self.ctx, "weights"))
        if mean:
            rules = {"weights_from": "points", "allocations": votes}
            weights = {k: mean.get(k, 0.0) for k in self.criteria}
            return weights, rules, t("method_source_ballot", lang, votes=votes)
        proposed = {
            c["id"]: c.get("weight")
            for c in self.ctx.store.workshop(self.ctx.slug).spec["criteria"]
        }
        if proposed and all(isinstance(v, int | float) for v in proposed.values()):
            total = float(sum(proposed.values())) or 1.0
            weights = {k: float(proposed.get(k) or 0) / total for k in self.criteria}
            return weights, {"weights_from": "workshop_file"}, t("method_source_file", lang)
        equal = {k: 1 / len(self.criteria) for k in self.criteria}
        return equal, {"weights_from": "equal"}, t("method_source_equal", lang)

    def _take_weights(self, change: object = None) -> None:
        weights, rules, source = self._resolve_weights()
        self.weights, self.weights_rules = weights, rules
        lang = self.ctx.lang
        caption = t("method_weights_from", lang, source=source)
        self.weights_view.value = weights_table(caption, weights, self.names, lang)

    # -- state
    def _on_events(self, events: list[Event]) -> None:
        if self.state == "none" and any(
            e.kind in ("ballot_closed", "results_released") for e in events
        ):
            winner = method_vote_winner(self.ctx)
            if winner in dict(self.method.options).values():
                self.method.value = winner
            if self.agreement is None:
                self._take_weights()
        self.refresh()

    def refresh(self) -> None:
        lang = self.ctx.lang
        charters = self.ctx.store.charters(self.ctx.slug)
        latest = charters[-1] if charters else None
        self.state = "none" if latest is None else ("locked" if latest.locked else "draft")
        self.history.value = self._history_html(charters) if charters else ""
        self.consent.refresh()
        if latest is None:
            self.body.children = [self.proposal_form, self.propose_button, self.messages]
        elif not latest.locked:
            self.card.value = self._charter_html(
                latest, t("method_draft_title", lang, version=latest.version)
            )
            self.body.children = [
                self.card,
                self.consent,
                self.locker,
                self.messages,
                self.history,
            ]
        else:
            title = t(
                "method_locked_title",
                lang,
                version=latest.version,
                time=self.ctx.format_time(latest.locked_at),
            )
            self.card.value = self._charter_html(latest, title)
            self.revise_button.description = t(
                "method_revise_button", lang, version=latest.version + 1
            )
            self.body.children = [
                self.card,
                _heading(t("method_revise_title", lang), 3),
                ipywidgets.HTML(_paragraph(t("method_revise_help", lang))),
                self.proposal_form,
                self.reason,
                self.revise_button,
                self.messages,
                self.history,
            ]

    def _charter_html(self, charter: MethodCharter, title: str) -> str:
        return charter_card(charter, title, self.names, self.ctx.lang)

    def _history_html(self, charters: list[MethodCharter]) -> str:
        lang = self.ctx.lang
        rows = []
        for c in charters:
            consent = ""
            if c.consent:
                consent = t(
                    "method_consent_short",
                    lang,
                    responses=c.consent.get("responses", 0),
                    blocks=c.consent.get("blocks", 0),
                )
            rows.append(
                (
                    f"v{c.version}",
                    method_name(c.method, lang),
                    self.ctx.format_time(c.proposed_at),
                    self.ctx.format_time(c.locked_at) if c.locked else t("method_not_locked", lang),
                    c.reason or "–",
                    consent or "–",
                )
            )
        columns = [
            t(key, lang)
            for key in (
                "method_col_version",
                "method_charter_method",
                "method_col_proposed",
                "method_col_locked",
                "method_col_reason",
                "method_col_consent",
            )
        ]
        return html_table(t("method_history_title", lang), columns, rows)

    # -- actions
    def _propose(self, _: object = None) -> None:
        charter = self.ctx.store.propose_charter(
            self.ctx.slug,
            method=str(self.method.value),
            weights=self.weights,
            tie_break=str(self.tie_break.value),
            rules=self.weights_rules,
        )
        self.messages.show(t("method_proposed", self.ctx.lang, version=charter.version), "success")
        self.refresh()

    def _lock(self, _: object = None) -> None:
        charters = self.ctx.store.charters(self.ctx.slug)
        if not charters or charters[-1].locked:
            self.refresh()
            return
        charter = self.ctx.store.lock_charter(self.ctx.slug, charters[-1].version)
        self.messages.show(
            t("method_locked_done", self.ctx.lang, version=charter.version), "success"
        )
        self.refresh()

    def _revise(self, _: object = None) -> None:
        charter = self.ctx.store.revise_charter(
            self.ctx.slug,
            reason=self.reason.value,
            method=str(self.method.value),
            weights=self.weights,
            tie_break=str(self.tie_break.value),
            rules=self.weights_rules,
        )
        self.reason.value = ""
        self.messages.show(t("method_revised", self.ctx.lang, version=charter.version), "success")
        self.refresh()
