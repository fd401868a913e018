"""The happiness map itself: cards per stakeholder × theme, as a table and a heatmap.

:class:`HappinessMap` — the table always, the heatmap when ticked.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any

import ipywidgets

from widgets.chart import ChartView
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.ui import HAPPINESS_EVENTS, LivePanel, heading_html, html_table


# ---------------------------------------------------------------------- the map
class HappinessMap(LivePanel):
    """Cards per stakeholder × theme: a table (always) and a heatmap (when ticked)."""

    LIVE_KINDS = HAPPINESS_EVENTS

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
        self.table.value = html_table(columns, rows)
        wanted = (holders, themes, counts) if self.show_chart.value else None
        if wanted != self._drawn:  # the chart is redrawn only when the numbers change
            # Altair loads when the first chart is drawn, not when a table's app starts.
            from toolkit.summary_charts import HappinessGrid, happiness_chart

            grid = HappinessGrid(holders, themes, counts)
            chart = happiness_chart(grid, lang=self.ctx.lang, size="laptop") if wanted else None
            self.chart.chart = chart
            self._drawn = wanted
