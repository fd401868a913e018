"""The projector board: what the whole room sees, read-only, in very large type.

The board follows the workshop's phase (``phase_changed`` events): the happiness map during
the happiness phase, the vision and its consent, the issues, the method vote and the
charter's consent, the scoring progress, the ranking, the town-meeting tallies. It renders
:func:`toolkit.summary.summarize` (without ``include_hidden``, so a "hidden until close"
ballot shows only that votes are coming in) and re-reads it whenever the live feed reports
a change, so another screen's input appears within about one feed interval plus a redraw.

A town meeting's burst (hundreds of phones voting at once) brings only ``vote_cast`` and
``participant_joined`` events: for those the board re-reads only the counts and the ballots
that were voted on (the summary's own ballot part, ``toolkit.summary.ballot_summary``), not
the whole summary, and sends the new counts before any chart is drawn. While votes keep
coming, a ballot's chart is redrawn after the round that sent the counts (while the feed
sleeps), at most every :data:`CHART_EVERY` seconds (drawing a chart is the slow part), and
once more when they stop.

Every chart is a :class:`~widgets.chart.ChartView`: inline SVG plus a table of the same data.

A workshop started as the next cycle of another (``ureshii next-cycle``) also shows "since the
last cycle" (``summary["previous_cycle"]``): the small wins and the ranking moves, first at the
opening (happiness phase) and under the results (:data:`CYCLE_PHASES`).

In every phase where phones have something to do, and whenever a ballot is open
(:func:`toolkit.model.phones_invited`), a join panel beside the phase's content shows the
room how to join: the QR code, the address and the join code (:class:`~widgets.join.JoinPanel`).

>>> ProjectorBoard(ctx, feed)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from html import escape
from typing import Any

import altair as alt
import ipywidgets
import pandas as pd

from toolkit import consent
from toolkit.cycles import move_text, win_text
from toolkit.i18n import t
from toolkit.methods.registry import METHODS, method_name
from toolkit.model import Event, phones_invited
from toolkit.summary import ballot_summary, summarize
from toolkit.summary_charts import (
    SIZES,
    happiness_chart,
    happiness_grid,
    rank_text,
    ranking_chart,
    sized,
    tied_ranks,
)
from widgets.chart import ChartView
from widgets.console.phases import phase_name
from widgets.context import AppContext
from widgets.join import JoinPanel
from widgets.live import LiveFeed
from widgets.ui import html_table, stylesheet

log = logging.getLogger(__name__)

#: Issues shown in the ranking (the export lists all of them).
RANKING_TOP = 10
#: Width of a chart's bars (px): with up to 520 px of labels, a chart fills the board's width
#: at 1920 × 1080 beside the join panel. A chart's data table stays in the page for screen
#: readers but takes no room on the projector (``widgets/ureshii.css``).
CHART_WIDTH = SIZES["projector"].width
HALF_WIDTH = 320
"""Bars of a chart that shares its row with another part of the phase."""
#: Newest happiness cards shown under the map.
LATEST_CARDS = 6
#: Small wins and ranking moves shown in the "since the last cycle" panel.
CYCLE_TOP = 5
#: The phases that show the "since the last cycle" panel, when the workshop continues one:
#: the opening (what the last cycle achieved) and the results (how the ranking moved).
CYCLE_PHASES = ("happiness", "results", "export")
#: The events of a town meeting's burst: the board updates the counts and the ballots voted on
#: without a new summary (module docstring).
BURST_KINDS = frozenset({"vote_cast", "participant_joined"})
#: Seconds between two redraws of a chart while votes keep coming (its count is shown at once).
CHART_EVERY = 2.0
_ACCENT = "#c8553d"
_CALM = "#1d4f91"


def _p(key: str, lang: str, *, tag: str = "p", **params: Any) -> str:
    """A catalog message as one escaped HTML element."""
    return f"<{tag}>{escape(t(key, lang, **params))}</{tag}>"


def _names(summary: dict[str, Any], lang: str) -> dict[str, str]:
    """Readable names of everything a ballot option or a map cell may name."""
    names = {key: method_name(key, lang) for key in METHODS}
    names.update({c["key"]: c["name"] for c in summary["criteria"]})
    names.update({s["key"]: s["name"] for s in summary["stakeholders"]})
    names.update({th["key"]: th["name"] for th in summary["themes"]})
    names.update({i["key"]: i["title"] for i in summary["issues"]})
    return names


def bar_chart(
    rows: list[tuple[str, float]],
    *,
    title: str,
    label: str,
    value: str,
    colour: str = _CALM,
    counts: bool = False,
    width: int = CHART_WIDTH,
    row_height: int = SIZES["projector"].bar_height,
) -> Any:
    """A horizontal bar chart of ``(label, value)`` rows, in the given order, at projector
    size; ``counts`` labels the axis with whole numbers only (people, votes, cards). The
    ranking has its own chart (:func:`toolkit.summary_charts.ranking_chart`)."""
    frame = pd.DataFrame(rows, columns=[label, value])
    axis = alt.Axis(tickCount=6, labelOverlap=True)
    if counts:
        axis = alt.Axis(format="d", tickMinStep=1, tickCount=6, labelOverlap=True)
    base = alt.Chart(frame, title=title).encode(
        x=alt.X(f"{value}:Q", axis=axis),
        y=alt.Y(f"{label}:N", sort=[r[0] for r in rows], title=None),
    )
    chart = base.mark_bar(color=colour).properties(
        width=width,
        height=max(80, row_height * len(rows)),
        padding={"left": 5, "top": 5, "bottom": 5, "right": 30},
    )
    return sized(chart, "projector")


def consent_chart(
    counted: consent.ConsentTally, lang: str, title: str, *, width: int = CHART_WIDTH
) -> Any:
    """Fist of five: how many people showed 5 (full support) … 0 (block) fingers."""
    rows = [(consent.label(n, lang), float(counted.counts[n])) for n in consent.LEVELS]
    return bar_chart(
        rows,
        title=title,
        label=t("board_col_level", lang),
        value=t("board_col_people", lang),
        counts=True,
        width=width,
        row_height=34,
    )


class ProjectorBoard(ipywidgets.VBox):
    """The board for the room; read-only; follows the current phase (module docstring)."""

    def __init__(
        self,
        ctx: AppContext,
        feed: LiveFeed,
        *,
        top: int = RANKING_TOP,
        join_url: str | None = None,
        **kwargs: Any,
    ):
        self.ctx = ctx
        self.top = top
        self.summary: dict[str, Any] = {}
        self.phase = ""
        self._charts: dict[str, ChartView] = {}
        self._texts: dict[str, ipywidgets.HTML] = {}
        self._boxes: dict[str, ipywidgets.Box] = {}
        self._specs: dict[str, str] = {}
        self.chart_every = CHART_EVERY
        self._hold_charts = False  # during a burst's round: drawn charts wait (_update_votes)
        self._stale = False  # a chart waits for its redraw
        self._drawn_at = 0.0
        self._redraw_pending: asyncio.TimerHandle | None = None
        self.header = ipywidgets.HTML()
        self.panel = ipywidgets.VBox(layout=ipywidgets.Layout(flex="1 1 auto"))
        self.join = JoinPanel(ctx, url=join_url, scale=10)  # scannable from the back
        body = ipywidgets.HBox(
            [self.panel, self.join], layout=ipywidgets.Layout(align_items="flex-start")
        )
        super().__init__(children=[stylesheet(), self.header, body], **kwargs)
        self.add_class("ureshii-board")
        feed.subscribe(self._on_events)
        self.refresh()

    # -- reused pieces (a redraw changes values, not widgets)
    def _chart(self, name: str, chart: Any, *, data: str | None = None) -> ChartView:
        """The chart view ``name`` showing ``chart``; redrawn only when its data changed
        (drawing is the slow part of a refresh). ``data`` stands for everything the chart
        shows, when the caller knows it (cheaper than comparing the charts' specs).

        During a burst (``_hold_charts``) a chart that is already drawn keeps its picture;
        it is redrawn on the next round that may draw (:meth:`_redraw_stale`)."""
        view = self._charts.get(name)
        if view is None:
            view = self._charts[name] = ChartView(lang=self.ctx.lang)
        spec = (
            data if data is not None else json.dumps(chart.to_dict(), sort_keys=True, default=str)
        )
        if self._specs.get(name) != spec:
            if self._hold_charts and view.chart is not None:
                self._stale = True
                return view
            self._specs[name] = spec
            view.chart = chart
            self._drawn_at = time.monotonic()
        return view

    def _html(self, name: str, html: str) -> ipywidgets.HTML:
        widget = self._texts.get(name)
        if widget is None:
            widget = self._texts[name] = ipywidgets.HTML()
        if widget.value != html:
            widget.value = html
        return widget

    def _box(self, name: str, children: list[ipywidgets.Widget], *, row: bool) -> Any:
        """Widgets side by side (``row``) or one under the other, in a box kept by ``name``,
        so a redraw changes only its children."""
        box = self._boxes.get(name)
        if box is None:
            layout = ipywidgets.Layout(align_items="flex-start", grid_gap="1.5em")
            box = ipywidgets.HBox(layout=layout) if row else ipywidgets.VBox()
            self._boxes[name] = box
        if row:
            for child in children:  # each part keeps its own width; none is squeezed and cut,
                if not child.layout.flex:  # but a text that wraps may say it takes the rest
                    child.layout.flex = "0 0 auto"
        if tuple(children) != box.children:
            box.children = tuple(children)
        return box

    def _row(self, name: str, children: list[ipywidgets.Widget]) -> ipywidgets.HBox:
        return self._box(name, children, row=True)

    def _on_events(self, events: list[Event]) -> None:
        burst = self.summary and all(e.kind in BURST_KINDS for e in events)
        if not (burst and self._update_votes(events)):
            self.refresh()

    def _update_votes(self, events: list[Event]) -> bool:
        """A burst's events: re-read the counts and the ballots voted on, not the whole
        summary, and redraw. ``False`` when a full refresh is needed instead (a ballot the
        summary does not know; a theme dot vote, whose dots the happiness map counts)."""
        store, slug = self.ctx.store, self.ctx.slug
        voted = {str(e.payload.get("ballot")) for e in events if e.kind == "vote_cast"}
        known = {b["key"]: b for b in self.summary["ballots"]}
        if any(key not in known or known[key]["purpose"] == "themes" for key in voted):
            return False
        with store.snapshot(slug):
            counts = store.counts(slug)
            fresh = {b.key: b for b in store.ballots(slug) if b.key in voted}
            entries = {key: ballot_summary(store, slug, b) for key, b in fresh.items()}
        summary = dict(self.summary)
        summary["counts"] = counts
        summary["ballots"] = [entries.get(b["key"], b) for b in self.summary["ballots"]]
        self.summary = summary
        # The charts wait until this round's counts are sent: they are drawn just after it,
        # while the feed sleeps, at most every chart_every seconds. Without an event loop (a
        # test's poll_once) nothing could draw them later: they are drawn now.
        loop = _running_loop()
        self._hold_charts = loop is not None
        try:
            self._draw(summary)
        finally:
            self._hold_charts = False
        if self._stale and loop is not None:
            if self._redraw_pending is not None:
                self._redraw_pending.cancel()
            wait = max(0.0, self.chart_every - (time.monotonic() - self._drawn_at))
            self._redraw_pending = loop.call_later(wait, self._redraw_stale)
        return True

    def _redraw_stale(self) -> None:
        """Draw the charts a burst held back, from the newest summary the board has."""
        self._redraw_pending = None
        if self._stale:
            try:
                self._draw(self.summary)
            except Exception:  # a timer callback: the next round (or refresh) tries again
                log.exception("redrawing the board's charts failed")
                self._stale = True

    def _parts(self, children: tuple[ipywidgets.Widget, ...] | None = None) -> Iterator[Any]:
        """The current phase's charts and texts, in reading order (inside rows and columns)."""
        for child in self.panel.children if children is None else children:
            if isinstance(child, ChartView | ipywidgets.HTML):
                yield child
            elif isinstance(child, ipywidgets.Box):
                yield from self._parts(child.children)

    def chart_views(self) -> list[ChartView]:
        """The charts the current phase shows, in reading order."""
        return [part for part in self._parts() if isinstance(part, ChartView)]

    @property
    def text(self) -> str:
        """Everything the board shows as text (for tests and screen readers' sake)."""
        parts = [self.header.value]
        for part in self._parts():
            parts.append(part._table.value if isinstance(part, ChartView) else part.value)
        return "\n".join(parts)

    def refresh(self) -> None:
        """Re-read the summary and redraw the current phase's panel."""
        summary = summarize(self.ctx.store, self.ctx.slug)
        self.summary = summary
        self._draw(summary)

    def _draw(self, summary: dict[str, Any]) -> None:
        """Show ``summary``: the header first (it carries the counts), then the panel."""
        lang = self.ctx.lang
        self._stale = False
        self.phase = summary["workshop"]["phase"]
        counts = summary["counts"]
        line = t(
            "board_counts",
            lang,
            participants=counts["participants"],
            cards=counts["cards"],
            votes=counts["votes"],
        )
        header = (
            f"<h1>{escape(phase_name(self.phase, lang))}</h1>"
            f"<p>{escape(summary['workshop']['title'])} — {escape(line)}</p>"
        )
        if self.header.value != header:  # sent before any chart is drawn
            self.header.value = header
        build = getattr(self, f"_panel_{self.phase}", self._panel_results)
        children = tuple(build(summary))
        if summary.get("previous_cycle") and self.phase in CYCLE_PHASES:
            cycle = self._html("cycle", self._cycle_html(summary))
            # At the opening it comes first; under the results, after the ranking.
            children = (cycle, *children) if self.phase == "happiness" else (*children, cycle)
        open_ballots = sum(1 for ballot in summary["ballots"] if ballot["status"] == "open")
        join = "flex" if phones_invited(self.phase, open_ballots=open_ballots) else "none"
        with self.hold_sync():
            if self.join.layout.display != join:
                self.join.layout.display = join
            if children != self.panel.children:
                self.panel.children = children
        self._mark_phase()

    def _mark_phase(self) -> None:
        """Name the phase the panel now shows in its class (``ureshii-phase-<phase>``), after
        its children: the header changes first, so the class tells the page (a stylesheet, a
        test) that the whole phase has arrived, charts included."""
        shown = f"ureshii-phase-{self.phase}"
        if shown in self.panel._dom_classes:
            return
        for old in [c for c in self.panel._dom_classes if c.startswith("ureshii-phase-")]:
            self.panel.remove_class(old)
        self.panel.add_class(shown)

    # -- one builder per phase; each returns the panel's widgets
    def _panel_happiness(self, summary: dict[str, Any]) -> list[ipywidgets.Widget]:
        lang = self.ctx.lang
        names = _names(summary, lang)
        # The newest cards first: text is cheap, so it reaches the room before the charts
        # are redrawn.
        latest = list(reversed(summary["cards"]))[:LATEST_CARDS]
        none = t("board_unassigned", lang)
        items = "".join(
            f"<li>{escape(c['text'])} <small>— {escape(names.get(c['stakeholder'] or '', none))}"
            "</small></li>"
            for c in latest
        )
        body = (
            f'<ul class="ureshii-cards">{items}</ul>'
            if items
            else f"<p>{escape(t('board_no_cards', lang))}</p>"
        )
        cards = self._html("cards", f"<h2>{escape(t('board_latest_cards', lang))}</h2>{body}")
        themes = summary["themes"]
        use_dots = any(th["dots"] for th in themes)
        measure = t("board_col_dots" if use_dots else "board_col_cards", lang)
        top = [(th["name"], float(th["dots"] if use_dots else th["cards"])) for th in themes[:6]]
        widgets: list[ipywidgets.Widget] = []
        if top:
            chart = bar_chart(
                top,
                title=t("board_top_themes", lang),
                label=t("board_col_theme", lang),
                value=measure,
                colour=_ACCENT,
                counts=True,
                width=HALF_WIDTH,
            )
            widgets.append(self._chart("themes", chart))
        if summary["cards"]:
            grid = happiness_grid(summary, lang)
            widgets.append(self._chart("map", happiness_chart(grid, lang=lang, size="projector")))
        # The top themes and the map side by side, the newest cards under them in two
        # columns: the whole phase on one 1920 × 1080 screen beside the join panel.
        return [self._row("happiness_top", widgets), cards]

    def _panel_vision(self, summary: dict[str, Any]) -> list[ipywidgets.Widget]:
        lang = self.ctx.lang
        vision = summary["vision"]
        if vision is None:
            return [self._html("vision", f"<p>{escape(t('board_no_vision', lang))}</p>")]
        names = _names(summary, lang)
        themes = "、".join(names.get(k, k) for k in vision["themes"])
        counted = consent.tally_from_record(vision["consent"])
        text = (
            f'<p class="ureshii-vision">「{escape(vision["text"])}」</p>'
            + _p("board_vision_meta", lang, version=vision["version"], themes=themes)
            # the chart beside it shows the levels: the line says what decides
            + f"<p>{escape(consent.summary(counted, lang, spread=False))}</p>"
        )
        return [
            self._html("vision", text),
            self._chart(
                "vision_consent", consent_chart(counted, lang, t("board_vision_consent", lang))
            ),
        ]

    def _panel_issues(self, summary: dict[str, Any]) -> list[ipywidgets.Widget]:
        lang = self.ctx.lang
        issues = summary["issues"]
        if not issues:
            return [self._html("issues", f"<p>{escape(t('board_no_issues', lang))}</p>")]
        columns = [
            t(k, lang)
            for k in ("board_col_issue", "board_col_current", "board_col_ideal", "board_col_gap")
        ]
        rows = [
            ["" if v is None else v for v in (i["title"], i["current"], i["ideal"], i["gap"])]
            for i in issues
        ]
        caption = t("board_issues_caption", lang, count=len(issues))
        return [self._html("issues", html_table(columns, rows, caption))]

    def _panel_method(self, summary: dict[str, Any]) -> list[ipywidgets.Widget]:
        lang = self.ctx.lang
        # The method vote and the weights side by side, the charter and its consent under
        # them: the whole phase on one 1920 × 1080 screen.
        ballots = self._ballots(summary, purposes={"method", "weights"}, width=HALF_WIDTH)
        widgets: list[ipywidgets.Widget] = [self._row("method_ballots", ballots)] if ballots else []
        charters = self.ctx.store.charters(self.ctx.slug)
        if not charters:
            widgets.append(self._html("charter", f"<p>{escape(t('board_no_charter', lang))}</p>"))
            return widgets
        charter = charters[-1]
        method = method_name(charter.method, lang)
        if charter.locked and charter.consent:
            counted = consent.tally_from_record(charter.consent)
            state = t("board_charter_locked", lang, version=charter.version, method=method)
        else:
            answers = self.ctx.store.consents(self.ctx.slug, charter.version)
            counted = consent.tally(c.level for c in answers)
            state = t("board_charter_draft", lang, version=charter.version, method=method)
        headline = consent.summary(counted, lang, spread=False)  # the chart shows the levels
        text = self._html("charter", f"<h2>{escape(state)}</h2><p>{escape(headline)}</p>")
        # The consent chart beside it keeps its width (its labels are longest in Japanese);
        # the text takes what is left of the row and wraps.
        text.layout.flex, text.layout.min_width = "1 1 0%", "0"
        chart = self._chart(
            "charter_consent",
            consent_chart(counted, lang, t("board_charter_consent", lang), width=HALF_WIDTH),
        )
        widgets.append(self._row("charter", [text, chart]))
        return widgets

    def _panel_scoring(self, summary: dict[str, Any]) -> list[ipywidgets.Widget]:
        lang = self.ctx.lang
        charter = summary["charter"]
        if charter is None:
            return [self._html("scoring", f"<p>{escape(t('board_scoring_waits', lang))}</p>")]
        names = _names(summary, lang)
        method = method_name(charter["method"], lang)
        raters = len({row[0] for row in summary["scores"]["rows"]})
        text = _p(
            "board_charter_locked", lang, tag="h2", version=charter["version"], method=method
        ) + _p("board_scoring_progress", lang, scores=summary["counts"]["scores"], raters=raters)
        weights = [
            (names.get(k, k), round(100 * float(v), 1)) for k, v in charter["weights"].items()
        ]
        return [
            self._html("scoring", text),
            self._chart(
                "weights",
                bar_chart(
                    weights,
                    title=t("board_weights", lang),
                    label=t("board_col_criterion", lang),
                    value=t("board_col_weight", lang),
                ),
            ),
        ]

    def _panel_results(self, summary: dict[str, Any]) -> list[ipywidgets.Widget]:
        lang = self.ctx.lang
        ranking = summary["ranking"][: self.top]
        if not ranking:
            return [self._html("ranking", f"<p>{escape(t('board_no_ranking', lang))}</p>")]
        columns = [
            t(k, lang)
            for k in (
                "board_col_rank",
                "board_col_issue",
                "board_col_score",
                "board_col_robustness",
                "board_col_divides",
            )
        ]
        tied = tied_ranks(summary["ranking"])
        rows = [
            (
                rank_text(r["rank"], tied, lang),
                r["title"],
                f"{r['score']:.2f}",
                f"{round(100 * r['robustness'])}%",
                "⚠ " + t("board_divides", lang) if r["divides_group"] else "",
            )
            for r in ranking
        ]
        caption = t("board_ranking_caption", lang, top=len(ranking), total=len(summary["ranking"]))
        # The table says what the chart shows, for screen readers; the projector shows the
        # chart, whose notes carry the robustness and the ⚠ (explained under it).
        table = (
            '<div class="ureshii-chart-data">'
            f"{html_table(columns, rows, caption, css_class='ureshii-chart-table')}</div>"
        )
        note = f"<p><small>{escape(t('board_ranking_note', lang))}</small></p>"
        chart = ranking_chart(
            summary["ranking"], lang=lang, size="projector", robustness="notes", top=self.top
        )
        return [self._chart("ranking", chart), self._html("ranking", note + table)]

    def _panel_town_meeting(self, summary: dict[str, Any]) -> list[ipywidgets.Widget]:
        several = sum(1 for b in summary["ballots"] if b["purpose"] == "town_meeting") > 1
        width = HALF_WIDTH if several else CHART_WIDTH  # side by side, to fit one screen
        ballots = self._ballots(summary, purposes={"town_meeting"}, width=width)
        if several:
            return [self._row("town_ballots", ballots)]
        if not ballots:
            ballots = [
                self._html("ballots_none", f"<p>{escape(t('board_no_ballots', self.ctx.lang))}</p>")
            ]
        return ballots

    def _panel_export(self, summary: dict[str, Any]) -> list[ipywidgets.Widget]:
        return self._panel_results(summary)

    def _cycle_html(self, summary: dict[str, Any]) -> str:
        """The "since the last cycle" panel: the small wins (indicators achieved: baseline →
        latest) and how the top issues moved in the ranking (↑2, ↓1, new)."""
        lang = self.ctx.lang
        cycle = summary["previous_cycle"]
        wins = cycle["achieved"][:CYCLE_TOP]
        if wins:
            items = "".join(f"<li>{escape(win_text(w))}</li>" for w in wins)
            wins_html = f"<ul>{items}</ul>"
        else:
            wins_html = f"<p>{escape(t('cycle_wins_none', lang))}</p>"
        moved = [m for m in cycle["moves"] if m["rank"] is not None][:CYCLE_TOP]
        parts = [
            f"<h2>{escape(t('cycle_since_title', lang))}</h2>",
            _p("cycle_since_intro", lang, title=cycle["title"], slug=cycle["slug"]),
            '<div class="ureshii-cycle-columns">',
            f"<div><h3>{escape(t('cycle_wins_title', lang))}</h3>{wins_html}</div>",
        ]
        if moved:
            items = ""
            for m in moved:
                shown, said = move_text(m, lang)
                items += (
                    f'<li><span class="ureshii-move" role="img" aria-label="{escape(said)}">'
                    f"{escape(shown)}</span> {m['rank']}. {escape(m['title'])}</li>"
                )
            parts.append(
                f"<div><h3>{escape(t('cycle_moves_title', lang))}</h3><ol>{items}</ol></div>"
            )
        parts.append("</div>")
        title = escape(t("cycle_since_title", lang))
        return (
            f'<div class="ureshii-cycle" role="region" aria-label="{title}">{"".join(parts)}</div>'
        )

    def _ballots(
        self, summary: dict[str, Any], purposes: set[str], *, width: int = CHART_WIDTH
    ) -> list[ipywidgets.Widget]:
        """Each ballot of ``purposes`` as one column: title, state, votes, and the tally —
        or, for a ballot hidden until it closes, only that votes are coming in."""
        lang = self.ctx.lang
        names = _names(summary, lang)
        columns: list[ipywidgets.Widget] = []
        for entry in summary["ballots"]:
            if entry["purpose"] not in purposes:
                continue
            key = entry["key"]
            status = t(f"console_ballot_status_{entry['status']}", lang)
            head = f"<h2>{escape(entry['title'])}</h2>" + _p(
                "board_ballot_state", lang, status=status, votes=entry["votes"]
            )
            parts: list[ipywidgets.Widget] = []
            if entry["status"] == "draft":
                head += f"<p>{escape(t('board_ballot_not_open', lang))}</p>"
            elif entry["tally"] is None and not entry["results_visible"]:
                hidden = escape(t("board_results_hidden", lang, votes=entry["votes"]))
                head += f'<p class="ureshii-hidden" role="status">{hidden}</p>'
            elif entry["tally"] is None:
                head += f"<p>{escape(t('board_no_votes', lang))}</p>"
            else:
                self._html(f"ballot:{key}", head)  # the count reaches the room before the chart
                points = entry["tally"]["points"]
                order = entry["tally"]["order"]
                rows = [(names.get(o, o), float(points.get(o, 0))) for o in order]
                rows += [
                    (names.get(o, o), float(points.get(o, 0)))
                    for o in entry["options"]
                    if o not in order
                ]
                counts = all(value == int(value) for _, value in rows)
                chart = bar_chart(
                    rows,
                    title=entry["title"],
                    label=t("board_col_option", lang),
                    value=t("board_col_points", lang),
                    colour=_ACCENT,
                    counts=counts,
                    width=width,
                )
                data = json.dumps([lang, entry["title"], rows, counts, width])
                parts.append(self._chart(f"ballot:{key}", chart, data=data))
            parts.insert(0, self._html(f"ballot:{key}", head))
            columns.append(self._column(f"ballot:{key}", parts))
        return columns

    def _column(self, name: str, children: list[ipywidgets.Widget]) -> ipywidgets.VBox:
        return self._box(name, children, row=False)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop (the kernel's, when the feed polls), or ``None``."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
