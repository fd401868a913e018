"""Chart images (SVG or PNG) of the summary, rendered offline with Japanese text intact."""

from __future__ import annotations

from typing import Any

from toolkit.charts import to_png, to_svg
from toolkit.export._common import ExportError
from toolkit.export.report_charts import CHARTS


def render_chart(
    summary: dict[str, Any], *, fmt: str, chart: str = "ranking", lang: str | None = None
) -> bytes:
    """``chart`` ("ranking" or "happiness") as ``fmt`` ("svg" or "png") bytes."""
    if chart not in CHARTS:
        raise ExportError("export_unknown_chart", value=chart, allowed=", ".join(CHARTS))
    built = CHARTS[chart](summary, lang=lang)
    if fmt == "svg":
        return to_svg(built).encode("utf-8")
    if fmt == "png":
        return to_png(built)
    raise ExportError("export_unknown_format", value=fmt, allowed="svg, png")
