"""Results: the ranking, how robust it is, where the group is divided, and "what if".

:class:`ResultsView` renders :func:`toolkit.summary.summarize` (it never computes the
agreed ranking itself): the ranking table with robustness (SMAA-2 rank acceptability) and
agreement (r_wg), a chart of the scores with a table of the same data, the items that divide
the group (to discuss, not to average away) with how the answers spread, and the ranking as
each category (立場) of participants alone would have it (small categories hidden).

:class:`WhatIfWeights` re-ranks instantly with other weights by
:func:`toolkit.ranking.what_if_ranking` (the summary's own ranking rule, with the charter's
tie-break; issues still equal keep the agreed order); it never writes to the store and says
so on screen.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any

import ipywidgets
import traitlets

from toolkit.i18n import t
from toolkit.methods.registry import method_name
from toolkit.model import Event, category_name
from toolkit.ranking import what_if_ranking
from toolkit.summary import ROBUSTNESS_SAMPLES, summarize
from toolkit.summary_charts import ranking_chart
from widgets.chart import ChartView
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.ui import RESULT_EVENTS, bar_cell, css, fit, html_table

_WARN = "#a4161a"


def _p(text: str, style: str = "") -> str:
    attribute = f' style="{style}"' if style else ""
    return f"<p{attribute}>{escape(text)}</p>"


def _h(text: str, level: int = 3) -> str:
    return f"<h{level}>{escape(text)}</h{level}>"


def answer_spread(summary: dict[str, Any], issue: str) -> dict[str, Counter[Any]]:
    """Per criterion, how many people gave each score (``None`` = don't know) to ``issue``.

    Computed here from the summary's anonymous scores (the summary gives r_wg, not the
    distribution).
    """
    spread: dict[str, Counter[Any]] = {}
    for _rater, item, criterion, score in summary["scores"]["rows"]:
        if item == issue:
            value = None if score is None else int(score) if float(score).is_integer() else score
            spread.setdefault(criterion, Counter())[value] += 1
    return spread


def _points(weight: float) -> float:
    """A weight (0–1) as whole slider points (0–100)."""
    return float(round(weight * 100))


class WhatIfWeights(ipywidgets.VBox):
    """Sliders per criterion, starting at the charter's weights; the ranking follows at once.

    ``order`` (Python only) is the what-if order of issue keys, best first. Nothing here is
    written to the store: the agreed charter stays as it was locked.
    """

    order: traitlets.List[str] = traitlets.List().tag(sync=False)
    summary = traitlets.Dict().tag(sync=False)

    def __init__(self, ctx: AppContext, summary: dict[str, Any] | None = None, **kwargs: Any):
        self.ctx = ctx
        lang = ctx.lang
        self.sliders: dict[str, ipywidgets.FloatSlider] = {}
        self._agreed: dict[str, float] = {}
        self.banner = ipywidgets.HTML(
            '<p role="note" style="background:#fff3bf;border:3px dashed #a4161a;'
            f'padding:.4em .8em;font-size:1.2em;font-weight:700">'
            f"{escape(t('results_whatif_banner', lang))}</p>"
        )
        self.sliders_box = ipywidgets.VBox()
        self.reset_button = ipywidgets.Button(
            description=t("results_whatif_reset", lang), icon="undo"
        )
        fit(self.reset_button)
        self.reset_button.on_click(self.reset)
        self.note = ipywidgets.HTML()
        self.table = ipywidgets.HTML()
        super().__init__(
            children=[
                ipywidgets.HTML(_h(t("results_whatif_title", lang), 2)),
                self.banner,
                self.sliders_box,
                self.reset_button,
                self.note,
                self.table,
            ],
            **kwargs,
        )
        self.add_class("ureshii-whatif")
        self.observe(self._on_summary, names=["summary"])
        if summary is not None:
            self.summary = summary

    def _on_summary(self, change: object = None) -> None:
        charter = self.summary.get("charter") or {}
        weights: dict[str, float] = charter.get("weights") or {}
        names = {c["key"]: c["name"] for c in self.summary.get("criteria", [])}
        if set(weights) != set(self.sliders):
            self.sliders = {
                key: ipywidgets.FloatSlider(
                    value=_points(weight),
                    min=0,
                    max=100,
                    step=1,
                    readout_format=".0f",
                    description=t("results_whatif_slider", self.ctx.lang, name=names.get(key, key)),
                    style={"description_width": "initial"},
                    layout={"width": "90%"},
                )
                for key, weight in weights.items()
            }
            for slider in self.sliders.values():
                slider.observe(self.rerank, names=["value"])
            self.sliders_box.children = list(self.sliders.values())
            self._agreed = dict(weights)
            self.rerank()
        elif weights != self._agreed:  # a new charter version: start from its weights
            self._agreed = dict(weights)
            self.reset()
        else:  # new scores under the same charter: keep the what-if weights
            self.rerank()

    def charter_weights(self) -> dict[str, float]:
        return dict((self.summary.get("charter") or {}).get("weights") or {})

    def reset(self, _: object = None) -> None:
        """Back to the charter's weights."""
        weights = self.charter_weights()
        with self.hold_trait_notifications():
            for key, slider in self.sliders.items():
                slider.unobserve(self.rerank, names=["value"])
                slider.value = _points(weights.get(key, 0.0))
                slider.observe(self.rerank, names=["value"])
        self.rerank()

    def weights(self) -> dict[str, float]:
        """The what-if weights in points; the exact charter weights while no slider moved.

        Sliders move in whole points, so they start at the charter's weights rounded; as
        long as every slider still sits there, the exact weights are used, so the what-if
        ranking starts out identical to the agreed one (no rounding can swap a close pair).
        """
        agreed = self.charter_weights()
        values = {key: float(slider.value) for key, slider in self.sliders.items()}
        if all(values[key] == _points(agreed.get(key, 0.0)) for key in values):
            return {key: agreed.get(key, 0.0) * 100 for key in values}
        return values

    def rerank(self, change: object = None) -> None:
        """Rank the summary's per-criterion 0–1 values with the sliders' weights."""
        lang = self.ctx.lang
        ranking = self.summary.get("ranking") or []
        # Only criteria the ranking has values for: one the charter gave no weight needed no
        # scores, so there is nothing to weigh it on.
        scored = set(ranking[0]["criteria"]) if ranking else set()
        weights = {k: w for k, w in self.weights().items() if k in scored}
        if not ranking or not weights:
            self.order, self.note.value, self.table.value = [], "", ""
            return
        if sum(weights.values()) <= 0:
            self.note.value = _p(t("results_whatif_all_zero", lang), f"color:{_WARN}")
            return
        # the charter's rule with these weights (toolkit.summary, the one ranking computation)
        ranked = what_if_ranking(self.summary, weights)
        titles = {row["key"]: row["title"] for row in ranking}
        self.order = [str(k) for k in ranked.index]
        rows, up, down = [], 0, 0
        for key, row in ranked.iterrows():
            rank, before = int(row["rank"]), int(row["agreed_rank"])
            if rank < before:
                up += 1
                change_text = t("results_moved_up", lang, n=before - rank)
            elif rank > before:
                down += 1
                change_text = t("results_moved_down", lang, n=rank - before)
            else:
                change_text = t("results_not_moved", lang)
            rows.append((rank, titles[str(key)], f"{row['score']:.3f}", before, change_text))
        if up or down:
            self.note.value = _p(t("results_whatif_summary", lang, up=up, down=down))
        else:
            self.note.value = _p(t("results_whatif_same", lang))
        columns = [
            t(k, lang)
            for k in (
                "results_col_whatif_rank",
                "results_col_issue",
                "results_col_score",
                "results_col_agreed_rank",
                "results_col_change",
            )
        ]
        self.table.value = html_table(columns, rows, t("results_whatif_title", lang))


class ResultsView(ipywidgets.VBox):
    """The results of the workshop, re-read from the store when scores or the charter change.

    ``summary`` (Python only) is the :func:`toolkit.summary.summarize` dict on screen.
    """

    summary = traitlets.Dict().tag(sync=False)

    def __init__(self, ctx: AppContext, feed: LiveFeed, **kwargs: Any) -> None:
        self.ctx = ctx
        lang = ctx.lang
        self.header = ipywidgets.HTML()
        self.ranking_table = ipywidgets.HTML()
        self.chart = ChartView(lang=lang)
        self.discuss = ipywidgets.HTML()
        self.by_category = ipywidgets.HTML()
        self.whatif = WhatIfWeights(ctx)
        super().__init__(
            children=[
                css(),
                ipywidgets.HTML(_h(t("results_title", lang), 2)),
                self.header,
                self.ranking_table,
                self.chart,
                self.discuss,
                self.by_category,
                self.whatif,
            ],
            **kwargs,
        )
        self.add_class("ureshii-app")
        self.add_class("ureshii-results")
        self.observe(self._render, names=["summary"])
        feed.subscribe(self._on_events, kinds=RESULT_EVENTS)
        self.refresh()

    def _on_events(self, events: list[Event]) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.summary = summarize(self.ctx.store, self.ctx.slug)

    def order(self) -> list[str]:
        """The agreed ranking's issue keys, best first."""
        return [row["key"] for row in self.summary.get("ranking", [])]

    def _render(self, change: object = None) -> None:
        lang = self.ctx.lang
        summary = self.summary
        charter = summary.get("charter")
        ranking = summary.get("ranking") or []
        with self.hold_sync():
            if charter is None or not ranking:
                self.header.value = _p(t("results_empty", lang))
                self.ranking_table.value = self.discuss.value = self.by_category.value = ""
                self.chart.chart = None
                self.whatif.layout.display = "none"
                return
            self.whatif.layout.display = None
            self.header.value = _p(
                t(
                    "results_charter",
                    lang,
                    version=charter["version"],
                    method=method_name(charter["method"], lang),
                    time=self.ctx.format_time(charter["locked_at"]),
                )
            )
            self.ranking_table.value = self._ranking_html(ranking)
            self.chart.chart = ranking_chart(ranking, lang=lang, size="laptop", robustness="colour")
            self.discuss.value = self._discuss_html(ranking)
            self.by_category.value = self._by_category_html(ranking)
        self.whatif.summary = summary

    def _ranking_html(self, ranking: list[dict[str, Any]]) -> str:
        lang = self.ctx.lang
        rows = []
        for row in ranking:
            rwg = row.get("agreement_rwg")
            if row.get("divides_group"):
                agreement = (
                    f'<strong style="color:{_WARN}">'
                    f"{escape(t('results_divides', lang, rwg=f'{rwg:.2f}'))}</strong>"
                )
            else:
                agreement = escape(
                    t("results_agrees", lang, rwg="–" if rwg is None else f"{rwg:.2f}")
                )
            rows.append(
                (
                    escape(str(row["rank"])),
                    escape(row["title"]),
                    escape(f"{row['score']:.3f}"),
                    bar_cell(row["robustness"], f"{row['robustness'] * 100:.0f}%"),
                    agreement,
                )
            )
        columns = [
            t(k, lang)
            for k in (
                "results_col_rank",
                "results_col_issue",
                "results_col_score",
                "results_col_robustness",
                "results_col_agreement",
            )
        ]
        explain = (
            _p(t("results_score_explain", lang))
            + _p(t("results_robustness_explain", lang, samples=f"{ROBUSTNESS_SAMPLES:,}"))
            + _p(t("results_agreement_explain", lang))
        )
        return html_table(columns, rows, t("results_title", lang), raw=True) + explain

    def _discuss_html(self, ranking: list[dict[str, Any]]) -> str:
        lang = self.ctx.lang
        names = {c["key"]: c["name"] for c in self.summary.get("criteria", [])}
        divided = [row for row in ranking if row.get("divides_group")]
        parts = [_h(t("results_discuss_title", lang))]
        if not divided:
            return "".join([*parts, _p(t("results_discuss_none", lang))])
        parts.append(_p(t("results_discuss_explain", lang)))
        for row in divided:
            lines = []
            for criterion, counts in answer_spread(self.summary, row["key"]).items():
                points = sorted(k for k in counts if k is not None)
                text = [t("results_spread_point", lang, point=p, n=counts[p]) for p in points]
                if counts.get(None):
                    text.append(t("results_spread_dont_know", lang, n=counts[None]))
                label = names.get(criterion, criterion)
                lines.append(
                    t("results_spread_counts", lang, criterion=label, counts=", ".join(text))
                )
            items = "".join(f"<li>{escape(line)}</li>" for line in lines)
            heading = f"{row['rank']}. {row['title']} — " + t(
                "results_divides", lang, rwg=f"{row['agreement_rwg']:.2f}"
            )
            parts.append(f'<h4 style="color:{_WARN}">{escape(heading)}</h4><ul>{items}</ul>')
        return "".join(parts)

    def _by_category_html(self, ranking: list[dict[str, Any]]) -> str:
        lang = self.ctx.lang
        # "by_group" is the summary's published key; its entries are categories (立場).
        categories: dict[str, Any] = self.summary.get("by_group") or {}
        minimum = (self.summary.get("privacy") or {}).get("min_group_size", 5)
        parts = [_h(t("results_categories_title", lang))]
        if not categories:
            return "".join([*parts, _p(t("results_categories_none", lang))])
        shown = {c: v for c, v in categories.items() if not v.get("suppressed")}
        for category, value in categories.items():
            if value.get("suppressed"):
                parts.append(
                    _p(
                        t(
                            "results_category_suppressed",
                            lang,
                            category=category_name(category, lang),
                            minimum=minimum,
                        )
                    )
                )
        if shown:
            ranks = {c: {r["key"]: r["rank"] for r in v["ranking"]} for c, v in shown.items()}
            columns = [
                t("results_col_issue", lang),
                t("results_everyone", lang),
                *(
                    t(
                        "results_category_heading",
                        lang,
                        category=category_name(c, lang),
                        raters=v["raters"],
                    )
                    for c, v in shown.items()
                ),
            ]
            rows = [
                (row["title"], row["rank"], *(ranks[c].get(row["key"], "–") for c in shown))
                for row in ranking
            ]
            parts.append(html_table(columns, rows, t("results_categories_title", lang)))
        return "".join(parts)
