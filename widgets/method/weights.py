"""Choosing the criteria and agreeing their weights (see :mod:`widgets.method`).

The rules are in toolkit: Saaty's scale and the consistency check in
:mod:`toolkit.methods.pairwise`, the 100 points in :mod:`toolkit.methods.charter`.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets
import traitlets

from toolkit.i18n import t
from toolkit.methods.charter import POINTS_TOTAL
from toolkit.methods.pairwise import check_judgements, judgement_scale
from toolkit.model import Criterion, Event
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed
from widgets.method.common import mean_allocation, status_text, weights_table
from widgets.seats import TableSeats
from widgets.ui import (
    BALLOT_EVENTS,
    METHOD_BALLOT_WORDS,
    BallotBar,
    bar_cell,
    css,
    fit,
    heading,
    html_table,
    paragraph,
)


def ahp_options(a: str, b: str, lang: str) -> list[tuple[str, float]]:
    """Saaty's scale for one pair (:func:`toolkit.methods.pairwise.judgement_scale`) in
    words, left = ``a`` far more important, right = ``b``; the value is how many times more
    important ``a`` is than ``b`` (9 … 1 … 1/9)."""
    options = []
    for step in judgement_scale():
        if step.favoured is None:
            label = t("method_ahp_equal", lang, a=a, b=b)
        else:
            more, less = (a, b) if step.favoured == "first" else (b, a)
            strength = t(f"method_ahp_strength_{step.strength}", lang)
            label = t("method_ahp_more", lang, a=more, b=less, strength=strength, n=step.strength)
        options.append((label, step.value))
    return options


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
    # this person's comparisons, checked (toolkit.methods.pairwise.JudgementCheck)
    ahp_check = traitlets.Any(None, allow_none=True).tag(sync=False)

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
        self.ballot = ctx.store.ensure_ballot(
            ctx.slug,
            "weights",
            t("method_ballot_title_weights", lang),
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
        self.controls = BallotBar(
            ctx,
            self.ballot.key,
            self.messages,
            self.refresh,
            words=METHOD_BALLOT_WORDS,
            close_style="warning",
        )
        self.points_list = ipywidgets.VBox()
        self.points_panel = ipywidgets.VBox(
            [
                ipywidgets.HTML(paragraph(t("method_points_help", lang))),
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
                ipywidgets.HTML(paragraph(t("method_ahp_help", lang))),
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
                heading(t("method_weights_title", lang)),
                ipywidgets.HTML(paragraph(t("method_criteria_prompt", lang))),
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
        self.ballot_status.value = paragraph(status_text(self.ballot, votes, lang))
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
            self.proposal_view.value = paragraph(t(key, lang, votes=votes))
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
            self.ahp_check = None
            self.ahp_status.value = paragraph(t("method_ahp_need_two", lang))
            self.ahp_points.value = ""
            return
        self.ahp_check = check = check_judgements(self.judgements(), chosen, total=POINTS_TOTAL)
        cr_text = f"{check.consistency_ratio:.2f}"
        if check.worst is not None:
            a, b = check.worst
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
            columns, rows, t("method_ahp_points_title", lang), raw=True
        )

    def ahp_allocation(self) -> dict[str, int]:
        """The AHP weights on this screen as whole points summing to 100 (largest remainder)."""
        return dict(self.ahp_check.points) if self.ahp_check is not None else {}

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
        check = self.ahp_check
        assert check is not None  # two or more criteria are chosen
        cr = check.consistency_ratio
        # the warning holds for this seat and these answers only
        judged = (self.seats.seat, tuple(chosen), tuple(sorted(self.judgements().items())))
        if check.worst is not None and self._inconsistent_warned != judged:
            a, b = check.worst
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
