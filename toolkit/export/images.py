"""Chart images (SVG or PNG) of the summary, rendered offline with Japanese text intact.

The charts are the ones every screen draws (:mod:`toolkit.summary_charts`), at the
``"report"`` size.
"""

from __future__ import annotations

from typing import Any

from toolkit.charts import to_png, to_svg
from toolkit.export._common import ExportError, export_lang
from toolkit.summary_charts import happiness_chart, happiness_grid, ranking_chart

#: Bars drawn in the ranking chart; the report's table lists every issue.
RANKING_CHART_TOP = 30
CHARTS = ("ranking", "happiness")


def summary_chart(
    summary: dict[str, Any], chart: str = "ranking", *, lang: str | None = None
) -> Any:
    """The export's ``chart`` ("ranking" or "happiness") of ``summary`` as an Altair chart:
    the ranking's first :data:`RANKING_CHART_TOP` issues with robustness diamonds, or the
    happiness map."""
    language = export_lang(summary, lang)
    if chart == "ranking":
        return ranking_chart(summary["ranking"], lang=language, top=RANKING_CHART_TOP)
    if chart == "happiness":
        return happiness_chart(happiness_grid(summary, language), lang=language)
    raise ExportError("export_unknown_chart", value=chart, allowed=", ".join(CHARTS))


def render_chart(
    summary: dict[str, Any], *, fmt: str, chart: str = "ranking", lang: str | None = None
) -> bytes:
    """``chart`` ("ranking" or "happiness") as ``fmt`` ("svg" or "png") bytes."""
    built = summary_chart(summary, chart, lang=lang)
    if fmt == "svg":
        return to_svg(built).encode("utf-8")
    if fmt == "png":
        return to_png(built)
    raise ExportError("export_unknown_format", value=fmt, allowed="svg, png")
