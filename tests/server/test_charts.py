"""Offline charts: SVG/PNG from vl-convert with the Japanese font, and the chart widget."""

from __future__ import annotations

import re
import struct
import zlib

import altair as alt
import pandas as pd
import pytest

from tests.server.server_helpers import ARTIFACTS
from toolkit.charts import (
    CJK_FONT_FAMILY,
    chart_table,
    demo_chart,
    register_fonts,
    to_png,
    to_svg,
)
from widgets.chart import ChartView
from widgets.heading import Heading

SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def _title_chart(title: str) -> alt.Chart:
    frame = pd.DataFrame({"課題": ["窓口の混雑緩和", "チャットツールの定着"], "点": [4, 2]})
    return alt.Chart(frame, title=title).mark_bar().encode(x="点:Q", y="課題:N")


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _png_pixels(png: bytes) -> bytes:
    """The decompressed image data (IDAT), enough to tell two renderings apart."""
    chunks, position = [], 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        if kind == b"IDAT":
            chunks.append(png[position + 8 : position + 8 + length])
        position += 12 + length
    return zlib.decompress(b"".join(chunks))


def test_svg_keeps_japanese_text_and_links_nowhere(cjk_font: None) -> None:
    svg = to_svg(_title_chart("優先順位の決め方"))
    assert svg.startswith("<svg")
    assert "優先順位の決め方" in svg and "窓口の混雑緩和" in svg
    assert CJK_FONT_FAMILY in svg
    assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) <= SVG_NAMESPACES
    assert "<script" not in svg and "<image" not in svg


def test_png_renders_japanese_glyphs_not_boxes(cjk_font: None) -> None:
    """Two different kanji titles give different pixels; missing glyphs ("tofu") would
    draw the same empty box for both."""
    first, second = to_png(_title_chart("窓口")), to_png(_title_chart("健診"))
    assert _png_size(first)[0] > 300
    assert _png_pixels(first) != _png_pixels(second)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "chart-ja.png").write_bytes(to_png(demo_chart("ja")))


def test_png_scale_doubles_the_size(cjk_font: None) -> None:
    chart = _title_chart("縮尺")
    one, two = _png_size(to_png(chart, scale=1)), _png_size(to_png(chart, scale=2))
    assert two == (one[0] * 2, one[1] * 2)


def test_the_font_folder_is_registered(cjk_font: None) -> None:
    folder = register_fonts()
    assert folder is not None and any(folder.glob("NotoSans*CJK*"))


def test_chart_table_lists_labels_then_numbers() -> None:
    table = chart_table(_title_chart("表"))
    assert table.title == "表"
    assert table.columns == ("課題", "点")
    assert table.rows == (("窓口の混雑緩和", 4), ("チャットツールの定着", 2))


def test_chart_table_without_inline_data_is_empty() -> None:
    table = chart_table({"mark": "bar", "data": {"url": "x.csv"}}, "en")
    assert table.rows == () and table.title == "chart"


def test_chart_view_shows_svg_and_a_table_and_redraws(cjk_font: None) -> None:
    view = ChartView(_title_chart("最初"), lang="ja")
    image, table = (child.value for child in view.children)
    assert 'role="img"' in image and 'aria-label="最初"' in image and "<svg" in image
    assert "<table" in table and "グラフのデータ: 最初" in table and "窓口の混雑緩和" in table
    view.chart = _title_chart("二番目")
    assert "二番目" in view.children[0].value and "二番目" in view.children[1].value


def test_chart_view_shows_an_error_instead_of_raising() -> None:
    view = ChartView({"mark": "bar", "encoding": {"x": {"field": "a", "type": "nonsense"}}})
    message = view.children[0].value
    assert 'role="alert"' in message and "could not be drawn" in message
    assert "cdn.jsdelivr" not in message  # vl-convert's JavaScript stack is left out


def test_heading_is_in_one_language_with_a_switch_to_the_other(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUERY_STRING", "table=3")
    heading = Heading.from_message("console_title", "en")
    assert "Ureshii facilitator console" in heading.value
    assert "Ureshii ファシリテーター画面" not in heading.value  # no subtitle in the other language
    assert '<a href="?table=3&amp;lang=ja"' in heading.value and ">日本語</a>" in heading.value
    assert "&lt;b&gt;" in Heading("<b>").value
    with pytest.raises(Exception, match="heading level must be 1 to 6, got 7"):
        Heading("x", level=7)
