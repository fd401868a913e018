"""Charts that render offline, with Japanese text.

Altair's default renderer in Voilà loads vega, vega-lite and vega-embed from a CDN, which a
municipal network (LGWAN) or a venue Wi-Fi without internet cannot reach. Every chart in
Ureshii is therefore rendered on the server by ``vl-convert`` (a bundled Vega engine, no
network) to SVG or PNG, with the Noto Sans CJK JP font registered so that Japanese labels do
not turn into boxes ("tofu").

>>> import altair as alt, pandas as pd
>>> frame = pd.DataFrame({"課題": ["窓口の混雑緩和"], "点": [3]})
>>> chart = alt.Chart(frame).mark_bar().encode(x="点", y="課題")
>>> to_svg(chart).startswith("<svg")
True

The chart builders here return plain Altair charts; widgets (``widgets/chart.py``) and the
exports render them with :func:`to_svg` / :func:`to_png`, never with the notebook renderer.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import altair as alt
import pandas as pd
import vl_convert as vlc  # type: ignore[import-untyped,unused-ignore]

from toolkit.i18n import t
from toolkit.text import clean_data

CJK_FONT_FAMILY = "Noto Sans CJK JP"
"""The font family every chart uses; a fallback list follows it in SVG output."""

FONT_STACK = f"{CJK_FONT_FAMILY}, Noto Sans JP, Hiragino Sans, Yu Gothic, Meiryo, sans-serif"
"""What a browser showing an SVG tries in turn (the SVG keeps text as text)."""

# Where Linux distributions put Noto Sans CJK; URESHII_FONT_DIR comes first when set.
_FONT_DIR_CANDIDATES = (
    "/usr/share/fonts/opentype/noto",  # Debian / Ubuntu: fonts-noto-cjk
    "/usr/share/fonts/noto-cjk",  # Fedora, Arch
    "/usr/share/fonts/google-noto-cjk",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/Library/Fonts",
    "/Library/Fonts",
)
_CJK_FILE_PREFIXES = ("NotoSansCJK", "NotoSansJP")


class ChartLike(Protocol):
    """Anything that gives a Vega-Lite spec: an Altair chart (or a test double of one)."""

    def to_dict(self) -> dict[str, Any]: ...


def find_cjk_font_dir() -> Path | None:
    """The folder holding Noto Sans CJK (or Noto Sans JP), or ``None`` if there is none.

    ``URESHII_FONT_DIR`` wins when it is set, so a machine with fonts elsewhere can point
    the charts at them.
    """
    candidates = [os.environ.get("URESHII_FONT_DIR", ""), *_FONT_DIR_CANDIDATES]
    for candidate in candidates:
        if not candidate:
            continue
        folder = Path(candidate).expanduser()
        if not folder.is_dir():
            continue
        for font in folder.rglob("*"):
            if font.name.startswith(_CJK_FILE_PREFIXES) and font.suffix.lower() in {
                ".ttc",
                ".otf",
                ".ttf",
            }:
                return font.parent
    return None


@cache
def register_fonts() -> Path | None:
    """Register the Japanese font with vl-convert once per process; returns its folder.

    Without a Japanese font the charts still render (Japanese may show as boxes) and a
    warning says what to install.
    """
    folder = find_cjk_font_dir()
    if folder is None:
        warnings.warn(t("charts_no_cjk_font"), RuntimeWarning, stacklevel=3)
        return None
    vlc.register_font_directory(str(folder))
    return folder


def _spec(chart: ChartLike | Mapping[str, Any]) -> dict[str, Any]:
    # vl-convert aborts the whole process (a Rust panic, not an exception) on a control
    # character in a label, so no string reaches it with one (the store removes them too);
    # U+2028/U+2029 in a label break vega's expression parser ("Unexpected token").
    raw = dict(chart) if isinstance(chart, Mapping) else chart.to_dict()
    text = json.dumps(clean_data(raw)).replace("\\u2028", " ").replace("\\u2029", " ")
    spec: dict[str, Any] = json.loads(text)
    return spec


# Applied at conversion time, below whatever `configure_*` the chart itself sets.
_FONT_CONFIG: dict[str, Any] = {"font": CJK_FONT_FAMILY}


def to_svg(chart: ChartLike | Mapping[str, Any]) -> str:
    """Render ``chart`` (an Altair chart or a Vega-Lite dict) to a standalone SVG string.

    The SVG references nothing outside itself (no fonts, scripts or data URLs are loaded:
    ``allowed_base_urls=[]`` forbids vl-convert any network access) and keeps its text as
    ``<text>`` elements, so it stays searchable and readable by screen readers.
    """
    register_fonts()
    svg: str = vlc.vegalite_to_svg(_spec(chart), config=_FONT_CONFIG, allowed_base_urls=[])
    # vl-convert names the font alone; give browsers without Noto a Japanese fallback.
    return svg.replace(f'font-family="{CJK_FONT_FAMILY}"', f'font-family="{FONT_STACK}"')


def to_png(chart: ChartLike | Mapping[str, Any], scale: float = 2) -> bytes:
    """Render ``chart`` to PNG bytes (``scale=2`` for sharp projector and print output)."""
    register_fonts()
    png: bytes = vlc.vegalite_to_png(
        _spec(chart), scale=scale, config=_FONT_CONFIG, allowed_base_urls=[]
    )
    return png


@dataclass(frozen=True)
class ChartTable:
    """The data behind a chart as a plain table: the accessible alternative to the image."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def _title_text(spec: Mapping[str, Any]) -> str:
    title = spec.get("title")
    if isinstance(title, Mapping):
        title = title.get("text")
    if isinstance(title, Sequence) and not isinstance(title, str):
        title = " ".join(str(part) for part in title)
    return str(title) if title else ""


def _encoded_fields(spec: Mapping[str, Any]) -> list[str]:
    """The encoded fields, labels (nominal, ordinal, time) before quantities, as people read."""
    labels: list[str] = []
    quantities: list[str] = []
    for channel in (spec.get("encoding") or {}).values():
        field = channel.get("field") if isinstance(channel, Mapping) else None
        if not isinstance(field, str) or field in labels or field in quantities:
            continue
        (quantities if channel.get("type") == "quantitative" else labels).append(field)
    return labels + quantities


def chart_table(chart: ChartLike | Mapping[str, Any], lang: str | None = None) -> ChartTable:
    """The rows a chart draws, restricted to the fields it encodes (all fields if unknown).

    Works for single-view charts with inline data (what Altair produces from a DataFrame);
    a chart without inline data gives an empty table.
    """
    spec = _spec(chart)
    title = _title_text(spec) or t("charts_untitled", lang)
    datasets: Mapping[str, Any] = spec.get("datasets") or {}
    data = spec.get("data") or {}
    values: list[Mapping[str, Any]] = []
    if isinstance(data, Mapping):
        if "values" in data:
            values = list(data["values"])
        elif data.get("name") in datasets:
            values = list(datasets[data["name"]])
    if not values:
        return ChartTable(title=title, columns=(), rows=())
    columns = _encoded_fields(spec) or list(values[0])
    rows = tuple(tuple(row.get(column) for column in columns) for row in values)
    return ChartTable(title=title, columns=tuple(columns), rows=rows)


# A few issues that real municipalities worked on (DOMAIN.md), with made-up scores.
_DEMO_ISSUES = (
    ("窓口の混雑緩和", 4.4),
    ("3レス（ペーパー・FAX・はんこ）", 4.1),
    ("市民健診の日程変更受付", 3.6),
    ("公用車運転日報の電子化", 3.2),
    ("学校園の修繕報告の一元管理", 2.9),
)


def demo_chart(lang: str | None = None) -> alt.Chart:
    """A bar chart of sample issue scores, for the console before a workshop has data."""
    issue, score = t("charts_demo_issue", lang), t("charts_demo_score", lang)
    frame = pd.DataFrame(_DEMO_ISSUES, columns=[issue, score])
    return (
        alt.Chart(frame, title=t("charts_demo_title", lang))
        .mark_bar(color="#e07a5f")
        .encode(
            x=alt.X(f"{score}:Q", scale=alt.Scale(domain=[0, 5])),
            y=alt.Y(f"{issue}:N", sort="-x"),
        )
        .properties(width=360)
    )
