"""The XLSX export on paper and on screen (issue 17, item 5), read back with openpyxl as
Excel and Calc read it: every sheet prints A4 landscape, one page wide, with its header row
on every page; a text with line breaks, or too long for its column, wraps instead of
showing only its last line or being clipped."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl

from tests.workshop_data import small_workshop
from toolkit.export import render
from toolkit.store import Store
from toolkit.summary import summarize

SLUG = "tsuru-dx"
TWO_LINES = "月曜の朝は1時間待ち。\n番号札と呼び出し表示を見直す"
LONG = "窓口で待たずに済むよう、" * 12  # wider than a column may grow


def _workbook(tmp_path: Path, lang: str = "ja") -> Any:
    spec = small_workshop(SLUG)
    spec["issues"][0]["description"] = TWO_LINES
    spec["issues"][1]["description"] = LONG
    with Store.open(tmp_path / "print.sqlite") as store:
        store.create_workshop(spec)
        data = render(summarize(store, SLUG), "xlsx", lang=lang)
    return openpyxl.load_workbook(io.BytesIO(data))


def test_every_sheet_prints_a4_landscape_one_page_wide_with_its_header(tmp_path: Path) -> None:
    book = _workbook(tmp_path)
    assert len(book.worksheets) >= 5
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9), sheet.title
        assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title


def test_multi_line_and_long_texts_wrap(tmp_path: Path) -> None:
    backlog = _workbook(tmp_path, "en").worksheets[0]
    cells = {c.value: c for row in backlog.iter_rows() for c in row if isinstance(c.value, str)}

    assert cells[TWO_LINES].alignment.wrap_text
    assert cells[LONG].alignment.wrap_text
    short = next(c for v, c in cells.items() if v == "chat")  # an id: short, one line
    assert not short.alignment.wrap_text
    widths = [d.width for d in backlog.column_dimensions.values() if d.width]
    assert widths and max(widths) <= 60
