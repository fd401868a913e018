"""A chart drawn on the server (inline SVG) with its data as a table beside it.

Altair's notebook renderer loads vega from a CDN and fails without internet; this widget
renders with :func:`toolkit.charts.to_svg` instead (vl-convert, Japanese font, no network)
and shows the same data as an HTML table, for screen readers and for people who read
numbers rather than bars.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets
import traitlets

from toolkit.i18n import t
from widgets.ui import html_table

if TYPE_CHECKING:  # Altair is imported when the first chart is drawn, not when an app starts
    from toolkit.charts import ChartLike, ChartTable


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def _reason(exc: Exception) -> str:
    """The readable part of an error: vl-convert appends a JavaScript stack ("at …")."""
    lines = [line.strip() for line in str(exc).splitlines()]
    kept = [line for line in lines if line and not line.startswith("at ")]
    return " ".join(kept) or type(exc).__name__


def table_html(table: ChartTable, lang: str | None = None) -> str:
    """The chart's data as an accessible HTML table (caption, header cells with scope)."""
    return html_table(
        table.columns,
        [[_format(cell) for cell in row] for row in table.rows],
        t("charts_table_caption", lang, title=table.title),
        css_class="ureshii-chart-table",
    )


class ChartView(ipywidgets.VBox):
    """Shows an Altair chart as inline SVG, and its data as a table below it.

    Assign a new chart to ``view.chart`` to redraw. A chart that cannot be drawn shows the
    reason inside the widget instead of raising in the callback.
    """

    chart = traitlets.Any(None, allow_none=True)  # the Altair chart (Python only, not synced)
    lang = traitlets.Unicode(None, allow_none=True)

    def __init__(self, chart: ChartLike | None = None, *, lang: str | None = None, **kwargs: Any):
        self._image = ipywidgets.HTML()
        self._table = ipywidgets.HTML()
        self._table.add_class("ureshii-chart-data")  # a board keeps it for screen readers only
        super().__init__(children=[self._image, self._table], **kwargs)
        self.add_class("ureshii-chart")
        # Set before observing, then drawn once (a chart costs ~0.15 s to draw; observing
        # first drew it three times: once per trait, once here).
        self.lang = lang
        self.chart = chart
        self.observe(self._render, names=["chart", "lang"])
        self._render()

    def _render(self, change: object = None) -> None:
        if self.chart is None:
            image, table = "", ""
        else:
            from toolkit.charts import chart_table, to_svg

            try:
                data = chart_table(self.chart, self.lang)
                label = escape(data.title, quote=True)
                image = (
                    f'<figure role="img" aria-label="{label}" style="margin:0">'
                    f"{to_svg(self.chart)}</figure>"
                )
                table = table_html(data, self.lang)
            except Exception as exc:  # shown to the person; the widget must not die silently
                message = t("charts_render_failed", self.lang, reason=_reason(exc))
                image = f'<p role="alert">{escape(message)}</p>'
                table = ""
        with self.hold_sync():
            self._image.value = image
            self._table.value = table
